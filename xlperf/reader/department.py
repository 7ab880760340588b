"""Find and read every 部门整体支出绩效自评表 / 评分表 on a sheet, by its labels.

The form is anchored on its indicator header (一级指标 … 三级指标 … 得分 with a 评分标准 column, or
under a title naming 部门整体): several 分值 columns are told apart by the level column they follow
(seed 004: 一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | … | 评价标准 | 得分). Above it, the
money block (部门预算总额 and its parts) and the 指标计算数据 rows are read where present.
"""

from __future__ import annotations

from decimal import Decimal

from xlperf.forms.base import Problem, Val
from xlperf.forms.department import (
    BudgetLine,
    DepartmentForm,
    DepartmentIndicator,
    DepartmentMoney,
    MoneyFigure,
)
from xlperf.reader.cells import CellReader, val
from xlperf.reader.grid import Grid, address
from xlperf.values import fold, is_blank
from xlperf.vocabulary.department import (
    FIGURE_VALUE_LABELS,
    FIGURE_WHAT,
    GRADE_LABELS,
    MONEY_HEADERS,
    MONEY_ROW_LABELS,
    TABLE_COLUMNS,
    TITLE_WORDS,
    WHAT,
    canonical_indicator,
)
from xlperf.vocabulary.project import TOTAL_ROW_LABELS
from xlperf.vocabulary.words import classify, find_year, split_declared_weight


def _header_fields(grid: Grid, row: int) -> dict[str, list[int]]:
    """Field -> columns for an indicator header row; 分值 columns named after their level."""
    fields: dict[str, list[int]] = {}
    last_level: str | None = None
    for c, v in grid.row_cells(row):
        if not isinstance(v, str) or grid.is_covered(row, c):
            continue
        key = grid.key(row, c)
        name = classify(key, TABLE_COLUMNS)
        if name is None:
            continue
        if name == "weight":
            name = {"level1": "level1_weight", "level2": "level2_weight"}.get(
                last_level or "", "weight"
            )
        if name in ("level1", "level2", "name"):
            last_level = name
        elif name != "weight":
            last_level = None
        fields.setdefault(name, list(grid.col_span(row, c)))
    return fields


def _is_table_header(grid: Grid, row: int) -> bool:
    fields = _header_fields(grid, row)
    return {"level1", "name", "score"} <= set(fields) and (
        "weight" in fields or "level1_weight" in fields
    )


def _titled(grid: Grid, upto: int) -> Val | None:
    for r in range(upto - 1, -1, -1):
        for c, v in grid.row_cells(r):
            if isinstance(v, str) and any(w in grid.key(r, c) for w in TITLE_WORDS):
                return val(cell=address(r, c), value=v.strip(), typed=True)
    return None


def read_department_forms(
    grid: Grid, problems: list[Problem], taken: set[int]
) -> list[DepartmentForm]:
    """Every department form on rows not already read as project forms (``taken``, 0-based)."""
    forms: list[DepartmentForm] = []
    lower = 0
    for row in range(grid.n_rows):
        if row in taken or row < lower or not _is_table_header(grid, row):
            continue
        fields = _header_fields(grid, row)
        title = _titled(grid, row)
        if "criterion" not in fields and title is None:
            continue
        form = _read_one(grid, row, fields, title, lower, problems)
        forms.append(form)
        lower = form.last_row
    return forms


def _read_one(
    grid: Grid,
    header: int,
    fields: dict[str, list[int]],
    title: Val | None,
    lower: int,
    problems: list[Problem],
) -> DepartmentForm:
    cells = CellReader(grid, problems)
    top = lower
    if title is not None:
        top = max(lower, int("".join(ch for ch in title.cell or "A1" if ch.isdigit())) - 1)
    form = DepartmentForm(
        sheet=grid.sheet, first_row=top + 1, last_row=header + 1, header_row=header + 1
    )
    if title is not None:
        form.title = title
        year = find_year(str(title.value))
        if year is not None:
            form.year = val(cell=title.cell, value=Decimal(year), decimals=0, typed=True)
    _read_unit(grid, cells, form, top, header)
    _read_money(grid, cells, form, top, header)
    _read_figures(grid, cells, form, top, header)
    last = _read_table(grid, cells, form, header, fields)
    form.last_row = last + 1
    return form


def _value_right_of(grid: Grid, row: int, col: int) -> int | None:
    for c in range(col + 1, grid.n_cols):
        if grid.is_covered(row, c):
            continue
        if not is_blank(grid.get(row, c)):
            return c
    return None


