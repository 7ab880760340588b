"""A sheet as a plain grid of values: what every front (calamine, openpyxl, xlrd, xlwings) hands
the reader.

Rows and columns are 0-based here; :func:`address` turns them into Excel addresses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from xlperf import limits
from xlperf.errors import InputError
from xlperf.values import blank_text, is_blank, label_key


@lru_cache(maxsize=1024)
def column_letter(col: int) -> str:
    """``0`` -> ``A``, ``16383`` -> ``XFD``."""
    letters = ""
    n = col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [column_letter(c) for c in range(256)]  # the columns forms use, looked up at once


def address(row: int, col: int) -> str:
    return f"{_LETTERS[col] if 0 <= col < 256 else column_letter(col)}{row + 1}"


@dataclass
class Grid:
    sheet: str
    values: list[list[Any]]
    formats: dict[tuple[int, int], str] | None = None  # number formats other than General
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    _merge_at: dict[tuple[int, int], tuple[int, int, int, int]] = field(
        default_factory=dict, init=False, repr=False
    )
    _rows: dict[int, list[tuple[int, Any]]] = field(default_factory=dict, init=False, repr=False)
    _labels: dict[int, list[tuple[int, str, str]]] = field(
        default_factory=dict, init=False, repr=False
    )
    _memo: dict[str, dict[Any, Any]] = field(default_factory=dict, init=False, repr=False)
    n_cols: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        for box in self.merged:
            r0, c0, r1, c1 = box
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    self._merge_at[(r, c)] = box
        self.n_cols = max((len(r) for r in self.values), default=0)

    @property
    def n_rows(self) -> int:
        return len(self.values)

    def get(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.values):
            line = self.values[row]
            if 0 <= col < len(line):
                return line[col]
        return None

    def first_filled(self, row: int, cols: Iterable[int]) -> tuple[int, int]:
        """The cell holding the value of a (merged) field spanning ``cols`` of ``row``: the first
        non-empty one (a merged cell read through its top-left), else the first."""
        merge_at, values = self._merge_at, self.values
        first = None
        for c in cols:
            box = merge_at.get((row, c)) if merge_at else None
            r, cc = (box[0], box[1]) if box else (row, c)
            if first is None:
                first = (r, cc)
            if 0 <= r < len(values):
                line = values[r]
                v = line[cc] if 0 <= cc < len(line) else None
                if v is not None and not (isinstance(v, str) and blank_text(v)):
                    return r, cc
        if first is None:
            raise IndexError("empty span")
        return first

    def fmt(self, row: int, col: int) -> str | None:
        return None if self.formats is None else self.formats.get((row, col))

    def key(self, row: int, col: int) -> str:
        """The label at row, col, folded (remembered per text: labels recur)."""
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
        """Non-empty cells of a row as (col, value), computed once per row: the list is the
        grid's own, not to be changed."""
        cells = self._rows.get(row)
        if cells is None:
            line = self.values[row] if 0 <= row < len(self.values) else ()
            cells = self._rows[row] = [
                (c, v)
                for c, v in enumerate(line)
                if v is not None and not (isinstance(v, str) and blank_text(v))
            ]
        return cells

    def labels(self, row: int) -> list[tuple[int, str, str]]:
        """The text cells of a row as (col, text, folded key), computed once per row (the
        grid's own list, not to be changed)."""
        found = self._labels.get(row)
        if found is None:
            found = self._labels[row] = [
                (c, v, label_key(v)) for c, v in self.row_cells(row) if isinstance(v, str)
            ]
        return found

    def memo(self, name: str) -> dict[Any, Any]:
        """A cache of per-row facts a reader works out once per grid (``name`` -> its dict)."""
        found = self._memo.get(name)
        if found is None:
            found = self._memo[name] = {}
        return found

    def row_is_empty(self, row: int, cols: Sequence[int] | None = None) -> bool:
        line = self.values[row] if 0 <= row < len(self.values) else []
        if cols is None:
            return all(is_blank(v) for v in line)
        return all(is_blank(self.get(row, c)) for c in cols)


