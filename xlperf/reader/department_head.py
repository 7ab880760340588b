"""The block above a department table: 名称, 年度履职目标, 年度主要任务, 预算情况, money, 指标计算数据.

Each part is read where present, by its label. 预算情况 (seed 000) lists amounts under one
label — 部门预算总额, 资金来源 (财政性资金 / 其他资金), 资金结构 (基本支出 / 项目支出) — and is
read into the money block's 全年预算数 column; a money block with 年初预算数 / 全年预算数 /
全年执行数 columns is read by its header.
"""

from __future__ import annotations

from xlperf.forms.department import (
    BudgetLine,
    DepartmentForm,
    DepartmentMoney,
    DepartmentTask,
    MoneyFigure,
)
from xlperf.reader.cells import CellReader, val
from xlperf.reader.grid import Grid, address
from xlperf.values import NotANumber, is_blank, parse_number
from xlperf.vocabulary.department import (
    BUDGET_LABELS,
    FIGURE_VALUE_LABELS,
    FIGURE_WHAT,
    GOAL_LABELS,
    MONEY_HEADERS,
    MONEY_ROW_LABELS,
    TASK_HEADER_WORDS,
    TASK_LABELS,
    WHAT,
    canonical_indicator,
    is_unit_label,
)
from xlperf.vocabulary.words import classify, value_after_colon


def read_head(grid: Grid, cells: CellReader, form: DepartmentForm, top: int, header: int) -> int:
    """Read the block's parts into ``form``; returns the first row (0-based) any part stands on."""
    rows = [header]
    for part in (_read_unit, _read_goals, _read_tasks, _read_money, _read_budget, _read_figures):
        found = part(grid, cells, form, top, header)
        if found is not None:
            rows.append(found)
    return min(rows)


def _labels(grid: Grid, top: int, header: int):
    for r in range(top, header):
        for c, v in grid.row_cells(r):
            if isinstance(v, str) and not grid.is_covered(r, c):
                yield r, c, grid.key(r, c)


def _value_right_of(grid: Grid, row: int, col: int) -> int | None:
    for c in range(col + 1, grid.n_cols):
        if not grid.is_covered(row, c) and not is_blank(grid.get(row, c)):
            return c
    return None


def _end(grid: Grid, row: int, col: int) -> int:
    return col + len(grid.col_span(row, col)) - 1


def _labelled_text(grid: Grid, cells: CellReader, r: int, c: int):
    """The value of a label cell: after its colon, or the next cell right of it."""
    inline = value_after_colon(str(grid.get(r, c)))
    if inline is not None:
        return cells.text(r, c).model_copy(update={"value": inline})
    vc = _value_right_of(grid, r, _end(grid, r, c))
    return cells.text(r, vc) if vc is not None else None


def _read_unit(grid: Grid, cells: CellReader, form: DepartmentForm, top: int, header: int):
    for r, c, key in _labels(grid, top, header):
        head = key.replace(":", "：").split("：", 1)[0]
        if not is_unit_label(head):
            continue
        value = _labelled_text(grid, cells, r, c)
        if value is not None:
            form.unit_name = value
        else:
            form.unit_name = val(cell=address(r, _end(grid, r, c) + 1))
        return r
    return None


def _read_goals(grid: Grid, cells: CellReader, form: DepartmentForm, top: int, header: int):
    for r, c, key in _labels(grid, top, header):
        if key.replace(":", "：").split("：", 1)[0] in GOAL_LABELS:
            value = _labelled_text(grid, cells, r, c)
            if value is not None:
                form.goals = value
            return r
    return None


def _section_rows(grid: Grid, r0: int, c: int, header: int) -> list[int]:
    """The rows of a section labelled at (r0, c): down to the next label in that column."""
    rows = [r0]
    box = grid.merge_box(r0, c)
    for r in range(r0 + 1, header):
        under = box is not None and box[0] <= r <= box[2]
        if not under and not is_blank(grid.get(r, c)):
            break
        if grid.row_is_empty(r):
            break
        rows.append(r)
    return rows


def _read_tasks(grid: Grid, cells: CellReader, form: DepartmentForm, top: int, header: int):
    for r0, c0, key in _labels(grid, top, header):
        if key not in TASK_LABELS:
            continue
        for r in _section_rows(grid, r0, c0, header):
            texts = [
                (c, v)
                for c, v in grid.row_cells(r)
                if c > _end(grid, r0, c0) and not grid.is_covered(r, c)
            ]
            if not texts or any(grid.key(r, c) in TASK_HEADER_WORDS for c, _ in texts):
                continue
            task = DepartmentTask(name=cells.text(r, texts[0][0]))
            if len(texts) > 1:
                task.content = cells.text(r, texts[1][0])
            form.tasks.append(task)
        return r0
    return None


def _numeric(value: object) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    try:
        return isinstance(value, str) and parse_number(value) is not None
    except NotANumber:
        return False


