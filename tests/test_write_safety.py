"""What fix/clear write is safe with what units send (DOMAIN.md §7), on files and in Excel.

- text from a form is written as text, never as a formula (openpyxl and xlwings' remote engine);
- a user's own sheet named 检查结果 (or xlperf_journal) is never deleted or renamed, and clear
  brings back every sheet's name, order, visibility and every cell;
- written files keep the replaced file's mode (new ones get the umask's), stale temporary files
  of ours are removed;
- the 检查结果 sheet prints one page wide (rendered by LibreOffice);
- filled cells carry the computed style and note, and nothing is computed from rejected inputs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from click.testing import CliRunner
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from tests.builders import Layout, clean_project, write_project, write_summary
from tests.conftest import fixture_path, soffice
from tests.remote_client import apply_actions, payload
from xlperf import excel
from xlperf.cli import main
from xlperf.errors import InputError
from xlperf.ops.files import TEMP_NAME, clear_file, fix_file
from xlperf.ops.journal import JOURNAL_SHEET
from xlperf.ops.literal import looks_like_formula, put
from xlperf.ops.plan import COMPUTED_COLOR, COMPUTED_NOTE
from xlperf.vocabulary.review import RESULTS_HEAD
from xlperf.vocabulary.sheets import RESULTS_SHEET

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"
HOSTILE_SHEET = "+甲'乙\"项目"  # a sheet name starting like a formula, with both quotes
STYLE_ATTRS = ("font", "fill", "border", "number_format", "alignment", "protection")


def _as_text(ws) -> None:
    """Store every formula-like string of a sheet as text, as a unit's form holds it."""
    for row in ws.iter_rows():
        for c in row:
            if c.data_type == "f" or looks_like_formula(c.value):
                put(c, c.value)


