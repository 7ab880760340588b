"""The xlwings path, exercised through xlwings' own remote engine (``xw.Book(json=...)``).

The workbook's payload is built as xlwings' VBA client would send it, the operation runs on the
remote engine, and the actions it returns are applied back to the same workbook by
tests/remote_client.py; the result must flag what the file path flags, and restore what it
restores. The add-in's macros are mirrored in Python there (tests/test_vba_libreoffice.py runs
the VBA itself in LibreOffice against that mirror).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw

from tests.builders import clean_project, write_project
from tests.conftest import fixture_path
from tests.remote_client import apply_actions, payload
from xlperf import excel
from xlperf.extract import summary_dict
from xlperf.ops.apply_live import format_ranges, value_runs
from xlperf.ops.files import fix_file
from xlperf.ops.fix import fix_edits
from xlperf.ops.journal import JOURNAL_SHEET
from xlperf.ops.rollup_one import rollup_one_file
from xlperf.reader import read_workbook
from xlperf.vocabulary.sheets import RESULTS_SHEET


def _run_remote(path: Path, operation, out: Path) -> tuple[object, list[str], excel.ExcelIO]:
    book = xw.Book(json=payload(path))
    io = excel.ExcelIO(book)
    result = operation(book, io)
    wb = openpyxl.load_workbook(path)
    alerts = apply_actions(wb, book.json()["actions"])
    wb.save(out)
    return result, alerts, io


def _flags(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title in (JOURNAL_SHEET, RESULTS_SHEET):
            continue
        for row in ws.iter_rows():
            for c in row:
                if c.comment is not None or c.fill.fill_type == "solid":
                    out[(ws.title, c.coordinate)] = (
                        str(c.fill.fgColor.rgb)[-6:],
                        c.comment.text if c.comment else "",
                    )
    return out


def _values(path: Path, skip=(JOURNAL_SHEET, RESULTS_SHEET)) -> dict[tuple[str, str], object]:
    wb = openpyxl.load_workbook(path)
    return {
        (ws.title, c.coordinate): c.value
        for ws in wb.worksheets
        if ws.title not in skip
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def _styles(path: Path) -> dict[tuple[str, str], tuple]:
    wb = openpyxl.load_workbook(path)
    return {
        (ws.title, c.coordinate): (
            repr(c.fill),
            repr(c.font),
            c.number_format,
            c.comment.text if c.comment else None,
        )
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
    }


@pytest.fixture
def workbook(tmp_path: Path, variant: str) -> Path:
    path = tmp_path / f"{variant}.xlsx"
    shutil.copy(fixture_path(variant), path)
    return path


def test_live_fix_flags_what_the_file_path_flags(workbook: Path, tmp_path: Path) -> None:
    by_file, by_excel = tmp_path / "file.xlsx", tmp_path / "excel.xlsx"
    fix_file(workbook, by_file)
    plan, _, io = _run_remote(workbook, lambda b, io: excel.fix_live(b, io=io), by_excel)
    assert _flags(by_excel) == _flags(by_file)
    assert _values(by_excel) == _values(by_file)
    file_rows = list(openpyxl.load_workbook(by_file)[RESULTS_SHEET].iter_rows(values_only=True))
    live_rows = list(openpyxl.load_workbook(by_excel)[RESULTS_SHEET].iter_rows(values_only=True))
    assert [r[:4] + r[5:] for r in live_rows] == [r[:4] + r[5:] for r in file_rows]
    assert live_rows[1][4].startswith('=HYPERLINK("#')
    # Calls are bounded by sheets (reads, block writes, one macro), not by the cells flagged.
    sheets = len(openpyxl.load_workbook(workbook).sheetnames)
    assert len(plan.marks) > 60
    results = fix_edits(plan, []).sheets[0]
    formats = len(format_ranges(results.styles))  # fills of 级别, formats of 期望值/实际值
    assert formats < len(plan.findings)
    assert io.calls <= 3 * sheets + 10 + len(value_runs(plan.writes)) + formats
    assert len(value_runs(plan.writes)) <= len(plan.writes)


def test_live_fix_twice_and_clear_restore_the_workbook(workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    wb.worksheets[0]["H5"].fill = openpyxl.styles.PatternFill(fill_type="solid", fgColor="00B0F0")
    wb.worksheets[0]["H5"].comment = openpyxl.comments.Comment("原有批注", "会计")
    wb.save(workbook)
    once, twice, cleared = (
        tmp_path / "once.xlsx",
        tmp_path / "twice.xlsx",
        tmp_path / "cleared.xlsx",
    )
    _run_remote(workbook, lambda b, io: excel.fix_live(b, io=io), once)
    _run_remote(once, lambda b, io: excel.fix_live(b, io=io), twice)
    assert _flags(twice) == _flags(once) and _values(twice) == _values(once)
    restored, _, io = _run_remote(twice, lambda b, io: excel.clear_live(b, io=io), cleared)
    assert restored > 60 and io.calls <= 10 + restored
    after = openpyxl.load_workbook(cleared)
    assert JOURNAL_SHEET not in after.sheetnames and RESULTS_SHEET not in after.sheetnames
    assert _styles(cleared) == _styles(workbook)
    assert _values(cleared, skip=()) == _values(workbook, skip=())


def test_file_fix_then_live_clear(workbook: Path, tmp_path: Path) -> None:
    """A bureau fixes by command line; the unit clears in Excel: the journal is shared."""
    fixed, cleared = tmp_path / "fixed.xlsx", tmp_path / "cleared.xlsx"
    fix_file(workbook, fixed)
    _run_remote(fixed, lambda b, io: excel.clear_live(b, io=io), cleared)
    assert _values(cleared, skip=()) == _values(workbook, skip=())
    assert {k: v[:3] for k, v in _styles(cleared).items()} == {
        k: v[:3] for k, v in _styles(workbook).items()
    }


def test_live_rollup_writes_the_summary_the_file_path_writes(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    write_project(wb.active, 1, clean_project("甲"))
    write_project(wb.create_sheet("乙"), 1, clean_project("乙", budget=30, executed=24))
    path = tmp_path / "units.xlsx"
    wb.save(path)
    by_file, by_excel = tmp_path / "file.xlsx", tmp_path / "excel.xlsx"
    rollup_one_file(path, by_file, money=False)
    message, _, io = _run_remote(path, lambda b, io: excel.rollup_live(b, io=io), by_excel)
    assert "已汇总 2 个项目" in message
    ours = summary_dict(read_workbook(by_excel).summaries[0])
    theirs = summary_dict(read_workbook(by_file).summaries[0])
    assert ours == theirs and len(ours["rows"]) == 2
    assert io.calls <= 3 * 3 + 3


def test_ribbon_actions_answer_with_a_chinese_message(workbook: Path, tmp_path: Path) -> None:
    book = xw.Book(json=payload(workbook))
    excel.recalc_and_check(book)
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1 and alerts[0].startswith("检查完成")
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    book = xw.Book(json=payload(empty))
    excel.clear_flags(book)
    excel.recalc_and_check(book)
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert alerts == ["没有 xlperf 的检查标记可清除", alerts[1]] and "未找到" in alerts[1]
    assert not any("Traceback" in a for a in alerts)


def test_live_report_writes_the_sheet_the_file_path_writes(workbook: Path, tmp_path: Path) -> None:
    from xlperf.report.content import build_report
    from xlperf.report.sheet_writer import report_edit, write_report_sheet_file
    from xlperf.vocabulary.sheets import REPORT_SHEET

    by_file = tmp_path / "file.xlsx"
    write_report_sheet_file(workbook, by_file, build_report(read_workbook(workbook)))
    message, alerts, io = _run_remote(workbook, excel.report_live, tmp_path / "excel.xlsx")
    assert message.startswith("已生成自评报告") and "Word" not in message  # no disk on a server
    sheets = openpyxl.load_workbook(workbook).sheetnames
    styles = report_edit(build_report(read_workbook(workbook)), sheets).sheets[0].styles
    assert io.calls <= 2 * len(sheets) + 4 + len(format_ranges(styles))  # yellow places
    ours, theirs = (
        [
            [v for v in row if v is not None]  # text stays text: "98.00%" is not read as 0.98
            for row in openpyxl.load_workbook(p)[REPORT_SHEET].iter_rows(values_only=True)
        ]
        for p in (tmp_path / "excel.xlsx", by_file)
    )
    assert ours == theirs and any("【待填写" in str(v) for row in ours for v in row)
    # run again: the sheet is replaced, not doubled, and never read as a form
    message, _, _ = _run_remote(tmp_path / "excel.xlsx", excel.report_live, tmp_path / "again.xlsx")
    assert openpyxl.load_workbook(tmp_path / "again.xlsx").sheetnames.count(REPORT_SHEET) == 1
    assert read_workbook(tmp_path / "again.xlsx").summaries == read_workbook(workbook).summaries
