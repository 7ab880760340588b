"""What a worksheet part says that python-calamine does not: each cell's number format, the
text of error cells (calamine reads them as empty), and how far the cells reach, so that a sheet
whose used range would fill memory is refused before calamine builds it.

Most cells are written as Excel, WPS, LibreOffice and openpyxl write them: ``<c r="B7" s="3"
t="n">`` within A1:Z999, of a style without a number format, holding no error. One regular
expression skips over those in C and stops at every other cell tag, which is then read in
Python; the skipped cells are bounded by A1:Z999 as a whole. A sheet with a cell written
otherwise (no ``r=``, a namespace prefix) is read by :func:`scan_in_order`, which follows every
tag, and so is any sheet whose bound, rather than its exact reach, would hit a limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

_SMALL_ROWS, _SMALL_COLS = 999, 26  # A1:Z999, the cells the expression skips
_PREFIX = rb"<(?:[A-Za-z_][\w.-]{0,15}:)?"
_CELL_TAG = re.compile(_PREFIX + rb"c[\s/>]")
_ORDERED = re.compile(_PREFIX + rb"(c|row|mergeCell)(?=[\s/>])([^>]*)>")
# Both start at "mergeCell", a literal found fast; the second finds every merge tag, prefixed or
# not, the first those written as usual.
_MERGE_FAST = re.compile(rb'mergeCell ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_MERGE = re.compile(rb"mergeCell\s([^>]*)>")
# An attribute by its name alone (as calamine reads it: not x:r), its value quoted either way,
# with space around "=".
_Q = rb"\s*=\s*[\"']"
_REF = re.compile(rb"(?<!\S)r" + _Q + rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']")
_ROW_NUMBER = re.compile(rb"(?<!\S)r" + _Q + rb"([0-9]{1,7})[\"']")
_STYLE = re.compile(rb"(?<!\S)s" + _Q + rb"([0-9]{1,6})[\"']")
_ERROR_TYPE = re.compile(rb"(?<!\S)t" + _Q + rb"e[\"']")
_MERGE_REF = re.compile(rb"(?<!\S)ref" + _Q + rb"([A-Za-z$0-9:]{1,40})[\"']")
_ERROR_VALUE = re.compile(
    _PREFIX
    + rb"f\b[^>]*?(?:/>|>[^<]*</(?:[A-Za-z_][\w.-]{0,15}:)?f>)|"
    + _PREFIX
    + rb"v>([^<]{0,64})<"
)

Chunks = Callable[[], Iterator[tuple[bytes, int]]]
"""A part's (data, cut) chunks, from its start each time it is called."""


class Counter(Protocol):
    def add(self, part: str, cells: int, merged: int) -> None: ...


@dataclass
class SheetScan:
    """What the pass learnt of one worksheet part (0-based rows and columns)."""

    rows: int = 0  # rows × cols bound every cell that may hold a value
    cols: int = 0
    far: tuple[int, int] = (0, 0)  # the farthest such cell (when ``exact``)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # all but General
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # #DIV/0! and friends
    exact: bool = True  # rows and cols are the cells' reach, not a bound of it


def scan_sheet(
    part: str, chunks: Chunks, styles: tuple[str, ...], counter: Counter, counting: bool
) -> SheetScan:
    """Learn each cell's number format and error text, and bound the cells' reach; count the
    merged cells, and the cells when ``counting`` (else their number is known to be small)."""
    odd, shown = _odd_cells(styles)
    plain = shown.get(b"0")  # a cell without s= has style 0
    scan = SheetScan(exact=False)
    formats, errors = scan.formats, scan.errors
    far, right = (-1, -1), -1
    added = [0, 0]  # what this part has added to the counter
    for data, cut in chunks():
        for m in odd.finditer(data, 0, cut):
            attrs = m.group(1)
            ref = _REF.search(attrs)
            if ref is None or data[m.start() - 1] != 60:  # no r=, or a prefix before "c"
                counter.add(part, -added[0], -added[1])  # counted again, tag by tag
                return scan_in_order(part, chunks, styles, counter)
            if attrs.endswith(b"/"):
                continue  # formatting only
            row, col = int(ref.group(2)) - 1, _COLS[ref.group(1)]
            if (row, col) > far:
                far = (row, col)
            if col > right:
                right = col
            style = _STYLE.search(attrs)
            code = shown.get(style.group(1)) if style is not None else plain
            if code is not None:
                formats[(row, col)] = code
            if _ERROR_TYPE.search(attrs):
                value = _error_value(data, m.end())
                if value is not None:
                    errors[(row, col)] = value
        cells = len(_CELL_TAG.findall(data, 0, cut)) if counting else 0
        merged = _merged(data, cut)
        added[0], added[1] = added[0] + cells, added[1] + merged
        counter.add(part, cells, merged)
    scan.rows, scan.cols = max(far[0] + 1, _SMALL_ROWS), max(right + 1, _SMALL_COLS)
    scan.far = (scan.rows - 1, scan.cols - 1)
    return scan


