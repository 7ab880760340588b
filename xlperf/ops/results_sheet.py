"""The 检查结果 sheet of a check run, planned as a :class:`~xlperf.ops.edits.SheetEdit`: every
finding a row, its cell a link to the form's cell, set up to print one page wide (landscape A4,
header row repeated, 说明 wrapped)."""

from __future__ import annotations

import math
import unicodedata

from xlperf.ops.edits import Align, Block, Font, Link, PageSetup, SheetEdit, Style, ref
from xlperf.ops.plan import SEVERITY_COLOR, FixPlan
from xlperf.registry import SEVERITY_NAME

RESULTS_WIDTHS = (5, 7, 5, 18, 7, 62, 11, 11)  # fits a landscape A4 page at about 100%
WRAPPED_COLUMNS = (4, 6)  # 工作表, 说明
LINE_HEIGHT = 15  # points per line of 11-point text
LINK_FONT = Font(color="0563C1", underline=True)
SEVERITY_FILL = {SEVERITY_NAME[k]: color for k, color in SEVERITY_COLOR.items()}


def _text_width(text: str) -> float:
    """Width in character units (the width of a digit): a CJK character takes about two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def _row_height(row: list[object]) -> float:
    """The height that shows every line of a row's wrapped cells. Set explicitly: neither
    Excel nor LibreOffice is sure to fit the rows of a file it opens."""
    lines = 1
    for c in WRAPPED_COLUMNS:
        text = str(row[c - 1] or "")
        usable = RESULTS_WIDTHS[c - 1] - 1
        lines = max(
            lines, *(math.ceil(_text_width(part) / usable) or 1 for part in text.split("\n"))
        )
    return lines * LINE_HEIGHT


def sheet_ref(sheet: str, cell: str) -> str:
    """``'sheet'!A1``, the sheet name quoted as Excel quotes it."""
    return "'" + sheet.replace("'", "''") + "'!" + cell


def results_edit(plan: FixPlan, name: str) -> SheetEdit:
    """The new sheet ``name`` listing ``plan``'s findings."""
    rows = plan.results_rows()
    last = len(rows)
    width = len(rows[0])
    top = Align(vertical="top")
    wrapped = Align(vertical="top", wrap=True)
    edit = SheetEdit(name, add=True, blocks=[Block(1, 1, rows)])
    for c in range(1, width + 1):
        edit.styles.append(
            Style(ref(1, c, last, c), align=wrapped if c in WRAPPED_COLUMNS else top)
        )
    edit.styles.append(Style(ref(1, 1, 1, width), font=Font(bold=True), align=wrapped))
    formats = plan.results_formats()
    for r, row in enumerate(rows[1:], 2):
        edit.links.append(Link(ref(r, 5), sheet_ref(str(row[3]), str(row[4])), str(row[4])))
        edit.styles.append(Style(ref(r, 5), font=LINK_FONT))
        edit.styles.append(Style(ref(r, 3), fill=SEVERITY_FILL[str(row[2])]))
        for c, number_format in zip((7, 8), formats[r - 2], strict=True):
            if number_format:
                edit.styles.append(Style(ref(r, c), number_format=number_format))
    edit.heights = {r: _row_height(row) for r, row in enumerate(rows, 1)}
    edit.widths = dict(enumerate(RESULTS_WIDTHS, 1))
    edit.freeze = "A2"
    edit.autofilter = f"A1:H{last}" if last > 1 else None
    edit.page = PageSetup(
        landscape=True, margins=(0.4, 0.4, None, None), title_rows="1:1", print_grid=True
    )
    return edit