def _hostile_workbook(path: Path) -> Path:
    """A project form whose name and 偏差原因 are formula-like text, with an empty 执行率 (to be
    filled), a wrong 总分 (flagged), a cell note that looks like a formula, and a 汇总表 row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = HOSTILE_SHEET
    data = clean_project(HYPERLINK)
    data["funds"]["total"][4] = None  # 执行率 empty: filled by fix
    data["total_score"] = 99  # XP204
    name, *rest = data["indicators"][1]
    data["indicators"][1] = (name, *rest[:-1], DDE)  # 偏差原因 "=cmd|..."
    write_project(ws, 1, data, Layout(merged=False))
    ws["A19"], ws["B19"] = "等次", HYPERLINK  # XP208, the typed grade quoted as 实际值
    ws["G5"].number_format = "General"
    ws["G5"].comment = Comment("=1+1 原批注", "会计")  # on the cell fix fills
    summary = wb.create_sheet("汇总表")
    write_summary(summary, 1, "-某单位", [[HYPERLINK, 50, 45, None, 1, 0.9, 1, 99, DDE]])
    for sheet in wb.worksheets:
        _as_text(sheet)
    wb.save(path)
    return path


def _formula_cells(path: Path) -> list[tuple[str, str, object]]:
    wb = openpyxl.load_workbook(path)
    return [
        (ws.title, c.coordinate, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def test_fix_writes_form_text_as_text_on_files(tmp_path: Path) -> None:
    src = _hostile_workbook(tmp_path / "hostile.xlsx")
    assert _formula_cells(src) == []
    out = tmp_path / "fixed.xlsx"
    result = fix_file(src, out)
    assert result.filled >= 1 and result.findings
    assert _formula_cells(out) == []
    wb = openpyxl.load_workbook(out)
    results = wb[RESULTS_SHEET]
    rows = list(results.iter_rows(min_row=2))
    assert any(r[3].value == HOSTILE_SHEET for r in rows)
    for row in rows:
        for c in row:
            if looks_like_formula(c.value):  # Excel keeps it text when the cell is edited
                assert c.data_type == "s" and c.quotePrefix, c.coordinate
    messages = " ".join(str(r[5].value) for r in rows)
    assert HYPERLINK in messages  # quoted in the messages, as text
    xp208 = next(r for r in rows if r[1].value == "XP208")
    assert xp208[7].value == HYPERLINK and xp208[7].data_type == "s"
    # the link to a sheet whose name holds quotes is quoted as Excel quotes it
    xp204 = next(r for r in rows if r[1].value == "XP204")
    assert xp204[4].hyperlink.location == "'+甲''乙\"项目'!G18"
    # the cell's own note, which looks like a formula, kept as text in the journal and the note
    journal = wb[JOURNAL_SHEET]
    assert any(
        c.value == "=1+1 原批注" and c.data_type == "s" for row in journal.iter_rows() for c in row
    )
    assert wb[HOSTILE_SHEET]["G5"].comment.text.endswith("=1+1 原批注")
    # and clear restores the unit's text exactly, still as text
    clear_file(out)
    assert _formula_cells(out) == []
    back = openpyxl.load_workbook(out)[HOSTILE_SHEET]
    assert back["B2"].value == HYPERLINK and back["H13"].value == DDE


def _remote(path: Path, operation) -> tuple[xw.Book, openpyxl.Workbook, object]:
    book = xw.Book(json=payload(path))
    result = operation(book, excel.ExcelIO(book))
    wb = openpyxl.load_workbook(path)
    apply_actions(wb, book.json()["actions"])
    return book, wb, result


LINK = re.compile(r'=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)')


def test_fix_writes_form_text_as_text_through_xlwings(tmp_path: Path) -> None:
    src = _hostile_workbook(tmp_path / "hostile.xlsx")
    book, wb, plan = _remote(src, lambda b, io: excel.fix_live(b, io=io))
    actions = book.json()["actions"]
    links = []
    for action in actions:
        if action["func"] != "setValues":
            continue
        for row in action["values"]:
            for value in row:
                if isinstance(value, str) and value.startswith("=HYPERLINK("):
                    links.append(value)  # counted and matched to the findings below
                    continue
                assert not looks_like_formula(value) or value.startswith("'"), value
    # xlperf's own formulas: a HYPERLINK per finding, the sheet name quoted and escaped
    assert len(links) == len(plan.findings)
    for link, finding in zip(links, plan.findings, strict=True):
        target, label = (g.replace('""', '"') for g in LINK.fullmatch(link).groups())
        assert target == "#'" + finding.sheet.replace("'", "''") + "'!" + finding.cell
        assert label == finding.cell
    # the notes payload keeps its four fields per record whatever the texts hold
    macro = next(a for a in actions if a["func"] == "runMacro" and a["args"][0] == "XlperfMark")
    records = macro["args"][1].split(chr(30))
    assert len(records) == len(plan.marks) and all(len(r.split(chr(31))) == 4 for r in records)
    # applied as Excel applies them: the only formulas are those links
    formulas = [
        (ws.title, c.column_letter, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas and all(t == RESULTS_SHEET and col == "E" for t, col, _ in formulas)
    assert wb[HOSTILE_SHEET]["B2"].value == HYPERLINK
    results = wb[RESULTS_SHEET]
    assert any(c.value == HOSTILE_SHEET for c in results["D"])


# -- a user's own 检查结果 sheet ------------------------------------------------------------


def _snapshot(path: Path) -> dict:
    """Every sheet's name, order, visibility and every cell (value, style, note)."""
    wb = openpyxl.load_workbook(path)
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                style = tuple(repr(getattr(c, a)) for a in STYLE_ATTRS)
                cells[(ws.title, c.coordinate)] = (
                    c.value,
                    style,
                    c.comment.text if c.comment else None,
                )
    return {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "active": wb.active.title,
        "cells": cells,
    }


def _user_sheets_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes["A1"] = "填表说明"
    mine = wb.create_sheet(RESULTS_SHEET)  # the user's own 检查结果, second
    mine["A1"] = "我的检查记录"
    mine["B2"] = 42
    mine["B2"].fill = PatternFill(fill_type="solid", fgColor="00B0F0")
    mine["B2"].comment = Comment("自己记的", "会计")
    also = wb.create_sheet(f"{RESULTS_SHEET}(2)")
    also["A1"] = "上次的"
    data = clean_project()
    data["funds"]["total"][4] = None  # filled
    data["total_score"] = 99  # flagged
    write_project(wb.create_sheet("项目"), 1, data, Layout(merged=False))
    hidden = wb.create_sheet("备用")
    hidden["A1"] = "隐藏的表"
    hidden.sheet_state = "hidden"
    wb.active = 2
    wb.save(path)
    return path


