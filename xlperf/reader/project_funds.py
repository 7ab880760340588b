"""The money block of a project form: its unit, its fund rows, and which column is which."""

from __future__ import annotations

import re
from decimal import Decimal

from xlperf.forms.base import Val
from xlperf.forms.project import FundRow, Funds, ProjectForm
from xlperf.reader.cells import CellReader
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
        for c, v in grid.row_cells(r):
            if isinstance(v, str) and (unit := money_unit_of(grid.key(r, c))):
                return Val(cell=address(r, c), value=unit, typed=True)
    return Val()


def read_funds(
    grid: Grid, cells: CellReader, form: ProjectForm, cols: Columns, anchor: int, stop: int
) -> Funds:
    funds = Funds()
    fields = _budget_roles(grid, form, cols)
    if "annual_budget" not in fields:
        cells.problem(
            cols.first_row,
            cols.all_columns()[0],
            f"项目资金表头（{cols.span_text()}）中未找到“全年预算数”栏（也无年初预算数），"
            "无法读取预算数与执行率的分母",
        )
    labels = money_labels(form.unit)
    first_money_col = min(c for span in fields.values() for c in span)
    for r in range(anchor, min(anchor + FUND_ROW_REACH, stop)):
        label_cells = [c for c, _ in grid.row_cells(r) if c < first_money_col]
        if not label_cells:
            continue
        label = "".join(grid.key(r, c) for c in label_cells)
        kind = classify(label, MONEY_ROWS) or ("total" if r == anchor else None)
        if kind is None or getattr(funds, kind).label_cell is not None:
            continue
        row = FundRow(label_cell=address(r, label_cells[0]))
        for field_name, span in fields.items():
            rr, cc = cells.first_in_span(r, span)
            setattr(row, field_name, cells.number(rr, cc, labels[field_name]))
        setattr(funds, kind, row)
    _rate_weight_from_label(grid, form, funds, cols)
    _check_plain_budget(grid, form, funds, cols)
    return funds


def _bare(key: str) -> str:
    return _BRACKETS.sub("", key)


def _budget_roles(grid: Grid, form: ProjectForm, cols: Columns) -> dict[str, list[int]]:
    """Money columns by field. Two budget columns where one says only 预算数: that one is the
    年初预算数, the other (全年预算数, 调整后预算数) the one the 执行率 divides by."""
    fields = dict(cols.fields)
    if "annual_budget" not in fields and "initial_budget" in fields:
        fields["annual_budget"] = fields["initial_budget"]
        label = cols.label(grid, "initial_budget")
        form.readings.append(
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
        form.readings.append(
            f"两栏预算数：“{first}”与“{second}”中只写“预算数”的一栏按年初预算数读取，"
            "另一栏按全年预算数（执行率的分母）读取"
        )
    return fields


def _rate_weight_from_label(grid: Grid, form: ProjectForm, funds: Funds, cols: Columns) -> None:
    """No 分值 column: the 执行率 分值 stated in the score's label ("得分(20分*执行率)")."""
    if "weight" in cols.fields or "score" not in cols.cells or funds.total.label_cell is None:
        return
    r, c = cols.cells["score"]
    label = grid.key(r, c)
    points = rate_weight_in_label(label)
    if points is None:
        return
    funds.total.weight = Val(cell=address(r, c), value=Decimal(points), decimals=0, typed=True)
    form.readings.append(f"无“分值”栏：预算执行率分值 {points} 取自表头“{label}”")


def _check_plain_budget(grid: Grid, form: ProjectForm, funds: Funds, cols: Columns) -> None:
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
    form.readings.append(f"“{label}”栏按全年预算数（执行率的分母）读取{fits}")
