"""部门（单位）收支情况: the per-unit money tables of a department evaluation, read by labels.

Seed 002 (§二) has four tables, each headed 机构名称 with two or three header rows, a 汇总 row
(局机关及二级机构汇总) and one row per unit (1、局机关 … 8、仲裁院): 年度收入情况, 年度支出和结余
情况, 三公经费, 固定资产. Amounts are 万元. The seed leaves a cell blank where the amount is nil
(社保 上年结转, 其他收入 …: its 合计 still adds up), so a blank amount counts as 0.
"""

from __future__ import annotations

from xlperf.forms.base import Problem
from xlperf.forms.money import MoneyBook, MoneyRow, MoneyTable
from xlperf.reader.cells import CellReader
from xlperf.reader.grid import Grid, address
from xlperf.vocabulary.money import (
    ANCHORS,
    TABLES,
    TableSpec,
    classify_column,
    ends_table,
    is_total_label,
    unit_name,
)

MAX_HEADER_ROWS = 4


def read_money_tables(grid: Grid, problems: list[Problem]) -> list[MoneyTable]:
    """Every money table of a sheet: each starts at a 机构名称 header cell."""
    tables = []
    for r in range(grid.n_rows):
        for c, _value, key in grid.labels(r):
            if key not in ANCHORS or grid.is_covered(r, c):
                continue
            table = _read_table(grid, r, c, problems)
            if table is not None:
                tables.append(table)
    return tables


def _header_keys(grid: Grid, r0: int, r1: int, col: int) -> list[str]:
    """Folded labels over a column's header rows, merged cells read through their top-left."""
    keys = []
    for r in range(r0, r1):
        box = grid.merge_box(r, col)
        rr, cc = (box[0], box[1]) if box else (r, col)
        key = grid.key(rr, cc)
        if key and key not in ("其中",) and (not keys or keys[-1] != key):
            keys.append(key)
    return keys


def _read_table(grid: Grid, r0: int, c0: int, problems: list[Problem]) -> MoneyTable | None:
    box = grid.merge_box(r0, c0)
    first_data = box[2] + 1 if box else r0 + 1
    while (
        first_data < min(grid.n_rows, r0 + MAX_HEADER_ROWS)
        and not grid.key(first_data, c0)
        and not grid.is_covered(first_data, c0)
    ):
        first_data += 1
    headers: dict[int, list[str]] = {}
    for c in range(c0 + 1, grid.n_cols):
        keys = _header_keys(grid, r0, first_data, c)
        if keys:
            headers[c] = keys
    best: tuple[int, TableSpec, dict[str, int]] | None = None
    for spec in TABLES:
        columns: dict[str, int] = {}
        for c, keys in headers.items():
            key = classify_column(spec, keys[-1]) or classify_column(spec, "".join(keys))
            if key and key not in columns:
                columns[key] = c
        if "total" in columns and len(columns) >= 2 and (best is None or len(columns) > best[0]):
            best = (len(columns), spec, columns)
    if best is None:
        return None
    _, spec, columns = best
    table = MoneyTable(sheet=grid.sheet, kind=spec.kind, header_row=r0 + 1, columns=columns)
    reader = CellReader(grid, problems)
    for r in range(first_data, grid.n_rows):
        key = grid.key(r, c0)
        if ends_table(key):
            break
        row = MoneyRow(row=r + 1, label=reader.text(r, c0), unit=unit_name(key))
        for name, c in columns.items():
            what = f"{spec.title}·{row.unit}·{spec.column(name).label}（万元）"
            row.values[name] = reader.number(r, c, what)
        if is_total_label(key) and table.total is None:
            table.total = row  # first or last, wherever the form puts it
        else:
            table.units.append(row)
    return table


def read_money_grids(grids: list[Grid], path: str) -> MoneyBook:
    book = MoneyBook(path=path)
    for grid in grids:
        book.tables.extend(read_money_tables(grid, book.problems))
    return book


def cell_of(table: MoneyTable, row: MoneyRow, key: str) -> str:
    """Address of a column's cell in a row, even when the row did not read it."""
    return row.cell(key) or address(row.row - 1, table.columns[key])