@lru_cache(maxsize=64)
def _odd_cells(styles: tuple[str, ...]) -> tuple[re.Pattern[bytes], dict[bytes, str]]:
    """An expression finding every cell tag but the plain ones (see the module's docstring),
    group 1 its attributes; and the styles with a number format, by ``s=`` value.

    It starts at the ``c`` (a one-letter literal is the fastest to look for) and looks behind
    for the ``<``, or for the ``:`` of a prefixed tag, which is always taken."""
    formatted = [i for i, code in enumerate(styles) if code != "General"]
    style = rb' s="[0-9]{1,6}"'
    if formatted:
        style = rb' s="(?!(?:' + _alternation([str(i).encode() for i in formatted]) + rb')")'
        style += rb'[0-9]{1,6}"'
    style = b"(?:" + style + (b")" if 0 in formatted else b")?")
    plain = (
        rb'[A-Z][0-9]{1,3}"(?:' + style + rb'(?: t="(?:s|n|str|inlineStr|b|d)")?>'
        rb'|(?: s="[0-9]{1,6}")?(?: t="[a-zA-Z]{1,9}")?/>)'
    )
    odd = re.compile(rb'c(?=[\s/>])(?:(?<=<c)(?! r="' + plain + rb")|(?<=:c))([^>]*)>")
    return odd, {str(i).encode(): styles[i] for i in formatted}


def _alternation(words: list[bytes]) -> bytes:
    """An expression matching exactly ``words`` (digits), as a trie: each digit tried once."""
    heads: dict[bytes, list[bytes]] = {}
    for word in words:
        heads.setdefault(word[:1], []).append(word[1:])
    out = []
    for head, tails in sorted(heads.items()):
        rest = [t for t in tails if t]
        if not rest:
            out.append(head)
        else:
            out.append(head + b"(?:" + _alternation(rest) + (b")?" if b"" in tails else b")"))
    return b"|".join(out)


def _merged(data: bytes, cut: int) -> int:
    """Cells under the merges whose tags are in ``data[:cut]``."""
    start = data.find(b"mergeCell", 0, cut)
    if start < 0:
        return 0
    fast = _MERGE_FAST.findall(data, start, cut)
    if len(fast) != len(_MERGE.findall(data, start, cut)):  # some written otherwise
        return sum(_merged_area(m.group(1)) for m in _MERGE.finditer(data, start, cut))
    total, cols = 0, _COLS
    for c0, r0, c1, r1 in fast:
        if c1:
            total += (abs(int(r1) - int(r0)) + 1) * (abs(cols[c1] - cols[c0]) + 1)
        else:
            total += 1
    return total


def scan_in_order(
    part: str, chunks: Chunks, styles: tuple[str, ...], counter: Counter
) -> SheetScan:
    """:func:`scan_sheet` following every row and cell tag in order, giving the cells' exact
    reach and farthest cell: cells or rows may omit ``r=`` (the position is then the next one),
    and tags may carry a namespace prefix."""
    scan = SheetScan()
    general = [code == "General" for code in styles]
    row, col = -1, -1
    far_row = far_col = -1
    for data, cut in chunks():
        cells = merged = 0
        for m in _ORDERED.finditer(data, 0, cut):
            tag, attrs = m.group(1), m.group(2)
            if tag == b"row":
                number = _ROW_NUMBER.search(attrs)
                row = int(number.group(1)) - 1 if number is not None else row + 1
                col = -1
            elif tag == b"mergeCell":
                merged += _merged_area(attrs)
            else:
                cells += 1
                ref = _REF.search(attrs)
                if ref is not None:
                    row, col = int(ref.group(2)) - 1, col_index(ref.group(1))
                else:
                    col += 1
                if attrs.endswith(b"/"):
                    continue
                if row > far_row or (row == far_row and col > far_col):
                    far_row, far_col = row, col
                scan.cols = max(scan.cols, col + 1)
                _cell(scan, attrs, data, m.end(), row, col, styles, general)
        counter.add(part, cells, merged)
    scan.rows = far_row + 1
    scan.far = (max(far_row, 0), max(far_col, 0))
    return scan


def _cell(
    scan: SheetScan,
    attrs: bytes,
    data: bytes,
    end: int,
    row: int,
    col: int,
    styles: tuple[str, ...],
    general: list[bool],
) -> None:
    style = _STYLE.search(attrs)
    s = int(style.group(1)) if style is not None else 0
    if s < len(styles) and not general[s]:
        scan.formats[(row, col)] = styles[s]
    if _ERROR_TYPE.search(attrs):
        value = _error_value(data, end)
        if value is not None:
            scan.errors[(row, col)] = value


def _error_value(data: bytes, at: int) -> str | None:
    """The text of an error cell's <v> (after its formula, if any)."""
    pos = at
    for _ in range(2):
        m = _ERROR_VALUE.match(data, pos)
        if m is None:
            return None
        if m.group(1) is not None:
            return m.group(1).decode("utf-8", "replace")
        pos = m.end()
    return None


def col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1


class _Columns(dict[bytes, int]):
    """Column letters -> 0-based index, computed once per spelling."""

    def __missing__(self, letters: bytes) -> int:
        n = self[letters] = col_index(letters)
        return n


_COLS = _Columns()


def _merged_area(attrs: bytes) -> int:
    m = _MERGE_REF.search(attrs)
    if m is None:
        return 0
    try:
        r0, c0, r1, c1 = parse_range(m.group(1).decode())
    except ValueError:
        return 0
    return (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)


_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``A1:C3`` as 0-based (r0, c0, r1, c1); ValueError for anything else."""
    ends = []
    for piece in ref.split(":", 1):
        m = _CELL_REF.match(piece)
        if m is None:
            raise ValueError(ref)
        ends.append((int(m.group(2)) - 1, col_index(m.group(1).encode())))
    (r0, c0), (r1, c1) = ends[0], ends[-1]
    return r0, c0, r1, c1
