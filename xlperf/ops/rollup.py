"""汇总: the 部门（单位）项目支出自评汇总表 from project forms, in one workbook or across many.

The figures come from :func:`xlperf.compute.project_figures`; pandas groups them by unit. A 汇总表
that a person filled is compared (XS findings), not overwritten, unless asked.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.checks import sort_findings
from xlperf.checks.summary import check_summaries, row_figures, stated_text
from xlperf.compute import project_figures, round_rate
from xlperf.errors import DEBUG_ENV, InputError, internal_error
from xlperf.findings import Finding
from xlperf.forms.project import NO_UNIT, ProjectForm
from xlperf.forms.summary import SUMMARY_COLUMNS, SummaryForm
from xlperf.forms.workbook import WorkbookForms
from xlperf.ops.files import NOTE_AUTHOR, atomic_save, open_for_edit, refuse_if_open, sheet_grids
from xlperf.ops.journal import free_sheet_name
from xlperf.ops.literal import put
from xlperf.reader import read_grids, read_workbook
from xlperf.rules import RuleSet
from xlperf.scoring.figures import department_summaries, group_units, name_key
from xlperf.scoring.figures import project_figures as checked_figures
from xlperf.values import fmt_decimal as num
from xlperf.values import fmt_percent as pct

SUMMARY_SHEET = "汇总表"
TITLE = "部门（单位）项目支出自评汇总表"
HEADER = [
    "序号",
    "项目名称",
    "全年预算数",
    "执行数",
    "执行率",
    "产出指标得分率",
    "效益指标得分率",
    "满意度指标得分率",
    "自评得分",
    "偏差原因",
]
FIGURES = list(SUMMARY_COLUMNS[1:])  # a 汇总表 row but its 序号
FORMATS = [None, None, "0.00", "0.00", "0.00%", "0.00%", "0.00%", "0.00%", "0.00", None]
WIDTHS = [6, 36, 12, 12, 10, 12, 12, 12, 10, 30]
NOTE_TITLE = "【xlperf 汇总】"
NOTE_LABELS = {"rate": "执行率", "score": "总分"}
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def form_units(book: WorkbookForms, figures: list) -> dict[int, tuple[str, SummaryForm | None]]:
    """Each project form's unit (by ``id``) and the unit's own 汇总表: as ``xlperf report``
    groups them (the units' 汇总表 first, then the forms' 实施单位), so both count alike.
    ``figures``: the report's figures of ``book.projects``."""

    out: dict[int, tuple[str, SummaryForm | None]] = {}
    for unit in group_units(book, figures):
        summary = unit.summaries[0] if unit.summaries else None
        for p in unit.projects:
            out[id(p.form)] = (unit.name, summary)
    return out


def block_key(summary: SummaryForm) -> str:
    """Which 汇总表 (a sheet may stack several)."""
    return f"{summary.sheet}!{summary.first_row}"


def row_record(form: ProjectForm, rules: RuleSet, checked=None) -> dict[str, object]:
    """A project's 汇总表 row: the figures the scorer gives (as ``xlperf check`` expects them),
    the form's text as typed, and per corrected figure a note naming the form's own cell."""
    figures = row_figures(form, rules, checked)
    stated = project_figures(form, rules)  # the form's text: its name and 偏差原因
    record: dict[str, object] = {
        "key": name_key(form.project_name.text),
        "project_name": stated["project_name"],
        "reason": stated["reason"],
    }
    notes: dict[str, str] = {}
    for field_name in FIGURES:
        if field_name in ("project_name", "reason"):
            continue
        figure = figures[field_name]
        value = figure.value
        if value is not None and field_name not in ("annual_budget", "executed", "score"):
            value = round_rate(value)
        record[field_name] = value
        if figure.stated is not None and figure.stated_wrong and value is not None:
            is_rate = field_name == "rate"
            right = pct(value, 2) if is_rate else num(value)
            notes[field_name] = (
                f"{NOTE_TITLE}项目自评表所填{NOTE_LABELS[field_name]}为 "
                f"{stated_text(figure.stated, rate=is_rate)}（{form.sheet}!{figure.stated.cell}），"
                f"按评分规则应为 {right}（{figure.basis}），本表按 {right} 填列。"
            )
    record["notes"] = notes
    return record


