"""Parity of the two adapters: every operation, planned once, gives the same workbook whether the
file adapter (openpyxl) applies it or the live one does on xlwings' remote engine.

The remote run is the ribbon's: the workbook is sent as xlwings' VBA client sends it
(``xw.Book(json=...)``), the operation answers with actions, and tests/remote_client.py applies
them to the same workbook (the add-in's macros mirrored). Both results are read back into one
form: per sheet, per cell its value (a HYPERLINK formula as its text and target), solid fill,
note, link, boldness and number format, the sheet's merged ranges and column widths; and the sheet names in
order. The journal's own cells differ by design (the file
front records exact fills as XML) and are compared by presence only.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw

from tests.conftest import REPO, fixture_path
from tests.remote_client import apply_actions, payload
from tests.test_money import seed_workbook
from xlperf import excel
from xlperf.errors import InputError
from xlperf.ops.apply_live import ExcelIO
from xlperf.ops.files import clear_file, fix_file
from xlperf.ops.journal import JOURNAL_SHEET
from xlperf.ops.new_sheet import add_project_file
from xlperf.ops.rollup_one import rollup_one_file
from xlperf.reader import read_workbook
from xlperf.report.content import build_report
from xlperf.report.sheet_writer import write_report_sheet_file

TEMPLATES = sorted((REPO / "workbook_templates").glob("*.xlsx"))
WORKBOOKS = ["std", "plain", "money", *(p.stem for p in TEMPLATES)]
LINK = re.compile(r'=HYPERLINK\("#((?:[^"]|"")*)","((?:[^"]|"")*)"\)')


@pytest.fixture(params=WORKBOOKS)
def workbook(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    name = request.param
    path = tmp_path / "in.xlsx"
    if name == "money":
        seed_workbook().save(path)
    elif name in ("std", "plain"):
        shutil.copy(fixture_path(name), path)
    else:
        shutil.copy(REPO / "workbook_templates" / f"{name}.xlsx", path)
    return path


def comparable(path: Path) -> dict[str, Any]:
    """The workbook as both adapters must leave it: sheet names, and every cell that holds a
    value, a solid fill, a note or a link (the journal's cells left out)."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, Any] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        if ws.title == JOURNAL_SHEET:
            continue
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                value, link = c.value, c.hyperlink.location if c.hyperlink else None
                match = LINK.fullmatch(value) if isinstance(value, str) else None
                if match:  # the live front's link is a formula; the file's, a hyperlink
                    link, value = (g.replace('""', '"') for g in match.groups())
                fill = c.fill.fgColor.rgb[-6:] if c.fill.fill_type == "solid" else None
                note = c.comment.text if c.comment else None
                if isinstance(value, float):
                    value = round(value, 9)
                bold, number_format = bool(c.font.b), c.number_format
                shown = (value, fill, note, link, bold, number_format)
                if shown != (None, None, None, None, False, "General"):
                    cells[c.coordinate] = shown
        widths = {k: d.width for k, d in ws.column_dimensions.items() if d.width}
        out[ws.title] = (cells, sorted(map(str, ws.merged_cells.ranges)), widths)
    return out


def remote(path: Path, operation: Callable[[Any, ExcelIO], object], out: Path) -> list[str]:
    """Run ``operation`` as the server does and apply its answer; the alerts shown."""
    book = xw.Book(json=payload(path))
    try:
        operation(book, ExcelIO(book))
    except InputError as exc:
        return [exc.message]
    wb = openpyxl.load_workbook(path)
    alerts = apply_actions(wb, book.json()["actions"])
    wb.save(out)
    return alerts


def assert_same(by_file: Path, by_excel: Path) -> int:
    """The two results agree; returns the number of cells compared."""
    ours, theirs = comparable(by_excel), comparable(by_file)
    assert ours["sheets"] == theirs["sheets"]
    for sheet in theirs["sheets"]:
        if sheet != JOURNAL_SHEET:
            assert ours[sheet] == theirs[sheet], sheet
    return sum(len(v[0]) for k, v in theirs.items() if k != "sheets")


def refused_alike(file_path: Callable[[], object], live: Callable[[], list[str]]) -> bool:
    """Where the file path refuses, the live one refuses with the same message (and changes
    nothing); True when both refused."""
    try:
        file_path()
    except InputError as exc:
        assert live() == [exc.message]
        return True
    return False


def _has_forms(path: Path) -> bool:
    book = read_workbook(path)
    return bool(book.projects or book.summaries or book.departments)


def test_fix(workbook: Path, tmp_path: Path) -> None:
    if not _has_forms(workbook):
        pytest.skip("no form to check")
    by_file, by_excel = tmp_path / "file.xlsx", tmp_path / "excel.xlsx"
    fix_file(workbook, by_file)
    remote(workbook, lambda b, io: excel.fix_live(b, io=io), by_excel)
    assert assert_same(by_file, by_excel) > 0


def test_clear(workbook: Path, tmp_path: Path) -> None:
    if not _has_forms(workbook):
        pytest.skip("no form to check")
    fixed, by_file, by_excel = tmp_path / "fixed.xlsx", tmp_path / "file.xlsx", tmp_path / "x.xlsx"
    fix_file(workbook, fixed)
    clear_file(fixed, by_file)
    remote(fixed, lambda b, io: excel.clear_live(b, io=io), by_excel)
    assert_same(by_file, by_excel)
    assert comparable(by_excel) == comparable(workbook)  # and both are the workbook again


@pytest.mark.parametrize("overwrite", [False, True], ids=["compare", "overwrite"])
def test_rollup(workbook: Path, tmp_path: Path, overwrite: bool) -> None:
    by_file, by_excel = tmp_path / "file.xlsx", tmp_path / "excel.xlsx"
    ones = []

    def live() -> list[str]:
        operation = lambda b, io: excel.rollup_live(b, io=io, overwrite=overwrite)  # noqa: E731
        return remote(workbook, operation, by_excel)

    def file_path() -> None:
        ones.append(rollup_one_file(workbook, by_file, overwrite=overwrite))

    if refused_alike(file_path, live):
        return
    if not ones[0].changed:
        shutil.copy(workbook, by_file)
    assert live() == []
    assert assert_same(by_file, by_excel) > 0


def test_report(workbook: Path, tmp_path: Path) -> None:
    by_file, by_excel = tmp_path / "file.xlsx", tmp_path / "excel.xlsx"

    def file_path() -> None:
        write_report_sheet_file(workbook, by_file, build_report(read_workbook(workbook)))

    def live() -> list[str]:
        return remote(workbook, lambda b, io: excel.report_live(b, io), by_excel)

    if refused_alike(file_path, live):
        return
    live()
    assert assert_same(by_file, by_excel) > 0


def test_new_sheet(workbook: Path, tmp_path: Path) -> None:
    names = openpyxl.load_workbook(workbook).defined_names
    regions = [ws.defined_names for ws in openpyxl.load_workbook(workbook).worksheets]
    if not any("xp_indicators" in r for r in regions) or "xr_grade_name" not in names:
        pytest.skip("no template project sheet to copy")
    by_file, by_excel = tmp_path / "file.xlsx", tmp_path / "excel.xlsx"
    add_project_file(workbook, by_file)
    remote(workbook, lambda b, io: excel.new_project_live(b, io), by_excel)
    assert assert_same(by_file, by_excel) > 0


@pytest.mark.parametrize("action", ["rollup", "rollup_overwrite"])
def test_server_rollup_is_xlperf_rollup(action: str, tmp_path: Path) -> None:
    """The server's 汇总 endpoints answer with what ``xlperf rollup [--overwrite]`` writes."""
    import json

    from xlperf.server import ACTIONS, handle

    source = tmp_path / "in.xlsx"
    shutil.copy(fixture_path("std"), source)
    by_file, by_excel = tmp_path / "file.xlsx", tmp_path / "excel.xlsx"
    one = rollup_one_file(source, by_file, overwrite=action == "rollup_overwrite")
    status, answer = handle(ACTIONS[action], json.dumps(payload(source)).encode())
    assert status == 200
    wb = openpyxl.load_workbook(source)
    alerts = apply_actions(wb, answer["actions"])
    wb.save(by_excel)
    assert assert_same(by_file, by_excel) > 0
    assert len(alerts) == 1
    if one.result.written:
        assert alerts[0].startswith(f"已汇总 {one.result.projects} 个项目")
    else:
        assert f"标记 {len(one.result.findings)} 处" in alerts[0]


def test_every_macro_the_live_adapter_runs_is_in_the_addin() -> None:
    from tests.remote_client import MACROS

    source = (REPO / "addin" / "vba" / "XlperfNotes.bas").read_text(encoding="ascii")
    adapter = (REPO / "xlperf" / "ops" / "apply_live.py").read_text(encoding="utf-8")
    called = set(re.findall(r'macro\(\s*"(Xlperf\w+)"', adapter))
    assert {
        "XlperfMark",
        "XlperfUnmark",
        "XlperfLayout",
        "XlperfClearRange",
        "XlperfFormats",
    } <= called
    for name in called:
        assert f"Public Sub {name}(" in source, name
        assert name in MACROS, f"tests/remote_client.py does not mirror {name}"


def _with_money(path: Path, blank_totals: bool = False) -> Path:
    """``path`` (None: no project forms) given seed 002's 收支情况 tables on a sheet of its own;
    ``blank_totals``: their 汇总 rows left for the roll-up to fill."""
    money = seed_workbook()
    if blank_totals:
        seed = path.parent / "seed.xlsx"
        money.save(seed)
        for table in read_workbook(seed).money:
            for val in table.total.values.values():
                if val.cell:
                    money.active[val.cell] = None
    wb = openpyxl.load_workbook(fixture_path("std"))
    ws, src = wb.create_sheet(money.active.title), money.active
    for row in src.iter_rows():
        for c in row:
            if c.value is not None:
                ws[c.coordinate] = c.value
    for merged in src.merged_cells.ranges:
        ws.merge_cells(str(merged))
    out = path.parent / ("blank.xlsx" if blank_totals else "both.xlsx")
    wb.save(out)
    return out


@pytest.mark.parametrize(
    ("blank", "overwrite"),
    [(False, False), (False, True), (True, False)],
    ids=["typed-compare", "typed-overwrite", "blank-filled"],
)
def test_both_rollups_in_one_workbook(tmp_path: Path, blank: bool, overwrite: bool) -> None:
    """A workbook with project forms, a 汇总表 and 收支情况 tables: the ribbon's 汇总 (覆盖汇总)
    writes what ``xlperf rollup [--overwrite]`` writes, both roll-ups in one plan, and tells what
    the command line tells."""
    from xlperf.ops.money_rollup import describe

    workbook = _with_money(tmp_path / "in.xlsx", blank)
    by_file, by_excel = tmp_path / "file.xlsx", tmp_path / "excel.xlsx"
    one = rollup_one_file(workbook, by_file, overwrite=overwrite)
    assert one.result is not None and one.money is not None
    assert one.money.written == (overwrite or blank)
    assert bool(one.money.findings) != blank  # a typed 汇总 row disagrees; a blank one is filled
    alerts = []
    operation = lambda b, io: alerts.append(excel.rollup_live(b, io=io, overwrite=overwrite))  # noqa: E731
    assert remote(workbook, operation, by_excel) == []
    assert assert_same(by_file, by_excel) > 0
    money_line = alerts[0].split("；\n")[-1]
    if one.money.written:
        assert money_line.startswith(
            f"收支情况汇总 {one.money.tables} 张表、{one.money.units} 个单位"
        )
        assert describe(one.money, by_file).startswith(f"{by_file}: {money_line.split('，')[0]}")
    else:
        assert f"发现 {len(one.money.findings)} 处不一致" in money_line
        assert money_line.split("；")[0] == describe(one.money, by_file).split("；")[0]


def test_fix_formats_only_general_cells_and_clear_puts_them_back(tmp_path: Path) -> None:
    """A filled value gets its number format only where the cell's own is General, on both
    paths; 清除标记 puts every format back (General, or the cell's own)."""
    from xlperf.ops.plan import plan_fix

    source = tmp_path / "in.xlsx"
    shutil.copy(fixture_path("std"), source)
    formatted = [w for w in plan_fix(read_workbook(source)).writes if w.number_format]
    assert len(formatted) >= 2
    wb = openpyxl.load_workbook(source)
    own, other = formatted[0], formatted[-1]
    wb[own.sheet][own.cell].number_format = "0.000"  # the unit's own format: kept
    wb.save(source)
    fixed_file, fixed_excel = tmp_path / "fixed_file.xlsx", tmp_path / "fixed_excel.xlsx"
    fix_file(source, fixed_file)
    remote(source, lambda b, io: excel.fix_live(b, io=io), fixed_excel)
    assert_same(fixed_file, fixed_excel)
    for path in (fixed_file, fixed_excel):
        book = openpyxl.load_workbook(path)
        assert book[own.sheet][own.cell].number_format == "0.000"
        assert book[other.sheet][other.cell].number_format == other.number_format
    cleared_file, cleared_excel = tmp_path / "cleared_file.xlsx", tmp_path / "cleared_excel.xlsx"
    clear_file(fixed_file, cleared_file)
    remote(fixed_excel, lambda b, io: excel.clear_live(b, io=io), cleared_excel)
    assert comparable(cleared_file) == comparable(cleared_excel) == comparable(source)
    across = tmp_path / "cleared_across.xlsx"  # fixed with the ribbon, cleared by xlperf clear
    clear_file(fixed_excel, across)
    assert comparable(across) == comparable(source)
