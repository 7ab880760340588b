"""Find and read every 项目支出绩效自评表 on a sheet, by its labels."""

from __future__ import annotations

from functools import lru_cache

from xlperf.forms.base import Problem, Val
from xlperf.forms.project import FundRow, Funds, Indicator, ProjectForm
from xlperf.reader.cells import CellReader, val
from xlperf.reader.grid import Grid, address
from xlperf.values import clean_text, is_blank
from xlperf.vocabulary.project import (
    HEADER_FIELDS,
    INDICATOR_COLUMNS,
    INDICATOR_LABELS,
    MONEY_COLUMNS,
    MONEY_LABELS,
    MONEY_ROWS,
    TOTAL_ROW_LABELS,
)
from xlperf.vocabulary.words import (
    classify,
    find_year,
    split_declared_weight,
    strip_year,
    value_after_colon,
)

HEADER_SEARCH_ROWS = 8


def funds_anchor_rows(grid: Grid) -> list[tuple[int, int]]:
    """Cells labelled 年度资金总额: exactly one per project form."""
    found = []
    for r in range(grid.n_rows):
        for c, v in grid.row_cells(r):
            if isinstance(v, str) and _names_funds(grid.key(r, c)):
                found.append((r, c))
                break
    return found


@lru_cache(maxsize=4096)
def _names_funds(key: str) -> bool:
    return len(key) <= 12 and any(w in key for w in MONEY_ROWS[0][1])


def header_columns(
    grid: Grid, row: int, table: tuple[tuple[str, tuple[str, ...]], ...]
) -> dict[str, list[int]]:
    """Field -> the columns its header cell spans, for one header row."""
    columns: dict[str, list[int]] = {}
    for c, v in grid.row_cells(row):
        if not isinstance(v, str):
            continue
        name = classify(grid.key(row, c), table)
        if name and name not in columns:
            columns[name] = list(grid.col_span(row, c))
    return columns


def read_project_forms(grid: Grid, problems: list[Problem]) -> list[ProjectForm]:
    anchors = funds_anchor_rows(grid)
    forms: list[ProjectForm] = []
    lower = 0
    for i, (anchor_row, anchor_col) in enumerate(anchors):
        upper = anchors[i + 1][0] if i + 1 < len(anchors) else grid.n_rows
        form = _read_one(grid, anchor_row, anchor_col, lower, upper, problems)
        if form is not None:
            forms.append(form)
            lower = form.last_row + 1
    return forms


def _read_one(
    grid: Grid, anchor_row: int, anchor_col: int, lower: int, upper: int, problems: list[Problem]
) -> ProjectForm | None:
    cells = CellReader(grid, problems)
    money_header = None
    for r in range(anchor_row, max(lower, anchor_row - 4) - 1, -1):
        cols = header_columns(grid, r, MONEY_COLUMNS)
        if "executed" in cols and ("annual_budget" in cols or "rate" in cols):
            money_header, money_cols = r, cols
            break
    if money_header is None:
        cells.problem(
            anchor_row,
            anchor_col,
            "找到“年度资金总额”，但其上方没有“全年预算数/全年执行数”表头，无法读取项目资金",
        )
        return None

    # An indicator header sits below the funds; the form ends at its 总分 row.
    ind_header = next(
        (
            r
            for r in range(anchor_row + 1, upper)
            if "name" in header_columns(grid, r, INDICATOR_COLUMNS)
            and any(
                "三级指标" in grid.key(r, c) or "指标名称" in grid.key(r, c)
                for c, _ in grid.row_cells(r)
            )
        ),
        None,
    )
    end_search = upper if ind_header is None else ind_header + 1
    total_row = None
    if ind_header is not None:
        total_row = next((r for r in range(end_search, upper) if _is_total_row(grid, r)), None)
    last_row = total_row if total_row is not None else _last_nonempty(grid, anchor_row, upper)

    first_row = _first_nonempty(grid, lower, money_header)
    form = ProjectForm(sheet=grid.sheet, first_row=first_row + 1, last_row=last_row + 1)
    _read_header(grid, cells, form, first_row, money_header)
    form.funds = _read_funds(grid, cells, money_cols, anchor_row, ind_header or upper)
    if ind_header is None:
        cells.problem(
            anchor_row,
            anchor_col,
            "项目资金下方未找到绩效指标表头（一级/二级/三级指标、指标值、分值、得分），无法读取绩效指标",
        )
        return form
    fund_end = max(
        (int(_row_of(row.label_cell)) for row in _fund_rows(form.funds) if row.label_cell),
        default=anchor_row + 1,
    )
    _read_goals(grid, cells, form, fund_end, ind_header)
    ind_cols = header_columns(grid, ind_header, INDICATOR_COLUMNS)
    stop = total_row if total_row is not None else last_row + 1
    form.indicators = _read_indicators(grid, cells, ind_cols, ind_header + 1, stop)
    if total_row is None:
        cells.problem(
            ind_header,
            min(c for cols in ind_cols.values() for c in cols),
            "绩效指标表下方未找到“总分”行，无法读取总分",
        )
    else:
        _read_total(grid, cells, form, total_row, ind_cols, upper)
    return form


def _row_of(cell: str) -> int:
    """0-based row of an address like 'C7'."""
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) - 1


def _fund_rows(funds: Funds) -> list[FundRow]:
    return [funds.total, *funds.parts()]


def _is_total_row(grid: Grid, row: int) -> bool:
    cells = grid.row_cells(row)
    if not cells:
        return False
    key = grid.key(row, cells[0][0])
    return any(key.startswith(w) for w in TOTAL_ROW_LABELS)


