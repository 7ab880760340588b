"""One streaming pass over an .xlsx package: refuse what is too big, and learn what calamine does
not say (each cell's number format, error values, how far each sheet's content reaches).

Nothing here holds a part in memory whole: the worksheets are read in chunks and matched with
regular expressions on bytes (no XML parser, so no entity expansion); the small parts (the
workbook, its relationships, the styles) are parsed with defusedxml.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from xlperf import limits
from xlperf.errors import InputError
from xlperf.reader.formats import builtin_format

_PREFIX = rb"<(?:[A-Za-z_][\w.-]{0,15}:)?"
# A cell tag; group 1 its attributes when it may hold a value (not ``<c .../>``).
_CELL = re.compile(_PREFIX + rb"c(?:(?=[\s>])((?:[^>]*[^>/])?)>|[\s/][^>]*/>|/>)")
_FAST = re.compile(
    _PREFIX + rb'c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,6})")?((?:\s[^>/]*)?)(/?)>'
)
_MERGE_FAST = re.compile(
    _PREFIX + rb'mergeCell ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"'
)
_CELL_TAG = re.compile(_PREFIX + rb"c[\s/>]")
_ORDERED = re.compile(_PREFIX + rb"(c|row|mergeCell)(?=[\s/>])([^>]*)>")
_MERGE = re.compile(_PREFIX + rb"mergeCell\s([^>]*)>")
_SHEET = re.compile(_PREFIX + rb"sheet[\s/>]")
_Q = rb"\s*=\s*[\"']"  # attribute values may be quoted either way, with space around "="
_REF = re.compile(rb"\br" + _Q + rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"']")
_ROW_NUMBER = re.compile(rb"\br" + _Q + rb"([0-9]{1,7})[\"']")
_STYLE = re.compile(rb"\bs" + _Q + rb"([0-9]{1,6})[\"']")
_ERROR_TYPE = re.compile(rb"\bt" + _Q + rb"e[\"']")
_MERGE_REF = re.compile(rb"\bref" + _Q + rb"([A-Za-z$0-9:]{1,40})[\"']")
_ERROR_VALUE = re.compile(
    _PREFIX
    + rb"f\b[^>]*?(?:/>|>[^<]*</(?:[A-Za-z_][\w.-]{0,15}:)?f>)|"
    + _PREFIX
    + rb"v>([^<]{0,64})<"
)
_CHUNK = 1024 * 1024
_KEEP = 64 * 1024  # at most this much of an unfinished tag is carried into the next chunk

_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)

ENTITY_MESSAGE = "工作簿的 XML 含有实体或文档类型声明（{}），可能是“十亿笑声”之类的攻击，拒绝读取"


@dataclass
class SheetScan:
    """What the pass learnt of one worksheet part (0-based rows and columns)."""

    rows: int = 0  # rows × cols bound every cell that may hold a value
    cols: int = 0
    far: tuple[int, int] = (0, 0)  # the last such cell, in reading order
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # all but General
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # #DIV/0! and friends


@dataclass
class Package:
    sheets: dict[str, SheetScan]  # by sheet name, for the sheets the workbook lists


def col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1


def check_package(path: Path) -> Package:
    """Refuse an .xlsx package too big to read before anything inflates it, and scan its sheets.

    The sizes are the ones the zip declares, which Python's zipfile enforces while inflating (a
    part that inflates past its declared size fails its check); the parts are counted, each
    part's size and compression ratio bounded, then the sheets and cells counted by streaming
    through workbook.xml and the worksheets, so that nothing is held in memory.
    """
    name = str(path)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            _check_sizes(name, infos)
            parts = {i.filename.lower(): i for i in infos}
            book = parts.get("xl/workbook.xml")
            if book is not None:
                sheets = _count_tags(z, book, _SHEET)
                if sheets > limits.MAX_SHEETS:
                    raise InputError(
                        name, f"工作簿有 {sheets} 张工作表，超过可读取的上限 {limits.MAX_SHEETS} 张"
                    )
            _refuse_declarations(name, z, infos)
            names = _sheet_parts(z, parts)
            styles = _cell_formats(z, parts)
            counter = _Counter(name)
            scans: dict[str, SheetScan] = {}
            for part, info in parts.items():
                in_folder = part.startswith("xl/worksheets/") and part.endswith(".xml")
                if in_folder or part in names:
                    scan = _scan_sheet(z, info, styles, counter)
                    if part in names:
                        scans[names[part]] = scan
            return Package(scans)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise InputError(
            name, f"文件已损坏，无法作为 Excel 工作簿打开（{type(exc).__name__}）"
        ) from None
    except (OSError, RuntimeError) as exc:  # an encrypted member, a truncated stream
        raise InputError(name, f"文件已损坏或格式不受支持（{type(exc).__name__}: {exc}）") from None


def _refuse_declarations(name: str, z: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """No XML part may declare a document type or entities (the prolog comes first)."""
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            with z.open(info) as f:
                if _DECLARATION.search(f.read(4096)):
                    raise InputError(name, ENTITY_MESSAGE.format("DTDForbidden"))


def _check_sizes(name: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > limits.MAX_ZIP_MEMBERS:
        raise InputError(
            name, f"工作簿包含 {len(infos)} 个部件，超过可读取的上限 {limits.MAX_ZIP_MEMBERS} 个"
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.MAX_MEMBER_BYTES:
            raise InputError(
                name,
                f"工作簿中的 {info.filename} 解压后为 {limits.mb(info.file_size)}，"
                f"超过单个部件的上限 {limits.mb(limits.MAX_MEMBER_BYTES)}",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.RATIO_FLOOR and ratio > limits.MAX_RATIO:
            raise InputError(
                name,
                f"工作簿中的 {info.filename} 压缩比为 {ratio:.0f}:1，"
                f"超过上限 {limits.MAX_RATIO}:1（疑似压缩炸弹）",
            )
        if total > limits.MAX_TOTAL_BYTES:
            raise InputError(
                name, f"工作簿解压后超过可读取的上限 {limits.mb(limits.MAX_TOTAL_BYTES)}"
            )


class _Counter:
    """Cells and merged cells of the whole workbook, refused past their limits."""

    def __init__(self, source: str):
        self.source = source
        self.cells = 0
        self.merged = 0

    def add(self, part: str, cells: int, merged: int) -> None:
        self.cells += cells
        if self.cells > limits.MAX_CELLS:
            raise InputError(
                self.source,
                f"工作簿的单元格超过可读取的上限 {limits.MAX_CELLS:,} 个（在 {part} 处）",
            )
        self.merged += merged
        if self.merged > limits.MAX_MERGED_CELLS:
            raise InputError(
                self.source,
                f"合并单元格覆盖的单元格超过可读取的上限 {limits.MAX_MERGED_CELLS:,} 个"
                f"（在 {part} 处）",
            )


def _chunks(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
    """(data, cut) of a part read in chunks: the tags before ``cut`` are this chunk's; the rest
    of ``data`` starts the next one. ``cut`` is at a ``<`` (which no attribute value holds), so
    no tag straddles it, and at least :data:`_KEEP` bytes before the end (what follows an error
    cell's tag is then at hand)."""
    tail = b""
    with z.open(info) as f:
        while True:
            chunk = f.read(_CHUNK)
            data = tail + chunk
            if not chunk:
                yield data, len(data)
                return
            end = max(0, len(data) - _KEEP)
            cut = data.rfind(b"<", 0, end)
            if cut < 0:
                cut = end  # no tag starts before ``end``
            yield data, cut
            tail = data[cut:]


def _count_tags(z: zipfile.ZipFile, info: zipfile.ZipInfo, tag: re.Pattern[bytes]) -> int:
    return sum(1 for data, cut in _chunks(z, info) for m in tag.finditer(data, 0, cut))


def _scan_sheet(
    z: zipfile.ZipFile, info: zipfile.ZipInfo, styles: list[str], counter: _Counter
) -> SheetScan:
    """Count a sheet's cells and merges, and learn each cell with a value: its position, its
    number format and, for an error cell, its text.

    Cells as Excel, WPS, LibreOffice and openpyxl write them (``r=`` first, then ``s=``) are
    matched by one expression and handled as tuples; a sheet with any other cell is read by
    :func:`_scan_sheet_in_order`, which follows every tag."""
    scan = SheetScan()
    shown = {str(i).encode(): code for i, code in enumerate(styles) if code != "General"}
    plain = shown.get(b"0")  # a cell without s= has style 0
    formats = scan.formats
    far_row = far_col = -1
    for data, cut in _chunks(z, info):
        found = _FAST.findall(data, 0, cut)
        if len(found) != len(_CELL_TAG.findall(data, 0, cut)):
            return _scan_sheet_in_order(z, info, styles, counter)
        for letters, digits, style, rest, empty in found:
            if empty:
                continue  # formatting only
            row, col = int(digits) - 1, _col(letters)
            if row > far_row or (row == far_row and col > far_col):
                far_row, far_col = row, col
            if col >= scan.cols:
                scan.cols = col + 1
            if rest and b"s=" in rest:
                style = _style_of(rest)
            code = shown.get(style) if style else plain
            if code is not None:
                formats[(row, col)] = code
        if (b'"e"' in data or b"'e'" in data) and _ERROR_TYPE.search(data, 0, cut):
            _errors(scan, data, cut)
        merged = 0
        if b"mergeCell" in data:
            fast = _MERGE_FAST.findall(data, 0, cut)
            if len(fast) == len(_MERGE.findall(data, 0, cut)):
                merged = sum(_area(*m) for m in fast)
            else:  # some written otherwise (quotes, attribute order): read each the slow way
                merged = sum(_merged_area(m.group(1)) for m in _MERGE.finditer(data, 0, cut))
        counter.add(info.filename, len(found), merged)
    scan.rows = far_row + 1
    scan.far = (max(far_row, 0), max(far_col, 0))
    return scan


def _style_of(attrs: bytes) -> bytes:
    m = _STYLE.search(attrs)
    return m.group(1) if m is not None else b""


def _errors(scan: SheetScan, data: bytes, cut: int) -> None:
    for m in _CELL.finditer(data, 0, cut):
        attrs = m.group(1)
        if attrs and _ERROR_TYPE.search(attrs):
            ref = _REF.search(attrs)
            value = _error_value(data, m.end())
            if ref is not None and value is not None:
                scan.errors[(int(ref.group(2)) - 1, col_index(ref.group(1)))] = value


_COLS: dict[bytes, int] = {}


def _col(letters: bytes) -> int:
    try:
        return _COLS[letters]
    except KeyError:
        n = _COLS[letters] = col_index(letters)
        return n


def _area(c0: bytes, r0: bytes, c1: bytes, r1: bytes) -> int:
    if not c1:
        return 1
    return (abs(int(r1) - int(r0)) + 1) * (abs(_col(c1) - _col(c0)) + 1)


def _cell(
    scan: SheetScan,
    attrs: bytes,
    data: bytes,
    end: int,
    row: int,
    col: int,
    styles: list[str],
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


def _scan_sheet_in_order(
    z: zipfile.ZipFile, info: zipfile.ZipInfo, styles: list[str], counter: _Counter
) -> SheetScan:
    """:func:`_scan_sheet` for a sheet whose cells or rows omit ``r=`` (allowed: the position is
    then the next one), following every row and cell tag in order."""
    scan = SheetScan()
    general = [code == "General" for code in styles]
    row, col = -1, -1
    far_row = far_col = -1
    for data, cut in _chunks(z, info):
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
        counter.add(info.filename, cells, merged)
    scan.rows = far_row + 1
    scan.far = (max(far_row, 0), max(far_col, 0))
    return scan


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


def _merged_area(attrs: bytes) -> int:
    m = _MERGE_REF.search(attrs)
    if m is None:
        return 0
    try:
        box = parse_range(m.group(1).decode())
    except ValueError:
        return 0
    r0, c0, r1, c1 = box
    return (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)


_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``A1:C3`` as 0-based (r0, c0, r1, c1); ValueError for anything else."""
    ends = []
    for part in ref.split(":", 1):
        m = _CELL_REF.match(part)
        if m is None:
            raise ValueError(ref)
        ends.append((int(m.group(2)) - 1, col_index(m.group(1).encode())))
    (r0, c0), (r1, c1) = ends[0], ends[-1]
    return r0, c0, r1, c1


def _parse_xml(z: zipfile.ZipFile, info: zipfile.ZipInfo):
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    with z.open(info) as f:
        data = f.read()
    try:
        return fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(
            z.filename or "工作簿", ENTITY_MESSAGE.format(type(exc).__name__)
        ) from None
    except ParseError as exc:
        raise InputError(
            z.filename or "工作簿", f"文件已损坏（{info.filename} 不是有效的 XML：{exc}）"
        ) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(z: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """Worksheet part (lower-case path in the zip) -> sheet name."""
    book, rels = parts.get("xl/workbook.xml"), parts.get("xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return {}
    targets = {}
    for rel in _parse_xml(z, rels):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(path).lower()
    out = {}
    for node in _parse_xml(z, book).iter():
        if _local(node.tag) != "sheet":
            continue
        rid = next((v for k, v in node.attrib.items() if _local(k) == "id"), None)
        if rid in targets:
            out[targets[rid]] = node.get("name", "")
    return out


def _cell_formats(z: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo]) -> list[str]:
    """The number format code of each cell style (``s=`` index), as openpyxl names them."""
    info = parts.get("xl/styles.xml")
    if info is None:
        return []
    root = _parse_xml(z, info)
    custom: dict[int, str] = {}
    codes: list[str] = []
    for node in root:
        kind = _local(node.tag)
        if kind == "numFmts":
            for fmt in node:
                try:
                    custom[int(fmt.get("numFmtId", ""))] = fmt.get("formatCode", "General")
                except ValueError:
                    continue
        elif kind == "cellXfs":
            for xf in node:
                try:
                    number = int(xf.get("numFmtId", "0"))
                except ValueError:
                    number = 0
                codes.append(custom.get(number) or builtin_format(number))
    return codes
