"""xlwings' VBA client, played by Python over openpyxl, for tests without Excel.

``payload`` builds the JSON the client sends (RunServerPython in xlwings' Remote.bas): every
sheet's values from A1. ``apply_actions`` does what the client does with the answer, action by
action, and raises on an action the client would not know. Values are set as Excel sets a
``Range.Value``: a string starting with ``'`` is text (the quote is Excel's text prefix), any
other string that looks like a formula becomes one, a percentage ``80.3%`` becomes 0.803 shown
as ``0.0%``. The add-in's own macros, which the
client runs through ``runMacro``, are mirrored from addin/vba/XlperfNotes.bas;
tests/test_vba_libreoffice.py runs that VBA itself in LibreOffice and compares.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from copy import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import xlwings
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils.cell import quote_sheetname, range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook

from xlperf.ops.journal import JOURNAL_SHEET
from xlperf.ops.literal import looks_like_formula, put

RECORD, FIELD = chr(30), chr(31)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def payload(path: Path, value: Callable[[Any], Any] = _json_value) -> dict[str, Any]:
    """The book JSON of ``path`` for the remote engine; ``value`` turns each cell into JSON."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        values = [[value(v) for v in row] for row in ws.iter_rows(values_only=True)] or [[]]
        sheets.append({"name": ws.title, "values": values, "pictures": [], "tables": []})
    return {
        "client": "VBA",
        "version": xlwings.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": _names(wb),
        "sheets": sheets,
    }


def _names(wb: Workbook) -> list[dict[str, Any]]:
    """Defined names as the client lists them: one range each, sheet-scoped ones first."""
    scoped = [(ws, ws.defined_names) for ws in wb.worksheets] + [(None, wb.defined_names)]
    names = []
    for scope, defined in scoped:
        for name, d in defined.items():
            destinations = list(d.destinations)
            if len(destinations) != 1:
                continue
            title, ref = destinations[0]
            names.append(
                {
                    "name": name if scope is None else f"{quote_sheetname(scope.title)}!{name}",
                    "sheet_index": wb.sheetnames.index(title),
                    "address": ref.replace("$", ""),
                    "book_scope": scope is None,
                    "scope_sheet_name": None if scope is None else scope.title,
                    "scope_sheet_index": None if scope is None else wb.index(scope),
                }
            )
    return names


def _color_hex(cell: Any) -> str:
    fill = cell.fill
    if fill.fill_type == "solid" and fill.fgColor is not None and fill.fgColor.type == "rgb":
        return str(fill.fgColor.rgb)[-6:]
    return ""


PERCENT = re.compile(r"-?\d+(?:\.(\d+))?%")


def set_value(cell: Any, value: Any) -> None:
    """What Excel does with a value the client assigns to a cell (a string as if typed)."""
    match = PERCENT.fullmatch(value) if isinstance(value, str) else None
    if match:  # Excel reads "80.3%" as 0.803 shown as 0.0%
        cell.value = float(Decimal(value[:-1]) / 100)
        places = len(match.group(1) or "")
        cell.number_format = "0." + "0" * places + "%" if places else "0%"
    elif isinstance(value, str) and value.startswith("'"):
        put(cell, value[1:])
        cell.quotePrefix = True
    elif looks_like_formula(value):
        text = value.lstrip()
        cell.value = text if text.startswith("=") else "=" + text
        cell.data_type = "f"
    else:
        cell.value = value


def xlperf_mark(wb: Workbook, payload_text: str, separator: str = "") -> None:
    js = wb[JOURNAL_SHEET] if JOURNAL_SHEET in wb.sheetnames else wb.create_sheet(JOURNAL_SHEET)
    js.sheet_state = "veryHidden"
    r = max([c.row for c in js["B"] if c.value not in (None, "")] or [1]) + 1
    for record in payload_text.split(RECORD):
        sheet, address, colour, note = record.split(FIELD)
        cell = wb[sheet][address]
        put(js.cell(r, 2), sheet)  # XlperfJournal formats B:G as text ("@")
        put(js.cell(r, 3), address)
        put(js.cell(r, 4), _color_hex(cell))
        if cell.comment is None:
            put(js.cell(r, 5), "0")
        else:
            put(js.cell(r, 5), "1")
            put(js.cell(r, 6), cell.comment.text)
            note = note + separator + cell.comment.text
        cell.fill = PatternFill(fill_type="solid", fgColor=colour)
        cell.comment = Comment(note, "")
        r += 1