def _first_nonempty(grid: Grid, lower: int, upper: int) -> int:
    return next((r for r in range(lower, upper + 1) if not grid.row_is_empty(r)), upper)


def _last_nonempty(grid: Grid, lower: int, upper: int) -> int:
    return next((r for r in range(upper - 1, lower - 1, -1) if not grid.row_is_empty(r)), lower)


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
        if isinstance(v, str) and any(
            w in grid.key(row, c) for words in HEADER_FIELDS.values() for w in words
        ):
            break
        return cells.text(row, c)
    return val(cell=address(row, span[-1] + 1))


def _read_header(
    grid: Grid, cells: CellReader, form: ProjectForm, first: int, money_header: int
) -> None:
    for r in range(first, money_header + 1):
        for c, v in grid.row_cells(r):
            if not isinstance(v, str):
                continue
            key = grid.key(r, c)
            if "自评表" in key and form.title.value is None:
                form.title = val(cell=address(r, c), value=strip_year(v))
            year = find_year(v) if "年" in key and len(key) <= 30 else None
            if year and form.year.value is None and ("年度" in key or "自评表" in key):
                form.year = val(cell=address(r, c), value=str(year))
            for field_name, words in HEADER_FIELDS.items():
                if getattr(form, field_name).value is None and any(
                    key.startswith(w) for w in words
                ):
                    setattr(form, field_name, _label_value(grid, cells, r, c))


def _read_funds(
    grid: Grid, cells: CellReader, money_cols: dict[str, list[int]], anchor: int, stop: int
) -> Funds:
    funds = Funds()
    first_money_col = min(c for cols in money_cols.values() for c in cols)
    for r in range(anchor, min(anchor + 6, stop)):
        label = "".join(grid.key(r, c) for c, _ in grid.row_cells(r) if c < first_money_col)
        kind = classify(label, MONEY_ROWS)
        if kind is None or getattr(funds, kind).label_cell is not None:
            continue
        label_col = next(c for c, _ in grid.row_cells(r) if c < first_money_col)
        row = FundRow(label_cell=address(r, label_col))
        for field_name, cols in money_cols.items():
            rr, cc = cells.first_in_span(r, cols)
            setattr(row, field_name, cells.number(rr, cc, MONEY_LABELS[field_name]))
        setattr(funds, kind, row)
    return funds


def _read_goals(grid: Grid, cells: CellReader, form: ProjectForm, start: int, stop: int) -> None:
    for r in range(start, stop):
        for c, _v in grid.row_cells(r):
            key = grid.key(r, c)
            if key.startswith("预期目标"):
                form.goal_expected = _goal_value(grid, cells, r, c, stop)
            elif key.startswith("实际完成"):
                form.goal_actual = _goal_value(grid, cells, r, c, stop)


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


def _read_indicators(
    grid: Grid, cells: CellReader, cols: dict[str, list[int]], start: int, stop: int
) -> list[Indicator]:
    indicators: list[Indicator] = []
    level1: Val = val()
    level1_weight = None
    level2: Val = val()
    used = sorted({c for cs in cols.values() for c in cs})
    for r in range(start, stop):
        if grid.row_is_empty(r, used) and not any(grid.merge_box(r, c) for c in used):
            continue
        if "level1" in cols:
            rr, cc = cells.first_in_span(r, cols["level1"])
            raw = grid.get(rr, cc)
            if not is_blank(raw) and (rr, cc) != _row_col(level1.cell):
                name, declared = split_declared_weight(str(raw))
                level1, level1_weight = val(cell=address(rr, cc), value=name), declared
        if "level2" in cols:
            rr, cc = cells.first_in_span(r, cols["level2"])
            raw = grid.get(rr, cc)
            if not is_blank(raw) and (rr, cc) != _row_col(level2.cell):
                level2 = val(cell=address(rr, cc), value=clean_text(raw))
        ind = Indicator(
            row=r + 1, level1=level1, level1_declared_weight=level1_weight, level2=level2
        )
        for field_name in ("name", "target", "actual", "note"):
            if field_name in cols:
                rr, cc = cells.first_in_span(r, cols[field_name])
                setattr(
                    ind, field_name, cells.text(rr, cc) if rr == r else val(cell=address(r, cc))
                )
        for field_name in ("weight", "score"):
            if field_name in cols:
                rr, cc = cells.first_in_span(r, cols[field_name])
                value = (
                    cells.number(rr, cc, INDICATOR_LABELS[field_name])
                    if rr == r
                    else val(cell=address(r, cc))
                )
                setattr(ind, field_name, value)
        if all(
            getattr(ind, f).value is None
            for f in ("name", "target", "actual", "weight", "score", "note")
        ):
            continue
        indicators.append(ind)
    return indicators


def _row_col(cell: str | None) -> tuple[int, int] | None:
    if not cell:
        return None
    letters = "".join(ch for ch in cell if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch.upper()) - 64
    return _row_of(cell), col - 1


def _read_total(
    grid: Grid,
    cells: CellReader,
    form: ProjectForm,
    row: int,
    cols: dict[str, list[int]],
    upper: int,
) -> None:
    label_col = grid.row_cells(row)[0][0]
    form.total_label_cell = address(row, label_col)
    for field_name, attr in (("weight", "total_weight"), ("score", "total_score")):
        if field_name in cols:
            _, cc = cells.first_in_span(row, cols[field_name])
            setattr(
                form, attr, cells.number(row, cc, "总分" if field_name == "score" else "分值合计")
            )
    for r in range(row, min(row + 3, upper)):
        for c, _v in grid.row_cells(r):
            key = grid.key(r, c)
            if key.startswith(("等次", "自评等次", "评价等次", "等级", "自评等级")):
                form.grade = _label_value(grid, cells, r, c)
                return