def _read_unit(grid: Grid, cells: CellReader, form: DepartmentForm, top: int, header: int) -> None:
    for r in range(top, header):
        for c, v in grid.row_cells(r):
            key = grid.key(r, c)
            if isinstance(v, str) and "名称" in key[:12] and ("部门" in key or "单位" in key):
                if "：" in v or ":" in v:
                    rest = v.replace(":", "：").split("：", 1)[1].strip()
                    if rest:
                        form.unit_name = val(cell=address(r, c), value=rest, typed=True)
                        return
                vc = _value_right_of(grid, r, c + len(grid.col_span(r, c)) - 1)
                if vc is not None:
                    form.unit_name = cells.text(r, vc)
                else:
                    form.unit_name = val(cell=address(r, c + len(grid.col_span(r, c))))
                return


def _read_money(grid: Grid, cells: CellReader, form: DepartmentForm, top: int, header: int) -> None:
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
        return


def _read_figures(
    grid: Grid, cells: CellReader, form: DepartmentForm, top: int, header: int
) -> None:
    """指标计算数据: rows labelled by a money-derived indicator.

    Under a header naming 分子 / 分母 (/ 计算值) columns, by those columns; otherwise the numbers
    right of the label in order: 分子, 分母, then the shown rate (text between them, like the
    names of the figures, skipped; a single number is the shown rate alone).
    """
    columns: dict[str, int] = {}
    for r in range(top, header):
        row_cells = [(c, v) for c, v in grid.row_cells(r) if not grid.is_covered(r, c)]
        if not row_cells or not isinstance(row_cells[0][1], str):
            continue
        keys = {grid.key(r, c): c for c, _ in row_cells}
        if "分子" in keys and "分母" in keys:  # a header names the columns: read by it
            columns = {"numerator": keys["分子"], "denominator": keys["分母"]}
            shown = next((keys[k] for k in FIGURE_VALUE_LABELS if k in keys), None)
            if shown is not None:
                columns["value"] = shown
            continue
        name = canonical_indicator(row_cells[0][1])
        if name is None or form.figure(name) is not None:
            continue
        if columns:
            figure = MoneyFigure(name=name, label_cell=address(r, row_cells[0][0]))
            for slot, c in columns.items():
                setattr(figure, slot, cells.number(r, c, f"{name}{FIGURE_WHAT[slot]}"))
            form.figures.append(figure)
            continue
        numbers = [
            c
            for c, v in row_cells[1:]
            if not (isinstance(v, str) and canonical_indicator(v) is None and not _numeric_text(v))
        ]
        figure = MoneyFigure(name=name, label_cell=address(r, row_cells[0][0]))
        slots = ("numerator", "denominator", "value")
        # A form with only one number after the label shows the rate alone.
        if len(numbers) == 1:
            slots = ("value",)
        for slot, c in zip(slots, numbers, strict=False):
            setattr(figure, slot, cells.number(r, c, f"{name}{FIGURE_WHAT[slot]}"))
        form.figures.append(figure)


def _numeric_text(v: str) -> bool:
    from xlperf.values import NotANumber, parse_number

    try:
        return parse_number(v) is not None
    except NotANumber:
        return False


