"""The tests' filler: a template's input cells from form data (the ``xlperf extract`` shape),
found by their defined names, for LibreOffice to recalculate.

Computed cells keep their formulas unless ``typed=True``: then the figures the data states for
them (执行率, 预算执行率得分, 分值合计, 总分, 等次) are typed over the formulas, as accountants do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.forms.project import FUND_COLUMNS, FUND_ROWS
from xlperf.forms.summary import SUMMARY_COLUMNS
from xlperf.templates.styles import fit_heights
from xlperf.values import fold
from xlperf.vocabulary.project import level1_kind

INPUT_FUND_COLUMNS = ("initial_budget", "annual_budget", "executed")
INDICATOR_FIELDS = ("level1", "level2", "name", "target", "actual", "weight", "score", "note")
SUMMARY_FIELDS = SUMMARY_COLUMNS
SUMMARY_INPUTS = (
    "project_name",
    "annual_budget",
    "executed",
    "output_rate",
    "benefit_rate",
    "satisfaction_rate",
    "score",
    "reason",
)


def resolve(wb: Workbook, name: str, sheet: str | None = None) -> tuple[Worksheet, str]:
    """The sheet and range (``A1:B2`` without ``$``) a name points at.

    A sheet-scoped name is looked up on ``sheet``; a workbook-scoped one when ``sheet`` is None or
    the sheet has no such name.
    """
    defined = None
    if sheet is not None:
        defined = wb[sheet].defined_names.get(name)
    if defined is None:
        defined = wb.defined_names.get(name)
    if defined is None:
        raise KeyError(f"工作簿中没有名称 {name}" + (f"（工作表 {sheet}）" if sheet else ""))
    destinations = list(defined.destinations)
    if len(destinations) != 1:
        raise KeyError(f"名称 {name} 不是单一区域")
    title, ref = destinations[0]
    return wb[title], ref.replace("$", "")


class TemplateFull(ValueError):
    """The data has more indicators under a 二级指标 than the sheet has rows for."""


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _box(wb: Workbook, sheet: str | None, name: str) -> tuple[Worksheet, int, int, int, int]:
    ws, ref = resolve(wb, name, sheet)
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return ws, min_row, min_col, max_row, max_col


def _set(wb: Workbook, sheet: str | None, name: str, value: Any) -> None:
    ws, row, col, _, _ = _box(wb, sheet, name)
    ws.cell(row, col).value = _plain(value)


def set_year(wb: Workbook, year: int | None) -> None:
    """评价年度 on the 参数 sheet (every form's title shows it)."""
    _set(wb, None, "xr_year", year)


def fill_project(wb: Workbook, sheet: str, data: dict[str, Any], *, typed: bool = False) -> None:
    """Write one project form's data into the project sheet ``sheet`` of a template workbook."""
    for field_name in ("project_name", "department", "implementer", "goal_expected", "goal_actual"):
        if data.get(field_name) is not None:
            _set(wb, sheet, f"xp_{field_name}", data[field_name])
    ws, r0, c0, _, _ = _box(wb, sheet, "xp_funds")
    for i, row_name in enumerate(FUND_ROWS):
        row = data.get("funds", {}).get(row_name, {})
        for j, column in enumerate(FUND_COLUMNS):
            value = row.get(column)
            if column in INPUT_FUND_COLUMNS or (typed and value is not None):
                ws.cell(r0 + i, c0 + j).value = _plain(value)
    _fill_indicators(wb, sheet, [i for i in data.get("indicators", []) if not i.get("placeholder")])
    ws, first, _, last, _ = _box(wb, sheet, "xp_indicators")
    fit_heights(ws, set(range(first, last + 1)))
    if typed:
        for field_name, name in (
            ("total_weight", "xp_total_weight"),
            ("total_score", "xp_total_score"),
            ("grade", "xp_grade"),
        ):
            if data.get(field_name) is not None:
                _set(wb, sheet, name, data[field_name])


def _level2_blocks(ws: Worksheet, first: int, last: int, col: int) -> list[tuple[str, list[int]]]:
    """The 二级指标 blocks of rows first..last: (label, rows), from the merged cells of column ``col``."""
    blocks: list[tuple[str, list[int]]] = []
    r = first
    while r <= last:
        end = r
        for merged in ws.merged_cells.ranges:
            if merged.min_col == col and merged.min_row == r:
                end = merged.max_row
        blocks.append((str(ws.cell(r, col).value or ""), list(range(r, end + 1))))
        r = end + 1
    return blocks


def _fill_indicators(wb: Workbook, sheet: str, indicators: list[dict[str, Any]]) -> None:
    used: set[int] = set()
    for ind in indicators:
        kind = level1_kind(ind.get("level1"))
        ws, first, col0, last, _ = _box(wb, sheet, f"xp_{kind}")
        level2 = fold(ind.get("level2") or "")
        blocks = _level2_blocks(ws, first, last, col0 + 1)
        matching = [b for b in blocks if fold(b[0]) == level2] or [
            b for b in blocks if level2 and level2[:2] in fold(b[0])
        ]
        if not matching:
            raise TemplateFull(
                f"工作表 {sheet} 的{ind.get('level1')}下没有二级指标“{ind.get('level2')}”"
            )
        label, rows = matching[0]
        free = [r for r in rows if r not in used]
        if not free:
            raise TemplateFull(f"工作表 {sheet} 的二级指标“{label}”预留行已满，请先插入行")
        r = free[0]
        used.add(r)
        if ind.get("level2") and fold(ind["level2"]) != fold(label):
            ws.cell(rows[0], col0 + 1).value = ind["level2"]
        for j, field_name in enumerate(INDICATOR_FIELDS[2:], start=2):
            ws.cell(r, col0 + j).value = _plain(ind.get(field_name))


def fill_summary(wb: Workbook, sheet: str, data: dict[str, Any], *, typed: bool = False) -> None:
    """Write a 汇总表's header and rows into a standalone 汇总表 sheet."""
    for field_name in ("unit_name", "date"):
        if data.get(field_name) is not None:
            _set(wb, sheet, f"xs_{field_name}", data[field_name])
    ws, r0, c0, r1, _ = _box(wb, sheet, "xs_rows")
    rows = data.get("rows", [])
    if len(rows) > r1 - r0 + 1:
        raise TemplateFull(f"工作表 {sheet} 只有 {r1 - r0 + 1} 行，数据有 {len(rows)} 行")
    for i, row in enumerate(rows):
        for j, field_name in enumerate(SUMMARY_FIELDS):
            value = row.get(field_name)
            if field_name in SUMMARY_INPUTS or (typed and value is not None):
                ws.cell(r0 + i, c0 + j).value = _plain(value)
    fit_heights(ws, set(range(r0, r0 + len(rows))))


def link_summary(
    wb: Workbook,
    sheet: str,
    project_sheets: list[str],
    *,
    unit_name: str | None = None,
    date: str | None = None,
) -> None:
    """Point a linked 汇总表's rows at project sheets (对应工作表), in order."""
    ws, r0, c0, r1, _ = _box(wb, sheet, "xs_sheet_names")
    if len(project_sheets) > r1 - r0 + 1:
        raise TemplateFull(f"工作表 {sheet} 只有 {r1 - r0 + 1} 行，项目有 {len(project_sheets)} 个")
    for i in range(r1 - r0 + 1):
        ws.cell(r0 + i, c0).value = project_sheets[i] if i < len(project_sheets) else None
    if unit_name is not None:
        _set(wb, sheet, "xs_unit_name", unit_name)
    if date is not None:
        _set(wb, sheet, "xs_date", date)
