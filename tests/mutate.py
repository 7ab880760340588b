"""Seeded mutators for the fuzz harness (benchmarks/fuzz.py) and its test slice (test_fuzz.py).

A mutant is named by ``(source, mutator, seed)`` and rebuilt from those three alone, so every
failure is a reproducer. ``book`` mutators edit a workbook through openpyxl (cell values, rows
and columns, merges, sheets, styles); ``bytes`` mutators corrupt the saved file (flipped bytes,
truncation, broken XML inside the zip, missing parts, other formats); ``path`` mutators make
something that is not a regular file. The stages run a mutant the way a user does: ``xlperf
check --format json`` (the click command itself, in-process), the server's
``recalc_and_check`` (the FastAPI app, in-process), and ``fix`` then ``clear`` compared cell by
cell with the mutant.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import math
import os
import random
import re
import time
import traceback
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("XLPERF_SHARED", REPO.parent / "shared"))
OUR_SHEETS = ("xlperf_journal", "检查结果", "自评报告")
FORMULA_PREFIXES = ("=", "+", "-", "@")
TOKEN = "fuzz-token"


def source_paths() -> list[Path]:
    """The workbooks mutants are made from: the seed-000 fixtures, the templates, the examples."""
    fixtures = [SHARED / "fixtures" / f"seed000_{v}.xlsx" for v in ("std", "plain")]
    found = [p for p in fixtures if p.exists()]
    found += sorted((REPO / "workbook_templates").glob("*.xlsx"))
    found += sorted((REPO / "examples").glob("*.xlsx"))
    unique: dict[bytes, Path] = {}
    for p in found:  # examples/ holds a copy of a fixture: mutate it once
        unique.setdefault(p.read_bytes(), p)
    return list(unique.values())


# ---------------------------------------------------------------------------------------------
# openpyxl-level mutators: (wb, rng) -> None, editing the workbook in place


def _sheet(wb: Workbook, rng: random.Random) -> Any:
    return rng.choice(wb.worksheets)


def _cells(ws: Any, want: Callable[[Any], bool]) -> list[Any]:
    return [
        c
        for c in ws._cells.values()
        if not isinstance(c, MergedCell) and c.value is not None and want(c.value)
    ]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_text(v: Any) -> bool:
    return isinstance(v, str) and not v.startswith("=")


def _pick(ws: Any, rng: random.Random, want: Callable[[Any], bool] = lambda v: True) -> Any:
    found = _cells(ws, want) or _cells(ws, lambda v: True)
    if found:
        return rng.choice(found)
    return ws.cell(rng.randint(1, max(ws.max_row, 1)), rng.randint(1, max(ws.max_column, 1)))


def _text(cell: Any, value: str) -> None:
    """Text as a user types it into a cell (never turned into a formula by openpyxl)."""
    cell.value = value
    cell.data_type = "s"


def _values(wb: Workbook, rng: random.Random, want: Callable[[Any], bool], make: Callable) -> None:
    for _ in range(rng.randint(1, 2)):
        ws = _sheet(wb, rng)
        for _ in range(rng.randint(1, 5)):
            cell = _pick(ws, rng, want)
            make(cell, rng)


TEXTS = [
    "",
    " ",
    "一百",
    "100.57万元",
    "约80%",
    "—",
    "/",
    "N/A",
    "12,345.67",
    "1 000",
    "80.3 %",
    "≥95%",
    "$\\geq 95\\%$",
    "8月31日前",
    "提高",
    "abc",
    "0x1F",
    "1e5",
    "1/3",
    "(5)",
    "五十",
    "2021-08-31T00:00:00",
    "2021-08-31T00:00:00Z",
]


def m_text(wb: Workbook, rng: random.Random) -> None:
    _values(wb, rng, _is_number, lambda c, r: _text(c, r.choice(TEXTS)))


HUGE = [
    1e308,
    -1e308,
    1.7976931348623157e308,
    1e300,
    10**20,
    2**63,
    2**64 + 1,
    1e-300,
    5e-324,
    123456789012345678901234567890,
]
HUGE_TEXT = [
    "9" * 400,
    "1e999999",
    "1" + "0" * 5000,
    "1e-999999",
    "9" * 30 + "万元",
    "99999999999999999999%",
    "1E+308",
    "0." + "0" * 400 + "1",
]


def m_huge(wb: Workbook, rng: random.Random) -> None:
    def make(cell: Any, r: random.Random) -> None:
        if r.random() < 0.5:
            cell.value = r.choice(HUGE)
        else:
            _text(cell, r.choice(HUGE_TEXT))

    _values(wb, rng, _is_number, make)


def m_negative(wb: Workbook, rng: random.Random) -> None:
    def make(cell: Any, r: random.Random) -> None:
        v = cell.value
        choice = r.random()
        if _is_number(v) and choice < 0.6:
            cell.value = -abs(v) if v else -1
        elif choice < 0.8:
            cell.value = -0.0
        else:
            _text(cell, r.choice(["-5", "－5", "−5", "-80%", "(-3.2)", "-0"]))

    _values(wb, rng, _is_number, make)


NANLIKE = [
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "-Infinity",
    "#DIV/0!",
    "#N/A",
    "#VALUE!",
    "#REF!",
    "#NUM!",
    "#NAME?",
    "#NULL!",
    "null",
    "None",
    "undefined",
]


def m_nanlike(wb: Workbook, rng: random.Random) -> None:
    def make(cell: Any, r: random.Random) -> None:
        choice = r.random()
        if choice < 0.3:
            cell.value = r.choice([float("nan"), float("inf"), float("-inf")])
        elif choice < 0.5:
            cell.value = r.choice(["#DIV/0!", "#N/A", "#VALUE!", "#REF!"])  # an error cell
        else:
            _text(cell, r.choice(NANLIKE))

    _values(wb, rng, lambda v: True, make)


FORMULA_TEXTS = [
    '=HYPERLINK("http://example.invalid/x","点击查看")',
    "=1+1",
    "+1+1",
    "-1-1",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
    "==",
    "=",
    "+",
    "-",
    "@",
    " =1+1",
    "=" + "(" * 300 + "1" + ")" * 300,
    "=A1",
    "=1/0",
    "-" * 50,
    "=DDE(1)",
    '=WEBSERVICE("http://example.invalid")',
]


def m_formula_text(wb: Workbook, rng: random.Random) -> None:
    """Text that looks like a formula, typed into names, reasons, targets and numbers."""
    _values(wb, rng, lambda v: True, lambda c, r: _text(c, r.choice(FORMULA_TEXTS)))


FORMULAS = [
    "=SUM(A1:A3)",
    "=1/0",
    "=A1",
    "=NA()",
    "=B2*100",
    '=INDIRECT("A1")',
    "=1+",
    "=SUM(" * 40 + "1" + ")" * 40,
    "=XFD1048576",
    "=TODAY()",
]


def m_formula_real(wb: Workbook, rng: random.Random) -> None:
    """Real formulas (with no cached value) where numbers were typed."""

    def make(cell: Any, r: random.Random) -> None:
        cell.value = r.choice(FORMULAS)

    _values(wb, rng, _is_number, make)


CONTROLS = [
    "\t",
    "\n",
    "\r\n",
    "\u200b",
    "\u202e",
    "\ufeff",
    "\u3000",
    "\u00a0",
    "\x7f",
    "\u2028",
    "\u0085",
    "\U0001f600",
    "_x0007_",
    "\u0301",
    "\ufffd",
]


def m_control(wb: Workbook, rng: random.Random) -> None:
    def make(cell: Any, r: random.Random) -> None:
        text = str(cell.value) if cell.value is not None else ""
        ctl = r.choice(CONTROLS)
        at = r.randint(0, len(text))
        _text(cell, text[:at] + ctl + text[at:])

    _values(wb, rng, lambda v: True, make)


FULL = str.maketrans("0123456789.%-+,()", "０１２３４５６７８９．％－＋，（）")


def m_fullwidth(wb: Workbook, rng: random.Random) -> None:
    def make(cell: Any, r: random.Random) -> None:
        text = str(cell.value)
        if isinstance(cell.value, float) and r.random() < 0.5:
            text = f"{cell.value:.1%}"
        _text(cell, text.translate(FULL))

    _values(wb, rng, lambda v: _is_number(v) or _is_text(v), make)


def m_long_text(wb: Workbook, rng: random.Random) -> None:
    def make(cell: Any, r: random.Random) -> None:
        _text(cell, r.choice(["项", "9", "=", "啊 "]) * r.choice([256, 32767, 100000]))

    _values(wb, rng, lambda v: True, make)


def m_other_types(wb: Workbook, rng: random.Random) -> None:
    choices = [
        dt.datetime(2021, 8, 31),
        dt.date(1900, 1, 1),
        dt.time(12, 30),
        True,
        False,
        dt.timedelta(days=3),
        dt.datetime(9999, 12, 31, 23, 59, 59),
    ]
    _values(wb, rng, lambda v: True, lambda c, r: setattr(c, "value", r.choice(choices)))


def m_swap(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    for _ in range(rng.randint(1, 6)):
        a, b = _pick(ws, rng), _pick(ws, rng)
        a.value, b.value = b.value, a.value


def m_blank(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    cells = _cells(ws, lambda v: True)
    share = rng.choice([0.1, 0.5, 1.0])
    for c in rng.sample(cells, int(len(cells) * share)):
        c.value = None


def m_rows_insert(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    ws.insert_rows(rng.randint(1, ws.max_row + 1), rng.randint(1, 5))


def m_rows_delete(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    ws.delete_rows(rng.randint(1, max(ws.max_row, 1)), rng.randint(1, 5))


def m_cols_insert(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    ws.insert_cols(rng.randint(1, ws.max_column + 1), rng.randint(1, 3))


def m_cols_delete(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    ws.delete_cols(rng.randint(1, max(ws.max_column, 1)), rng.randint(1, 2))


def m_merge_make(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    for _ in range(rng.randint(1, 3)):
        top = rng.randint(1, max(ws.max_row, 1))
        left = rng.randint(1, max(ws.max_column, 1))
        bottom, right = top + rng.randint(0, 3), left + rng.randint(0, 3)
        if (bottom, right) == (top, left):
            right += 1
        ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
        overlap = any(
            not (r.max_row < top or r.min_row > bottom or r.max_col < left or r.min_col > right)
            for r in ws.merged_cells.ranges
        )
        if not overlap:
            ws.merge_cells(ref)


def m_merge_break(wb: Workbook, rng: random.Random) -> None:
    merged = [(ws, r) for ws in wb.worksheets for r in ws.merged_cells.ranges]
    if not merged:
        m_merge_make(wb, rng)
        return
    for ws, r in rng.sample(merged, min(len(merged), rng.randint(1, 4))):
        if r in ws.merged_cells.ranges:  # an earlier break in this loop may have taken it
            # openpyxl drops the range, then fails on covered cells an earlier edit removed
            with contextlib.suppress(KeyError):
                ws.unmerge_cells(str(r))


SHEET_NAMES = [
    "检查结果",
    "xlperf_journal",
    "自评报告",
    "汇总表",
    "参数",
    "Sheet1",
    "项目'1",
    "长" * 31,
    "汇总表 ",
    " 空格",
    "=1+1",
    "+x",
    "@x",
    "项目（2）",
    "收支情况",
    "填表说明",
    "xlperf.conf",
    "History",
    "检查结果 (2)",
    '项目"1',
    'x",1)+("',
]


def m_sheet_rename(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    name = rng.choice(SHEET_NAMES)
    if name not in wb.sheetnames:
        ws.title = name


def m_sheet_duplicate(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    copy = wb.copy_worksheet(ws)
    name = rng.choice(SHEET_NAMES + [None])
    if name and name not in wb.sheetnames:
        copy.title = name
    wb.move_sheet(copy, rng.randint(-len(wb.worksheets) + 1, 0))


def m_sheet_delete(wb: Workbook, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 3)):
        if len(wb.worksheets) > 1:
            wb.remove(_sheet(wb, rng))
    if all(ws.sheet_state != "visible" for ws in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"  # a workbook keeps one visible sheet


def m_sheet_hide(wb: Workbook, rng: random.Random) -> None:
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    if len(visible) > 1:
        rng.choice(visible).sheet_state = rng.choice(["hidden", "veryHidden"])


def m_sheet_reorder(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    wb.move_sheet(ws, rng.randint(-wb.index(ws), len(wb.worksheets) - 1 - wb.index(ws)))


def m_sheet_add(wb: Workbook, rng: random.Random) -> None:
    name = rng.choice(SHEET_NAMES)
    ws = wb.create_sheet(name if name not in wb.sheetnames else None)
    for _ in range(rng.randint(0, 5)):
        _text(ws.cell(rng.randint(1, 20), rng.randint(1, 8)), rng.choice(TEXTS + FORMULA_TEXTS))


def m_far_cell(wb: Workbook, rng: random.Random) -> None:
    ws = _sheet(wb, rng)
    row, col = rng.choice(
        [
            (1048576, 16384),
            (1048576, 1),
            (1, 16384),
            (rng.randint(1000, 1048576), rng.randint(1, 16384)),
        ]
    )
    ws.cell(row, col, rng.choice(["x", 1, "项目名称", "=1+1"]))


FORMATS = [
    "0.00%",
    "@",
    "#,##0.00",
    "yyyy-mm-dd",
    '0.00"万元"',
    ";;;",
    "0.0",
    "[Red]0.00",
    "General",
]


def m_style(wb: Workbook, rng: random.Random) -> None:
    """Fills, fonts, borders, number formats and notes a user made (fix and clear must keep)."""
    ws = _sheet(wb, rng)
    for _ in range(rng.randint(1, 8)):
        cell = _pick(ws, rng)
        what = rng.randrange(5)
        if what == 0:
            cell.fill = PatternFill(
                fill_type=rng.choice(["solid", "gray125", "darkGrid"]),
                fgColor=rng.choice(["FFFF00", "00B0F0", "FFC7CE"]),
            )
        elif what == 1:
            cell.font = Font(
                bold=True,
                italic=rng.random() < 0.5,
                color="FF0000",
                name=rng.choice(["宋体", "Arial"]),
                size=rng.choice([9, 11, 16]),
            )
        elif what == 2:
            side = Side(style=rng.choice(["thin", "thick", "dashed"]), color="000000")
            cell.border = Border(left=side, top=side, right=side, bottom=side)
        elif what == 3:
            cell.number_format = rng.choice(FORMATS)
        else:
            cell.comment = Comment(
                rng.choice(["请核对", "来源：财政局", "=1+1", "备注\n第二行"]),
                rng.choice(["张三", "", "财务科"]),
            )


MUTATORS_BOOK: dict[str, Callable[[Workbook, random.Random], None]] = {
    "text": m_text,
    "huge": m_huge,
    "negative": m_negative,
    "nanlike": m_nanlike,
    "formula_text": m_formula_text,
    "formula_real": m_formula_real,
    "control": m_control,
    "fullwidth": m_fullwidth,
    "long_text": m_long_text,
    "other_types": m_other_types,
    "swap": m_swap,
    "blank": m_blank,
    "rows_insert": m_rows_insert,
    "rows_delete": m_rows_delete,
    "cols_insert": m_cols_insert,
    "cols_delete": m_cols_delete,
    "merge_make": m_merge_make,
    "merge_break": m_merge_break,
    "sheet_rename": m_sheet_rename,
    "sheet_duplicate": m_sheet_duplicate,
    "sheet_delete": m_sheet_delete,
    "sheet_hide": m_sheet_hide,
    "sheet_reorder": m_sheet_reorder,
    "sheet_add": m_sheet_add,
    "far_cell": m_far_cell,
    "style": m_style,
}


def m_combo(wb: Workbook, rng: random.Random) -> None:
    names = sorted(set(MUTATORS_BOOK) - {"far_cell"})  # far_cell is its own (slow) class
    for _ in range(rng.randint(2, 4)):
        MUTATORS_BOOK[rng.choice(names)](wb, rng)


MUTATORS_BOOK["combo"] = m_combo


# ---------------------------------------------------------------------------------------------
# byte-level mutators: (bytes of the source, rng) -> bytes


def b_flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def b_truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def b_zero_span(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    n = rng.randint(1, 4096)
    return data[:at] + b"\0" * n + data[at + n :]


def _rezip(data: bytes, edit: Callable[[str, bytes], bytes | None]) -> bytes:
    """The zip with each entry passed through ``edit`` (None drops the entry)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = edit(info.filename, src.read(info))
            if content is not None:
                dst.writestr(info.filename, content)
    return out.getvalue()


