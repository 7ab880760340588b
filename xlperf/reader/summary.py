"""Find and read every 部门（单位）项目支出自评汇总表 on a sheet, by its labels."""

from __future__ import annotations

from xlperf.forms.base import Problem, Val
from xlperf.forms.summary import SummaryForm, SummaryRow
from xlperf.reader.cells import CellReader, val
from xlperf.reader.grid import Grid, address
from xlperf.values import is_blank
from xlperf.vocabulary.summary import (
    COLUMN_NAMES,
    DATE_LABEL_WORDS,
    NUMBER_LABELS,
    SEQ_LABEL,
    SUMMARY_TOTAL_LABELS,
    TITLE_WORD,
    UNIT_LABEL_WORDS,
    is_header,
    summary_column,
)
from xlperf.vocabulary.words import value_after_colon

REQUIRED = ("project_name", "annual_budget", "executed", "rate", "score")
HEADER_LOOKBACK = 4


def _is_header_row(grid: Grid, row: int) -> bool:
    keys = [grid.key(row, c) for c, v in grid.row_cells(row) if isinstance(v, str)]
    return is_header(keys)


def _columns(grid: Grid, row: int) -> tuple[dict[str, list[int]], int]:
    """Column spans by field, and the number of header rows (2 when a sub-header follows)."""
    cols: dict[str, list[int]] = {}
    for c, v in grid.row_cells(row):
        if isinstance(v, str):
            name = summary_column(grid.key(row, c))
            if name and name not in cols:
                cols[name] = list(grid.col_span(row, c))
    depth = 1
    sub = [(c, grid.key(row + 1, c)) for c, v in grid.row_cells(row + 1) if isinstance(v, str)]
    if sub and all(not any(ch.isdigit() for ch in k) for _, k in sub):
        for c, k in sub:
            parent = next((p for p, v in grid.row_cells(row) if c in grid.col_span(row, p)), None)
            parent_key = grid.key(row, parent) if parent is not None else ""
            name = summary_column(parent_key + k) or summary_column(k)
            if name and (name not in cols or len(cols[name]) > 1):
                cols[name] = [c]
                depth = 2
    return cols, depth


def read_summaries(grid: Grid, problems: list[Problem], taken: set[int]) -> list[SummaryForm]:
    """Summaries on rows not already part of a project form (``taken``, 0-based rows)."""
    found: list[SummaryForm] = []
    row = 0
    while row < grid.n_rows:
        if row in taken or not _is_header_row(grid, row):
            row += 1
            continue
        form = _read_one(grid, row, problems, taken)
        found.append(form)
        row = form.last_row  # last_row is 1-based: the next 0-based row after the form
    return found


def _read_one(grid: Grid, header: int, problems: list[Problem], taken: set[int]) -> SummaryForm:
    cells = CellReader(grid, problems)
    cols, depth = _columns(grid, header)
    form = SummaryForm(
        sheet=grid.sheet, first_row=header + 1, last_row=header + depth, header_row=header + 1
    )
    form.columns = {k: v[0] + 1 for k, v in cols.items()}
    missing = [COLUMN_NAMES[k] for k in REQUIRED if k not in cols]
    if missing:
        first_col = grid.row_cells(header)[0][0]
        cells.problem(header, first_col, f"汇总表缺少列：{'、'.join(missing)}，这些列无法检查")
    _read_header(grid, cells, form, header)
    used = sorted({c for cs in cols.values() for c in cs})
    r = header + depth
    while r < grid.n_rows and r not in taken:
        if grid.row_is_empty(r, used):
            if (
                r + 1 < grid.n_rows
                and not grid.row_is_empty(r + 1, used)
                and _looks_like_row(grid, r + 1, cols)
            ):
                r += 1
                continue
            break
        if _is_header_row(grid, r) or not _looks_like_row(grid, r, cols):
            break
        row = _read_row(grid, cells, cols, r)
        if _is_total(row):
            form.total = row
        else:
            form.rows.append(row)
        form.last_row = r + 1
        r += 1
    return form


def _looks_like_row(grid: Grid, row: int, cols: dict[str, list[int]]) -> bool:
    """A data row has a project name or a figure; prose below the table has neither shape."""
    cells = grid.row_cells(row)
    if len(cells) == 1 and isinstance(cells[0][1], str) and len(cells[0][1]) > 40:
        return False
    return any(
        not is_blank(grid.get(row, c))
        for name in ("project_name", "annual_budget", "score")
        for c in cols.get(name, [])
    )


def _read_row(grid: Grid, cells: CellReader, cols: dict[str, list[int]], r: int) -> SummaryRow:
    row = SummaryRow(row=r + 1)
    for field_name, span in cols.items():
        _, c = cells.first_in_span(r, span)
        if field_name in ("project_name", "reason"):
            value = cells.text(r, c)
        elif field_name == "seq":
            raw = grid.get(r, c)
            value = (
                cells.text(r, c)
                if isinstance(raw, str) and not raw.strip().isdigit()
                else cells.number(r, c, SEQ_LABEL)
            )
        else:
            value = cells.number(r, c, NUMBER_LABELS[field_name])
        setattr(row, field_name, value)
    return row


def _is_total(row: SummaryRow) -> bool:
    for v in (row.project_name, row.seq):
        if isinstance(v.value, str) and any(
            v.value.replace(" ", "").startswith(w) for w in SUMMARY_TOTAL_LABELS
        ):
            return True
    return False


def _read_header(grid: Grid, cells: CellReader, form: SummaryForm, header: int) -> None:
    for r in range(max(0, header - HEADER_LOOKBACK), header):
        for c, v in grid.row_cells(r):
            if not isinstance(v, str):
                continue
            key = grid.key(r, c)
            if TITLE_WORD in key and form.title.value is None:
                form.title = val(cell=address(r, c), value=key)
                form.first_row = min(form.first_row, r + 1)
            elif key.startswith(UNIT_LABEL_WORDS):
                form.unit_name = _value_right(grid, cells, r, c)
                form.first_row = min(form.first_row, r + 1)
            elif key.startswith(DATE_LABEL_WORDS):
                form.date = _value_right(grid, cells, r, c)


def _value_right(grid: Grid, cells: CellReader, row: int, col: int) -> Val:
    text = grid.get(row, col)
    inline = value_after_colon(text) if isinstance(text, str) else None
    if inline:
        return val(cell=address(row, col), value=inline)
    for c in range(grid.col_span(row, col)[-1] + 1, grid.n_cols):
        if not grid.is_covered(row, c) and not is_blank(grid.get(row, c)):
            return cells.text(row, c)
    return val()
