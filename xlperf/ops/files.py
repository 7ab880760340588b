"""The operations on workbook files (openpyxl): fix, clear; atomic writes; Excel's lock files."""

from __future__ import annotations

import math
import os
import re
import secrets
import stat
import time
import unicodedata
from collections.abc import Callable
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
from xlperf.ops.journal import (
    JOURNAL_SHEET,
    REPORT_SHEET,
    RESULTS_SHEET,
    Journal,
    MarkEntry,
    ValueEntry,
    free_sheet_name,
    is_journal,
)
from xlperf.ops.literal import clean_text, put
from xlperf.ops.plan import FixPlan, plan_fix
from xlperf.reader import read_grids, require_some_form
from xlperf.reader.grid import Budget, Grid, grid_from_openpyxl
from xlperf.reader.loader import open_ooxml, sniff
from xlperf.rules import RuleSet

NOTE_AUTHOR = "xlperf"
MACRO_SUFFIXES = {".xlsm", ".xltm"}
TEMP_PREFIX = ".xlperf-"
# Our temporary files: ".xlperf-" + a random tail + the output's suffix (tempfile.mkstemp's
# tails, of earlier versions, included). Nothing else in a folder is ever removed.
TEMP_NAME = re.compile(
    r"\.xlperf-(?:[0-9a-f]{16}|[a-z0-9_]{8})\.(?:xlsx|xlsm|xltx|xltm|docx)", re.IGNORECASE
)
STALE_TEMP_SECONDS = 3600  # a temporary file this old is left by a killed run


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