def _one_entry(data: bytes, rng: random.Random, pattern: str = r".*\.xml$") -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = sorted(n for n in z.namelist() if re.match(pattern, n))
    return rng.choice(names)


XML_EDITS = [
    "delete_span",
    "duplicate_span",
    "insert_lt",
    "bad_number",
    "dimension",
    "ctl_ref",
    "bad_ref",
    "bad_style",
    "huge_row",
    "deep",
]


def b_xml(data: bytes, rng: random.Random) -> bytes:
    """Break the XML of one part of the package (a sheet most often)."""
    kind = rng.choice(XML_EDITS)
    if kind in ("bad_number", "dimension", "bad_ref", "huge_row", "deep", "bad_style"):
        target = _one_entry(data, rng, r"xl/worksheets/sheet\d+\.xml$")
    elif kind == "ctl_ref":
        target = _one_entry(data, rng, r"xl/(sharedStrings|worksheets/sheet\d+)\.xml$")
    else:
        target = _one_entry(data, rng)

    def edit(name: str, content: bytes) -> bytes:
        if name != target:
            return content
        text = content.decode("utf-8", "replace")
        n = len(text)
        if kind == "delete_span":
            at = rng.randrange(n)
            text = text[:at] + text[at + rng.randint(1, 200) :]
        elif kind == "duplicate_span":
            at = rng.randrange(n)
            text = text[:at] + text[at : at + rng.randint(1, 400)] * 2 + text[at:]
        elif kind == "insert_lt":
            at = rng.randrange(n)
            text = text[:at] + rng.choice(["<", "&", "]]>", "<x>", "\x01"]) + text[at:]
        elif kind == "bad_number":
            junk = rng.choice(["1e999", "NaN", "x", "", "1,5", "--1", "9" * 400, "inf"])
            text = re.sub(r"<v>[-0-9.Ee+]+</v>", f"<v>{junk}</v>", text, count=rng.randint(1, 20))
        elif kind == "dimension":
            text = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', text)
        elif kind == "ctl_ref":
            text = re.sub(r"<t>", "<t>&#1;", text, count=rng.randint(1, 5))
            text = re.sub(r"<t xml:space=\"preserve\">", "<t>&#x1F;", text, count=1)
        elif kind == "bad_ref":
            junk = rng.choice(["ZZZZ1", "A0", "A-1", "", "XFE1", "A1048577", "1A", "A1:B2"])
            text = re.sub(r'<c r="[A-Z]+\d+"', f'<c r="{junk}"', text, count=rng.randint(1, 5))
        elif kind == "bad_style":
            text = re.sub(r' s="\d+"', ' s="99999"', text, count=rng.randint(1, 20))
        elif kind == "huge_row":
            text = text.replace(
                "</sheetData>",
                '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                "</sheetData>",
            )
        elif kind == "deep":
            depth = rng.choice([1000, 20000])
            text = text.replace(
                "</worksheet>",
                "<extLst>" + "<x>" * depth + "</x>" * depth + "</extLst></worksheet>",
            )
        return text.encode("utf-8", "surrogatepass")

    return _rezip(data, edit)


