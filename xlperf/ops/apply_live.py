"""The live adapter of the port: a :class:`~xlperf.ops.edits.WorkbookPlan` applied to a workbook
open in Excel, through xlwings (desktop, or the remote engine ``xw.Book(json=...)`` whose actions
the add-in's VBA client applies).

Every call into Excel goes through :class:`ExcelIO`, which reads a sheet in one bulk call and
writes in blocks: values as one range per block, number formats and fills as one range per
rectangle of cells that share them, notes in one macro call per sheet. Flags (fills and notes,
with the record of what each cell had before) are applied by the add-in's VBA in one call,
``XlperfMark``, because neither the remote engine nor its VBA client can read fills or set notes;
``XlperfUnmark`` undoes them. The number formats of filled values go in one call,
``XlperfFormats``, which sets a format only where the cell's is General (as the file adapter
does; the remote engine cannot read formats) and journals what it changed. Fonts, borders, alignment, merges, column widths, row heights,
autofilter and print setup go in one call per sheet, ``XlperfLayout``: the VBA client has no
action for them. Frozen panes and hidden gridlines belong to Excel's window, not to the sheet,
and are left to the file front.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    range_boundaries,
)

from xlperf.ops.edits import PREVIOUS_NOTE, SheetEdit, Style, ValueWrite, WorkbookPlan, ref
from xlperf.ops.journal import JOURNAL_SHEET, Journal, ValueEntry, is_journal
from xlperf.ops.literal import clean_text, excel_rows
from xlperf.reader.grid import Grid
from xlperf.vocabulary.sheets import REPORT_SHEET

TITLE = "xlperf 预算绩效自评"
RECORD, FIELD = chr(30), chr(31)


class ExcelIO:
    """The only door to Excel: bulk reads and block writes, counted (tests bound the count)."""

    def __init__(self, book: Any):
        self.book = book
        self.calls = 0

    @property
    def remote(self) -> bool:
        return isinstance(self.book.api, dict)

    def sheet_names(self) -> list[str]:
        self.calls += 1
        return [s.name for s in self.book.sheets]

    def read(self, name: str) -> list[list[Any]]:
        """A sheet's values from A1 to the end of its used range, in one read."""
        self.calls += 1
        used = self.book.sheets[name].used_range
        try:
            values = used.options(ndim=2).value or [[]]
        except ValueError:
            # xlwings' remote engine reads text shaped like an ISO date-time
            # ("2021-08-31T00:00:00") as a date and fails on it: take such a sheet as sent
            values = _raw_rows(used.raw_value)
        top, left = used.row - 1, used.column - 1
        if top or left:
            values = [[None] * (left + len(values[0]))] * top + [
                [None] * left + list(r) for r in values
            ]
        return [list(r) for r in values]

    def formulas(self, name: str) -> dict[tuple[int, int], str]:
        """Formula cells of a sheet (desktop Excel); empty where the engine cannot say."""
        used = self.book.sheets[name].used_range
        try:
            self.calls += 1
            rows = used.options(ndim=2).formula
        except NotImplementedError:  # the remote engine ships values only
            return {}
        top, left = used.row - 1, used.column - 1
        found = {}
        for r, row in enumerate(rows if isinstance(rows[0], list | tuple) else [rows]):
            for c, text in enumerate(row):
                if isinstance(text, str) and text.startswith("="):
                    found[(top + r, left + c)] = text
        return found

    def range(self, name: str, cell: str) -> Any:
        self.calls += 1
        return self.book.sheets[name].range(cell)

    def write(self, name: str, cell: str, rows: list[list[Any]]) -> None:
        """Write values as data: text that Excel would parse as a formula gets its ``'``."""
        self.range(name, cell).value = excel_rows(rows)

    def write_formulas(self, name: str, cell: str, rows: list[list[Any]]) -> None:
        """Write xlperf's own formulas: nothing in ``rows`` may come from a form unless it went
        through :func:`xlperf.ops.literal.excel_value` first."""
        self.range(name, cell).value = rows

    def local_names(self) -> dict[str, dict[str, str]]:
        """Sheet-scoped defined names: ``{sheet: {name: "C2:I2"}}``, from one read of the names."""
        self.calls += 1
        found: dict[str, dict[str, str]] = {}
        for defined in self.book.names:
            sheet, bang, local = defined.name.rpartition("!")
            if not bang:
                continue
            try:
                address = defined.refers_to_range.address
            except Exception:  # noqa: BLE001 - a name that is not one range is not ours
                continue
            sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
            found.setdefault(sheet, {})[local] = address.replace("$", "")
        return found

    def add_sheet(self, name: str, index: int | None = None) -> None:
        """A new sheet at 0-based ``index`` (None: after the last)."""
        self.calls += 1
        sheets = self.book.sheets
        if index is None or index >= len(sheets):
            sheets.add(name, after=sheets[-1])
        elif index == 0:
            sheets.add(name, before=sheets[0])
        else:
            sheets.add(name, after=sheets[index - 1])

    def delete_sheet(self, name: str) -> None:
        self.calls += 1
        self.book.sheets[name].delete()

    def macro(self, name: str, *args: Any) -> None:
        """Run one of the add-in's macros on this workbook. xlwings' remote client passes the
        workbook first by itself; on the desktop the workbook's name is passed instead."""
        self.calls += 1
        if self.remote:
            self._action("runMacro", [name, *args])
        else:
            self.book.app.macro(name)(self.book.name, *args)

    def _action(self, func: str, args: list[Any]) -> None:
        # On the remote engine, app.macro() and app.alert() go to the *active* book, which is
        # another request's book when a server runs requests side by side: add them to ours.
        self.book.impl.append_json_action(func=func, args=args)

    def alert(self, text: str) -> None:
        self.calls += 1
        if self.remote:
            self._action("alert", [text, TITLE, "", "", ""])
        else:
            self.book.app.alert(text, title=TITLE)


