"""openpyxl's styling of merged ranges, worked out once per distinct style.

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
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

Memo = dict[tuple[Any, ...], int]


def _array(cell: Any) -> StyleArray:
    if cell._style is None:  # as openpyxl's style descriptors do on first use
        cell._style = StyleArray()
    return cell._style


def clean_merge(ws: Worksheet, mcr: MergedCellRange, memo: Memo) -> None:
    """openpyxl's ``Worksheet._clean_merge_range``: the covered cells become MergedCells, the
    edge cells take the start cell's borders and every cell its protection."""
    cells = mcr.cells
    next(cells)
    for row, col in cells:
        ws._cells[row, col] = MergedCell(ws, row, col)
    start = mcr.start_cell
    for name in ("top", "left", "right", "bottom"):  # MergedCellRange.format
        side = getattr(start.border, name)
        if side and side.style is None:
            continue
        added = Border(**{name: side})
        given = _array(start).borderId
        for coord in getattr(mcr, name):
            cell = ws._cells.get(coord)
            if cell is None:
                cell = ws._cells[coord] = MergedCell(ws, *coord)
            key = ("border", name, given, _array(cell).borderId)
            if key in memo:
                cell._style.borderId = memo[key]
            else:
                cell.border += added
                memo[key] = cell._style.borderId
    key = ("protection", _array(start).protectionId)
    if key not in memo:
        start.protection = copy(start.protection)
        memo[key] = start._style.protectionId
    for coord in mcr.cells:
        cell = ws._cells.get(coord)
        if cell is None:
            cell = ws._cells[coord] = MergedCell(ws, *coord)
        _array(cell).protectionId = memo[key]


class MergeReader(WorksheetReader):
    """openpyxl's sheet reader with :func:`clean_merge` for the sheet's merges."""

    def bind_merged_cells(self) -> None:
        if not self.parser.merged_cells:
            return
        memo: Memo = {}
        ranges = []
        for cr in self.parser.merged_cells.mergeCell:
            mcr = MergedCellRange(self.ws, cr.ref)
            clean_merge(self.ws, mcr, memo)
            ranges.append(mcr)
        self.ws.merged_cells = MultiCellRange(ranges)


def install() -> None:
    """Make ``openpyxl.load_workbook`` read sheets with :class:`MergeReader`."""
    import openpyxl.reader.excel

    openpyxl.reader.excel.WorksheetReader = MergeReader