def b_drop_part(data: bytes, rng: random.Random) -> bytes:
    target = _one_entry(data, rng, r".*")
    return _rezip(data, lambda name, content: None if name == target else content)


def b_padding(data: bytes, rng: random.Random) -> bytes:
    """A sheet part inflated with whitespace (a file small on disk, big when unzipped)."""
    target = _one_entry(data, rng, r"xl/worksheets/sheet\d+\.xml$")
    size = rng.choice([1, 8, 40]) * 1024 * 1024

    def edit(name: str, content: bytes) -> bytes:
        if name != target:
            return content
        return content.replace(b"<sheetData>", b"<sheetData>" + b" " * size, 1)

    return _rezip(data, edit)


def b_other_format(data: bytes, rng: random.Random) -> bytes:
    return rng.choice(
        [
            b"",
            b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(200)),
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(4000)),
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "<html><body>项目名称</body></html>".encode(),
            "项目名称,全年预算数\n人事局工作经费,10\n".encode("gbk"),
            b"\xef\xbb\xbf" + b"a" * 100,
            bytes(rng.randrange(256) for _ in range(rng.randint(1, 5000))),
            _rezip(data, lambda name, content: content)[:22],  # the end record alone
        ]
    )


MUTATORS_BYTES: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip": b_flip,
    "truncate": b_truncate,
    "zero_span": b_zero_span,
    "xml": b_xml,
    "drop_part": b_drop_part,
    "padding": b_padding,
    "other_format": b_other_format,
}