def _raw_rows(raw: Any) -> list[list[Any]]:
    """Values as the client sent them, empty cells as None (what ``.value`` would give)."""
    rows = (
        raw
        if isinstance(raw, list | tuple) and raw and isinstance(raw[0], list | tuple)
        else [[raw]]
    )
    return [[None if v == "" else v for v in row] for row in rows]


def read_journal_live(io: ExcelIO, names: list[str]) -> tuple[Journal, bool]:
    """The journal, and whether the sheet named like it is ours (not a user's sheet)."""
    if JOURNAL_SHEET not in names:
        return Journal(), False
    rows = io.read(JOURNAL_SHEET)
    return Journal.from_rows(rows), is_journal(rows)


def read_live(io: ExcelIO) -> tuple[list[Grid], Journal, list[str], bool]:
    """The sheets as grids (xlperf's own left out), the journal, the sheet names, and whether a
    sheet named like the journal is ours."""
    names = io.sheet_names()
    journal, ours = read_journal_live(io, names)
    skip = {REPORT_SHEET}
    if ours:
        skip |= {JOURNAL_SHEET, journal.results_sheet}
    grids = [
        Grid(name, io.read(name), formulas=io.formulas(name)) for name in names if name not in skip
    ]
    return grids, journal, names, ours


def _at(cell: str) -> tuple[int, int]:
    """``B7`` as 0-based (row, column)."""
    col, row = coordinate_from_string(cell)
    return row - 1, column_index_from_string(col) - 1


def restore_grids(grids: list[Grid], plan: WorkbookPlan) -> None:
    """The values ``plan`` restores, put into grids already read (so a fix reads the workbook
    as the undo leaves it, without reading it again)."""
    by_name = {g.sheet: g for g in grids}
    for entry in reversed(plan.restore):
        grid = by_name.get(entry.sheet)
        if grid is None:
            continue
        r, c = _at(entry.cell)
        while len(grid.values) <= r:
            grid.values.append([])
        line = grid.values[r]
        line.extend([None] * (c + 1 - len(line)))
        line[c] = entry.value


