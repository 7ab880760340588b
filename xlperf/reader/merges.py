"""openpyxl styling set by style-table index: merged ranges worked out once per distinct style,
and a look given to many cells (:func:`restyle`) without hashing it per cell.

openpyxl gives the covered cells of every merge its start cell's edge borders and protection
(``Worksheet._clean_merge_range`` → ``MergedCellRange.format``), hashing whole style objects for
each cell: loading a unit workbook of ~150 merges took 0.7 s, nine tenths of it there. Here each
change is made through openpyxl once per distinct (style index, change) and then copied as an
index; tests/test_apply_file.py holds the result equal to openpyxl's own, cell by cell. The
shortcuts use openpyxl 3.1's ``_style``/``_cells``."""

from __future__ import annotations

from copy import copy
from typing import Any

from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Border
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet._reader import WorksheetReader
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

Memo = dict[tuple[Any, ...], int]
StyleIds = list[tuple[str, int]]  # ("borderId", 3): a cell's index in one style table


def style_array(cell: Any) -> StyleArray:
    """The cell's style indices, made on first use as openpyxl's style descriptors do."""
    if cell._style is None:
        cell._style = StyleArray()
    return cell._style


def restyle(cell: Any, ids: StyleIds) -> None:
    """Give ``cell`` style-table indices (``[("borderId", 3), …]``) another cell of the same
    workbook got through openpyxl: the same style, without hashing the style objects again."""
    array = style_array(cell)
    for name, index in ids:
        setattr(array, name, index)


def clean_merge(ws: Worksheet, mcr: MergedCellRange, memo: Memo) -> None:
    """openpyxl's ``Worksheet._clean_merge_range``: the covered cells become MergedCells, the
    edge cells take the start cell's borders and every cell its protection."""
    cells = mcr.cells
    next(cells)
    for row, col in cells:
        ws._cells[row, col] = MergedCell(ws, row, col)
    start = mcr.start_cell
    given = style_array(start).borderId
    for name in ("top", "left", "right", "bottom"):  # MergedCellRange.format
        side = getattr(start.border, name)
        if side and side.style is None:
            continue
        for coord in getattr(mcr, name):
            cell = ws._cells.get(coord)
            if cell is None:
                cell = ws._cells[coord] = MergedCell(ws, *coord)
            key = ("border", name, given, style_array(cell).borderId)
            if key in memo:
                cell._style.borderId = memo[key]
            else:
                cell.border += Border(**{name: side})
                memo[key] = cell._style.borderId
    key = ("protection", style_array(start).protectionId)
    if key not in memo:
        start.protection = copy(start.protection)
        memo[key] = start._style.protectionId
    for coord in mcr.cells:
        cell = ws._cells.get(coord)
        if cell is None:
            cell = ws._cells[coord] = MergedCell(ws, *coord)
        style_array(cell).protectionId = memo[key]


def merged_range(ws: Worksheet, ref: str, memo: Memo) -> MergedCellRange:
    """``MergedCellRange(ws, ref)``: its start cell takes the end cell's right and bottom
    borders (``MergedCellRange._get_borders``), worked out once per pair of style indices."""
    mcr = MergedCellRange.__new__(MergedCellRange)
    mcr.ws = ws
    CellRange.__init__(mcr, range_string=ref)
    start = ws._cells.get((mcr.min_row, mcr.min_col))
    if start is None:
        start = ws.cell(row=mcr.min_row, column=mcr.min_col)
    mcr.start_cell = start
    end = ws._cells.get((mcr.max_row, mcr.max_col))
    if end is not None:
        key = ("corner", style_array(start).borderId, style_array(end).borderId)
        if key in memo:
            start._style.borderId = memo[key]
        else:
            start.border += Border(right=end.border.right, bottom=end.border.bottom)
            memo[key] = start._style.borderId
    return mcr


class MergeReader(WorksheetReader):
    """openpyxl's sheet reader with :func:`merged_range` and :func:`clean_merge` for the
    sheet's merges (one memo per workbook: style indices are the workbook's)."""

    def bind_merged_cells(self) -> None:
        if not self.parser.merged_cells:
            return
        book = self.ws.parent
        memo = book.__dict__.setdefault("_xlperf_merge_memo", {})
        ranges = []
        for cr in self.parser.merged_cells.mergeCell:
            mcr = merged_range(self.ws, cr.ref, memo)
            clean_merge(self.ws, mcr, memo)
            ranges.append(mcr)
        self.ws.merged_cells = MultiCellRange(ranges)


def install() -> None:
    """Make ``openpyxl.load_workbook`` read sheets with :class:`MergeReader`."""
    import openpyxl.reader.excel

    openpyxl.reader.excel.WorksheetReader = MergeReader