# path-level: something that is not a regular file where a workbook was expected
PATH_KINDS = ["directory", "fifo", "dev_zero", "dangling", "loop"]


def make_special(path: Path, rng: random.Random) -> None:
    kind = rng.choice(PATH_KINDS)
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero":
        path.symlink_to("/dev/zero")
    elif kind == "dangling":
        path.symlink_to(path.with_name("nowhere.xlsx"))
    else:
        path.symlink_to(path)


# weights: how often each mutator is drawn (values and structure most, bytes less, paths rarely)
WEIGHTS: dict[str, int] = {name: 4 for name in MUTATORS_BOOK}
WEIGHTS |= {"combo": 10, "style": 3, "far_cell": 1, "long_text": 2}
WEIGHTS |= {name: 3 for name in MUTATORS_BYTES}
WEIGHTS |= {"padding": 1, "other_format": 2, "special": 1}
MUTATORS = sorted(WEIGHTS)


def is_book(mutator: str) -> bool:
    return mutator in MUTATORS_BOOK


@dataclass(frozen=True)
class Spec:
    """One mutant: which source, which mutator, which seed."""

    index: int
    source: str  # file name of the source (sources are looked up by name)
    mutator: str
    seed: int

    @property
    def label(self) -> str:
        return f"{self.mutator}:{Path(self.source).name}:{self.seed}"