def value_runs(writes: list[ValueWrite]) -> list[tuple[str, str, list[ValueWrite]]]:
    """Writes grouped into vertical runs of adjacent cells: one block write each."""
    runs: list[tuple[str, str, list[ValueWrite]]] = []
    for w in sorted(writes, key=lambda w: (w.sheet, _at(w.cell)[1], _at(w.cell)[0])):
        if runs:
            sheet, _, group = runs[-1]
            (row, col), (last_row, last_col) = _at(w.cell), _at(group[-1].cell)
            if sheet == w.sheet and last_col == col and last_row + 1 == row:
                group.append(w)
                continue
        runs.append((w.sheet, w.cell, [w]))
    return runs


def rectangles(cells: Iterable[tuple[int, int]]) -> list[str]:
    """1-based (row, column) cells as few ranges: vertical runs, side by side runs joined."""
    by_col: dict[int, list[int]] = {}
    for r, c in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        by_col.setdefault(c, []).append(r)
    runs: dict[tuple[int, int], list[int]] = {}  # (top, bottom) -> columns
    for c, rows in by_col.items():
        top = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            runs.setdefault((top, prev), []).append(c)
            if r is not None:
                top = prev = r
    out = []
    for (top, bottom), cols in runs.items():
        left = prev = cols[0]
        for c in cols[1:] + [None]:
            if c is not None and c == prev + 1:
                prev = c
                continue
            out.append(
                ref(top, left, bottom, prev) if (top, left) != (bottom, prev) else ref(top, left)
            )
            if c is not None:
                left = prev = c
    return out


def _cells(area: str) -> list[tuple[int, int]]:
    left, top, right, bottom = range_boundaries(area)
    return [(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)]


def _formula_text(text: str) -> str:
    """``text`` as a string literal inside a formula."""
    return '"' + clean_text(text).replace('"', '""') + '"'


def apply_live(io: ExcelIO, plan: WorkbookPlan) -> None:
    """Apply ``plan`` to the open workbook."""
    if plan.unmark or plan.unformat or any(e.number_format is None for e in plan.restore):
        io.macro("XlperfUnmark")  # None: a live journal's value, its format listed in H:I
    for entry in reversed(plan.restore):
        io.write(entry.sheet, entry.cell, [[entry.value]])
        if entry.number_format is not None:  # the file front changed it: put it back
            io.range(entry.sheet, entry.cell).number_format = entry.number_format
    for name in plan.delete:
        io.delete_sheet(name)
    journal = plan.journal.model_copy(deep=True) if plan.journal is not None else None
    for sheet, start, group in value_runs(plan.writes):
        io.write(sheet, start, [[w.value] for w in group])
        if journal is not None:
            journal.values.extend(ValueEntry(sheet=w.sheet, cell=w.cell) for w in group)
    for edit in plan.sheets:
        apply_sheet_live(io, edit)
    if journal is not None:
        io.add_sheet(JOURNAL_SHEET)
        io.write(JOURNAL_SHEET, "A1", journal.rows())
    formats = formats_payload(plan.writes)
    if formats:  # where the cell's own format is General, journaled: the VBA can read formats
        io.macro("XlperfFormats", formats)
    if plan.flags:
        payload = RECORD.join(
            FIELD.join(clean_text(t) for t in (f.sheet, f.cell, f.color, f.note))
            for f in plan.flags
        )
        io.macro("XlperfMark", payload, PREVIOUS_NOTE)
    if plan.project is not None:
        new = plan.project
        io.macro("XlperfCopySheet", new.source, new.title, ",".join(new.inputs))