class Budget:
    """What one workbook's grids may use in all: cells under merges; and each sheet's used range
    (rows × columns of the cells holding something) is bounded, whatever the sheet declares."""

    def __init__(self, source: str):
        self.source = source
        self.merged = 0
        self.area = 0

    def check_area(self, sheet: str, rows: int, cols: int, far: tuple[int, int]) -> None:
        if rows * cols > limits.MAX_SHEET_AREA:
            raise InputError(
                self.source,
                f"单元格 {address(*far)} 使已用区域达到 {rows:,} 行 × {cols:,} 列，"
                f"超过可读取的上限 {limits.MAX_SHEET_AREA:,} 个单元格（请删除远处的内容后再试）",
                sheet,
                address(*far),
            )
        self.area += rows * cols
        if self.area > limits.MAX_BOOK_AREA:
            raise InputError(
                self.source,
                f"各工作表已用区域合计超过可读取的上限 {limits.MAX_BOOK_AREA:,} 个单元格",
                sheet,
                address(*far),
            )

    def clip_merges(
        self, sheet: str, boxes: list[tuple[int, int, int, int]], rows: int, cols: int
    ) -> list[tuple[int, int, int, int]]:
        """Merges cut to the used range (cells outside it are empty anyway), counted."""
        out = []
        for r0, c0, r1, c1 in boxes:
            if r0 >= rows or c0 >= cols:
                continue
            box = (r0, c0, min(r1, rows - 1), min(c1, cols - 1))
            self.merged += (box[2] - r0 + 1) * (box[3] - c0 + 1)
            if self.merged > limits.MAX_MERGED_CELLS:
                raise InputError(
                    self.source,
                    f"合并单元格覆盖的单元格超过可读取的上限 {limits.MAX_MERGED_CELLS:,} 个",
                    sheet,
                    address(r0, c0),
                )
            out.append(box)
        return out


def grid_from_openpyxl(ws: Any, cached: Grid | None = None, budget: Budget | None = None) -> Grid:
    """Build a grid from an openpyxl worksheet (values, number formats, merges).

    With ``cached`` (the same sheet's values as last calculated, read by python-calamine),
    ``ws`` is the sheet with its formulas: formula cells are recorded as such and take their
    value from ``cached``; every other cell is read from ``ws`` itself.

    The grid spans the cells that hold something, read from the sheet's own cells (not from the
    dimension it declares, nor by iterating rows, which would create every cell up to it).
    """
    budget = budget or Budget(ws.title)
    cells = [c for c in ws._cells.values() if c.value is not None]
    rows = max((c.row for c in cells), default=0)
    cols = max((c.column for c in cells), default=0)
    if cells:
        far = max(cells, key=lambda c: c.row * cols + c.column)
        budget.check_area(ws.title, rows, cols, (far.row - 1, far.column - 1))
    values: list[list[Any]] = [[None] * cols for _ in range(rows)]
    formats: dict[tuple[int, int], str] = {}
    formulas: dict[tuple[int, int], str] = {}
    with_formulas = cached is not None
    for c in ws._cells.values():
        if c.row > rows or c.column > cols:
            continue
        r, k = c.row - 1, c.column - 1
        value = c.value
        if with_formulas and c.data_type == "f":
            formulas[(r, k)] = str(getattr(value, "text", value))
            value = cached.get(r, k)
        values[r][k] = value
        if c.number_format != "General":
            formats[(r, k)] = c.number_format
    merged = budget.clip_merges(
        ws.title,
        [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in ws.merged_cells.ranges
        ],
        rows,
        cols,
    )
    return Grid(ws.title, values, formats, merged, formulas)


def grid_from_xlrd(book: Any, sheet: Any, budget: Budget | None = None) -> Grid:
    """Build a grid from an xlrd (.xls) sheet opened with ``formatting_info=True`` (rows may be
    ragged), spanning the cells that hold something."""
    import xlrd

    budget = budget or Budget(sheet.name)
    empty = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
    used = [
        (r, max((c for c, t in enumerate(sheet.row_types(r)) if t not in empty), default=-1))
        for r in range(sheet.nrows)
    ]
    used = [(r, c) for r, c in used if c >= 0]
    rows = used[-1][0] + 1 if used else 0
    cols = max((c for _, c in used), default=-1) + 1
    if used:
        far = max(used, key=lambda rc: rc[0] * cols + rc[1])
        budget.check_area(sheet.name, rows, cols, far)
    values: list[list[Any]] = []
    formats: dict[tuple[int, int], str] = {}
    for r in range(rows):
        line: list[Any] = [None] * cols
        for c in range(min(cols, sheet.row_len(r))):
            cell = sheet.cell(r, c)
            value: Any = cell.value
            if cell.ctype in empty:
                value = None
            elif cell.ctype == xlrd.XL_CELL_NUMBER and float(value).is_integer():
                value = int(value)
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                value = xlrd.error_text_from_code.get(value, "#ERR")
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            line[c] = value
            xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
            fmt = book.format_map.get(xf.format_key) if xf is not None else None
            if fmt is not None and fmt.format_str != "General":
                formats[(r, c)] = fmt.format_str
        values.append(line)
    merged = budget.clip_merges(
        sheet.name, [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells], rows, cols
    )
    return Grid(sheet.name, values, formats, merged)