def plan(count: int, seed: int, sources: list[Path], only: list[str] | None = None) -> list[Spec]:
    """``count`` mutants, the same for the same seed: mutators drawn by weight, sources in turn."""
    rng = random.Random(f"plan:{seed}")
    names = only or MUTATORS
    weights = [WEIGHTS[n] for n in names]
    drawn = rng.choices(names, weights, k=count)
    return [
        Spec(i, sources[i % len(sources)].name, drawn[i], seed * 1_000_003 + i)
        for i in range(count)
    ]


_SOURCE_BYTES: dict[str, bytes] = {}


def source_bytes(name: str) -> bytes:
    if name not in _SOURCE_BYTES:
        path = next(p for p in source_paths() if p.name == name)
        _SOURCE_BYTES[name] = path.read_bytes()
    return _SOURCE_BYTES[name]


def write_mutant(spec: Spec, path: Path) -> None:
    """Build the mutant ``spec`` names at ``path`` (deterministic)."""
    rng = random.Random(spec.label)
    data = source_bytes(spec.source)
    if spec.mutator == "special":
        make_special(path, rng)
        return
    if spec.mutator in MUTATORS_BYTES:
        path.write_bytes(MUTATORS_BYTES[spec.mutator](data, rng))
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data))
    MUTATORS_BOOK[spec.mutator](wb, rng)
    wb.save(path)