def _read_table(
    grid: Grid, cells: CellReader, form: DepartmentForm, header: int, fields: dict[str, list[int]]
) -> int:
    """Indicator rows down to the 合计/总分 row; returns the last row of the form (0-based)."""
    level1 = val()
    level1_weight = val()
    level2 = val()
    level2_weight = val()
    label_cols = sorted(c for k in ("level1", "level2", "name") for c in fields.get(k, []))
    r = header + 1
    # A second header line (merged header cells) carries no values: skip it.
    while r < grid.n_rows and _is_table_header(grid, r):
        r += 1
    last = r - 1
    blank_run = 0
    while r < grid.n_rows:
        first_text = next((grid.key(r, c) for c, v in grid.row_cells(r) if isinstance(v, str)), "")
        if any(first_text.startswith(w) for w in TOTAL_ROW_LABELS) or first_text in (
            "总分",
            "合计",
        ):
            _read_total(grid, cells, form, r, fields)
            last = r
            if r + 1 < grid.n_rows:
                last = _read_grade(grid, cells, form, r + 1, r)
            return last
        if grid.row_is_empty(r):
            blank_run += 1
            if blank_run > 1:
                break
            r += 1
            continue
        blank_run = 0
        if any(grid.key(r, c).startswith(GRADE_LABELS) for c, _ in grid.row_cells(r)):
            return _read_grade(grid, cells, form, r, r - 1)
        l1 = _label(grid, cells, r, fields.get("level1"))
        if _continues(l1, level1):  # “履职效能（续）” below a page break: the same group
            l1 = val()
        if l1.value is not None:
            level1, declared = _split(l1)
            level1_weight = declared if declared.value is not None else val()
            level2, level2_weight = val(), val()
        if "level1_weight" in fields and l1.value is not None:
            level1_weight = _number(grid, cells, r, fields["level1_weight"], "level1_weight")
        l2 = _label(grid, cells, r, fields.get("level2"))
        if _continues(l2, level2):
            l2 = val()
        if l2.value is not None:
            level2, declared = _split(l2)
            level2_weight = declared if declared.value is not None else val()
            if "level2_weight" in fields:
                level2_weight = _number(grid, cells, r, fields["level2_weight"], "level2_weight")
        name = _label(grid, cells, r, fields.get("name"))
        if name.value is None and not label_cols:
            r += 1
            continue
        ind = DepartmentIndicator(
            row=r + 1,
            level1=level1,
            level1_weight=level1_weight,
            level2=level2,
            level2_weight=level2_weight,
            name=name,
        )
        for field_name in ("weight", "score"):
            if field_name in fields:
                setattr(ind, field_name, _number(grid, cells, r, fields[field_name], field_name))
        for field_name in ("criterion", "input", "note"):
            if field_name in fields:
                cr, cc = cells.first_in_span(r, fields[field_name])
                setattr(ind, field_name, cells.text(cr, cc))
        if "input" in fields:
            cr, cc = cells.first_in_span(r, fields["input"])
            raw = grid.get(cr, cc)
            if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
                ind.input = cells.number(cr, cc, "评分依据")
        if name.value is not None or ind.weight.value is not None or ind.score.value is not None:
            form.indicators.append(ind)
        last = r
        r += 1
    cells.problem(header, fields["level1"][0], "部门整体绩效评分表没有“合计/总分”行，总分无法检查")
    return last


def _label(grid: Grid, cells: CellReader, r: int, span: list[int] | None) -> Val:
    if not span:
        return val()
    cr, cc = cells.first_in_span(r, span)
    if cr != r:  # a merged label seen again on a later row of its merge
        return val()
    return cells.text(cr, cc)


def _continues(label: Val, current: Val) -> bool:
    """A label repeated below a page break as “名称（续）” continues the group above it."""
    text = fold(label.text or "")
    for mark in ("（续）", "(续)", "（续表）", "(续表)"):
        if text.endswith(mark) and current.text:
            return text[: -len(mark)].strip() == fold(current.text)
    return False


def _split(label: Val) -> tuple[Val, Val]:
    """'履职效能（40分）' -> the name, and the declared weight at the same cell."""
    name, weight = split_declared_weight(str(label.value))
    declared = (
        val(cell=label.cell, value=weight, decimals=0, typed=True) if weight is not None else val()
    )
    return val(cell=label.cell, value=name, typed=True, formula=label.formula), declared


def _number(grid: Grid, cells: CellReader, r: int, span: list[int], what: str) -> Val:
    cr, cc = cells.first_in_span(r, span)
    if cr != r:
        return val()
    return cells.number(cr, cc, WHAT[what])


def _read_total(
    grid: Grid, cells: CellReader, form: DepartmentForm, r: int, fields: dict[str, list[int]]
) -> None:
    form.total_label_cell = address(r, grid.row_cells(r)[0][0])
    if "weight" in fields:
        form.total_weight = cells.number(*cells.first_in_span(r, fields["weight"]), "分值合计")
    if "score" in fields:
        form.total_score = cells.number(*cells.first_in_span(r, fields["score"]), "总分")


def _read_grade(grid: Grid, cells: CellReader, form: DepartmentForm, r: int, last: int) -> int:
    for c, v in grid.row_cells(r):
        if isinstance(v, str) and grid.key(r, c).startswith(GRADE_LABELS):
            inline = v.replace(":", "：").split("：", 1)
            if len(inline) == 2 and inline[1].strip():
                form.grade = val(cell=address(r, c), value=inline[1].strip(), typed=True)
                return r
            end = c + len(grid.col_span(r, c)) - 1
            vc = _value_right_of(grid, r, end)
            form.grade = cells.text(r, vc) if vc is not None else val(cell=address(r, end + 1))
            return r
    return last
