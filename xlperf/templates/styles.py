"""Fonts, borders, alignments and page setup shared by every template sheet (the paper form's look)."""

from __future__ import annotations

import math
import unicodedata

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.worksheet.worksheet import Worksheet

SONG = "宋体"
FANG = "仿宋"

TITLE_FONT = Font(name=SONG, size=18, bold=True)
HEAD_FONT = Font(name=SONG, size=11, bold=True)
LABEL_FONT = Font(name=SONG, size=11)
BODY_FONT = Font(name=FANG, size=11)
NOTE_FONT = Font(name=SONG, size=10)
HELPER_FONT = Font(name=SONG, size=9, color="7F7F7F")

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NO_BORDER = Border()
UNDERLINE = Border(bottom=THIN)

CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
RIGHT = Alignment(horizontal="right", vertical="center", wrap_text=False, indent=1)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True, indent=1)
SHRINK = Alignment(horizontal="left", vertical="center", shrink_to_fit=True, indent=1)

LOCKED = Protection(locked=True)
UNLOCKED = Protection(locked=False)

AMOUNT = "0.00"  # 万元, to the cent
PERCENT = "0.00%"
SCORE = "0.00"
TEXT = "@"

# Conditional-format look: Excel's "light red fill with dark red text".
ALERT = DifferentialStyle(
    font=Font(color="9C0006"),
    fill=PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid"),
)
# Input cells of the 参数 sheet: pale yellow, so the editable values stand out on screen.
INPUT_FILL = PatternFill(start_color="FFF9DB", end_color="FFF9DB", fill_type="solid")


def style(
    ws: Worksheet,
    ref: str,
    *,
    font: Font = BODY_FONT,
    align: Alignment = CENTER,
    border: Border = BOX,
    number_format: str | None = None,
    locked: bool = True,
    fill: PatternFill | None = None,
) -> None:
    """Style every cell of a range (merged ranges included, so borders print on every edge)."""
    for row in ws[ref] if ":" in ref else [[ws[ref]]]:
        for cell in row:
            cell.font = font
            cell.alignment = align
            cell.border = border
            cell.protection = LOCKED if locked else UNLOCKED
            if number_format is not None:
                cell.number_format = number_format
            if fill is not None:
                cell.fill = fill


def put(ws: Worksheet, ref: str, value: object = None, **kwargs) -> None:
    """Write a value into the top-left of ``ref``, merge ``ref`` when it spans cells, style it."""
    first = ref.split(":")[0]
    if value is not None:
        ws[first] = value
    if ":" in ref and first != ref.split(":")[1]:  # a one-cell "range" is no merge
        ws.merge_cells(ref)
    style(ws, ref, **kwargs)


# Points of row height a4_landscape's page holds at 100% (595 pt less 0.6-inch top and bottom
# margins), and the share rows may fill (applications round row heights a little differently).
PAGE_HEIGHT = 595.3 - 2 * 0.6 * 72
PAGE_SAFETY = 0.95


def a4_landscape(ws: Worksheet, *, fit_height: int, title_rows: str | None = None) -> None:
    """A4 landscape, one page wide (``fit_height`` pages tall, 0 = as many as needed), centred."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = fit_height
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows


def protect(ws: Worksheet) -> None:
    """Protect the sheet without a password: formulas locked, input cells open, rows insertable."""
    p = ws.protection
    p.sheet = True
    p.insertRows = False  # False = allowed while protected
    p.formatRows = False
    p.formatColumns = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


LINE_HEIGHT = 16.0  # points per line of 11-point text (a fallback CJK font spaces lines widely)
MIN_HEIGHT = 20.0


def _text_width(text: str) -> float:
    """Width in Excel column units: a CJK character is about two, anything else one."""
    # ambiguous-width marks (“ ” … ·) print full width in a Chinese font
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WFA" else 1.1 for ch in text)


def _lines(text: str, width: float) -> int:
    # the cell's indent and padding, and the characters a line break rule (no line starts with
    # a closing mark) pushes to the next line
    usable = max(width - 2, 1) * 0.9
    return sum(max(1, math.ceil(_text_width(part) / usable)) for part in text.split("\n"))


def fits_one_line(text: str, width: float) -> bool:
    """True when ``text`` takes one line in a column ``width`` wide."""
    return _lines(text, width) == 1


def label_height(text: str, width: float) -> float:
    """The row height a wrapped label of one row needs in a column ``width`` wide."""
    return max(MIN_HEIGHT, _lines(text, width) * LINE_HEIGHT + 4)


def fit_heights(ws: Worksheet, rows: set[int]) -> None:
    """Give indicator rows the height their wrapped text needs (at least one comfortable line).

    Excel and WPS grow rows as text is typed, but a file written by code is opened with the heights
    it states, and LibreOffice does not grow rows on import: the filler has to.
    """
    for r in rows:
        lines = 1
        for cell in ws[r]:
            merged = any(cell.coordinate in m for m in ws.merged_cells.ranges)
            text = (
                cell.value
                if isinstance(cell.value, str) and not cell.value.startswith("=")
                else None
            )
            if text and not merged and cell.alignment.wrap_text:
                width = ws.column_dimensions[cell.column_letter].width or 8.43
                lines = max(lines, _lines(text, width))
        ws.row_dimensions[r].height = max(MIN_HEIGHT, lines * LINE_HEIGHT + 4)