# ---------------------------------------------------------------------------------------------
# stages


@dataclass
class Outcome:
    """What one stage saw; ``failures`` are (class, detail) pairs, empty when all is well."""

    stage: str
    exit: int | None = None
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


def _tb(exc_info: Any) -> str:
    return "".join(traceback.format_exception(*exc_info))


def traceback_class(text: str) -> tuple[str, str]:
    """A traceback's class (exception type at its innermost xlperf frame) and its last lines."""
    frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', text)
    ours = [f for f in frames if "/xlperf/" in f[0] and "/tests/" not in f[0]] or frames
    where = ""
    if ours:
        file, line, func = ours[-1]
        rel = file.split("/xlperf/", 1)[-1] if "/xlperf/" in file else Path(file).name
        where = f"xlperf/{rel}:{func}"
    last = [ln for ln in text.strip().splitlines() if ln and not ln.startswith(" ")]
    error = last[-1] if last else "?"
    kind = error.split(":", 1)[0]
    return f"{kind} at {where}", error[:300]


def stage_check(path: Path) -> Outcome:
    """``xlperf check --format json PATH``: the click command in-process, exit code as the CLI's."""
    from click.testing import CliRunner

    from xlperf.cli import main

    t0 = time.perf_counter()
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    out = Outcome("check", exit=result.exit_code, seconds=time.perf_counter() - t0)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        cls, line = traceback_class(_tb(result.exc_info))
        out.failures.append((f"traceback: {cls}", line))
        return out
    judge_check_output(out, result.exit_code, result.stdout, result.stderr)
    return out


def judge_check_output(out: Outcome, exit_code: int, stdout: str, stderr: str) -> None:
    """What ``xlperf check --format json`` may answer: exit 0/1 with JSON on stdout, or exit 2
    with a message on stderr."""
    if exit_code not in (0, 1, 2):
        out.failures.append(("exit code", f"exit {exit_code}"))
    if exit_code in (0, 1):
        try:
            json.loads(stdout)
        except ValueError as exc:
            out.failures.append(("stdout not JSON", f"{exc}: {stdout[:120]!r}"))
    elif exit_code == 2 and not stderr.strip():
        out.failures.append(("exit 2 without a message", ""))


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_CLIENT: Any = None
_LOG = _Records()


def _client() -> Any:
    global _CLIENT
    if _CLIENT is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # starlette's note about httpx versions
            from fastapi.testclient import TestClient

        from xlperf.server import create_app

        logging.getLogger("xlperf").addHandler(_LOG)
        logging.getLogger("xlperf").propagate = False
        _CLIENT = TestClient(create_app(TOKEN), raise_server_exceptions=False)
    return _CLIENT


# xlperf's own formula in the 检查结果 sheet: a link to the flagged cell
OWN_LINK = re.compile(
    r"""^=HYPERLINK\("#'(?:[^'"]|''|"")*'![A-Z]{1,3}[0-9]{1,7}","[A-Z]{1,3}[0-9]{1,7}"\)$"""
)