def test_fix_keeps_a_users_results_sheet_and_clear_restores_everything(tmp_path: Path) -> None:
    src = _user_sheets_workbook(tmp_path / "user.xlsx")
    before = _snapshot(src)
    fixed, again = tmp_path / "fixed.xlsx", tmp_path / "again.xlsx"
    fix_file(src, fixed)
    after = _snapshot(fixed)
    ours = f"{RESULTS_SHEET}(3)"
    assert [s for s, _ in after["sheets"]] == [s for s, _ in before["sheets"]] + [
        ours,
        JOURNAL_SHEET,
    ]
    assert after["sheets"][: len(before["sheets"])] == before["sheets"]
    for key, cell in before["cells"].items():
        if key[0] in (RESULTS_SHEET, f"{RESULTS_SHEET}(2)", "说明", "备用"):
            assert after["cells"][key] == cell, key
    assert openpyxl.load_workbook(fixed)[ours]["B2"].value == "XP204"
    fix_file(fixed, again)  # our sheet is replaced, under the same name; the user's stay
    assert _snapshot(again)["sheets"] == after["sheets"]
    clear_file(again)
    assert _snapshot(again) == before
    # the same from the command line, in place
    runner = CliRunner()
    assert runner.invoke(main, ["fix", str(src), "--in-place"]).exit_code == 0
    assert runner.invoke(main, ["clear", str(src)]).exit_code == 0
    assert _snapshot(src) == before


def test_live_fix_keeps_a_users_results_sheet(tmp_path: Path) -> None:
    src = _user_sheets_workbook(tmp_path / "user.xlsx")
    before = _snapshot(src)
    _, wb, plan = _remote(src, lambda b, io: excel.fix_live(b, io=io))
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    after = _snapshot(fixed)
    ours = f"{RESULTS_SHEET}(3)"
    assert [s for s, _ in after["sheets"]] == [s for s, _ in before["sheets"]] + [
        ours,
        JOURNAL_SHEET,
    ]
    for key, cell in before["cells"].items():
        if key[0] != "项目":
            assert after["cells"][key] == cell, key
    _, wb, _ = _remote(fixed, lambda b, io: excel.fix_live(b, io=io))
    twice = tmp_path / "twice.xlsx"
    wb.save(twice)
    assert [s for s, _ in _snapshot(twice)["sheets"]] == [s for s, _ in after["sheets"]]
    _, wb, restored = _remote(twice, lambda b, io: excel.clear_live(b, io=io))
    cleared = tmp_path / "cleared.xlsx"
    wb.save(cleared)
    assert restored >= len(plan.marks)
    assert _snapshot(cleared)["sheets"] == before["sheets"]
    values = {k: v[0] for k, v in _snapshot(cleared)["cells"].items()}
    assert values == {k: v[0] for k, v in before["cells"].items()}


def test_a_users_sheet_named_like_the_journal_is_never_touched(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    write_project(wb.active, 1, clean_project(), Layout(merged=False))
    wb.create_sheet(JOURNAL_SHEET)["A1"] = "我的笔记"
    path = tmp_path / "journal.xlsx"
    wb.save(path)
    before = path.read_bytes()
    with pytest.raises(InputError, match="不是 xlperf 建立的"):
        fix_file(path, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
    with pytest.raises(InputError, match="没有 xlperf 的检查标记"):
        clear_file(path)
    assert path.read_bytes() == before
    book = xw.Book(json=payload(path))
    excel.recalc_and_check(book)
    excel.clear_flags(book)
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert", "alert"]
    assert "不是 xlperf 建立的" in actions[0]["args"][0]


# -- file modes and temporary files ------------------------------------------------------------


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_new_files_get_the_umask_and_replaced_files_keep_their_mode(tmp_path: Path, umask) -> None:
    src = tmp_path / "src.xlsx"
    shutil.copy(fixture_path("std"), src)
    runner = CliRunner()
    out = tmp_path / "out.xlsx"
    assert runner.invoke(main, ["fix", str(src), "-o", str(out)]).exit_code == 0
    assert _mode(out) == 0o644
    umask(0o027)
    other = tmp_path / "other.xlsx"
    assert runner.invoke(main, ["fix", str(src), "-o", str(other)]).exit_code == 0
    assert _mode(other) == 0o640
    umask(0o022)
    report = tmp_path / "report.docx"
    assert runner.invoke(main, ["report", str(src), "-o", str(report)]).exit_code == 0
    assert _mode(report) == 0o644
    rolled = tmp_path / "rollup.xlsx"
    assert (
        runner.invoke(main, ["rollup", str(src), "-o", str(rolled), "--overwrite"]).exit_code == 0
    )
    assert _mode(rolled) == 0o644
    # an original of mode 0640 stays 0640 when written in place (and 0600 stays 0600)
    os.chmod(src, 0o640)
    assert runner.invoke(main, ["fix", str(src), "--in-place"]).exit_code == 0
    assert _mode(src) == 0o640
    os.chmod(src, 0o600)
    assert runner.invoke(main, ["clear", str(src)]).exit_code == 0
    assert _mode(src) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".xlperf-")] == []


