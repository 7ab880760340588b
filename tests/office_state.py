"""A workbook as the add-in's macros leave it, read back for comparing LibreOffice's run of
the VBA with its mirror (tests/test_vba_libreoffice.py)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from xlperf.ops.journal import JOURNAL_SHEET


def fill(cell: Any) -> str:
    fill = cell.fill
    if fill.fill_type == "solid" and fill.fgColor.type == "rgb":
        return str(fill.fgColor.rgb)[-6:].upper()
    return "" if fill.fill_type in (None, "none") else f"{fill.fill_type}:{fill.fgColor.value}"


@functools.cache
def state(path: Path) -> dict[str, Any]:
    """Sheets (name, visibility, sheet-scoped names, merged ranges) and every cell that has a
    value, a fill, a note or a number format: what the macros but XlperfLayout change."""
    wb = openpyxl.load_workbook(path)
    sheets, cells = [], {}
    for ws in wb.worksheets:
        names = {n: sorted(d.destinations) for n, d in ws.defined_names.items()}
        merges = sorted(map(str, ws.merged_cells.ranges))
        sheets.append((ws.title, ws.sheet_state, names, merges))
        for row in ws.iter_rows():
            for c in row:
                # the journal's own columns are text ("@") in the VBA, plain cells in the mirror
                number_format = "General" if ws.title == JOURNAL_SHEET else c.number_format
                shown = (c.value, fill(c), c.comment.text if c.comment else None, number_format)
                if shown != (None, "", None, "General"):
                    cells[(ws.title, c.coordinate)] = shown
    return {"sheets": sheets, "cells": cells}


def color(color: Any) -> str | None:
    return str(color.rgb)[-6:].upper() if color is not None and color.type == "rgb" else None


@functools.cache
def layout(path: Path, sheet: str) -> dict[str, Any]:
    """What XlperfLayout sets on ``sheet``: per cell font, alignment and borders; merges,
    column widths, row heights, autofilter and the page setup."""
    ws = openpyxl.load_workbook(path)[sheet]
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            f, a, b = c.font, c.alignment, c.border
            horizontal = None if a.horizontal == "general" else a.horizontal
            cells[c.coordinate] = (
                (f.name, f.sz, bool(f.b), color(f.color), f.u or None),
                (horizontal, a.vertical, bool(a.wrap_text), int(a.indent or 0)),
                tuple(getattr(b, side).style for side in ("left", "right", "top", "bottom")),
            )
    setup, margins = ws.page_setup, ws.page_margins
    return {
        "cells": cells,
        "values": {c.coordinate: c.value for row in ws.iter_rows() for c in row},
        "merges": sorted(map(str, ws.merged_cells.ranges)),
        "widths": {
            c: round(d.width, 1)
            for d in ws.column_dimensions.values()
            if d.width
            for c in range(d.min, d.max + 1)
        },
        "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
        "autofilter": ws.auto_filter.ref,
        "page": {
            "orientation": setup.orientation,
            "paper": str(setup.paperSize),
            "fit": (
                setup.fitToWidth,
                setup.fitToHeight,
                bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
            ),
            "title_rows": ws.print_title_rows,
            "grid": bool(ws.print_options.gridLines),
            "center": bool(ws.print_options.horizontalCentered),
            "footer": ws.oddFooter.center.text,
            "margins": tuple(
                round(getattr(margins, m), 2) for m in ("left", "right", "top", "bottom")
            ),
        },
    }


def coordinates(area: str) -> list[str]:
    left, top, right, bottom = range_boundaries(area)
    return [
        f"{get_column_letter(c)}{r}" for r in range(top, bottom + 1) for c in range(left, right + 1)
    ]


def western(value: Any) -> bool:
    """A number, or text without Chinese: a cell LibreOffice saves with its Western font."""
    return isinstance(value, int | float) or (isinstance(value, str) and value.isascii())
