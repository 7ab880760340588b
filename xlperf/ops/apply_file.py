"""The file adapter of the port: a :class:`~xlperf.ops.edits.WorkbookPlan` applied to an openpyxl
workbook (saved by the caller, atomically, through :mod:`xlperf.ops.files`)."""

from __future__ import annotations

from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.styles import Font as XlFont
from openpyxl.styles.fills import Fill
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import fromstring, tostring

from xlperf.ops.edits import Font, ProjectSheet, SheetEdit, Style, WorkbookPlan
from xlperf.ops.journal import JOURNAL_SHEET, Journal, MarkEntry, ValueEntry
from xlperf.ops.literal import clean_text, put
from xlperf.reader.merges import Memo, StyleIds, clean_merge, restyle

NOTE_AUTHOR = "xlperf"
NOTE_SIZE = (360, 160)  # a flag's note box, in points
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def fill_xml(fill: Fill) -> str:
    return tostring(fill.to_tree()).decode()


def color_hex(fill: Fill) -> str:
    """A solid fill as RRGGBB; "" for any other."""
    if (
        isinstance(fill, PatternFill)
        and fill.fill_type == "solid"
        and fill.fgColor is not None
        and fill.fgColor.type == "rgb"
    ):
        return str(fill.fgColor.rgb)[-6:]
    return ""


def solid(color: str) -> PatternFill:
    return PatternFill(fill_type="solid", fgColor=color)


def note(text: str, size: tuple[int, int] = NOTE_SIZE) -> Comment:
    comment = Comment(clean_text(text), NOTE_AUTHOR)
    comment.width, comment.height = size
    return comment


def apply_file(wb: Workbook, plan: WorkbookPlan) -> Journal | None:
    """Apply ``plan`` to ``wb``; the journal written, if the plan has one."""
    _undo(wb, plan)
    journal = plan.journal.model_copy(deep=True) if plan.journal is not None else None
    for write in plan.writes:
        cell = wb[write.sheet][write.cell]
        if journal is not None:
            journal.values.append(
                ValueEntry(
                    sheet=write.sheet,
                    cell=write.cell,
                    value=cell.value,
                    number_format=cell.number_format,
                )
            )
        put(cell, write.value)
        if write.number_format and cell.number_format == "General":
            cell.number_format = write.number_format
    for flag in plan.flags:
        cell = wb[flag.sheet][flag.cell]
        old = cell.comment
        if journal is not None:
            journal.marks.append(
                MarkEntry(
                    sheet=flag.sheet,
                    cell=flag.cell,
                    color=color_hex(cell.fill),
                    had_note=old is not None,
                    note=old.text if old is not None else None,
                    fill_xml=fill_xml(cell.fill),
                    note_author=old.author if old is not None else None,
                )
            )
        cell.fill = solid(flag.color)
        cell.comment = note(flag.note_over(old.text if old is not None else None))
    for edit in plan.sheets:
        apply_sheet(wb, edit)
    if journal is not None:
        _write_journal(wb, journal)
    if plan.project is not None:
        _add_project_sheet(wb, plan.project)
    return journal


def _add_project_sheet(wb: Workbook, sheet: ProjectSheet) -> None:
    """A blank project form from the template code, placed before 参数; it gets the note on
    where 参数 is when the workbook's template form has it (as a copy of that form would)."""
    from xlperf.rules import DEFAULT_RULES
    from xlperf.templates.params_sheet import HINT as PARAMS_HINT
    from xlperf.templates.params_sheet import add_params_sheet, hint_params
    from xlperf.templates.project_sheet import add_project_sheet
    from xlperf.vocabulary.sheets import PARAMS_SHEET

    if sheet.params:
        add_params_sheet(wb, DEFAULT_RULES)
    ws = add_project_sheet(wb, sheet.title)
    source = wb[sheet.source]["A1"].comment if sheet.source else None
    if source is not None and source.text == PARAMS_HINT:
        hint_params(ws)
    if PARAMS_SHEET in wb.sheetnames:  # the template's order: forms first, 参数 last
        wb.move_sheet(ws, wb.sheetnames.index(PARAMS_SHEET) - wb.sheetnames.index(sheet.title))


