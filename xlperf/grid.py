"""A sheet as a plain grid of values: what every front (openpyxl, xlrd, xlwings) hands the reader.

Rows and columns are 0-based here; :func:`address` turns them into Excel addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from xlperf.values import is_blank, label_key


def address(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + 1}"


@dataclass
class Grid:
    sheet: str
    values: list[list[Any]]
    formats: list[list[str | None]] | None = None
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    _merge_at: dict[tuple[int, int], tuple[int, int, int, int]] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        for box in self.merged:
            r0, c0, r1, c1 = box
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    self._merge_at[(r, c)] = box

    @property
    def n_rows(self) -> int:
        return len(self.values)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.values), default=0)

    def get(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.values):
            line = self.values[row]
            if 0 <= col < len(line):
                return line[col]
        return None

    def fmt(self, row: int, col: int) -> str | None:
        if self.formats is None or not 0 <= row < len(self.formats):
            return None
        line = self.formats[row]
        return line[col] if 0 <= col < len(line) else None

    def key(self, row: int, col: int) -> str:
        return label_key(self.get(row, col))

    def merge_box(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        return self._merge_at.get((row, col))

    def col_span(self, row: int, col: int) -> range:
        """Columns covered by the (merged) cell at row, col."""
        box = self._merge_at.get((row, col))
        return range(box[1], box[3] + 1) if box else range(col, col + 1)

    def is_covered(self, row: int, col: int) -> bool:
        """True for a cell hidden under a merge (not its top-left)."""
        box = self._merge_at.get((row, col))
        return box is not None and (box[0], box[1]) != (row, col)

    def row_cells(self, row: int) -> list[tuple[int, Any]]:
        """Non-empty cells of a row as (col, value)."""
        if not 0 <= row < len(self.values):
            return []
        return [(c, v) for c, v in enumerate(self.values[row]) if not is_blank(v)]

    def row_is_empty(self, row: int, cols: Sequence[int] | None = None) -> bool:
        line = self.values[row] if 0 <= row < len(self.values) else []
        if cols is None:
            return all(is_blank(v) for v in line)
        return all(is_blank(self.get(row, c)) for c in cols)


def grid_from_openpyxl(ws: Any, cached: Any = None) -> Grid:
    """Build a grid from an openpyxl worksheet (values, number formats, merges).

    With ``cached`` (the same sheet loaded with ``data_only=True``), ``ws`` is the sheet with its
    formulas: formula cells are recorded as such and take their last calculated value from
    ``cached``; every other cell is read from ``ws`` itself.
    """
    values: list[list[Any]] = []
    formats: list[list[str | None]] = []
    formulas: dict[tuple[int, int], str] = {}
    cached_cells = cached._cells if cached is not None else None
    for row in ws.iter_rows():
        line = []
        for c in row:
            value = c.value
            if cached_cells is not None and c.data_type == "f":
                formulas[(c.row - 1, c.column - 1)] = str(getattr(value, "text", value))
                hit = cached_cells.get((c.row, c.column))
                value = hit.value if hit is not None else None
            line.append(value)
        values.append(line)
        formats.append([c.number_format for c in row])
    merged = [
        (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges
    ]
    return Grid(ws.title, values, formats, merged, formulas)


def grid_from_xlrd(book: Any, sheet: Any) -> Grid:
    """Build a grid from an xlrd (.xls) sheet opened with ``formatting_info=True``."""
    import xlrd

    values: list[list[Any]] = []
    formats: list[list[str | None]] = []
    for r in range(sheet.nrows):
        line: list[Any] = []
        fline: list[str | None] = []
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            value: Any = cell.value
            if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                value = None
            elif cell.ctype == xlrd.XL_CELL_NUMBER and float(value).is_integer():
                value = int(value)
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(value, "#ERR")
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            line.append(value)
            xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
            fmt = book.format_map.get(xf.format_key) if xf is not None else None
            fline.append(fmt.format_str if fmt is not None else None)
        values.append(line)
        formats.append(fline)
    merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
    return Grid(sheet.name, values, formats, merged)