def apply_sheet_live(io: ExcelIO, edit: SheetEdit) -> None:
    name = edit.name
    if edit.template is not None:
        raise ValueError("a template sheet is made by the file adapter only")
    if edit.add:
        io.add_sheet(name, edit.index)
    for area in edit.clear:  # merges undone, values and notes removed: the VBA client cannot
        io.macro("XlperfClearRange", name, area)
    if edit.insert_rows is not None:
        before, count = edit.insert_rows
        io.range(name, f"{before}:{before + count - 1}").insert("down")
    for block in edit.blocks:
        io.write(name, ref(block.row, block.col), block.rows)
    links = {
        _at(link.cell): f"=HYPERLINK({_formula_text('#' + link.target)},{_formula_text(link.text)})"
        for link in edit.links
    }
    for area in rectangles((r + 1, c + 1) for r, c in links):
        left, top, right, bottom = range_boundaries(area)
        rows = [
            [links[(r - 1, c - 1)] for c in range(left, right + 1)] for r in range(top, bottom + 1)
        ]
        io.write_formulas(name, area.split(":")[0], rows)
    if edit.notes:
        cells, texts = zip(*edit.notes.items(), strict=True)
        io.macro("XlperfSetNotes", name, ",".join(cells), RECORD.join(map(clean_text, texts)))
    for what, area, value in format_ranges(edit.styles):
        if what == "fill":
            io.range(name, area).color = "#" + value
        else:
            io.range(name, area).number_format = value
    layout = layout_payload(edit)
    if layout:
        io.macro("XlperfLayout", name, layout)


def format_ranges(styles: list[Style]) -> list[tuple[str, str, str]]:
    """Number formats and fills as (what, range, value), one range per rectangle of cells that
    end up alike: a call each."""
    number_format: dict[tuple[int, int], str] = {}
    fill: dict[tuple[int, int], str] = {}
    for style in styles:
        for cell in _cells(style.ref):
            if style.number_format:
                number_format[cell] = style.number_format
            if style.fill:
                fill[cell] = style.fill
    out = []
    for what, cells in (("number_format", number_format), ("fill", fill)):
        for value in dict.fromkeys(cells.values()):
            out += [(what, a, value) for a in rectangles(c for c, v in cells.items() if v == value)]
    return out


def formats_payload(writes: list[ValueWrite]) -> str:
    """The number formats of ``writes`` for the add-in's ``XlperfFormats``: one record (sheet,
    range, format) per rectangle of cells on a sheet that get the same format."""
    cells: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for w in writes:
        if w.number_format:
            r, c = _at(w.cell)
            cells.setdefault((w.sheet, w.number_format), []).append((r + 1, c + 1))
    return RECORD.join(
        FIELD.join(clean_text(t) for t in (sheet, area, number_format))
        for (sheet, number_format), at in cells.items()
        for area in rectangles(at)
    )


def _flag(on: bool) -> str:
    return "1" if on else "0"


def layout_payload(edit: SheetEdit) -> str:
    """The layout of ``edit`` for the add-in's ``XlperfLayout`` (records and fields as it reads
    them): merges, widths, heights, fonts, alignment, borders, autofilter, page setup."""
    records: list[list[object]] = [["M", area] for area in edit.merges]
    records += [["W", c, w] for c, w in edit.widths.items()]
    records += [["H", r, h] for r, h in edit.heights.items()]
    for style in edit.styles:
        if style.font is not None:
            font = style.font
            records.append(
                ["F", style.ref, font.name or "", font.size or "", _flag(font.bold)]
                + [font.color or "", _flag(font.underline)]
            )
        if style.align is not None:
            align = style.align
            records.append(
                ["A", style.ref, align.horizontal or "", align.vertical or ""]
                + [_flag(align.wrap), align.indent]
            )
        if style.border:
            records.append(["B", style.ref])
    if edit.autofilter:
        records.append(["T", edit.autofilter])
    page = edit.page
    if page is not None:
        titles = ":".join(f"${r}" for r in page.title_rows.split(":")) if page.title_rows else ""
        margins = [m if m is not None else "" for m in (page.margins or (None,) * 4)]
        records.append(
            ["P", _flag(page.landscape), _flag(page.fit_width), titles, _flag(page.print_grid)]
            + [_flag(page.center), page.footer or "", *margins]
        )
    return RECORD.join(FIELD.join(clean_text(str(f)) for f in record) for record in records)