def test_stale_temporary_files_of_ours_are_removed_by_the_next_write(tmp_path: Path) -> None:
    src = tmp_path / "src.xlsx"
    shutil.copy(fixture_path("std"), src)
    stale = tmp_path / ".xlperf-0123456789abcdef.xlsx"  # left by a killed run two hours ago
    old_style = tmp_path / ".xlperf-k2j_x9qa.xlsx"  # mkstemp's name, of earlier versions
    fresh = tmp_path / ".xlperf-fedcba9876543210.xlsx"  # another run writing right now
    mine = tmp_path / ".xlperf-notes.xlsx"  # not a name of ours
    for p in (stale, old_style, fresh, mine):
        p.write_bytes(b"PK partial")
    two_hours_ago = time.time() - 7200
    for p in (stale, old_style, mine):
        os.utime(p, (two_hours_ago, two_hours_ago))
    assert TEMP_NAME.fullmatch(stale.name) and not TEMP_NAME.fullmatch(mine.name)
    fix_file(src, tmp_path / "out.xlsx")
    assert not stale.exists() and not old_style.exists()
    assert fresh.exists() and mine.exists()


# -- printing ------------------------------------------------------------------------------------


def _pdf_pages(pdf: Path, mode: str = "-layout") -> list[str]:
    """The text of each page, laid out as printed (``-layout``) or in drawing order (``-raw``:
    a cell's lines stay together)."""
    pages = int(re.search(r"Pages:\s+(\d+)", _run(["pdfinfo", str(pdf)])).group(1))
    return [
        _run(["pdftotext", "-f", str(n), "-l", str(n), mode, str(pdf), "-"])
        for n in range(1, pages + 1)
    ]


def _run(cmd: list[str]) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120).stdout


def test_the_results_sheet_prints_one_page_wide(tmp_path: Path) -> None:
    if not shutil.which("pdfinfo") or not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdfinfo, pdftotext) not installed")
    exe = soffice()
    fixed = tmp_path / "fixed.xlsx"
    result = fix_file(fixture_path("std"), fixed)
    wb = openpyxl.load_workbook(fixed)
    for name in wb.sheetnames:  # print the results sheet alone
        if name != RESULTS_SHEET:
            del wb[name]
    only = tmp_path / "results.xlsx"
    wb.save(only)
    profile = tmp_path / "profile"
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(only),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "results.pdf"
    pages = _pdf_pages(pdf)
    # one page wide: every page carries the whole header row (说明 and the last column
    # included), so no page holds a slice of columns; and each row is printed once, so the
    # pages are those the rows need (a split would print every row twice, in halves).
    assert len(pages) > 1
    for text in pages:
        for header in RESULTS_HEAD:
            assert header in text
    printed = [
        int(m.group(1))
        for text in pages
        for m in re.finditer(r"^\s*(\d+)\s+X[PSD]\d{3}\s", text, re.MULTILINE)
    ]
    assert printed == list(range(1, len(result.findings) + 1))
    # the 说明 column is wrapped, not cut: each message's last characters are printed
    flat = re.sub(r"\s+", "", "".join(_pdf_pages(pdf, "-raw")))
    for f in result.findings:
        assert re.sub(r"\s+", "", f.message) in flat, f.message
    # 期望值 and 实际值 read as the message writes them (80.3%, not 0.803)
    assert re.search(r"100%\s+80\.3%", pages[0])
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
            check=True,
            timeout=60,
        )
        if os.environ.get("XLPERF_PNG"):  # to look at the page
            shutil.copy(next(tmp_path.glob("p*.png")), os.environ["XLPERF_PNG"])


