"""The operations on workbook files (openpyxl): fix, clear; atomic writes; Excel's lock files."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.styles.fills import Fill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.xml.functions import fromstring, tostring

from xlperf.errors import InputError
from xlperf.findings import Finding
from xlperf.grid import Budget, Grid, grid_from_openpyxl
from xlperf.loader import open_ooxml, sniff
from xlperf.ops.journal import (
    JOURNAL_SHEET,
    REPORT_SHEET,
    RESULTS_SHEET,
    Journal,
    MarkEntry,
    ValueEntry,
)
from xlperf.ops.plan import FixPlan, plan_fix
from xlperf.reader import read_grids, require_some_form
from xlperf.rules import RuleSet

OUR_SHEETS = (JOURNAL_SHEET, RESULTS_SHEET, REPORT_SHEET)
NOTE_AUTHOR = "xlperf"
MACRO_SUFFIXES = {".xlsm", ".xltm"}


def lock_files(path: Path) -> list[Path]:
    """Lock files Excel/WPS (``~$name``) and LibreOffice (``.~lock.name#``) keep beside an open file."""
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    if len(path.name) > 2:  # Excel shortens long names: ~$ replaces the first two characters
        candidates.append(path.with_name("~$" + path.name[2:]))
    return [p for p in candidates if p.exists()]


def refuse_if_open(path: Path) -> None:
    locks = lock_files(path)
    if locks:
        raise InputError(
            str(path),
            f"文件正在被 Excel/WPS 打开（发现锁定文件 {locks[0].name}），请先关闭该文件再操作",
        )


def atomic_save(wb: Workbook, out: Path) -> None:
    """Write to a temporary file beside ``out``, then rename over it: never a half-written file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".xlperf-", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def open_for_edit(path: Path) -> tuple[Workbook, Workbook]:
    """The workbook with its formulas (to edit) and with cached values (to read)."""
    refuse_if_open(path)
    if sniff(path) != "ooxml":
        raise InputError(
            str(path),
            "只能处理 .xlsx/.xlsm 工作簿：请先在 Excel/WPS 中另存为 .xlsx（旧版 .xls 与加密文件不能直接修改）",
        )
    keep_vba = path.suffix.lower() in MACRO_SUFFIXES
    return open_ooxml(path, data_only=False, keep_vba=keep_vba), open_ooxml(path, data_only=True)


def sheet_grids(wb: Workbook, cached: Workbook) -> list[Grid]:
    """The sheets of a workbook opened by :func:`open_for_edit`, as the reader takes them; our
    own sheets (journal, results, report) are left out."""
    budget = Budget(getattr(wb, "xlperf_source", "工作簿"))
    return [
        grid_from_openpyxl(ws, cached[ws.title], budget)
        for ws in wb.worksheets
        if ws.title not in OUR_SHEETS
    ]


def _fill_xml(fill: Fill) -> str:
    return tostring(fill.to_tree()).decode()


def _fill_from_xml(xml: str) -> Fill:
    tree = fromstring(xml)
    return Fill.from_tree(tree)


def _color_hex(fill: Fill) -> str:
    if (
        isinstance(fill, PatternFill)
        and fill.fill_type == "solid"
        and fill.fgColor is not None
        and fill.fgColor.type == "rgb"
    ):
        return str(fill.fgColor.rgb)[-6:]
    return ""


def read_journal(wb: Workbook) -> Journal:
    if JOURNAL_SHEET not in wb.sheetnames:
        return Journal(results_sheet_created=False)
    return Journal.from_rows([list(r) for r in wb[JOURNAL_SHEET].iter_rows(values_only=True)])


def undo_journal(wb: Workbook, journal: Journal) -> None:
    """Put every journaled cell back as it was and remove the sheets the check added."""
    for mark in reversed(journal.marks):
        if mark.sheet in wb.sheetnames:
            cell = wb[mark.sheet][mark.cell]
            if mark.fill_xml:
                cell.fill = _fill_from_xml(mark.fill_xml)
            else:
                cell.fill = (
                    PatternFill(fill_type="solid", fgColor=mark.color)
                    if mark.color
                    else PatternFill()
                )
            cell.comment = Comment(mark.note or "", "") if mark.had_note else None
    for entry in reversed(journal.values):
        if entry.sheet in wb.sheetnames:
            cell = wb[entry.sheet][entry.cell]
            cell.value = entry.value
            cell.number_format = entry.number_format or "General"
    if JOURNAL_SHEET in wb.sheetnames:
        del wb[JOURNAL_SHEET]
    if journal.results_sheet_created and RESULTS_SHEET in wb.sheetnames:
        del wb[RESULTS_SHEET]


def apply_plan(wb: Workbook, plan: FixPlan, journal: Journal) -> None:
    for write in plan.writes:
        cell = wb[write.sheet][write.cell]
        journal.values.append(
            ValueEntry(
                sheet=write.sheet,
                cell=write.cell,
                value=cell.value,
                number_format=cell.number_format,
            )
        )
        cell.value = write.value
        if write.number_format and cell.number_format == "General":
            cell.number_format = write.number_format
    for mark in plan.marks:
        cell = wb[mark.sheet][mark.cell]
        old = cell.comment
        journal.marks.append(
            MarkEntry(
                sheet=mark.sheet,
                cell=mark.cell,
                color=_color_hex(cell.fill),
                had_note=old is not None,
                note=old.text if old is not None else None,
                fill_xml=_fill_xml(cell.fill),
            )
        )
        cell.fill = PatternFill(fill_type="solid", fgColor=mark.color)
        comment = Comment(mark.note_over(old.text if old is not None else None), NOTE_AUTHOR)
        comment.width, comment.height = 360, 160
        cell.comment = comment
    journal.results_sheet_created = RESULTS_SHEET not in wb.sheetnames
    write_results_sheet(wb, plan)
    write_journal(wb, journal)


def write_results_sheet(wb: Workbook, plan: FixPlan) -> None:
    from openpyxl.styles import Alignment, Font

    if RESULTS_SHEET in wb.sheetnames:
        del wb[RESULTS_SHEET]
    ws = wb.create_sheet(RESULTS_SHEET)
    rows = plan.results_rows()
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            ws.cell(r, c, value)
        if r > 1:
            target = ws.cell(r, 5)
            target.hyperlink = Hyperlink(ref=target.coordinate, location=f"'{row[3]}'!{row[4]}")
            target.font = Font(color="0563C1", underline="single")
            ws.cell(r, 6).alignment = Alignment(wrap_text=True, vertical="top")
            fill = PatternFill(
                fill_type="solid", fgColor="FFC7CE" if row[2] == "错误" else "FFEB9C"
            )
            ws.cell(r, 3).fill = fill
    for c in range(1, len(rows[0]) + 1):
        ws.cell(1, c).font = Font(bold=True)
    for c, width in enumerate((6, 8, 6, 28, 8, 80, 12, 12), 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    if len(rows) > 1:
        ws.auto_filter.ref = f"A1:H{len(rows)}"


def write_journal(wb: Workbook, journal: Journal) -> None:
    ws = wb.create_sheet(JOURNAL_SHEET)
    for r, row in enumerate(journal.rows(), 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                ws.cell(r, c, value)
    ws.sheet_state = "veryHidden"


@dataclass
class FixResult:
    findings: list[Finding]
    filled: int
    flagged: int


def fix_file(path: Path, out: Path, rules: RuleSet | None = None) -> FixResult:
    """重新计算并检查 on a file: fill empty computed fields, flag findings, list them, save atomically.

    A legacy .xls is never modified: its sheets are copied into a new .xlsx (``out``), checked
    there."""
    wb, cached = xls_as_workbook(path, out) if sniff(path) == "xls" else open_for_edit(path)
    undo_journal(wb, read_journal(wb))
    grids = sheet_grids(wb, cached)
    book = require_some_form(read_grids(grids, str(path)))
    plan = plan_fix(book, rules)
    apply_plan(wb, plan, Journal())
    if out.resolve() != path.resolve():
        refuse_if_open(out)
    atomic_save(wb, out)
    return FixResult(plan.findings, len(plan.writes), len(plan.marks))


class NothingToClear(InputError):
    """The workbook carries no marks of a check: nothing was changed (not a failure)."""


def clear_file(path: Path, out: Path | None = None) -> int:
    """清除标记 on a file: undo what the last check wrote; returns the number of cells restored."""
    wb, _ = open_for_edit(path)
    journal = read_journal(wb)
    if JOURNAL_SHEET not in wb.sheetnames:
        raise NothingToClear(str(path), "没有 xlperf 的检查标记可清除")
    undo_journal(wb, journal)
    atomic_save(wb, out or path)
    return len(journal.values) + len(journal.marks)


def xls_as_workbook(path: Path, out: Path) -> tuple[Workbook, Workbook]:
    """A new workbook holding the values, number formats and merges of a legacy .xls, to be
    saved as the .xlsx ``out`` (the .xls itself is only read)."""
    from xlperf.loader import load_grids
    from xlperf.ops.literal import put

    if out.suffix.lower() != ".xlsx" or out.resolve() == path.resolve():
        raise InputError(
            str(path),
            "旧版 .xls 不能直接修改：请用 -o 指定一个 .xlsx 输出文件（如 -o 结果.xlsx）",
        )
    wb = Workbook()
    wb.remove(wb.active)
    for grid in load_grids(path):
        ws = wb.create_sheet(grid.sheet)
        for r, line in enumerate(grid.values):
            for c, value in enumerate(line):
                if value is None:
                    continue
                cell = put(ws.cell(r + 1, c + 1), value)
                fmt = grid.fmt(r, c)
                if fmt:
                    cell.number_format = fmt
        for r0, c0, r1, c1 in grid.merged:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(
                    start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1
                )
    wb.xlperf_source = str(path)
    return wb, wb


def sheet_cells(ws: Any) -> dict[str, Any]:
    """Every non-empty cell of a sheet by address (for comparisons)."""
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