def _undo(wb: Workbook, plan: WorkbookPlan) -> None:
    """Put every journaled cell back as it was, and delete the sheets named."""
    for mark in reversed(plan.unmark):
        if mark.sheet in wb.sheetnames:
            cell = wb[mark.sheet][mark.cell]
            if mark.fill_xml:
                cell.fill = Fill.from_tree(fromstring(mark.fill_xml))
            else:
                cell.fill = solid(mark.color) if mark.color else PatternFill()
            cell.comment = (
                Comment(mark.note or "", mark.note_author or "") if mark.had_note else None
            )
    for entry in reversed(plan.restore):
        if entry.sheet in wb.sheetnames:
            cell = wb[entry.sheet][entry.cell]
            put(cell, entry.value)
            if entry.number_format is not None:  # None: written live, its format is in unformat
                cell.number_format = entry.number_format
    for sheet, ref in plan.unformat:
        if sheet in wb.sheetnames:
            wb[sheet][ref].number_format = "General"
    for name in plan.delete:
        if name in wb.sheetnames:
            del wb[name]


def _write_journal(wb: Workbook, journal: Journal) -> None:
    ws = wb.create_sheet(JOURNAL_SHEET)
    for r, row in enumerate(journal.rows(), 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                put(ws.cell(r, c), value)
    ws.sheet_state = "veryHidden"


def apply_sheet(wb: Workbook, edit: SheetEdit) -> Worksheet:
    if edit.template is not None:
        from xlperf.templates.money_sheet import add_money_sheet

        ws = add_money_sheet(wb, units=edit.template.units)  # named MONEY_SHEET, appended
    else:
        ws = wb.create_sheet(edit.name, edit.index) if edit.add else wb[edit.name]
    for area in edit.clear:
        _clear(ws, area)
    if edit.insert_rows is not None:
        _insert_rows(ws, *edit.insert_rows)
    for block in edit.blocks:
        for r, line in enumerate(block.rows, block.row):
            for c, value in enumerate(line, block.col):
                if value is not None or ws._cells.get((r, c)) is not None:
                    put(ws.cell(r, c), value)
    for link in edit.links:
        cell = put(ws[link.cell], link.text)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=link.target)
    for at, text in edit.notes.items():
        ws[at].comment = note(text, (320, 120))
    known: dict[tuple[Any, ...], StyleIds] = {}
    for style in edit.styles:
        _style(ws, style, known)
    _merge(ws, edit.merges)
    _layout(ws, edit)
    return ws


def _merge(ws: Worksheet, areas: list[str]) -> None:
    """``ws.merge_cells`` of each area in turn, as openpyxl does it (a range inside one already
    merged is not listed again), without openpyxl's scan of every merge for each new one: a
    sheet of a thousand 汇总表 blocks would take a million comparisons."""
    if not areas:
        return
    at: dict[tuple[int, int], list[CellRange]] = {}  # a merged cell -> the merges holding it
    memo: Memo = {}
    for merged in ws.merged_cells.ranges:
        for cell in merged.cells:
            at.setdefault(cell, []).append(merged)
    for area in areas:
        mcr = MergedCellRange(ws, area)
        holders = at.get((mcr.min_row, mcr.min_col), [])
        if not any(h.max_row >= mcr.max_row and h.max_col >= mcr.max_col for h in holders):
            ws.merged_cells.ranges.add(mcr)
            for cell in mcr.cells:
                at.setdefault(cell, []).append(mcr)
        clean_merge(ws, mcr, memo)


def _cells(ws: Worksheet, area: str) -> list[Any]:
    left, top, right, bottom = range_boundaries(area)
    return [c for row in ws.iter_rows(top, bottom, left, right) for c in row]


