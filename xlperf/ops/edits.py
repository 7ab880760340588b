"""The port every operation writes through: what to change in a workbook, as data.

An operation (fix, clear, the two roll-ups, the report sheet, a new project sheet) plans a
:class:`WorkbookPlan`; an adapter applies it: :mod:`xlperf.ops.apply_file` to a file (openpyxl)
and :mod:`xlperf.ops.apply_live` to a workbook open in Excel (xlwings, desktop or remote). Values
are data: every string is written as text (:mod:`xlperf.ops.literal`), never as a formula; the
only formulas are :class:`Link` cells, which xlperf spells itself. Rows and columns are 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from xlperf.ops.journal import Journal, MarkEntry, ValueEntry

PREVIOUS_NOTE = "\n——原批注——\n"  # between a flag's note and the note the cell had


def ref(row: int, col: int, last_row: int | None = None, last_col: int | None = None) -> str:
    """``A1``, or ``A1:C4`` for a range."""
    first = f"{get_column_letter(col)}{row}"
    if last_row is None and last_col is None:
        return first
    return f"{first}:{get_column_letter(last_col or col)}{last_row or row}"


@dataclass(frozen=True)
class Font:
    name: str | None = None
    size: float | None = None
    bold: bool = False
    color: str | None = None  # RRGGBB
    underline: bool = False


@dataclass(frozen=True)
class Align:
    horizontal: str | None = None
    vertical: str | None = None
    wrap: bool = False
    indent: int = 0


@dataclass(frozen=True)
class Style:
    """Formatting for every cell of ``ref`` (``None``: left as it is)."""

    ref: str
    number_format: str | None = None
    fill: str | None = None  # solid fill RRGGBB
    font: Font | None = None
    align: Align | None = None
    border: bool = False  # a thin box around each cell


@dataclass(frozen=True)
class Block:
    """Values from ``(row, col)`` rightwards and down; None empties a cell."""

    row: int
    col: int
    rows: list[list[Any]]


@dataclass(frozen=True)
class Link:
    """A cell showing ``text`` that jumps to ``target`` (``'sheet'!A1``) in the workbook."""

    cell: str
    target: str
    text: str


@dataclass(frozen=True)
class PageSetup:
    landscape: bool = False
    fit_width: bool = True  # one page wide, as many pages down as needed
    margins: tuple[float | None, ...] | None = None  # left, right, top, bottom (inch)
    title_rows: str | None = None  # "1:1": printed on every page
    print_grid: bool = False
    center: bool = False
    footer: str | None = None  # Excel's header/footer codes (&P, &N)


@dataclass(frozen=True)
class MoneyTemplate:
    """The 收支情况 template sheet (:mod:`xlperf.templates.money_sheet`) with ``units`` unit rows
    per table. Only the file adapter can make it: a live workbook has no template code, and the
    folder roll-up that plans it writes a file."""

    units: int


@dataclass
class SheetEdit:
    """Changes to one sheet, applied in field order: made (``add``), emptied (``clear``), rows
    inserted, then values, links, notes, styles, merges and layout."""

    name: str
    add: bool = False  # a new sheet named ``name`` (a free name: see journal.free_sheet_name)
    template: MoneyTemplate | None = None  # with ``add``: the sheet laid out by the template
    index: int | None = None  # where a new sheet goes (0-based); None: after the last one
    clear: list[str] = field(default_factory=list)  # ranges: values, notes and merges removed
    insert_rows: tuple[int, int] | None = None  # (before row, count)
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # cell -> note (not journaled)
    styles: list[Style] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)  # column -> width in characters
    heights: dict[int, float] = field(default_factory=dict)  # row -> points
    freeze: str | None = None
    autofilter: str | None = None
    page: PageSetup | None = None
    gridlines: bool | None = None  # shown on screen; None: as it is


@dataclass(frozen=True)
class ValueWrite:
    """A computed value filled into a form's cell, journaled (清除标记 empties it again)."""

    sheet: str
    cell: str
    value: float | str
    number_format: str | None  # applied only where the cell's own format is General
    note: str = ""  # how it was computed, for the cell's note


@dataclass(frozen=True)
class Flag:
    """A form's cell filled and noted, journaled (its own fill and note kept to restore)."""

    sheet: str
    cell: str
    color: str  # RRGGBB
    note: str  # shown above the cell's own note, if it has one

    def note_over(self, previous: str | None) -> str:
        """The note to show: ours, with the cell's own note kept below it."""
        return self.note if previous is None else f"{self.note}{PREVIOUS_NOTE}{previous}"


@dataclass(frozen=True)
class ProjectSheet:
    """A blank project form named ``title``. A file gets it from the template code (with the 参数
    sheet its formulas need, when ``params``); an open workbook gets a copy of its template sheet
    ``source`` (the add-in's macro keeps everything Excel knows about it) with ``inputs`` emptied."""

    title: str
    source: str | None = None
    inputs: tuple[str, ...] = ()
    params: bool = False


@dataclass
class WorkbookPlan:
    """A whole operation, applied in field order: the journal's flags and values undone, sheets
    deleted, journaled values and flags written, sheets edited, then the journal itself."""

    unmark: list[MarkEntry] = field(default_factory=list)
    restore: list[ValueEntry] = field(default_factory=list)
    unformat: list[tuple[str, str]] = field(default_factory=list)  # (sheet, cell) back to General
    delete: list[str] = field(default_factory=list)
    writes: list[ValueWrite] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    sheets: list[SheetEdit] = field(default_factory=list)
    journal: Journal | None = None  # written (with the writes and flags recorded) when set
    project: ProjectSheet | None = None  # a new project form, after the sheets

    def sheet(self, name: str) -> SheetEdit:
        """The edit of sheet ``name``, made on first use (an existing sheet)."""
        for edit in self.sheets:
            if edit.name == name:
                return edit
        edit = SheetEdit(name)
        self.sheets.append(edit)
        return edit

    def then(self, other: WorkbookPlan) -> WorkbookPlan:
        """This plan followed by ``other`` (their journals may not both be set)."""
        if self.journal is not None and other.journal is not None:
            raise ValueError("two journals in one plan")
        return WorkbookPlan(
            self.unmark + other.unmark,
            self.restore + other.restore,
            self.unformat + other.unformat,
            self.delete + other.delete,
            self.writes + other.writes,
            self.flags + other.flags,
            self.sheets + other.sheets,
            self.journal or other.journal,
            self.project or other.project,
        )
