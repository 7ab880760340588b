"""Messages that never contradict each other, XP209, and report sheets that hold form text as text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import xlwings as xw
from click.testing import CliRunner

from tests.builders import Layout, clean_project, write_project
from tests.remote_client import payload
from xlperf import excel
from xlperf.checks import check_workbook
from xlperf.cli import main
from xlperf.ops.literal import put
from xlperf.reader import read_workbook
from xlperf.rules import DEFAULT_RULES
from xlperf.vocabulary.sheets import REPORT_SHEET


def _book(tmp_path: Path, *projects: dict, name: str = "book.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    row = 1
    for p in projects:
        row = write_project(ws, row, p, Layout(merged=False)) + 2
    path = tmp_path / name
    wb.save(path)
    return path


def _codes(path: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in check_workbook(read_workbook(path)):
        out.setdefault(f.code, []).append(f)
    return out


def test_total_row_weight_against_the_weights_xp209(tmp_path: Path) -> None:
    clean = _codes(_book(tmp_path, clean_project("甲项目"), name="clean.xlsx"))
    assert "XP209" not in clean and "XP202" not in clean
    # the weights add up to 100, the 总分 row says 95: the row's own figure is wrong
    row_wrong = clean_project("乙项目")
    path = _book(tmp_path, row_wrong, name="row.xlsx")
    form = read_workbook(path).projects[0]
    wb = openpyxl.load_workbook(path)
    wb.active[form.total_weight.cell] = 95
    wb.save(path)
    found = _codes(path)
    assert [(f.cell, f.expected, f.actual) for f in found["XP209"]] == [
        (form.total_weight.cell, Decimal(100), Decimal(95))
    ]
    assert "总分行的分值为 95" in found["XP209"][0].message
    assert "XP202" not in found and "XP204" not in found
    # 满意度 weighs 5: the weights add up to 95 while the 总分 row states the rule's 100; the
    # mistake is in the weights, and XP202 alone says so at that cell (no second finding)
    weights_wrong = clean_project("丙项目")
    ind = list(weights_wrong["indicators"][-1])
    ind[6], ind[7] = 5, 5
    weights_wrong["indicators"][-1] = tuple(ind)
    weights_wrong["total_score"] = round(weights_wrong["total_score"] - 5, 2)
    path = _book(tmp_path, weights_wrong, name="weights.xlsx")
    form = read_workbook(path).projects[0]
    found = _codes(path)
    assert "XP209" not in found
    assert [(f.cell, f.expected, f.actual) for f in found["XP202"]] == [
        (form.total_weight.cell, Decimal(100), Decimal(95))
    ]
    assert "XP204" not in found  # the scores add up


def test_score_findings_follow_the_correct_rate(tmp_path: Path) -> None:
    """XP101 says the rate is 100%: XP102 and XP204 then expect what 100% gives, never what the
    form's wrong rate would give."""
    bad = clean_project("丙项目", budget=20, executed=20)
    bad["funds"]["total"][4] = 0.8  # 20 ÷ 20 is 100%
    bad["funds"]["total"][5] = 8  # consistent with the wrong rate only
    indicators = sum(Decimal(str(i[7])) for i in bad["indicators"])
    bad["total_score"] = float(8 + indicators)  # adds up with the wrong score
    path = _book(tmp_path, bad)
    found = _codes(path)
    xp101 = found["XP101"][0]  # the 年度资金总额 row's
    assert xp101.expected == 1
    (xp102,) = found["XP102"]
    assert xp102.expected == Decimal(10) and xp102.actual == Decimal(8)
    assert "应为 10" in xp102.message and "100%" in xp102.message
    assert "预算执行率得分应为 10" in xp101.message  # the same figure in both messages
    (xp204,) = found["XP204"]
    total = Decimal(10) + indicators
    assert xp204.expected == total and f"为 {total.normalize():f}" in xp204.message