def remove_stale_temps(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove our temporary files that a killed run left in ``folder`` (regular files only, by
    name and age: a write under way elsewhere is younger than ``older_than`` seconds)."""
    removed = []
    limit = time.time() - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not TEMP_NAME.fullmatch(entry.name):
            continue
        try:
            if (
                entry.is_file(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_mtime < limit
            ):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _new_temp(out: Path) -> Path:
    """A new empty file beside ``out``, created with mode 0666 less the umask (mkstemp would make
    it 0600 whatever the umask)."""
    for _ in range(100):
        tmp = out.with_name(f"{TEMP_PREFIX}{secrets.token_hex(8)}{out.suffix}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no temporary name free beside {out}")


def atomic_write(out: Path, write: Callable[[Path], Any]) -> None:
    """Write a file through ``write(temporary_path)`` beside ``out``, then rename it over ``out``:
    never a half-written file. Refused while ``out`` is open in Excel/WPS. A file that is
    replaced keeps its permission bits; a new one gets the umask's. Our temporary files left
    by a killed run are removed. Every file xlperf writes goes through here."""
    refuse_if_open(out)
    if out.is_symlink():  # write where the link points, and keep the link
        out = out.resolve()
        refuse_if_open(out)
    if out.is_dir():
        raise InputError(
            str(out), "输出位置是一个文件夹，不能写入：请给出文件名（如 -o 结果.xlsx）"
        )
    if out.exists() and not out.is_file():  # renamed over, /dev/null would become a file
        raise InputError(
            str(out), "输出位置不是普通文件（管道、设备或套接字），不会替换它：请另给一个文件名"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(out.parent)
        try:
            mode = stat.S_IMODE(os.stat(out).st_mode) if out.is_file() else None
        except OSError:
            mode = None
        tmp = _new_temp(out)
    except OSError as exc:
        raise InputError(str(out), f"无法写入（{exc.strerror or exc}）") from None
    try:
        write(tmp)
        if mode is not None:
            os.chmod(tmp, mode)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_save(wb: Workbook, out: Path) -> None:
    """Save a workbook with :func:`atomic_write`."""
    atomic_write(out, wb.save)


def open_for_edit(path: Path) -> tuple[Workbook, Workbook]:
    """The workbook with its formulas (to edit) and with cached values (to read). Reading a
    workbook open in Excel is fine; writing one is refused (by :func:`atomic_write`)."""
    if sniff(path) != "ooxml":
        raise InputError(
            str(path),
            "只能处理 .xlsx/.xlsm 工作簿：请先在 Excel/WPS 中另存为 .xlsx（旧版 .xls 与加密文件不能直接修改）",
        )
    keep_vba = path.suffix.lower() in MACRO_SUFFIXES
    return open_ooxml(path, data_only=False, keep_vba=keep_vba), open_ooxml(path, data_only=True)


def our_sheets(wb: Workbook) -> set[str]:
    """The sheets xlperf made (never read as forms): its journal and the results sheet the journal
    names, and the 自评报告 sheet. A user's sheet that only shares a name is not among them."""
    found = {REPORT_SHEET} & set(wb.sheetnames)
    if _has_journal(wb):
        found.add(JOURNAL_SHEET)
        results = read_journal(wb).results_sheet
        if results in wb.sheetnames:
            found.add(results)
    return found


def sheet_grids(wb: Workbook, cached: Workbook) -> list[Grid]:
    """The sheets of a workbook opened by :func:`open_for_edit`, as the reader takes them; our
    own sheets (journal, results, report) are left out."""
    budget = Budget(getattr(wb, "xlperf_source", "工作簿"))
    ours = our_sheets(wb)
    return [
        grid_from_openpyxl(ws, cached[ws.title], budget)
        for ws in wb.worksheets
        if ws.title not in ours
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


def _has_journal(wb: Workbook) -> bool:
    if JOURNAL_SHEET not in wb.sheetnames:
        return False
    return is_journal([[wb[JOURNAL_SHEET]["A1"].value]])


def read_journal(wb: Workbook) -> Journal:
    if not _has_journal(wb):
        return Journal()
    return Journal.from_rows([list(r) for r in wb[JOURNAL_SHEET].iter_rows(values_only=True)])


def refuse_foreign_journal(names: list[str], ours: bool, where: str) -> None:
    """A user's own sheet named like our journal: the check does not run rather than touch it."""
    if JOURNAL_SHEET in names and not ours:
        raise InputError(
            where,
            f"工作簿中已有名为“{JOURNAL_SHEET}”的工作表，但不是 xlperf 建立的；xlperf 不删除、不改名"
            "用户的工作表，请先将该表改名再检查",
        )


def undo_journal(wb: Workbook, journal: Journal) -> None:
    """Put every journaled cell back as it was and remove the sheets the check added (only
    those: a user's sheet that shares a name stays)."""
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
            put(cell, entry.value)
            cell.number_format = entry.number_format or "General"
    if _has_journal(wb):
        del wb[JOURNAL_SHEET]
    if journal.results_sheet and journal.results_sheet in wb.sheetnames:
        del wb[journal.results_sheet]


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
        put(cell, write.value)
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
        text = clean_text(mark.note_over(old.text if old is not None else None))
        comment = Comment(text, NOTE_AUTHOR)
        comment.width, comment.height = 360, 160
        cell.comment = comment
    journal.results_sheet = free_sheet_name(RESULTS_SHEET, wb.sheetnames)
    write_results_sheet(wb, plan, journal.results_sheet)
    write_journal(wb, journal)


RESULTS_WIDTHS = (5, 7, 5, 18, 7, 62, 11, 11)  # fits a landscape A4 page at about 100%
WRAPPED_COLUMNS = (4, 6)  # 工作表, 说明
LINE_HEIGHT = 15  # points per line of 11-point text


def _text_width(text: str) -> float:
    """Width in character units (the width of a digit): a CJK character takes about two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def _row_height(row: list[object]) -> float:
    """The height that shows every line of a row's wrapped cells. Set explicitly: neither
    Excel nor LibreOffice is sure to fit the rows of a file it opens."""
    lines = 1
    for c in WRAPPED_COLUMNS:
        text = str(row[c - 1] or "")
        usable = RESULTS_WIDTHS[c - 1] - 1
        lines = max(
            lines, *(math.ceil(_text_width(part) / usable) or 1 for part in text.split("\n"))
        )
    return lines * LINE_HEIGHT


def sheet_ref(sheet: str, cell: str) -> str:
    """``'sheet'!A1``, the sheet name quoted as Excel quotes it."""
    return "'" + sheet.replace("'", "''") + "'!" + cell


def write_results_sheet(wb: Workbook, plan: FixPlan, name: str = RESULTS_SHEET) -> None:
    """The 检查结果 sheet, every value written as data (the form's text included), set up to
    print one page wide: landscape A4, header row repeated, 说明 wrapped."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.properties import PageSetupProperties

    ws = wb.create_sheet(name)
    rows = plan.results_rows()
    formats = plan.results_formats()
    top = Alignment(vertical="top")
    wrapped = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            cell = put(ws.cell(r, c), value)
            cell.alignment = wrapped if c in WRAPPED_COLUMNS else top
        ws.row_dimensions[r].height = _row_height(row)
        if r > 1:
            target = ws.cell(r, 5)
            target.hyperlink = Hyperlink(ref=target.coordinate, location=sheet_ref(row[3], row[4]))
            target.font = Font(color="0563C1", underline="single")
            fill = PatternFill(
                fill_type="solid", fgColor="FFC7CE" if row[2] == "错误" else "FFEB9C"
            )
            ws.cell(r, 3).fill = fill
            for c, number_format in zip((7, 8), formats[r - 2], strict=True):
                if number_format:
                    ws.cell(r, c).number_format = number_format
    for c in range(1, len(rows[0]) + 1):
        ws.cell(1, c).font = Font(bold=True)
        ws.cell(1, c).alignment = wrapped
    for c, width in enumerate(RESULTS_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    if len(rows) > 1:
        ws.auto_filter.ref = f"A1:H{len(rows)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_options.gridLines = True


def write_journal(wb: Workbook, journal: Journal) -> None:
    ws = wb.create_sheet(JOURNAL_SHEET)
    for r, row in enumerate(journal.rows(), 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                put(ws.cell(r, c), value)
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
    refuse_if_open(out)  # before the work (atomic_write checks again)
    if sniff(path) == "xls":
        wb, cached = xls_as_workbook(path, out)
    else:
        wb, cached = open_for_edit(path)
        refuse_foreign_journal(wb.sheetnames, _has_journal(wb), str(path))
    undo_journal(wb, read_journal(wb))
    grids = sheet_grids(wb, cached)
    book = require_some_form(read_grids(grids, str(path)))
    plan = plan_fix(book, rules)
    apply_plan(wb, plan, Journal())
    atomic_save(wb, out)
    return FixResult(plan.findings, len(plan.writes), plan.flagged)


class NothingToClear(InputError):
    """The workbook carries no marks of a check: nothing was changed (not a failure)."""


def clear_file(path: Path, out: Path | None = None) -> int:
    """清除标记 on a file: undo what the last check wrote; returns the number of cells restored."""
    refuse_if_open(out or path)
    wb, _ = open_for_edit(path)
    if not _has_journal(wb):
        raise NothingToClear(str(path), "没有 xlperf 的检查标记可清除")
    journal = read_journal(wb)
    undo_journal(wb, journal)
    atomic_save(wb, out or path)
    return len(journal.values) + len(journal.marks)


def xls_as_workbook(path: Path, out: Path) -> tuple[Workbook, Workbook]:
    """A new workbook holding the values, number formats and merges of a legacy .xls, to be
    saved as the .xlsx ``out`` (the .xls itself is only read)."""
    from xlperf.ops.literal import put
    from xlperf.reader.loader import load_grids

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