# a rate xlperf fills, sent as Excel parses a typed percentage ("-100%" is the number -1, never a
# formula); text from a cell that looks like this is sent with its ' prefix
OWN_PERCENT = re.compile(r"^-?\d+(\.\d+)?%$")


def _formula_values(actions: list[dict[str, Any]]) -> list[str]:
    """Strings the answer writes into cells that Excel would take as a formula (other than
    xlperf's own links)."""
    found = []
    for action in actions:
        if action.get("func") == "setValues":
            for row in action.get("values") or []:
                for v in row:
                    if (
                        isinstance(v, str)
                        and v.lstrip()[:1] in FORMULA_PREFIXES
                        and not OWN_LINK.match(v)
                        and not OWN_PERCENT.match(v)
                    ):
                        found.append(v)
    return found


def _client_value(value: Any) -> Any:
    """A cell value as xlwings' VBA client sends it: dates as ISO text ending in Z."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time()).isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, dt.time):
        return (
            dt.datetime.combine(dt.date(1899, 12, 30), value).isoformat(timespec="milliseconds")
            + "Z"
        )
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return value


def client_payload(path: Path) -> dict[str, Any]:
    """The book JSON the VBA client sends (tests/remote_client.payload, dates as that client
    writes them)."""
    from tests.remote_client import payload

    return payload(path, _client_value)


def stage_server(path: Path) -> Outcome:
    """The server's recalc_and_check on the book JSON the VBA client would send for ``path``."""
    out = Outcome("server")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            body = json.dumps(client_payload(path), ensure_ascii=False).encode()
    except Exception:  # noqa: BLE001 - a file openpyxl cannot open has no client payload
        out.note = "no payload"
        return out
    client = _client()
    _LOG.records.clear()
    t0 = time.perf_counter()
    answer = client.post(
        "/xlperf/recalc_and_check",
        content=body,
        headers={"Authorization": TOKEN, "Content-Type": "application/json"},
    )
    out.seconds = time.perf_counter() - t0
    out.exit = answer.status_code
    for record in _LOG.records:
        if record.exc_info:
            cls, line = traceback_class(_tb(record.exc_info))
            out.failures.append((f"traceback: {cls}", line))
    if answer.status_code >= 500:
        out.failures.append((f"HTTP {answer.status_code}", answer.text[:200]))
        return out
    try:
        data = answer.json()
    except ValueError:
        out.failures.append(("answer not JSON", answer.text[:200]))
        return out
    if answer.status_code == 200:
        injected = _formula_values(data.get("actions", []))
        if injected:
            out.failures.append(("server writes cell text as a formula", repr(injected[0])[:200]))
    return out


# --- fix then clear ----------------------------------------------------------------------------


def _load(path: Path) -> Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def _comment(cell: Any) -> Any:
    c = cell.comment
    return None if c is None else (c.text, c.author)


def _border_text(border: Border) -> str:
    """A border as text, a side with no line (Side(style=None)) the same as no side: openpyxl
    writes the edges of a merged range that way when it saves a workbook again."""
    parts = []
    for name in ("left", "right", "top", "bottom", "diagonal", "vertical", "horizontal"):
        side = getattr(border, name)
        parts.append(None if side is None or side.style is None else repr(side))
    parts.append((border.diagonalUp, border.diagonalDown, border.outline))
    return repr(parts)


def _style_texts(wb: Workbook) -> tuple[list[str], list[str], list[str]]:
    """Each fill, font and border of the workbook's style tables as text (cells point into
    these tables, so a cell's style is compared by what its entry says, not by index)."""
    return (
        [repr(f) for f in wb._fills],
        [repr(f) for f in wb._fonts],
        [_border_text(b) for b in wb._borders],
    )


def cell_state(cell: Any, styles: tuple[list[str], list[str], list[str]]) -> tuple:
    fills, fonts, borders = styles
    style = cell._style
    if style is None:  # a merged cell openpyxl made without a style of its own
        return (
            cell.value,
            cell.number_format,
            repr(cell.fill),
            repr(cell.font),
            _border_text(cell.border),
            _comment(cell),
        )
    return (
        cell.value,
        cell.number_format,
        fills[style.fillId],
        fonts[style.fontId],
        borders[style.borderId],
        _comment(cell),
    )


STATE_FIELDS = ("value", "number_format", "fill", "font", "border", "comment")


def _same(a: Any, b: Any) -> bool:
    """Equal values; NaN equals NaN, and a non-finite float (``<v>1e999</v>`` read by openpyxl)
    equals an empty cell: OOXML cannot hold one, so openpyxl itself saves it as ``<v></v>``."""
    if isinstance(a, float) and not math.isfinite(a) and b is None:
        return True
    return a == b or (a != a and b != b)