def _clear(ws: Worksheet, area: str) -> None:
    """Empty ``area``: merges that overlap it undone, values and notes removed (formats kept)."""
    left, top, right, bottom = range_boundaries(area)
    for merged in list(ws.merged_cells.ranges):
        if (
            merged.min_row <= bottom
            and merged.max_row >= top
            and merged.min_col <= right
            and merged.max_col >= left
        ):
            ws.unmerge_cells(str(merged))
    for cell in _cells(ws, area):
        cell.value = None
        cell.comment = None


def _insert_rows(ws: Worksheet, before: int, count: int) -> None:
    """Insert rows; the merges below move down with their cells (openpyxl leaves them)."""
    below = [m for m in ws.merged_cells.ranges if m.min_row >= before]
    for merged in below:
        ws.unmerge_cells(str(merged))
    ws.insert_rows(before, count)
    for merged in below:
        merged.shift(0, count)
        ws.merge_cells(merged.coord)


def _font(font: Font) -> XlFont:
    return XlFont(
        name=font.name,
        size=font.size,
        bold=font.bold,
        color=font.color,
        underline="single" if font.underline else None,
    )


# The cell attributes a Style sets, and the index each keeps in the cell's style array.
STYLE_KEYS = {
    "number_format": "numFmtId",
    "fill": "fillId",
    "font": "fontId",
    "alignment": "alignmentId",
    "border": "borderId",
}


def _style_values(style: Style) -> dict[str, Any]:
    """The openpyxl objects ``style`` sets, by cell attribute."""
    align = style.align
    values: dict[str, Any] = {
        "number_format": style.number_format or None,
        "fill": solid(style.fill) if style.fill else None,
        "font": _font(style.font) if style.font is not None else None,
        "alignment": Alignment(
            horizontal=align.horizontal,
            vertical=align.vertical,
            wrap_text=align.wrap or None,
            indent=align.indent,
        )
        if align is not None
        else None,
        "border": BOX if style.border else None,
    }
    return {k: v for k, v in values.items() if v is not None}


def _style(ws: Worksheet, style: Style, known: dict[tuple[Any, ...], StyleIds]) -> None:
    """Style every cell of ``style.ref``. The first cell of a new look is styled through
    openpyxl; the style indices it got are kept in ``known`` (for this workbook) and copied to
    every other cell of that look (openpyxl would hash each style object again per cell)."""
    cells = _cells(ws, style.ref)
    look = (style.number_format, style.fill, style.font, style.align, style.border)
    ids = known.get(look)
    if ids is None and cells:
        values = _style_values(style)
        first, cells = cells[0], cells[1:]
        for attr, value in values.items():
            setattr(first, attr, value)
        ids = known[look] = [(STYLE_KEYS[a], getattr(first._style, STYLE_KEYS[a])) for a in values]
    for cell in cells:
        restyle(cell, ids or [])


def _layout(ws: Worksheet, edit: SheetEdit) -> None:
    from openpyxl.utils import get_column_letter

    for c, width in edit.widths.items():
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, height in edit.heights.items():
        ws.row_dimensions[r].height = height
    if edit.freeze:
        ws.freeze_panes = edit.freeze
    if edit.autofilter:
        ws.auto_filter.ref = edit.autofilter
    if edit.gridlines is not None:
        ws.sheet_view.showGridLines = edit.gridlines
    page = edit.page
    if page is None:
        return
    ws.page_setup.orientation = "landscape" if page.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if page.fit_width:
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        if ws.sheet_properties.pageSetUpPr is None:
            ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        else:
            ws.sheet_properties.pageSetUpPr.fitToPage = True
    if page.title_rows:
        ws.print_title_rows = page.title_rows
    if page.margins is not None:
        for side, inches in zip(("left", "right", "top", "bottom"), page.margins, strict=False):
            if inches is not None:
                setattr(ws.page_margins, side, inches)
    if page.print_grid:
        ws.print_options.gridLines = True
    if page.center:
        ws.print_options.horizontalCentered = True
    if page.footer:
        ws.oddFooter.center.text = page.footer
