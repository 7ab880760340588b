"""The unit XP000: what the reader could not read, on any kind of sheet."""

from __future__ import annotations

from xlperf.checks.unit import Flag, Flags, unit
from xlperf.forms.money import MoneyBook
from xlperf.forms.workbook import WorkbookForms
from xlperf.rules import RuleSet


@unit("XP000")
def readable(book: WorkbookForms | MoneyBook, rules: RuleSet) -> Flags:
    """Every cell the reader could not read (a number as text, a missing header) is reported."""
    for p in book.problems:
        yield Flag(p.cell, p.message, None, p.actual, p.sheet)
