"""汇总: the 部门（单位）项目支出自评汇总表 planned from project forms, in one workbook or across many.

A 汇总表 that a person filled is compared (XS findings), not overwritten, unless asked. Every
汇总表 is planned as sheet edits (:mod:`xlperf.ops.edits`): values, the paper form's styling, a
note on each figure that corrects its form; the file adapter or the live one applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl.workbook.workbook import Workbook

from xlperf.checks import sort_findings
from xlperf.checks.summary import check_summaries
from xlperf.errors import InputError
from xlperf.findings import Finding
from xlperf.forms.summary import SummaryForm
from xlperf.forms.workbook import WorkbookForms
from xlperf.ops.apply_file import apply_file
from xlperf.ops.edits import Align, Block, Font, PageSetup, SheetEdit, Style, WorkbookPlan, ref
from xlperf.ops.files import atomic_save, refuse_if_open
from xlperf.ops.journal import free_sheet_name
from xlperf.ops.rollup_figures import (
    FIGURES,
    block_key,
    block_rows,
    department_name,
    drop_duplicates,
    figures_frame,
    fresh_blocks,
    records_frame,
    today,
    total_notes,
)
from xlperf.reader.grid import Grid
from xlperf.rules import RuleSet
from xlperf.scoring.figures import department_summaries
from xlperf.vocabulary.sheets import SUMMARY_SHEET
from xlperf.vocabulary.summary import HEADER

FORMATS = [None, None, "0.00", "0.00", "0.00%", "0.00%", "0.00%", "0.00%", "0.00", None]
WIDTHS = [6, 36, 12, 12, 10, 12, 12, 12, 10, 30]
TITLE_FONT = Font(name="宋体", size=16, bold=True)
BOLD = Font(bold=True)
CENTERED = Align(horizontal="center", vertical="center", wrap=True)


def add_block(edit: SheetEdit, top: int, unit: str, frame: pd.DataFrame, date: str) -> int:
    """One 汇总表 (:func:`block_rows`, with its 合计) from row ``top`` of ``edit``, styled like
    the paper form, with a note on each figure that corrects its form; the next free row."""
    rows = block_rows(unit, frame, date, with_total=True)
    width = len(HEADER)
    last = top + len(rows) - 1
    edit.blocks.append(Block(top, 1, rows))
    edit.merges.append(ref(top, 1, top, width))
    edit.styles.append(Style(ref(top, 1), font=TITLE_FONT, align=Align(horizontal="center")))
    for r in (top + 2, last):  # header and 合计
        edit.styles.append(Style(ref(r, 1, r, width), font=BOLD, align=CENTERED, border=True))
    if last - 1 >= top + 3:  # the project rows
        for c, number_format in enumerate(FORMATS, 1):
            edit.styles.append(
                Style(ref(top + 3, c, last - 1, c), number_format=number_format, border=True)
            )
    edit.styles.append(Style(ref(last, 3, last, 5), number_format=FORMATS[2]))
    edit.styles.append(Style(ref(last, 5), number_format=FORMATS[4]))
    for r, notes in enumerate(frame["notes"], top + 3):
        for field_name, text in notes.items():
            edit.notes[ref(r, FIGURES.index(field_name) + 2)] = text
    for field_name, text in total_notes(frame).items():  # a 合计 left empty, and why
        edit.notes[ref(last, FIGURES.index(field_name) + 2)] = text
    return last + 3


def format_sheet(edit: SheetEdit) -> SheetEdit:
    edit.widths = dict(enumerate(WIDTHS, 1))
    edit.page = PageSetup(landscape=True)
    return edit


def new_summary(name: str, blocks: list[tuple[str, pd.DataFrame]], index: int | None = None):
    """A new 汇总表 sheet holding ``blocks`` (unit, its projects), one under another."""
    edit = SheetEdit(name, add=True, index=index)
    row, date = 1, today()
    for unit, part in blocks:
        row = add_block(edit, row, unit, part, date)
    return format_sheet(edit)


@dataclass
class RollupResult:
    projects: int
    units: int
    findings: list[Finding] = field(default_factory=list)
    written: bool = True  # the 汇总表 were written (else only compared)
    flagged: bool = False  # compared only: a copy with the disagreements marked was written
    sheets: list[str] = field(default_factory=list)  # the 汇总表 sheets written
    corrected: int = 0  # figures stated otherwise than their forms state them (noted on cells)
    notes: list[str] = field(default_factory=list)  # what was left out, and why


def plan_rollup(
    book: WorkbookForms,
    grids: list[Grid],
    names: list[str],
    *,
    overwrite: bool = False,
    rules: RuleSet | None = None,
) -> tuple[RollupResult, list[SheetEdit] | None]:
    """汇总 within one workbook (sheets ``names``, read as ``grids``). Each 汇总表 keeps its
    sheet, its place and its unit: a unit's 汇总表 gets that unit's projects, the department's
    (one that lists another's projects and more, or the only one) all projects; a unit without
    one gets a new sheet; a workbook without any gets a 汇总表 at the end. A 汇总表 a person
    filled is only compared unless ``overwrite``: then no edits (None) and the findings (see
    :mod:`xlperf.ops.rollup_one` for the file and the ribbon)."""
    rules = book.rule_set(rules)
    if not book.projects:
        raise InputError(book.path, "没有项目支出绩效自评表，无法汇总")
    frame, notes = drop_duplicates(figures_frame([book], rules))
    units = frame["unit"].nunique()
    if any(s.rows for s in book.summaries) and not overwrite:
        findings = sort_findings(
            check_summaries(book.summaries, book.projects, book.path, rules), book.sheets
        )
        return RollupResult(len(frame), units, findings, False, notes=notes), None
    edits = summary_edits(book, frame, grids, names)
    corrected = sum(len(n) for n in frame["notes"])
    sheets = [e.name for e in edits]
    return RollupResult(len(frame), units, [], True, False, sheets, corrected, notes), edits


def summary_edits(
    book: WorkbookForms, frame: pd.DataFrame, grids: list[Grid], names: list[str]
) -> list[SheetEdit]:
    """Every 汇总表 of the workbook written afresh in its own place (new sheets where needed)."""
    date = today()
    summaries = list(book.summaries)
    if not summaries:
        name = free_sheet_name(SUMMARY_SHEET, names, "{base}{n}")
        return [new_summary(name, fresh_blocks(frame))]
    departments = {id(s) for s in department_summaries(book)}
    if len(summaries) == 1:
        departments = {id(summaries[0])}
    unit_names = set(frame["unit"])
    blocks: dict[str, list[tuple[SummaryForm, str, pd.DataFrame]]] = {}
    covered: set[str] = set()
    for summary in summaries:
        own = frame[frame["unit_block"] == block_key(summary)]
        if id(summary) in departments:
            name, part = summary.unit_name.text or department_name(frame), frame
        elif not own.empty:
            name, part = summary.unit_name.text or str(own["unit"].iloc[0]), own
        elif summary.unit_name.text in unit_names:  # an empty 汇总表 naming its unit
            name, part = summary.unit_name.text, frame[frame["unit"] == summary.unit_name.text]
        else:
            name, part = summary.unit_name.text or department_name(frame), frame
        if part is not frame:
            covered.update(part["unit"])
        blocks.setdefault(summary.sheet, []).append((summary, name, part))
    grid_of = {g.sheet: g for g in grids}
    edits = [rewrite_edit(grid_of[sheet], parts, date) for sheet, parts in blocks.items()]
    rest = [u for u in dict.fromkeys(frame["unit"]) if u not in covered]
    if covered and rest:  # units with no 汇总表 of their own, beside those that have one
        taken = list(names)
        at = (
            min(names.index(s.sheet) for s in summaries if id(s) in departments)
            if departments
            else len(names)
        )
        for unit in rest:
            name = free_sheet_name(SUMMARY_SHEET, taken, "{base}{n}")
            taken.append(name)
            part = frame[frame["unit"] == unit]
            edits.append(new_summary(name, [(str(unit), part)], at))
            at += 1
    return edits


def rewrite_edit(
    grid: Grid, parts: list[tuple[SummaryForm, str, pd.DataFrame]], date: str
) -> SheetEdit:
    """Replace the rows the sheet's 汇总表 stand on (only those) with the new blocks; what
    stands below moves down whole when they need more rows."""
    top = min(s.first_row for s, _, _ in parts)
    bottom = max(s.last_row for s, _, _ in parts)
    width = max([len(HEADER), *(c for s, _, _ in parts for c in s.columns.values())])
    edit = SheetEdit(grid.sheet, clear=[ref(top, 1, bottom, width)])
    needed = sum(len(p) + 4 + 2 for _, _, p in parts) - 2  # title, name, header, total, gap
    below = any(v is not None for line in grid.values[bottom:] for v in line)
    if below and needed > bottom - top + 1:
        edit.insert_rows = (bottom + 1, needed - (bottom - top + 1))
    row = top
    for _, name, part in parts:
        row = add_block(edit, row, name, part, date)
    return format_sheet(edit)


def rollup_records(
    records: list[dict[str, object]], out: Path, *, name: str | None = None
) -> RollupResult | None:
    """The department workbook from the :func:`book_records` of the workbooks read; None when
    they hold no project form. A project given twice (the same form in two files) is summed
    once and named in ``notes``."""
    frame, notes = drop_duplicates(records_frame(records))
    if frame.empty:
        return None
    groups = [(str(unit), group) for unit, group in frame.groupby("unit", sort=False)]
    edit = new_summary(SUMMARY_SHEET, [*groups, (name or department_name(frame), frame)])
    wb = Workbook()
    wb.remove(wb.active)
    apply_file(wb, WorkbookPlan(sheets=[edit]))
    refuse_if_open(out)
    atomic_save(wb, out)
    corrected = sum(len(n) for n in frame["notes"])
    return RollupResult(
        len(frame), frame["unit"].nunique(), [], True, False, [SUMMARY_SHEET], corrected, notes
    )


def unique_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The files without repeats: the same file given twice, or a byte-for-byte copy of one
    already given, is left out (with a line saying so)."""
    import hashlib
    import stat

    from xlperf.limits import MAX_FILE_BYTES

    seen: dict[str, Path] = {}
    out, notes = [], []
    for path in paths:
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
                raise OSError  # a FIFO would block, a device never end: only the reader opens it
            with path.open("rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError:
            out.append(path)  # the reader says why it cannot be read
            continue
        first = seen.get(digest)
        if first is None:
            seen[digest] = path
            out.append(path)
        elif first.resolve() == path.resolve():
            notes.append(f"{path}: 同一文件重复给出，只汇总一次")
        else:
            notes.append(f"{path}: 与 {first} 内容完全相同（重复文件），未重复汇总")
    return out, notes
