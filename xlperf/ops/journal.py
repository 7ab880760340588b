"""What a check run changed, kept inside the workbook so that 清除标记 can undo it exactly.

The journal is a very hidden sheet. Column A holds the filled computed values, one JSON line
each (what the cell held before: value and number format), written by Python. Columns B:G hold
the flagged cells, one row each, in plain cells so that the add-in's VBA can write and read them
too: sheet, address, previous fill colour (RRGGBB, empty for none), whether a note was there
(1/0), the previous note, and (file front only) the exact previous fill as openpyxl XML. H:I are
the add-in's (the number formats its XlperfFormats set). Column J holds, on a flagged cell's row,
the author of the note it had (file front only: the VBA neither writes nor clears J, so J is read
only beside a G the file front wrote).
The journal travels with the workbook, so a server that sees only cell values can clear flags.

The journal also names the results sheet the run created (``检查结果``, or ``检查结果(2)`` when a
user's own sheet already has that name): 清除标记 removes that sheet and no other. A sheet named
``xlperf_journal`` is xlperf's only if its A1 holds :data:`JOURNAL_HEADER`; a user's sheet of that
name is never deleted (the check refuses to run instead: the add-in's VBA needs that name).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from xlperf.vocabulary.sheets import RESULTS_SHEET

JOURNAL_SHEET = "xlperf_journal"  # ASCII: the add-in's VBA names it too
JOURNAL_HEADER = "xlperf journal v1"
MARK_COLUMNS = 6  # B:G
FORMAT_COLUMNS = (7, 8)  # H:I, 0-based: the sheet and cell of a format the add-in set
AUTHOR_COLUMN = 9  # J, 0-based in a journal row


class ValueEntry(BaseModel):
    sheet: str
    cell: str
    value: Any = None
    number_format: str | None = None


class MarkEntry(BaseModel):
    sheet: str
    cell: str
    color: str = ""  # previous solid fill as RRGGBB, "" for none
    had_note: bool = False
    note: str | None = None
    fill_xml: str | None = None  # exact previous fill (file front)
    note_author: str | None = None  # the previous note's author (file front)

    def row(self) -> list[object]:
        return [
            self.sheet,
            self.cell,
            self.color,
            "1" if self.had_note else "0",
            self.note or "",
            self.fill_xml or "",
        ]

    @classmethod
    def from_row(cls, row: list[Any], author: Any = None) -> MarkEntry:
        """A mark from its journal cells B:G and J (``author``)."""
        sheet, cell, color, had_note, note, fill_xml = (list(row) + [None] * MARK_COLUMNS)[
            :MARK_COLUMNS
        ]
        had = str(had_note).strip() in ("1", "1.0", "True", "true")
        return cls(
            sheet=str(sheet),
            cell=str(cell),
            color=str(color or "").strip(),
            had_note=had,
            note=(str(note) if note is not None else "") if had else None,
            fill_xml=str(fill_xml) if fill_xml else None,
            note_author=str(author) if had and fill_xml and author else None,
        )


def is_journal(rows: list[list[Any]]) -> bool:
    """Whether a sheet's cells (rows from A1) are xlperf's journal, not a user's sheet of that name."""
    return bool(rows and rows[0] and rows[0][0] == JOURNAL_HEADER)


def free_sheet_name(base: str, names: list[str], numbered: str = "{base}({n})") -> str:
    """``base``, or ``base(2)``, ``base(3)``… (``numbered`` spells them): the first name no sheet
    has (Excel compares sheet names without regard to case)."""
    taken = {n.casefold() for n in names}
    if base.casefold() not in taken:
        return base
    n = 2
    while numbered.format(base=base, n=n).casefold() in taken:
        n += 1
    return numbered.format(base=base, n=n)


class Journal(BaseModel):
    values: list[ValueEntry] = []
    marks: list[MarkEntry] = []
    results_sheet: str | None = None  # the results sheet this run created (None: none)
    # (sheet, cell) whose number format the add-in's XlperfFormats set from General (H:I); read
    # so that a file-front clear of a workbook fixed in Excel puts them back, never written
    formatted: list[tuple[str, str]] = []

    def rows(self) -> list[list[object]]:
        """The journal sheet's cells from A1, a rectangle of 7 columns (10 when a flagged cell's
        note had an author: column J)."""
        # results_sheet_created is what journals before results_sheet said; it stays true only
        # where an older xlperf's "delete 检查结果" removes this run's sheet and nothing else.
        meta = json.dumps(
            {
                "results_sheet": self.results_sheet,
                "results_sheet_created": self.results_sheet == RESULTS_SHEET,
            },
            ensure_ascii=False,
        )
        col_a = [JOURNAL_HEADER, meta, *(v.model_dump_json() for v in self.values)]
        marks = [m.row() for m in self.marks]
        authors = [m.note_author if m.fill_xml else None for m in self.marks]
        tail = 1 + AUTHOR_COLUMN - (1 + MARK_COLUMNS) if any(authors) else 0  # H:I and J
        height = max(len(col_a), len(marks) + 1)
        out: list[list[object]] = []
        for r in range(height):
            a = col_a[r] if r < len(col_a) else None
            rest = marks[r - 1] if 1 <= r <= len(marks) else [None] * MARK_COLUMNS
            after = [None] * tail
            if tail and 1 <= r <= len(marks):
                after[-1] = authors[r - 1]
            out.append([a, *rest, *after])
        return out

    @classmethod
    def from_rows(cls, rows: list[list[Any]]) -> Journal:
        """Read the journal sheet's cells (rows from A1); an absent or foreign sheet is empty."""
        if not is_journal(rows):
            return cls()
        col_a = [r[0] for r in rows[1:] if r and isinstance(r[0], str) and r[0].strip()]
        meta = json.loads(col_a[0]) if col_a else {}
        values = [ValueEntry.model_validate_json(t) for t in col_a[1:]]
        marks = [
            MarkEntry.from_row(
                list(r[1 : 1 + MARK_COLUMNS]), r[AUTHOR_COLUMN] if len(r) > AUTHOR_COLUMN else None
            )
            for r in rows[1:]
            if len(r) > 2 and r[1] not in (None, "") and r[2] not in (None, "")
        ]
        if "results_sheet" in meta:
            results = meta["results_sheet"]
        else:  # a journal written before the name was recorded
            results = RESULTS_SHEET if meta.get("results_sheet_created", True) else None
        sheet_at, cell_at = FORMAT_COLUMNS
        formatted = [
            (str(r[sheet_at]), str(r[cell_at]))
            for r in rows[1:]
            if len(r) > cell_at and r[sheet_at] not in (None, "") and r[cell_at] not in (None, "")
        ]
        return cls(values=values, marks=marks, results_sheet=results, formatted=formatted)