def _sheets(wb: Workbook) -> list[tuple[str, str]]:
    return [(ws.title, ws.sheet_state) for ws in wb.worksheets]


def compare_books(before: Workbook, after: Workbook) -> list[tuple[str, str]]:
    """Every difference in sheets (name, order, visibility) and cells (value, number format,
    fill, font, border, comment); one (class, detail) per kind of difference, first example."""
    found: dict[str, str] = {}
    if _sheets(before) != _sheets(after):
        found["round trip: sheets differ"] = f"{_sheets(before)} -> {_sheets(after)}"[:300]
    styles_a, styles_b = _style_texts(before), _style_texts(after)
    for ws in before.worksheets:
        if ws.title not in after.sheetnames:
            continue
        other = after[ws.title]
        for key in set(ws._cells) | set(other._cells):
            a = ws._cells.get(key) or ws.cell(*key)
            b = other._cells.get(key) or other.cell(*key)
            sa, sb = cell_state(a, styles_a), cell_state(b, styles_b)
            for name, x, y in zip(STATE_FIELDS, sa, sb, strict=True):
                if not _same(x, y):
                    found.setdefault(
                        f"round trip: cell {name} differs",
                        f"{ws.title}!{a.coordinate}: {x!r:.120} -> {y!r:.120}",
                    )
    return list(found.items())


def typed_cells_changed(before: Workbook, after: Workbook) -> list[tuple[str, str]]:
    """After fix: every cell that held something holds the same; every user sheet is still
    there in its place and state; no new formula outside our own computed cells."""
    found: dict[str, str] = {}
    users = _sheets(before)
    kept = [s for s in _sheets(after) if s[0] in {n for n, _ in users}]
    if kept != users:
        found["fix: user sheets changed"] = f"{users} -> {_sheets(after)}"[:300]
    for ws in before.worksheets:
        if ws.title not in after.sheetnames:
            continue
        other = after[ws.title]
        for key, a in ws._cells.items():
            if a.value is None or isinstance(a, MergedCell):
                continue
            b = other._cells.get(key)
            value = b.value if b is not None else None
            if not _same(a.value, value):
                found.setdefault(
                    "fix: typed cell changed",
                    f"{ws.title}!{a.coordinate}: {a.value!r:.120} -> {value!r:.120}",
                )
        for key, b in other._cells.items():
            a = ws._cells.get(key)
            if b.data_type == "f" and (a is None or a.value is None):
                # fix writes values only: a formula where nothing was is text that became one
                found.setdefault(
                    "fix: wrote a formula", f"{ws.title}!{b.coordinate}: {b.value!r:.120}"
                )
    for title in after.sheetnames:
        if title in OUR_SHEETS and title not in before.sheetnames:
            for row in after[title].iter_rows():
                for c in row:
                    if c.data_type == "f":
                        found.setdefault(
                            "fix: formula in its own sheet",
                            f"{title}!{c.coordinate}: {c.value!r:.120}",
                        )
    return list(found.items())


def stage_roundtrip(path: Path, work: Path) -> Outcome:
    """``xlperf fix PATH -o F`` then ``xlperf clear F -o C``: C must equal PATH, and F must keep
    every typed cell. A mutant fix refuses (exit 2) is not readable: no round trip."""
    from click.testing import CliRunner

    from xlperf.cli import main

    out = Outcome("roundtrip")
    fixed, cleared = work / "fixed.xlsx", work / "cleared.xlsx"
    t0 = time.perf_counter()
    runner = CliRunner()
    result = runner.invoke(main, ["fix", str(path), "-o", str(fixed)])
    out.exit = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        cls, line = traceback_class(_tb(result.exc_info))
        out.failures.append((f"fix traceback: {cls}", line))
        return out
    if result.exit_code != 0:
        out.note = "not readable"
        if result.exit_code != 2:
            out.failures.append(("fix exit code", f"exit {result.exit_code}"))
        return out
    result = runner.invoke(main, ["clear", str(fixed), "-o", str(cleared)])
    out.seconds = time.perf_counter() - t0
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        cls, line = traceback_class(_tb(result.exc_info))
        out.failures.append((f"clear traceback: {cls}", line))
        return out
    if result.exit_code != 0:
        out.failures.append(("clear refused a fixed file", result.output[:200]))
        return out
    before = _load(path)
    out.failures += typed_cells_changed(before, _load(fixed))
    out.failures += compare_books(before, _load(cleared))
    return out
