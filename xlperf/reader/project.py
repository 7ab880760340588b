"""Find and read every 项目支出绩效自评表 on a sheet, by its labels."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from xlperf.forms.base import Problem, Val, build, empty
from xlperf.forms.project import FundRow, Funds, ProjectForm
from xlperf.reader.cells import CellReader, val
from xlperf.reader.grid import Grid, address
from xlperf.reader.project_funds import read_funds, read_money_unit
from xlperf.reader.project_header import (
    Columns,
    header_columns,
    indicator_columns,
    is_indicator_header,
)
from xlperf.reader.project_indicators import read_indicators
from xlperf.values import is_blank
from xlperf.vocabulary.project import (
    GOAL_WORDS,
    GRADE_LABELS,
    HEADER_FIELDS,
    INDICATOR_FIELD_NAMES,
    MONEY_COLUMNS,
    MONEY_ROWS,
    MONEY_UNIT,
    REQUIRED_INDICATOR_COLUMNS,
    TOTAL_LABEL,
    TOTAL_ROW_LABELS,
    WEAK_TOTAL_LABELS,
)
from xlperf.vocabulary.words import WEIGHT_SUM, find_year, strip_year, value_after_colon

WEAK_ANCHOR_REACH = 60  # rows below a weak 总额/合计 label an indicator header must start within


def funds_anchor_rows(grid: Grid) -> list[tuple[int, int, bool]]:
    """Cells labelled as the scored fund row (年度资金总额; 总额 or 合计 under a money header
    with an indicator table below): one per project form, and whether the label is a strong one."""
    found = []
    for r in range(grid.n_rows):
        for c, _v, key in grid.labels(r):
            kind = _anchor_kind(key)
            if kind is None:
                continue
            if kind:
                found.append((r, c, True))
                break
            if _money_header_above(grid, r) is not None and any(
                is_indicator_header(grid, rr)
                for rr in range(r + 1, min(r + WEAK_ANCHOR_REACH, grid.n_rows))
            ):
                found.append((r, c, False))
                break
    return found


@lru_cache(maxsize=4096)
def _anchor_kind(key: str) -> bool | None:
    """True for a strong fund-total label, False for a weak one (总额, 合计), else None."""
    if len(key) > 12:
        return None
    if any(w in key for w in MONEY_ROWS[0][1]):
        return True
    return False if _is_weak_total(key) else None


def _is_weak_total(key: str) -> bool:
    bare = key.removeprefix("年度").removesuffix("资金")
    return bare in WEAK_TOTAL_LABELS or key in WEAK_TOTAL_LABELS


def _money_header_above(grid: Grid, row: int, lower: int = 0) -> tuple[int, Columns] | None:
    """The money header at most four rows above ``row``: one naming 执行数 and 预算数 or execution
    rate (each row's reading remembered: the columns are not to be changed)."""
    known = grid.memo("money_header")
    for r in range(row - 1, max(lower, row - 4) - 1, -1):
        cols = known.get(r, False)
        if cols is False:
            cols = header_columns(grid, r, MONEY_COLUMNS)
            fields = cols.fields
            if "executed" not in fields or ("annual_budget" not in fields and "rate" not in fields):
                cols = None
            known[r] = cols
        if cols is not None:
            return r, cols
    return None


def read_project_forms(grid: Grid, problems: list[Problem]) -> list[ProjectForm]:
    anchors = funds_anchor_rows(grid)
    forms: list[ProjectForm] = []
    lower = 0
    for i, (anchor_row, anchor_col, strong) in enumerate(anchors):
        upper = anchors[i + 1][0] if i + 1 < len(anchors) else grid.n_rows
        form = _read_one(grid, anchor_row, anchor_col, lower, upper, problems, strong)
        if form is not None:
            forms.append(form)
            lower = form.last_row + 1
    return forms


def _read_one(
    grid: Grid,
    anchor_row: int,
    anchor_col: int,
    lower: int,
    upper: int,
    problems: list[Problem],
    strong: bool = True,
) -> ProjectForm | None:
    cells = CellReader(grid, problems)
    header = _money_header_above(grid, anchor_row + 1, lower)
    if header is None:
        if strong:
            cells.problem(
                anchor_row,
                anchor_col,
                "找到“年度资金总额”，但其上方没有“全年预算数/全年执行数”表头，无法读取项目资金",
            )
        return None
    money_header, money_cols = header

    # An indicator header sits below the funds; the form ends at its 总分 row (or the 等次 row
    # under it).
    ind_header = next(
        (r for r in range(anchor_row + 1, upper) if is_indicator_header(grid, r)), None
    )
    if ind_header is None and not strong:
        return None
    ind_cols = indicator_columns(grid, ind_header) if ind_header is not None else None
    end_search = upper if ind_cols is None else ind_cols.last_row + 1
    total_row = None
    if ind_cols is not None:
        total_row = next((r for r in range(end_search, upper) if _is_total_row(grid, r)), None)
    last_row = total_row if total_row is not None else _last_nonempty(grid, anchor_row, upper)

    first_row = _first_nonempty(grid, lower, money_header)
    readings: list[str] = []
    form: dict[str, Any] = {"sheet": grid.sheet, "first_row": first_row + 1, "readings": readings}
    _read_header(grid, cells, form, first_row, money_header)
    unit = form["money_unit"] = read_money_unit(grid, first_row, money_header, money_cols)
    form["funds"] = funds = read_funds(
        grid,
        cells,
        readings,
        unit.text or MONEY_UNIT,
        money_cols,
        anchor_row,
        ind_header if ind_header is not None else upper,
    )
    if ind_cols is None or ind_header is None:
        cells.problem(
            anchor_row,
            anchor_col,
            "项目资金下方未找到绩效指标表头（一级/二级/三级指标、指标值、分值、得分），无法读取绩效指标",
        )
        return _done(form, last_row)
    fund_end = max(
        (int(_row_of(row.label_cell)) for row in _fund_rows(funds) if row.label_cell),
        default=anchor_row + 1,
    )
    _read_goals(grid, cells, form, fund_end, ind_header)
    _missing_columns(grid, cells, ind_cols)
    stop = total_row if total_row is not None else last_row + 1
    indicators = form["indicators"] = read_indicators(
        grid, cells, readings, ind_cols, ind_cols.last_row + 1, stop
    )
    if "weight" not in ind_cols.fields:
        if any(i.level1_declared_weight is not None for i in indicators):
            form["weights_at"] = "labels"
            readings.append("无“分值”栏：指标分值取自一级指标标签（如“产出指标（50分）”）")
        else:
            r, c = ind_cols.first_row, ind_cols.all_columns()[0]
            cells.problem(
                r,
                c,
                f"绩效指标表头（{ind_cols.span_text()}）中未找到“分值”栏，一级指标标签中也未标注分值，"
                "无法读取指标分值",
            )
    if total_row is None:
        cells.problem(
            ind_header,
            ind_cols.all_columns()[0],
            "绩效指标表下方未找到“总分”行，无法读取总分",
        )
    else:
        grade_row = _read_total(grid, cells, form, total_row, ind_cols, upper)
        last_row = max(last_row, grade_row if grade_row is not None else last_row)
    return _done(form, last_row)


def _done(form: dict[str, Any], last_row: int) -> ProjectForm:
    form["last_row"] = last_row + 1
    return build(ProjectForm, form)


def _missing_columns(grid: Grid, cells: CellReader, cols: Columns) -> None:
    """An XP000 for every field the indicator header lacks that a form cannot do without."""
    for name in REQUIRED_INDICATOR_COLUMNS:
        if name not in cols.fields:
            cells.problem(
                cols.first_row,
                cols.all_columns()[0],
                f"绩效指标表头（{cols.span_text()}）中未找到“{INDICATOR_FIELD_NAMES[name]}”栏，"
                "无法读取该项",
            )


def _row_of(cell: str) -> int:
    """0-based row of an address like 'C7'."""
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) - 1


