"""Text from a form written back as text, never as a formula (DOMAIN.md §7).

Every value xlperf copies out of a unit's workbook (a project name, a 偏差原因, a message quoting
either) is hostile: ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` typed as text must stay text in
the 汇总表, the 检查结果 sheet and the 自评报告 sheet. openpyxl makes any string that starts with
``=`` a formula, and Excel (through xlwings) also reads ``+``, ``-`` and ``@`` as the start of
one; both doors go through this module.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@")
REPLACEMENT = "\ufffd"  # what a control character that a workbook cannot hold becomes


def clean_text(text: str) -> str:
    """The text with the control characters that OOXML cannot store replaced."""
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, text)


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.lstrip()[:1] in FORMULA_PREFIXES


def put(cell: Any, value: Any) -> Any:
    """Write ``value`` into an openpyxl cell as data: numbers as numbers, every string as text
    (quote-prefixed when it looks like a formula, so Excel keeps it text when edited too)."""
    if isinstance(value, str):
        value = clean_text(value)
        cell.value = value
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def excel_value(value: Any) -> Any:
    """A value for xlwings' ``Range.value``: Excel parses a string typed into a cell, so text that
    looks like a formula or a number (``98.00%``) gets Excel's text prefix ``'``; an exact
    Decimal becomes the double Excel holds."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        value = clean_text(value)
        if looks_like_formula(value) or _PLAIN_NUMBER.fullmatch(value.strip()):
            return "'" + value  # Excel would read "98.00%" or "2021" as a number
    return value


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?%?")


def csv_value(value: Any) -> Any:
    """A field of a CSV file that Excel may open (``xlperf check --format csv``): text that Excel
    would run as a formula (a sheet name ``=SUM(1,2)``, a quoted cell) gets Excel's text prefix
    ``'``; a plain signed number such as ``-5`` stays as it is."""
    if (
        isinstance(value, str)
        and (looks_like_formula(value) or value[:1] in ("\t", "\r"))
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def excel_rows(rows: list[list[Any]]) -> list[list[Any]]:
    return [[excel_value(v) for v in row] for row in rows]