def _read_budget(grid: Grid, cells: CellReader, form: DepartmentForm, top: int, header: int):
    """预算情况: one amount per line, the lines' labels right of the section's label (unless a
    money block with 全年预算数 / 全年执行数 columns was read)."""
    if form.has_money:
        return None
    for r0, c0, key in _labels(grid, top, header):
        if key not in BUDGET_LABELS:
            continue
        money = DepartmentMoney()
        lines: list[tuple[int, int, str]] = []
        amount_col: int | None = None
        for r in _section_rows(grid, r0, c0, header):
            label = next(
                (
                    (c, grid.key(r, c))
                    for c, v in grid.row_cells(r)
                    if c > _end(grid, r0, c0) and isinstance(v, str) and not _numeric(v)
                ),
                None,
            )
            kind = classify(label[1], MONEY_ROW_LABELS) if label else None
            if label is None or kind is None or getattr(money, kind).label_cell is not None:
                continue
            lines.append((r, label[0], kind))
            number = next((c for c, v in grid.row_cells(r) if c > label[0] and _numeric(v)), None)
            if amount_col is None and number is not None:
                amount_col = number
        if not lines:
            return None
        for r, c, kind in lines:
            line = BudgetLine(label_cell=address(r, c))
            number = next((cc for cc, v in grid.row_cells(r) if cc > c and _numeric(v)), amount_col)
            if number is not None:
                line.annual_budget = cells.number(r, number, WHAT["budget"])
            setattr(money, kind, line)
        form.money = money
        form.has_money = money.total.label_cell is not None
        return r0
    return None


def _read_money(grid: Grid, cells: CellReader, form: DepartmentForm, top: int, header: int):
    for r in range(top, header):
        cols: dict[str, list[int]] = {}
        for c, v in grid.row_cells(r):
            if isinstance(v, str):
                name = classify(grid.key(r, c), MONEY_HEADERS)
                if name and name not in cols:
                    cols[name] = list(grid.col_span(r, c))
        if "executed" not in cols or "annual_budget" not in cols:
            continue
        money = DepartmentMoney()
        first_col = min(c for cs in cols.values() for c in cs)
        for rr in range(r + 1, header):
            label = next(
                (
                    (c, grid.key(rr, c))
                    for c, v in grid.row_cells(rr)
                    if c < first_col and isinstance(v, str)
                ),
                None,
            )
            if label is None:
                if grid.row_is_empty(rr):
                    break
                continue
            kind = classify(label[1], MONEY_ROW_LABELS)
            if kind is None:
                break
            if getattr(money, kind).label_cell is not None:
                continue
            row = BudgetLine(label_cell=address(rr, label[0]))
            for field_name, span in cols.items():
                cr, cc = cells.first_in_span(rr, span)
                setattr(row, field_name, cells.number(cr, cc, WHAT[field_name]))
            setattr(money, kind, row)
        form.money = money
        form.has_money = money.total.label_cell is not None
        return r
    return None


def _read_figures(grid: Grid, cells: CellReader, form: DepartmentForm, top: int, header: int):
    """指标计算数据: rows labelled by a money-derived indicator.

    Under a header naming 分子 / 分母 (/ 计算值) columns, by those columns; otherwise the numbers
    right of the label in order: 分子, 分母, then the shown rate (text between them, like the
    names of the figures, skipped; a single number is the shown rate alone).
    """
    columns: dict[str, int] = {}
    first: int | None = None
    for r in range(top, header):
        row_cells = [(c, v) for c, v in grid.row_cells(r) if not grid.is_covered(r, c)]
        if not row_cells or not isinstance(row_cells[0][1], str):
            continue
        keys = {grid.key(r, c): c for c, _ in row_cells}
        parts = {k: FIGURE_WHAT[k] for k in ("numerator", "denominator")}
        if all(label in keys for label in parts.values()):  # a header names the columns
            columns = {k: keys[label] for k, label in parts.items()}
            shown = next((keys[k] for k in FIGURE_VALUE_LABELS if k in keys), None)
            if shown is not None:
                columns["value"] = shown
            first = r if first is None else first
            continue
        name = canonical_indicator(row_cells[0][1])
        if name is None or form.figure(name) is not None:
            continue
        first = r if first is None else first
        figure = MoneyFigure(name=name, label_cell=address(r, row_cells[0][0]))
        if columns:
            for slot, c in columns.items():
                setattr(figure, slot, cells.number(r, c, f"{name}{FIGURE_WHAT[slot]}"))
            form.figures.append(figure)
            continue
        numbers = [
            c
            for c, v in row_cells[1:]
            if not (isinstance(v, str) and canonical_indicator(v) is None and not _numeric(v))
        ]
        slots = ("numerator", "denominator", "value")
        # A form with only one number after the label shows the rate alone.
        if len(numbers) == 1:
            slots = ("value",)
        for slot, c in zip(slots, numbers, strict=False):
            setattr(figure, slot, cells.number(r, c, f"{name}{FIGURE_WHAT[slot]}"))
        form.figures.append(figure)
    return first