def _fund_rows(funds: Funds) -> list[FundRow]:
    return [funds.total, *funds.parts()]


def _is_total_row(grid: Grid, row: int) -> bool:
    cells = grid.row_cells(row)
    if not cells or not isinstance(cells[0][1], str):
        return False
    return grid.labels(row)[0][2].startswith(TOTAL_ROW_LABELS)


def _first_nonempty(grid: Grid, lower: int, upper: int) -> int:
    return next((r for r in range(lower, upper + 1) if grid.row_cells(r)), upper)


def _last_nonempty(grid: Grid, lower: int, upper: int) -> int:
    return next((r for r in range(upper - 1, lower - 1, -1) if grid.row_cells(r)), lower)


@lru_cache(maxsize=4096)
def _names_header_field(key: str) -> bool:
    return any(w in key for words in HEADER_FIELDS.values() for w in words)


@lru_cache(maxsize=4096)
def _header_fields_of(key: str) -> tuple[str, ...]:
    """The header fields (项目名称, 主管部门, 实施单位) a label starts with, in order."""
    return tuple(
        name for name, words in HEADER_FIELDS.items() if any(key.startswith(w) for w in words)
    )


def _label_value(grid: Grid, cells: CellReader, row: int, col: int) -> Val:
    """The value belonging to a label cell: after its colon, or the next cell to its right."""
    text = grid.get(row, col)
    inline = value_after_colon(text) if isinstance(text, str) else None
    if inline:
        return val(cell=address(row, col), value=inline)
    span = grid.col_span(row, col)
    for c in range(span[-1] + 1, grid.n_cols):
        if grid.is_covered(row, c):
            continue
        v = grid.get(row, c)
        if is_blank(v):
            continue
        if isinstance(v, str) and _names_header_field(grid.key(row, c)):
            break
        return cells.text(row, c)
    return val(cell=address(row, span[-1] + 1))