def xlperf_unmark(wb: Workbook) -> None:
    if JOURNAL_SHEET not in wb.sheetnames:
        return
    js = wb[JOURNAL_SHEET]
    for r in range(js.max_row, 1, -1):
        sheet = js.cell(r, 2).value
        if sheet in (None, ""):
            continue
        if sheet in wb.sheetnames:
            cell = wb[sheet][js.cell(r, 3).value]
            colour = js.cell(r, 4).value or ""
            cell.fill = PatternFill(fill_type="solid", fgColor=colour) if colour else PatternFill()
            cell.comment = (
                Comment(js.cell(r, 6).value or "", "") if str(js.cell(r, 5).value) == "1" else None
            )
        for c in range(2, 8):
            js.cell(r, c).value = None
    for r in range(js.max_row, 1, -1):
        sheet = js.cell(r, 8).value
        if sheet in (None, ""):
            continue
        if sheet in wb.sheetnames:
            wb[sheet][js.cell(r, 9).value].number_format = "General"
        js.cell(r, 8).value = js.cell(r, 9).value = None


def xlperf_formats(wb: Workbook, payload_text: str) -> None:
    js = wb[JOURNAL_SHEET] if JOURNAL_SHEET in wb.sheetnames else None
    r = max([c.row for c in js["H"] if c.value not in (None, "")] or [1]) + 1 if js else 0
    for record in payload_text.split(RECORD):
        sheet, area, number_format = record.split(FIELD)
        for row in wb[sheet][area] if ":" in area else [[wb[sheet][area]]]:
            for cell in row:
                if cell.number_format == "General":
                    cell.number_format = number_format
                    if js is not None:
                        put(js.cell(r, 8), sheet)  # XlperfFormats formats H:I as text
                        put(js.cell(r, 9), cell.coordinate)
                        r += 1


def xlperf_copy_sheet(wb: Workbook, source: str, new_name: str, inputs: str) -> None:
    src = wb[source]
    ws = wb.copy_worksheet(src)
    ws.title = new_name
    wb.move_sheet(ws, wb.index(src) + 1 - wb.index(ws))
    # Excel points the copy's sheet-scoped names at the copy, however the reference was spelt
    # (quoted as openpyxl writes it, or bare as Excel and LibreOffice write it)
    ref = re.compile(rf"(?<![\w'.])(?:{re.escape(quote_sheetname(source))}|{re.escape(source)})!")
    for name, d in src.defined_names.items():
        text = ref.sub(lambda _: quote_sheetname(new_name) + "!", d.attr_text)
        ws.defined_names[name] = DefinedName(name, attr_text=text)
    for part in filter(None, (p.strip() for p in inputs.split(","))):
        left, top, right, bottom = range_boundaries(part)
        for row in ws.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right):
            for cell in row:
                formula = isinstance(cell.value, str) and cell.value.startswith("=")
                if not isinstance(cell, MergedCell) and not formula:
                    cell.value = None


def xlperf_set_notes(wb: Workbook, sheet: str, addresses: str, texts: str) -> None:
    ws = wb[sheet]
    if not addresses.strip():
        return
    cells, notes = addresses.split(","), texts.split(RECORD)
    assert len(cells) == len(notes), "addresses and texts differ in count"
    for address, text in zip(cells, notes, strict=True):
        ws[address.strip()].comment = Comment(text, "")


def xlperf_clear_notes(wb: Workbook, sheet: str, addresses: str, prefix: str = "") -> None:
    ws = wb[sheet]
    if addresses.strip():
        for address in addresses.split(","):
            if not isinstance(ws[address.strip()], MergedCell):  # a merged cell has no note
                ws[address.strip()].comment = None
        return
    for row in ws.iter_rows():
        for cell in row:
            if cell.comment is not None and cell.comment.text.startswith(prefix):
                cell.comment = None


def xlperf_clear_range(wb: Workbook, sheet: str, address: str) -> None:
    ws = wb[sheet]
    left, top, right, bottom = range_boundaries(address)
    for merged in list(ws.merged_cells.ranges):
        rows = merged.min_row <= bottom and merged.max_row >= top
        if rows and merged.min_col <= right and merged.max_col >= left:
            ws.unmerge_cells(str(merged))
    for row in ws.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right):
        for cell in row:
            cell.value = None
            cell.comment = None