# -- computed cells ------------------------------------------------------------------------------


def _empty_computed_workbook(path: Path, parts_broken: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目"
    data = clean_project()
    data["funds"]["total"][4] = None  # 执行率
    data["funds"]["total"][5] = None  # 预算执行率得分
    data["funds"]["current_appropriation"][4] = None  # part-row 执行率
    if parts_broken:  # the part's figures exceed the whole: XP104
        data["funds"]["current_appropriation"][2] = 828.44
    write_project(ws, 1, data, Layout(merged=False))
    ws["G5"].number_format = ws["G6"].number_format = "General"
    total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    ws.cell(total_row, 7).value = None  # 总分
    wb.save(path)
    return path


def test_filled_cells_carry_the_computed_style_and_clear_removes_it(tmp_path: Path) -> None:
    src = _empty_computed_workbook(tmp_path / "empty.xlsx")
    before = _snapshot(src)
    out = tmp_path / "out.xlsx"
    result = fix_file(src, out)
    ws = openpyxl.load_workbook(out)["项目"]
    filled = ["G5", "H5", "G6", "G18"]
    assert result.filled == len(filled)
    for address in filled:
        cell = ws[address]
        assert cell.value is not None
        assert cell.fill.fgColor.rgb.endswith(COMPUTED_COLOR), address
        assert cell.comment.text.startswith(COMPUTED_NOTE), address
    assert (
        "16.06" not in ws["G5"].comment.text and "45 ÷ 全年预算数 50 = 90%" in ws["G5"].comment.text
    )
    assert ws["G5"].value == pytest.approx(0.9) and ws["G5"].number_format == "0.00%"
    # no finding on a clean form: the computed style is not counted as a flag
    assert result.flagged == 0
    clear_file(out)
    assert _snapshot(out) == before
    # through Excel: the same fills and notes, journaled by the add-in's macro, cleared by it
    _, wb, _ = _remote(src, lambda b, io: excel.fix_live(b, io=io))
    for address in filled:
        cell = wb["项目"][address]
        assert cell.fill.fgColor.rgb.endswith(COMPUTED_COLOR), address
        assert cell.comment.text.startswith(COMPUTED_NOTE), address
    live = tmp_path / "live.xlsx"
    wb.save(live)
    _, wb, _ = _remote(live, lambda b, io: excel.clear_live(b, io=io))
    cleared = tmp_path / "cleared.xlsx"
    wb.save(cleared)
    for address in filled:
        cell = openpyxl.load_workbook(cleared)["项目"][address]
        assert cell.value is None and cell.comment is None and cell.fill.fill_type is None


def test_no_rate_is_filled_from_figures_flagged_xp104(tmp_path: Path) -> None:
    src = _empty_computed_workbook(tmp_path / "broken.xlsx", parts_broken=True)
    out = tmp_path / "out.xlsx"
    result = fix_file(src, out)
    assert "XP104" in {f.code for f in result.findings}
    ws = openpyxl.load_workbook(out)["项目"]
    assert ws["G6"].value is None  # 828.44 ÷ 50 = 1656.88% is not written
    assert ws["G5"].value is None and ws["H5"].value is None  # nor the total's, nor its score
    assert not any(
        c.comment and c.comment.text.startswith(COMPUTED_NOTE)
        for row in ws.iter_rows()
        for c in row
    )


def test_writing_through_a_link_keeps_the_link(tmp_path: Path) -> None:
    src = tmp_path / "src.xlsx"
    shutil.copy(fixture_path("std"), src)
    shared = tmp_path / "共享"
    shared.mkdir()
    target = shared / "fixed.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o660)
    link = tmp_path / "fixed.xlsx"
    link.symlink_to(target)
    fix_file(src, link)
    assert link.is_symlink() and _mode(target) == 0o660
    assert RESULTS_SHEET in openpyxl.load_workbook(link).sheetnames