def _read_header(
    grid: Grid, cells: CellReader, form: dict[str, Any], first: int, money_header: int
) -> None:
    none = empty()
    for r in range(first, money_header + 1):
        for c, v, key in grid.labels(r):
            if "自评表" in key and "title" not in form:
                form["title"] = val(cell=address(r, c), value=strip_year(v))
            year = find_year(v) if "年" in key and len(key) <= 30 else None
            if year and "year" not in form and ("年度" in key or "自评表" in key):
                form["year"] = val(cell=address(r, c), value=str(year))
            for field_name in _header_fields_of(key):
                if form.get(field_name, none).value is None:
                    form[field_name] = _label_value(grid, cells, r, c)


def _read_goals(grid: Grid, cells: CellReader, form: dict[str, Any], start: int, stop: int) -> None:
    for r in range(start, stop):
        for c, _v, key in grid.labels(r):
            for field_name, word in GOAL_WORDS.items():
                if key.startswith(word):
                    form[field_name] = _goal_value(grid, cells, r, c, stop)
                    break


def _goal_value(grid: Grid, cells: CellReader, row: int, col: int, stop: int) -> Val:
    text = grid.get(row, col)
    inline = value_after_colon(text) if isinstance(text, str) else None
    if inline:
        return val(cell=address(row, col), value=inline)
    box = grid.merge_box(row, col)
    below = (box[2] if box else row) + 1
    if below < stop:
        rr, cc = cells.first_in_span(below, grid.col_span(row, col))
        if not is_blank(grid.get(rr, cc)):
            return cells.text(rr, cc)
    return _label_value(grid, cells, row, col)


def _read_total(
    grid: Grid,
    cells: CellReader,
    form: dict[str, Any],
    row: int,
    cols: Columns,
    upper: int,
) -> int | None:
    """The 总分 row's figures and the 等次 at most two rows under it; the 等次's row."""
    label_col = grid.row_cells(row)[0][0]
    form["total_label_cell"] = address(row, label_col)
    for field_name, attr in (("weight", "total_weight"), ("score", "total_score")):
        if field_name in cols.fields:
            _, cc = cells.first_in_span(row, cols.fields[field_name])
            form[attr] = cells.number(row, cc, TOTAL_LABEL if field_name == "score" else WEIGHT_SUM)
    for r in range(row, min(row + 3, upper)):
        for c, _v, key in grid.labels(r):
            if key.startswith(GRADE_LABELS):
                form["grade"] = _label_value(grid, cells, r, c)
                return r
    return None
