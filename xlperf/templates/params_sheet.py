"""The 参数 sheet of a template: the rule set (via :mod:`xlperf.rules_sheet`), styled and protected."""

from __future__ import annotations

from openpyxl.comments import Comment
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.rules import RuleSet
from xlperf.rules_sheet import SINGLE, TABLES, SheetSettings, write_rules_sheet
from xlperf.templates.styles import (
    HEAD_FONT,
    INPUT_FILL,
    LABEL_FONT,
    LEFT,
    NO_BORDER,
    NOTE_FONT,
    TITLE_FONT,
    protect,
    put,
    style,
)

SHEET_NAME = "参数"
# Where a form says how to reach the hidden 参数 sheet (a note on its title: shown on screen, not
# printed, and the same in Excel, WPS and LibreOffice).
HINT = (
    "评价年度、执行率计分规则、等次分界等取自“参数”表。该表已隐藏，不打印；"
    "查看或修改：右键单击任一工作表标签 → 取消隐藏 → 选“参数”。"
)


def hint_params(ws: Worksheet, cell: str = "A1") -> None:
    """Put the note saying where the hidden 参数 sheet is on ``cell`` of a form sheet."""
    note = Comment(HINT, "xlperf")
    note.width, note.height = 300, 90
    ws[cell].comment = note


def add_params_sheet(
    wb: Workbook, rules: RuleSet, settings: SheetSettings | None = None
) -> Worksheet:
    """Add the 参数 sheet: labels locked, values unlocked on a pale fill, the xr_* names defined."""
    ws = wb.create_sheet(SHEET_NAME)
    layout = write_rules_sheet(ws, rules, settings)
    put(ws, "A1:D1", font=TITLE_FONT, border=NO_BORDER)
    put(ws, "A2:D2", font=NOTE_FONT, align=LEFT, border=NO_BORDER)
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[2].height = 30
    caption = layout.single_rows["tolerance_caption"]
    put(ws, f"A{caption}:D{caption}", font=HEAD_FONT, align=LEFT, border=NO_BORDER)
    for _label, name, _field, _fmt in SINGLE:
        r = layout.single_rows[name]
        style(ws, f"A{r}", font=LABEL_FONT, align=LEFT)
        if name == "xr_rule_name":
            put(ws, f"B{r}:D{r}", align=LEFT, locked=False, fill=INPUT_FILL)
            continue
        style(ws, f"B{r}", align=LEFT, locked=False, fill=INPUT_FILL)
        put(ws, f"C{r}:D{r}", font=NOTE_FONT, align=LEFT, border=NO_BORDER)
    for table in TABLES:
        header, first, last = layout.table_rows[table.key]
        width = len(table.headers)
        end = "ABCD"[width - 1]
        style(ws, f"A{header}:{end}{header}", font=HEAD_FONT)
        note = "ABCD"[width]
        if note != "D":
            put(ws, f"{note}{header}:D{header}", font=NOTE_FONT, align=LEFT, border=NO_BORDER)
        else:
            style(ws, f"D{header}", font=NOTE_FONT, align=LEFT, border=NO_BORDER)
        style(ws, f"A{first}:{end}{last}", align=LEFT, locked=False, fill=INPUT_FILL)
    for col, width in zip("ABCD", (22, 20, 22, 48), strict=True):
        ws.column_dimensions[col].width = width
    ws.sheet_view.showGridLines = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # Hidden, and without a print area: Excel and WPS print no hidden sheet, LibreOffice prints a
    # hidden sheet that has a print area. Unhidden by hand, it prints whole on one page.
    ws.sheet_state = "hidden"
    ws.freeze_panes = "A3"
    protect(ws)
    return ws