def xlperf_layout(wb: Workbook, sheet: str, payload_text: str) -> None:
    """XlperfLayout: merges, widths, heights, fonts, alignment, borders, autofilter, page."""
    from openpyxl.styles import Border, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    ws = wb[sheet]
    thin = Side(style="thin", color="000000")
    for record in filter(None, payload_text.split(RECORD)):
        f = record.split(FIELD)
        area = f[1]
        cells = (
            [c for row in ws[area] for c in row]
            if ":" in area
            else [ws[area]]
            if f[0] in "FAB"
            else []
        )
        if f[0] == "M":
            ws.merge_cells(area)
        elif f[0] == "W":
            ws.column_dimensions[get_column_letter(int(f[1]))].width = float(f[2])
        elif f[0] == "H":
            ws.row_dimensions[int(f[1])].height = float(f[2])
        elif f[0] == "F":  # an empty field leaves that part of the cell's font as it is
            for c in cells:
                c.font = _changed(
                    c.font,
                    name=f[2] or c.font.name,
                    sz=float(f[3]) if f[3] else c.font.sz,
                    b=f[4] == "1",
                    color=f[5] or c.font.color,
                    u="single" if f[6] == "1" else c.font.u,
                )
        elif f[0] == "A":
            for c in cells:
                c.alignment = _changed(
                    c.alignment,
                    horizontal=f[2]
                    if f[2] in ("left", "center", "right")
                    else c.alignment.horizontal,
                    vertical=f[3] if f[3] in ("top", "center") else c.alignment.vertical,
                    wrap_text=f[4] == "1" or None,
                    indent=int(f[5]) if int(f[5]) > 0 else c.alignment.indent,
                )
        elif f[0] == "B":
            for c in cells:
                c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        elif f[0] == "T":
            ws.auto_filter.ref = area
        elif f[0] == "P":
            ws.page_setup.paperSize = ws.PAPERSIZE_A4
            ws.page_setup.orientation = "landscape" if f[1] == "1" else "portrait"
            if f[2] == "1":
                ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
                ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
            if f[3]:
                ws.print_title_rows = f[3].replace("$", "")
            ws.print_options.gridLines = f[4] == "1" or None
            ws.print_options.horizontalCentered = f[5] == "1" or None
            if f[6]:
                ws.oddFooter.center.text = f[6]
            for side, inches in zip(("left", "right", "top", "bottom"), f[7:11], strict=True):
                if inches:
                    setattr(ws.page_margins, side, float(inches))


def _changed(style: Any, **changes: Any) -> Any:
    """A copy of a cell's font or alignment with ``changes``: what VBA's ``With .Font`` does."""
    new = copy(style)
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def insert_rows(ws: Any, before: int, count: int) -> None:
    """Excel's Insert Shift:=xlDown of whole rows: cells and merges below move down."""
    below = [m for m in ws.merged_cells.ranges if m.min_row >= before]
    for merged in below:
        ws.unmerge_cells(str(merged))
    ws.insert_rows(before, count)
    for merged in below:
        merged.shift(0, count)
        ws.merge_cells(merged.coord)


MACROS = {
    "XlperfSetNotes": xlperf_set_notes,
    "XlperfClearRange": xlperf_clear_range,
    "XlperfLayout": xlperf_layout,
    "XlperfClearNotes": xlperf_clear_notes,
    "XlperfMark": xlperf_mark,
    "XlperfFormats": xlperf_formats,
    "XlperfUnmark": xlperf_unmark,
    "XlperfCopySheet": xlperf_copy_sheet,
}


def _cells(sheet: Any, action: dict[str, Any]) -> list[Any]:
    return [
        cell
        for row in sheet.iter_rows(
            min_row=action["start_row"] + 1,
            max_row=action["start_row"] + action["row_count"],
            min_col=action["start_column"] + 1,
            max_col=action["start_column"] + action["column_count"],
        )
        for cell in row
    ]


def apply_actions(wb: Workbook, actions: list[dict[str, Any]]) -> list[str]:
    """Apply the answer's actions to ``wb``; returns the texts of alerts shown."""
    alerts = []
    for action in actions:
        func, args = action["func"], action["args"]
        sheet = (
            wb.worksheets[action["sheet_position"]]
            if action.get("sheet_position") is not None
            else None
        )
        if func == "setValues":
            for i, row in enumerate(action["values"]):
                for j, value in enumerate(row):
                    cell = sheet.cell(action["start_row"] + 1 + i, action["start_column"] + 1 + j)
                    if not isinstance(cell, MergedCell):  # Excel keeps a merge's first value
                        set_value(cell, value)
        elif func == "rangeClearContents":
            for cell in _cells(sheet, action):
                if not isinstance(cell, MergedCell):
                    cell.value = None
        elif func == "rangeInsert":
            insert_rows(sheet, action["start_row"] + 1, action["row_count"])
        elif func == "addSheet":
            wb.create_sheet(args[1], args[0])
        elif func == "sheetDelete":
            wb.remove(sheet)
        elif func == "runMacro":
            MACROS[args[0]](wb, *args[1:])
        elif func == "alert":
            alerts.append(args[0])
        elif func == "setNumberFormat":
            for cell in _cells(sheet, action):
                cell.number_format = args[0]
        elif func == "setRangeColor":
            for cell in _cells(sheet, action):
                cell.fill = PatternFill(fill_type="solid", fgColor=args[0].lstrip("#"))
        else:
            raise NotImplementedError(f"the VBA client has no action {func}")
    return alerts