def figures_frame(books: Iterable[WorkbookForms], rules: RuleSet | None = None) -> pd.DataFrame:
    """One row per project form: its unit, file and the figures of its 汇总表 row."""

    records = []
    for book in books:
        book_rules = book.rule_set(rules)
        checked = [checked_figures(form, book_rules) for form in book.projects]
        units = form_units(book, checked)
        for form, figures in zip(book.projects, checked, strict=True):
            unit, summary = units.get(id(form), (NO_UNIT, None))
            records.append(
                {
                    "unit": unit,
                    "unit_block": block_key(summary) if summary is not None else None,
                    "department": form.department.text,
                    "file": book.path,
                    "sheet": form.sheet,
                }
                | row_record(form, book_rules, figures)
            )
    return pd.DataFrame.from_records(
        records,
        columns=["unit", "unit_block", "department", "file", "sheet", "key", *FIGURES, "notes"],
    )


def drop_duplicates(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The frame without a project already listed (same unit, name, 预算数 and 执行数: the same
    form given twice), and a line saying so for each one left out."""
    seen: dict[tuple[object, ...], dict[str, object]] = {}
    keep: list[int] = []
    repeats: dict[tuple[str, str], list[str]] = {}  # (file, file of the first) -> projects
    for i, record in enumerate(frame.to_dict("records")):
        key = (record["unit"], record["key"], record["annual_budget"], record["executed"])
        first = seen.get(key)
        if first is None or not record["key"]:
            seen.setdefault(key, record)
            keep.append(i)
            continue
        where = (str(record["file"]), str(first["file"]))
        repeats.setdefault(where, []).append(f"“{record['project_name']}”（{record['sheet']}）")
    notes = []
    for (file, first_file), names in repeats.items():
        other = "本工作簿中的另一张项目表" if file == first_file else first_file
        notes.append(
            f"{file}: {len(names)} 个项目与 {other} 重复（单位、项目名称、预算数、执行数均相同），"
            f"未重复汇总：{'、'.join(names)}"
        )
    return frame.iloc[keep].reset_index(drop=True), notes


def totals(frame: pd.DataFrame) -> dict[str, Decimal | None]:
    """合计: budgets and spending added up, the rate recomputed from the sums."""
    budget = sum((v for v in frame["annual_budget"] if v is not None), Decimal(0))
    executed = sum((v for v in frame["executed"] if v is not None), Decimal(0))
    return {
        "annual_budget": budget,
        "executed": executed,
        "rate": round_rate(executed / budget) if budget else None,
    }


def block_rows(unit: str, frame: pd.DataFrame, date: str, with_total: bool) -> list[list[object]]:
    """One 汇总表 as rows of cell values: title, 名称/时间, header, a row per project, 合计."""
    width = len(HEADER)
    rows: list[list[object]] = [[TITLE] + [None] * (width - 1)]
    rows.append(
        ["部门（单位）名称", None, unit, None, None, None, "汇总时间", date, None, "单位：万元"]
    )
    rows.append(list(HEADER))
    for seq, record in enumerate(frame.to_dict("records"), 1):
        rows.append([seq, *(_cell_value(record[f]) for f in FIGURES)])
    if with_total:
        sums = totals(frame)
        total = [
            None,
            "合计",
            *(_cell_value(sums[k]) for k in ("annual_budget", "executed", "rate")),
        ]
        rows.append(total + [None] * (width - len(total)))
    return rows


def write_block(
    ws: Worksheet, top: int, unit: str, frame: pd.DataFrame, date: str, with_total: bool
) -> int:
    """Write :func:`block_rows` from row ``top``, styled like the paper form, every value as
    data (a project name typed as ``=HYPERLINK(…)`` stays text) and a note on each figure that
    corrects its form; returns the next free row."""
    rows = block_rows(unit, frame, date, with_total)
    for r, row in enumerate(rows, top):
        for c, value in enumerate(row, 1):
            if value is not None:
                put(ws.cell(r, c), value)
    ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=len(HEADER))
    ws.cell(top, 1).font = Font(name="宋体", size=16, bold=True)
    ws.cell(top, 1).alignment = Alignment(horizontal="center")
    last = top + len(rows) - 1
    for r in range(top + 2, last + 1):
        for c in range(1, len(HEADER) + 1):
            cell = ws.cell(r, c)
            cell.border = BOX
            if r == top + 2 or (with_total and r == last):
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            elif FORMATS[c - 1]:
                cell.number_format = FORMATS[c - 1]
    if with_total:
        for c in (3, 4, 5):
            ws.cell(last, c).number_format = FORMATS[c - 1]
    for r, notes in enumerate(frame["notes"], top + 3):
        for field_name, text in notes.items():
            comment = Comment(text, NOTE_AUTHOR)
            comment.width, comment.height = 320, 120
            ws.cell(r, FIGURES.index(field_name) + 2).comment = comment
    return last + 3


def _cell_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _format_sheet(ws: Worksheet) -> None:
    from openpyxl.utils import get_column_letter

    for c, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def today() -> str:
    d = dt.date.today()
    return f"{d.year}年{d.month}月{d.day}日"


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


def rollup_workbook(
    path: Path, out: Path, *, overwrite: bool = False, rules: RuleSet | None = None
) -> RollupResult:
    """汇总 within one workbook. Each 汇总表 keeps its sheet, its place and its unit: a unit's
    汇总表 gets that unit's projects, the department's (one that lists another's projects and
    more, or the only one) all projects; a unit without one gets a new sheet; a workbook without
    any gets a 汇总表 at the end. A 汇总表 a person filled is only compared unless
    ``overwrite``: then a copy with its disagreements marked (as ``xlperf fix`` marks them) is
    written to ``out`` (nothing when ``out`` is the workbook itself)."""
    wb, cached = open_for_edit(path)
    grids = sheet_grids(wb, cached)
    book = read_grids(grids, str(path))
    rules = book.rule_set(rules)
    if not book.projects:
        raise InputError(str(path), "没有项目支出绩效自评表，无法汇总")
    frame, notes = drop_duplicates(figures_frame([book], rules))
    units = frame["unit"].nunique()
    if any(s.rows for s in book.summaries) and not overwrite:
        findings = sort_findings(
            check_summaries(book.summaries, book.projects, str(path), rules), book.sheets
        )
        if out.resolve() == path.resolve():  # compare only: the original stays as it is
            return RollupResult(len(frame), units, findings, False, False, notes=notes)
        _write_flagged_copy(wb, findings, out)
        return RollupResult(len(frame), units, findings, False, True, notes=notes)
    sheets = _rewrite_summaries(wb, book, frame)
    refuse_if_open(out)
    atomic_save(wb, out)
    corrected = sum(len(n) for n in frame["notes"])
    return RollupResult(len(frame), units, [], True, False, sheets, corrected, notes)


def _write_flagged_copy(wb: Workbook, findings: list[Finding], out: Path) -> None:
    from xlperf.ops.files import apply_plan, read_journal, undo_journal
    from xlperf.ops.journal import Journal
    from xlperf.ops.plan import FixPlan, flag_marks

    undo_journal(wb, read_journal(wb))
    apply_plan(wb, FixPlan(findings=findings, marks=flag_marks(findings)), Journal())
    refuse_if_open(out)
    atomic_save(wb, out)


def _rewrite_summaries(wb: Workbook, book: WorkbookForms, frame: pd.DataFrame) -> list[str]:
    """Write every 汇总表 of the workbook afresh in its own place; returns the sheets written."""

    date = today()
    summaries = list(book.summaries)
    if not summaries:
        ws = wb.create_sheet(free_sheet_name(SUMMARY_SHEET, wb.sheetnames, "{base}{n}"))
        row = 1
        for unit, part in fresh_blocks(frame):
            row = write_block(ws, row, unit, part, date, with_total=True)
        _format_sheet(ws)
        return [ws.title]
    departments = {id(s) for s in department_summaries(book)}
    if len(summaries) == 1:
        departments = {id(summaries[0])}
    unit_names = set(frame["unit"])
    blocks: dict[str, list[tuple[SummaryForm, str, pd.DataFrame]]] = {}
    covered: set[str] = set()
    for summary in summaries:
        own = frame[frame["unit_block"] == block_key(summary)]
        if id(summary) in departments:
            name, part = summary.unit_name.text or _department_name(frame), frame
        elif not own.empty:
            name, part = summary.unit_name.text or str(own["unit"].iloc[0]), own
        elif summary.unit_name.text in unit_names:  # an empty 汇总表 naming its unit
            name, part = summary.unit_name.text, frame[frame["unit"] == summary.unit_name.text]
        else:
            name, part = summary.unit_name.text or _department_name(frame), frame
        if part is not frame:
            covered.update(part["unit"])
        blocks.setdefault(summary.sheet, []).append((summary, name, part))
    for sheet, parts in blocks.items():
        _rewrite_sheet(wb[sheet], parts, date)
    written = list(blocks)
    rest = [u for u in dict.fromkeys(frame["unit"]) if u not in covered]
    if covered and rest:  # units with no 汇总表 of their own, beside those that have one
        at = (
            min(wb.sheetnames.index(s.sheet) for s in summaries if id(s) in departments)
            if (departments)
            else len(wb.sheetnames)
        )
        for unit in rest:
            ws = wb.create_sheet(free_sheet_name(SUMMARY_SHEET, wb.sheetnames, "{base}{n}"), at)
            at += 1
            write_block(ws, 1, str(unit), frame[frame["unit"] == unit], date, with_total=True)
            _format_sheet(ws)
            written.append(ws.title)
    return written


def _rewrite_sheet(
    ws: Worksheet, parts: list[tuple[SummaryForm, str, pd.DataFrame]], date: str
) -> None:
    """Replace the rows the sheet's 汇总表 stand on (only those) with the new blocks."""
    top = min(s.first_row for s, _, _ in parts)
    bottom = max(s.last_row for s, _, _ in parts)
    for merged in list(ws.merged_cells.ranges):
        if merged.min_row <= bottom and merged.max_row >= top and merged.min_col <= len(HEADER):
            ws.unmerge_cells(str(merged))
    width = max([len(HEADER), *(c for s, _, _ in parts for c in s.columns.values())])
    for row in ws.iter_rows(min_row=top, max_row=bottom, max_col=width):  # beside it: kept
        for cell in row:
            cell.value = None
            cell.comment = None
    needed = sum(len(p) + 4 + 2 for _, _, p in parts) - 2  # title, name, header, total, gap
    below = any(cell.value is not None for row in ws.iter_rows(min_row=bottom + 1) for cell in row)
    if below and needed > bottom - top + 1:  # make room; what stands below moves down whole
        extra = needed - (bottom - top + 1)
        below_merges = [m for m in ws.merged_cells.ranges if m.min_row > bottom]
        for merged in below_merges:
            ws.unmerge_cells(str(merged))
        ws.insert_rows(bottom + 1, extra)
        for merged in below_merges:
            merged.shift(0, extra)
            ws.merge_cells(merged.coord)
    row = top
    for _, name, part in parts:
        row = write_block(ws, row, name, part, date, with_total=True)
    _format_sheet(ws)


def fresh_blocks(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The blocks of a new 汇总表 in one workbook: one per unit, then the department's (one
    block when all projects are one unit's)."""
    groups = [(str(unit), part) for unit, part in frame.groupby("unit", sort=False)]
    department = (_department_name(frame), frame)
    return [*groups, department] if len(groups) > 1 else [department]


def _department_name(frame: pd.DataFrame) -> str:
    names = frame["department"].dropna()
    return str(names.mode().iloc[0]) if not names.empty else str(frame["unit"].iloc[0])


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


def read_books(
    paths: list[Path],
    *,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    errors: list[InputError] | None = None,
) -> list[WorkbookForms]:
    """Read every workbook once; with ``errors``, an unreadable one (or one the reader fails on)
    is noted there, named, and skipped."""
    books = []
    for path in progress(paths) if progress else paths:
        try:
            books.append(read_workbook(path))
        except InputError as exc:
            if errors is None:
                raise
            errors.append(exc)
        except Exception as exc:  # noqa: BLE001 - one unit's bad file must not stop the roll-up
            if errors is None or os.environ.get(DEBUG_ENV) == "1":
                raise
            errors.append(internal_error(path, exc))
    return books


def rollup_books(
    books: list[WorkbookForms], out: Path, *, rules: RuleSet | None = None, name: str | None = None
) -> RollupResult | None:
    """The department workbook from workbooks already read; None when they hold no project form.
    A project given twice (the same form in two files) is summed once and named in ``notes``."""
    frame, notes = drop_duplicates(figures_frame(books, rules))
    if frame.empty:
        return None
    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_SHEET
    date = today()
    row = 1
    for unit, group in frame.groupby("unit", sort=False):
        row = write_block(ws, row, str(unit), group, date, with_total=True)
    department = name or _department_name(frame)
    write_block(ws, row, department, frame, date, with_total=True)
    _format_sheet(ws)
    refuse_if_open(out)
    atomic_save(wb, out)
    corrected = sum(len(n) for n in frame["notes"])
    return RollupResult(
        len(frame), frame["unit"].nunique(), [], True, False, [ws.title], corrected, notes
    )
