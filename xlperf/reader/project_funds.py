"""The money block of a project form: its unit, its fund rows, and which column is which."""

from __future__ import annotations

import re
from decimal import Decimal

from xlperf.forms.base import Val, build, empty
from xlperf.forms.project import FundRow, Funds
from xlperf.reader.cells import CellReader, val
from xlperf.reader.grid import Grid, address
from xlperf.reader.project_header import Columns
from xlperf.vocabulary.project import (
    MONEY_ROWS,
    PLAIN_BUDGET_LABELS,
    money_labels,
    money_unit_of,
    rate_weight_in_label,
)
from xlperf.vocabulary.words import classify

FUND_ROW_REACH = 8  # rows below the 年度资金总额 its parts may stand in
_BRACKETS = re.compile(r"[(（][^)）]*[)）]")


def read_money_unit(grid: Grid, first: int, header: int, cols: Columns) -> Val:
    """The unit the title block or the money header states (单位：元, 项目资金（万元）)."""
    for r in range(first, header + 1):
        for c, _v, key in grid.labels(r):
            if unit := money_unit_of(key):
                return val(cell=address(r, c), value=unit, typed=True)
    return empty()


def read_funds(
    grid: Grid,
    cells: CellReader,
    readings: list[str],
    unit: str,
    cols: Columns,
    anchor: int,
    stop: int,
) -> Funds:
    """The fund rows from ``anchor`` (the 年度资金总额) down; how ambiguous columns were read
    goes to ``readings``; ``unit`` is the form's (万元 or 元)."""
    rows: dict[str, dict[str, object]] = {}
    fields = _budget_roles(grid, readings, cols)
    if "annual_budget" not in fields:
        cells.problem(
            cols.first_row,
            cols.all_columns()[0],
            f"项目资金表头（{cols.span_text()}）中未找到“全年预算数”栏（也无年初预算数），"
            "无法读取预算数与执行率的分母",
        )
    labels = money_labels(unit)
    first_money_col = min(c for span in fields.values() for c in span)
    spans = list(fields.items())
    for r in range(anchor, min(anchor + FUND_ROW_REACH, stop)):
        label_cells = [c for c, _ in grid.row_cells(r) if c < first_money_col]
        if not label_cells:
            continue
        label = "".join(grid.key(r, c) for c in label_cells)
        kind = classify(label, MONEY_ROWS) or ("total" if r == anchor else None)
        if kind is None or kind in rows:
            continue
        row: dict[str, object] = {"label_cell": address(r, label_cells[0])}
        for field_name, span in spans:
            rr, cc = cells.first_in_span(r, span)
            row[field_name] = cells.number(rr, cc, labels[field_name])
        rows[kind] = row
    if "total" in rows and (weight := _rate_weight_from_label(grid, readings, cols)):
        rows["total"]["weight"] = weight
    funds = build(Funds, {kind: build(FundRow, row) for kind, row in rows.items()})
    _check_plain_budget(grid, readings, funds, cols)
    return funds


def _bare(key: str) -> str:
    return _BRACKETS.sub("", key)


def _budget_roles(grid: Grid, readings: list[str], cols: Columns) -> dict[str, list[int]]:
    """Money columns by field. Two budget columns where one says only 预算数: that one is the
    年初预算数, the other (全年预算数, 调整后预算数) the one the 执行率 divides by."""
    fields = dict(cols.fields)
    if "annual_budget" not in fields and "initial_budget" in fields:
        fields["annual_budget"] = fields["initial_budget"]
        label = cols.label(grid, "initial_budget")
        readings.append(
            f"无全年预算数栏：执行率的分母取“{label}”（如北京市表样 执行率(B/A) 中的 A）"
        )
    for name, r, c in cols.duplicates:
        if name != "annual_budget" or "initial_budget" in fields:
            continue
        first = cols.label(grid, "annual_budget")
        second = grid.key(r, c)
        if _bare(first) in PLAIN_BUDGET_LABELS:
            fields["initial_budget"] = fields["annual_budget"]
            fields["annual_budget"] = list(grid.col_span(r, c))
        elif _bare(second) in PLAIN_BUDGET_LABELS:
            fields["initial_budget"] = list(grid.col_span(r, c))
        else:
            continue
        readings.append(
            f"两栏预算数：“{first}”与“{second}”中只写“预算数”的一栏按年初预算数读取，"
            "另一栏按全年预算数（执行率的分母）读取"
        )
    return fields


def _rate_weight_from_label(grid: Grid, readings: list[str], cols: Columns) -> Val | None:
    """No 分值 column: the 执行率 分值 stated in the score's label ("得分(20分*执行率)")."""
    if "weight" in cols.fields or "score" not in cols.cells:
        return None
    r, c = cols.cells["score"]
    label = grid.key(r, c)
    points = rate_weight_in_label(label)
    if points is None:
        return None
    readings.append(f"无“分值”栏：预算执行率分值 {points} 取自表头“{label}”")
    return val(cell=address(r, c), value=Decimal(points), decimals=0, typed=True)


def _check_plain_budget(grid: Grid, readings: list[str], funds: Funds, cols: Columns) -> None:
    """A lone budget column that says only 预算数 is read as the 全年预算数; say so, and whether
    the form's own 执行率 bears that out."""
    if "annual_budget" not in cols.cells or "initial_budget" in cols.fields:
        return
    label = cols.label(grid, "annual_budget")
    if _bare(label) not in PLAIN_BUDGET_LABELS:
        return
    total = funds.total
    budget, executed, rate = total.annual_budget.number, total.executed.number, total.rate
    fits = ""
    if budget and executed is not None and rate.rate_fraction() is not None:
        agrees = abs(executed / budget - rate.rate_fraction()) < Decimal("0.005")
        fits = (
            "，表中执行率与 执行数 ÷ 该栏 相符" if agrees else "，但表中执行率与 执行数 ÷ 该栏 不符"
        )
    readings.append(f"“{label}”栏按全年预算数（执行率的分母）读取{fits}")