def test_score_still_checked_when_the_rate_is_right(tmp_path: Path) -> None:
    bad = clean_project("丁项目", budget=50, executed=40)  # 80%: 8 points
    bad["funds"]["total"][5] = 9
    bad["total_score"] = round(bad["total_score"] + 1, 2)
    found = _codes(_book(tmp_path, bad))
    assert "XP101" not in found
    assert [(f.expected, f.actual) for f in found["XP102"]] == [(Decimal(8), Decimal(9))]
    # the 总分 adds up with the form's own score, but the report states 8 + Σ: so does XP204
    indicators = sum(Decimal(str(i[7])) for i in bad["indicators"])
    assert [f.expected for f in found["XP204"]] == [8 + indicators]
    ok = clean_project("戊项目", budget=50, executed=40)
    assert not _codes(_book(tmp_path, ok, name="ok.xlsx"))  # a clean form has nothing


HOSTILE_NAME = '=HYPERLINK("http://127.0.0.1/x","点我")'
HOSTILE_REASON = "+cmd|' /C calc'!A0"


def _hostile_book(tmp_path: Path) -> Path:
    p = clean_project(HOSTILE_NAME)
    ind = list(p["indicators"][1])
    ind[8] = HOSTILE_REASON
    p["indicators"][1] = tuple(ind)
    path = _book(tmp_path, p, clean_project("己项目"), name="hostile.xlsx")
    wb = openpyxl.load_workbook(path)  # as a unit types it: text, not a formula
    for row in wb.active.iter_rows():
        for c in row:
            if c.value in (HOSTILE_NAME, HOSTILE_REASON):
                put(c, c.value)
    wb.save(path)
    assert read_workbook(path).projects[0].project_name.text == HOSTILE_NAME
    return path


def test_report_sheet_keeps_form_text_as_text(tmp_path: Path) -> None:
    src = _hostile_book(tmp_path)
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(
        main,
        ["report", str(src), "-o", str(tmp_path / "r.docx"), "--sheet-output", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)[REPORT_SHEET]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type == "s" for c in cells)  # no formula among them
    hostile = [c for c in cells if str(c.value).startswith(("=", "+"))]
    assert hostile and all(c.quotePrefix for c in hostile)
    assert any(HOSTILE_NAME in str(c.value) for c in cells)


def test_live_report_sheet_keeps_form_text_as_text(tmp_path: Path) -> None:
    src = _hostile_book(tmp_path)
    book = xw.Book(json=payload(src))
    excel.report_live(book, excel.ExcelIO(book))
    values = [
        v
        for action in book.json()["actions"]
        if action["func"] == "setValues"
        for row in action["values"]
        for v in row
        if isinstance(v, str)
    ]
    assert any(HOSTILE_NAME in v for v in values)
    assert not [v for v in values if v and v[0] in "=+-@"]
    assert "'" + HOSTILE_NAME in values  # Excel's text prefix: the cell shows the text itself


def test_report_in_place_exits_zero_and_a_refusal_writes_nothing(tmp_path: Path) -> None:
    src = _book(tmp_path, clean_project("庚项目"), clean_project("辛项目"))
    runner = CliRunner()
    result = runner.invoke(main, ["report", str(src), "--in-place"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert REPORT_SHEET in openpyxl.load_workbook(src).sheetnames
    docx = src.with_name(f"{src.stem}_自评报告.docx")
    assert docx.exists()
    docx.unlink()
    lock = src.with_name(f"~${src.name}")
    lock.write_bytes(b"locked")
    result = runner.invoke(main, ["report", str(src), "--in-place"])
    assert result.exit_code == 2 and "锁定文件" in result.output
    assert not docx.exists()  # refused before anything was written


def test_fix_fills_the_total_the_check_expects(tmp_path: Path) -> None:
    """fix fills an empty 总分 with the figure XP204 would expect, not with the form's wrong
    预算执行率得分 plus the indicators."""
    from xlperf.compute import project_computed

    bad = clean_project("壬项目", budget=20, executed=20)
    bad["funds"]["total"][4], bad["funds"]["total"][5] = 0.8, 8  # should be 100%, 10
    bad["total_score"] = None
    form = read_workbook(_book(tmp_path, bad)).projects[0]
    assert form.total_score.cell and form.total_score.value is None
    computed = {c.field: c.value for c in project_computed(form, DEFAULT_RULES)}
    indicators = sum(Decimal(str(i[7])) for i in bad["indicators"])
    assert computed["funds.total.score"] == 10
    assert computed["total_score"] == 10 + indicators
