"""汇总: the 部门（单位）项目支出自评汇总表 from project forms, in one workbook or across many.

The figures come from :func:`xlperf.compute.project_figures`; pandas groups them by unit. A 汇总表
that a person filled is compared (XS findings), not overwritten, unless asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.checks.summary import check_summaries
from xlperf.compute import project_figures, round_rate
from xlperf.errors import InputError
from xlperf.findings import Finding
from xlperf.model import SUMMARY_COLUMNS, WorkbookForms
from xlperf.ops.files import atomic_save, open_for_edit, refuse_if_open, sheet_grids
from xlperf.reader import read_grids, read_workbook
from xlperf.rules import RuleSet

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
NO_UNIT = "（未填写实施单位）"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def figures_frame(books: Iterable[WorkbookForms], rules: RuleSet | None = None) -> pd.DataFrame:
    """One row per project form: its unit, file and the figures of its 汇总表 row."""
    records = []
    for book in books:
        for form in book.projects:
            unit = form.implementer.text or form.department.text or NO_UNIT
            records.append(
                {
                    "unit": unit,
                    "department": form.department.text,
                    "file": book.path,
                    "sheet": form.sheet,
                }
                | project_figures(form, book.rule_set(rules))
            )
    return pd.DataFrame.from_records(
        records, columns=["unit", "department", "file", "sheet", *FIGURES]
    )


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
    """Write :func:`block_rows` from row ``top``, styled like the paper form; returns the next free row."""
    rows = block_rows(unit, frame, date, with_total)
    for r, row in enumerate(rows, top):
        for c, value in enumerate(row, 1):
            if value is not None:
                ws.cell(r, c, value)
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
    written: bool = True


def rollup_workbook(
    path: Path, out: Path, *, overwrite: bool = False, rules: RuleSet | None = None
) -> RollupResult:
    """汇总 within one workbook, into its 汇总表 sheet (created when missing)."""
    wb, cached = open_for_edit(path)
    grids = sheet_grids(wb, cached)
    book = read_grids(grids, str(path))
    rules = book.rule_set(rules)
    if not book.projects:
        raise InputError(str(path), "没有项目支出绩效自评表，无法汇总")
    frame = figures_frame([book], rules)
    existing = [s for s in book.summaries if s.sheet == SUMMARY_SHEET]
    filled = [s for s in existing if s.rows]
    if filled and not overwrite:
        findings = check_summaries(filled, book.projects, str(path), rules)
        return RollupResult(len(frame), frame["unit"].nunique(), findings, written=False)
    if SUMMARY_SHEET in wb.sheetnames:
        del wb[SUMMARY_SHEET]
    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    department = _department_name(frame)
    write_block(ws, 1, department, frame, today(), with_total=True)
    _format_sheet(ws)
    refuse_if_open(out)
    atomic_save(wb, out)
    return RollupResult(len(frame), frame["unit"].nunique())


def _department_name(frame: pd.DataFrame) -> str:
    names = frame["department"].dropna()
    return str(names.mode().iloc[0]) if not names.empty else str(frame["unit"].iloc[0])


def read_books(
    paths: list[Path],
    *,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    errors: list[InputError] | None = None,
) -> list[WorkbookForms]:
    """Read every workbook once; with ``errors``, an unreadable one is noted there and skipped."""
    books = []
    for path in progress(paths) if progress else paths:
        try:
            books.append(read_workbook(path))
        except InputError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return books


def rollup_files(
    paths: list[Path],
    out: Path,
    *,
    rules: RuleSet | None = None,
    name: str | None = None,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    errors: list[InputError] | None = None,
) -> RollupResult:
    """汇总 across units' workbooks into one department workbook: a 汇总表 per unit, then all."""
    books = read_books(paths, progress=progress, errors=errors)
    result = rollup_books(books, out, rules=rules, name=name)
    if result is None:
        raise InputError(
            str(paths[0]) if paths else ".", "所给文件中没有任何项目支出绩效自评表，无法汇总"
        )
    return result


def rollup_books(
    books: list[WorkbookForms], out: Path, *, rules: RuleSet | None = None, name: str | None = None
) -> RollupResult | None:
    """The department workbook from workbooks already read; None when they hold no project form."""
    frame = figures_frame(books, rules)
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
    return RollupResult(len(frame), frame["unit"].nunique())
