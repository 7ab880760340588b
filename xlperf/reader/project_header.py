"""The header rows of a project form's tables: which column holds which field, by meaning.

A header may span two rows (年度指标值 over 指标性质 / 指标值 / 度量单位), stand in any column
order, carry columns the form does not need (项目负责人) and lack some (no 分值, no 年初预算数).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from xlperf.reader.grid import Grid, address
from xlperf.vocabulary.project import INDICATOR_COLUMNS, INDICATOR_HEADER_NAMES, SUBCOLUMNS
from xlperf.vocabulary.words import classify

_BRACKETS = re.compile(r"[(（][^)）]*[)）]")
Table = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass
class Columns:
    """Field -> the columns its header spans; the header cell of each; the rows it spans."""

    fields: dict[str, list[int]] = field(default_factory=dict)
    cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    # A field split under a two-row header: 'target' -> {'op': col, 'value': col, 'unit': col}
    parts: dict[str, dict[str, int]] = field(default_factory=dict)
    first_row: int = 0
    last_row: int = 0
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)  # field, row, col

    def all_columns(self) -> list[int]:
        cols = {c for cs in self.fields.values() for c in cs}
        cols |= {c for p in self.parts.values() for c in p.values()}
        return sorted(cols)

    def label(self, grid: Grid, name: str) -> str:
        r, c = self.cells[name]
        return grid.key(r, c)

    def span_text(self) -> str:
        """The cells the header was read from, as 'A12:H13'."""
        cols = self.all_columns() or [0]
        return f"{address(self.first_row, cols[0])}:{address(self.last_row, cols[-1])}"


def header_columns(grid: Grid, row: int, table: Table) -> Columns:
    """The fields one header row names, each with the columns its (merged) cell spans."""
    found = Columns(first_row=row, last_row=row)
    for c, _v, key in grid.labels(row):
        name = classify(key, table)
        if not name:
            continue
        if name in found.fields:
            found.duplicates.append((name, row, c))
            continue
        found.fields[name] = list(grid.col_span(row, c))
        found.cells[name] = (row, c)
    return found


def is_indicator_header(grid: Grid, row: int) -> bool:
    known = grid.memo("indicator_header")
    found = known.get(row)
    if found is None:
        found = known[row] = any(_names_indicator(key) for _, _, key in grid.labels(row)) and (
            "name" in header_columns(grid, row, INDICATOR_COLUMNS).fields
        )
    return found


@lru_cache(maxsize=4096)
def _names_indicator(key: str) -> bool:
    return any(w in key for w in INDICATOR_HEADER_NAMES)


def indicator_columns(grid: Grid, row: int) -> Columns:
    """The indicator table's columns, reading a second header row where the first splits a field
    (年度指标值 over 指标性质 / 指标值 / 度量单位)."""
    cols = header_columns(grid, row, INDICATOR_COLUMNS)
    below = row + 1
    subs = [
        (c, _subcolumn(key))
        for c, _v, key in grid.labels(below)
        if not _from_above(grid, below, c, row)
    ]
    if not any(kind in ("op", "unit") for _, kind in subs):
        return cols
    cols.last_row = below
    for c, kind in subs:
        parent = next((f for f, span in cols.fields.items() if c in span), None)
        if kind is not None and parent in ("target", "actual"):
            cols.parts.setdefault(parent, {})[kind] = c
            continue
        name = classify(grid.key(below, c), INDICATOR_COLUMNS)
        if name and name not in cols.fields:
            cols.fields[name] = list(grid.col_span(below, c))
            cols.cells[name] = (below, c)
    for parent, parts in cols.parts.items():
        if "value" in parts:
            cols.fields[parent] = [parts["value"]]
    return cols


@lru_cache(maxsize=4096)
def _subcolumn(key: str) -> str | None:
    """A second header row's label, matched whole (a data row's "事业单位招聘人数" is no 单位)."""
    bare = _BRACKETS.sub("", key)
    return next((kind for kind, words in SUBCOLUMNS if bare in words), None)


def _from_above(grid: Grid, row: int, col: int, top: int) -> bool:
    """Whether the cell at ``row`` is part of a merge that starts on the header row above."""
    box = grid.merge_box(row, col)
    return box is not None and box[0] <= top
