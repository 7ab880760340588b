"""One pass over an .xlsx package before python-calamine reads it: refuse what is too big, and
learn what calamine does not say (each cell's number format, error values, how far each sheet's
content reaches).

The file is read once; the sizes the zip declares are bounded before anything is inflated, and
each part is inflated at most to its declared size. Nothing is parsed as XML (so no entity is
ever expanded): the worksheets are inflated in chunks and matched with regular expressions on
bytes, and so are the few attributes wanted from the workbook, its relationships and its styles.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from xlperf import limits
from xlperf.errors import InputError
from xlperf.reader.formats import builtin_format
from xlperf.reader.scan import SheetScan, scan_in_order, scan_sheet

_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_HEAD = 4096  # the prolog, where a DOCTYPE would stand, is within this much of a part's start
_REPACK_MAX = 16 * 1024 * 1024  # inflated parts held for calamine, at most (else it inflates)
_ROOT = re.compile(rb"<[A-Za-z_]")  # an element's start: the prolog has ended
_CHUNK = 1024 * 1024
_KEEP = 64 * 1024  # at most this much of an unfinished tag is carried into the next chunk

ENTITY_MESSAGE = "工作簿的 XML 含有实体或文档类型声明（{}），可能是“十亿笑声”之类的攻击，拒绝读取"

_PREFIX = rb"<(?:[A-Za-z_][\w.-]{0,15}:)?"
# A tag's attributes in group 1, from the space before the first.
_SHEET = re.compile(_PREFIX + rb"sheet(?=[\s/>])([^>]*)>")
_RELATIONSHIP = re.compile(_PREFIX + rb"Relationship(?=[\s/>])([^>]*)>")
_NUMFMT = re.compile(_PREFIX + rb"numFmt(?=[\s/>])([^>]*)>")
_XF = re.compile(_PREFIX + rb"xf(?=[\s/>])([^>]*)>")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_ANY_ID = rb"(?:[A-Za-z_][\w.-]*:)?id"
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


@dataclass
class Package:
    sheets: dict[str, SheetScan]  # by sheet name, for the sheets the workbook lists
    data: bytes = field(repr=False)  # the package for calamine (see _Parts.for_calamine)


def check_package(path: Path) -> Package:
    """Refuse an .xlsx package too big to read before anything inflates it, and scan its sheets.

    The sizes are the ones the zip declares: the parts are counted, each part's size and
    compression ratio bounded, and a part that inflates past its declared size is corrupt; then
    the sheets and cells are counted (see :func:`xlperf.reader.scan.scan_sheet`).
    """
    name = str(path)
    try:
        data = path.read_bytes()
        parts = _Parts(name, data)
        _check_sizes(name, parts.infos)
        book = parts.get("xl/workbook.xml")
        book_xml = parts.read(book) if book is not None else b""
        sheets = len(_SHEET.findall(book_xml))
        if sheets > limits.MAX_SHEETS:
            raise InputError(
                name, f"工作簿有 {sheets} 张工作表，超过可读取的上限 {limits.MAX_SHEETS} 张"
            )
        rels, styles = parts.get("xl/_rels/workbook.xml.rels"), parts.get("xl/styles.xml")
        small = {book: book_xml, rels: parts.read(rels), styles: parts.read(styles)}
        names = _sheet_parts(book_xml, small[rels]) if book and rels else {}
        scanned = [
            (part, info)
            for part, info in parts.by_name.items()
            if part in names or (part.startswith("xl/worksheets/") and part.endswith(".xml"))
        ]
        _refuse_declarations(name, parts, small, {info for _, info in scanned})
        formats = _cell_formats(small[styles])
        # Every cell tag takes 4 bytes at least: below this, the cells need no counting.
        counting = sum(i.file_size for _, i in scanned) > 4 * limits.MAX_CELLS
        counter = _Counter(name)
        scans: dict[str, SheetScan] = {}
        for part, info in scanned:
            chunks = partial(parts.chunks, info)
            scan = scan_sheet(info.filename, chunks, formats, counter, counting)
            if part in names:
                scans[names[part]] = scan
        if _bounds_too_loose(scans.values()):  # the exact reach decides
            for part, info in scanned:
                if part in names and not scans[names[part]].exact:
                    chunks = partial(parts.chunks, info)
                    scans[names[part]] = scan_in_order(
                        info.filename, chunks, formats, _Counter(name)
                    )
        return Package(scans, parts.for_calamine())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise InputError(
            name, f"文件已损坏，无法作为 Excel 工作簿打开（{type(exc).__name__}）"
        ) from None
    except (OSError, RuntimeError) as exc:  # an encrypted member, a truncated stream
        raise InputError(name, f"文件已损坏或格式不受支持（{type(exc).__name__}: {exc}）") from None


class _Parts:
    """The members of a zip held in memory, inflated by zlib straight from the file's bytes
    (zipfile only for the central directory, and for members stored any other way)."""

    def __init__(self, source: str, data: bytes):
        self.source = source
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.infos = self.zip.infolist()
        self.by_name = {i.filename.lower(): i for i in self.infos}
        self.inflated: dict[zipfile.ZipInfo, list[bytes]] | None = {}  # whole parts read
        self.kept = 0

    def _keep(self, info: zipfile.ZipInfo, pieces: list[bytes]) -> None:
        if self.inflated is None or info in self.inflated:
            return
        self.kept += info.file_size
        if self.kept > _REPACK_MAX:
            self.inflated = None  # calamine inflates them again rather than hold them all
        else:
            self.inflated[info] = pieces

    def for_calamine(self) -> bytes:
        """The package with the parts already inflated stored as they are, so that calamine
        reads exactly the bytes scanned and inflates nothing twice; the file as it is if a part
        is stored otherwise (encrypted, another compression)."""
        if not self.inflated or any(not _plain(i) for i in self.infos):
            return self.data
        local, central, offset = [], [], 0
        for info in self.infos:
            utf8 = info.flag_bits & 0x800  # the name as the zip spells it
            name = info.orig_filename.encode("utf-8" if utf8 else "cp437")
            pieces = self.inflated.get(info)
            if pieces is None:
                method, body, size = info.compress_type, self._raw(info), info.compress_size
            else:
                method, body = zipfile.ZIP_STORED, b"".join(pieces)
                size = len(body)
            fields = (utf8, method, 0, 0x21, info.CRC, size, info.file_size, len(name))
            local += [struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, *fields, 0), name, body]
            central += [
                struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, *fields, 0, 0, 0, 0, 0, offset),
                name,
            ]
            offset += 30 + len(name) + len(body)
        directory = b"".join(central)
        n = len(self.infos)
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(directory), offset, 0)
        return b"".join([*local, directory, end])

    def get(self, part: str) -> zipfile.ZipInfo | None:
        return self.by_name.get(part)

    def read(self, info: zipfile.ZipInfo | None) -> bytes:
        """A whole (small) part, or b"" for none."""
        if info is None:
            return b""
        pieces = [chunk for chunk, _ in self._inflate(info, info.file_size + 1)]
        self._keep(info, pieces)
        return b"".join(pieces)

    def head(self, info: zipfile.ZipInfo) -> bytes:
        """A part's start: its first :data:`_HEAD` bytes, or fewer holding its root element's
        start (the prolog has then ended)."""
        if not _plain(info):
            return next(_stream(self.zip, info, _HEAD), (b"", True))[0]
        raw = self._raw(info)
        if info.compress_type == zipfile.ZIP_STORED:
            return bytes(raw[:_HEAD])
        inflater = zlib.decompressobj(-15)
        try:
            head = inflater.decompress(raw, 512)
            if not _ROOT.search(head):
                head += inflater.decompress(inflater.unconsumed_tail, _HEAD - len(head))
        except zlib.error as exc:
            raise zipfile.BadZipFile(f"{info.filename}: {exc}") from None
        return head

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
        """(data, cut) of a part inflated in chunks: the tags before ``cut`` are this chunk's;
        the rest of ``data`` starts the next one. ``cut`` is at a ``<`` (which no attribute
        value holds), so no tag straddles it, and at least :data:`_KEEP` bytes before the end
        (what follows an error cell's tag is then at hand)."""
        tail, pieces = b"", []
        for chunk, last in self._inflate(info, _CHUNK):
            if not pieces:
                _refuse_declaration(self.source, chunk)
            pieces.append(chunk)
            data = tail + chunk
            if last:
                self._keep(info, pieces)
                yield data, len(data)
                return
            end = max(0, len(data) - _KEEP)
            cut = data.rfind(b"<", 0, end)
            if cut < 0:
                cut = end  # no tag starts before ``end``
            yield data, cut
            tail = data[cut:]

    def _raw(self, info: zipfile.ZipInfo) -> memoryview:
        """The part's bytes as the zip holds them."""
        start = info.header_offset
        if self.data[start : start + 4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"{info.filename}: bad local header")
        n, m = struct.unpack_from("<HH", self.data, start + 26)
        begin = start + 30 + n + m
        raw = memoryview(self.data)[begin : begin + info.compress_size]
        if len(raw) < info.compress_size:
            raise EOFError(info.filename)
        return raw

    def _inflate(
        self, info: zipfile.ZipInfo, size: int, whole: bool = True
    ) -> Iterator[tuple[bytes, bool]]:
        """(piece, is_last) of ``size`` bytes at most each; the part may not inflate past the
        size the zip declares (nor, read whole, short of it)."""
        if not _plain(info):
            yield from _stream(self.zip, info, size)  # zipfile refuses or inflates these
            return
        raw = self._raw(info)
        if info.compress_type == zipfile.ZIP_STORED:
            for at in range(0, max(len(raw), 1), size):
                yield bytes(raw[at : at + size]), at + size >= len(raw)
            if len(raw) != info.file_size and whole:
                raise zipfile.BadZipFile(f"{info.filename}: size differs from the directory")
            return
        inflater, done = zlib.decompressobj(-15), 0
        pending: bytes | memoryview = raw
        while True:
            try:
                piece = inflater.decompress(pending, size)
            except zlib.error as exc:
                raise zipfile.BadZipFile(f"{info.filename}: {exc}") from None
            pending = inflater.unconsumed_tail
            done += len(piece)
            if done > info.file_size:
                raise zipfile.BadZipFile(f"{info.filename}: inflates past its declared size")
            last = inflater.eof or (not pending and len(piece) < size)
            if last and whole and (done != info.file_size or not inflater.eof):
                raise zipfile.BadZipFile(f"{info.filename}: size differs from the directory")
            yield piece, last
            if last:
                return


def _plain(info: zipfile.ZipInfo) -> bool:
    """Not encrypted, and stored or deflated (what zlib inflates)."""
    return not info.flag_bits & 1 and info.compress_type in (
        zipfile.ZIP_STORED,
        zipfile.ZIP_DEFLATED,
    )


def _stream(z: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> Iterator[tuple[bytes, bool]]:
    with z.open(info) as f:
        piece = f.read(size)
        while True:
            following = f.read(size)
            yield piece, not following
            if not following:
                return
            piece = following


def _bounds_too_loose(scans: Iterable[SheetScan]) -> bool:
    """Whether a sheet's bounded reach may pass a limit of the used range that its exact reach
    does not (below them, no sheet is refused either way)."""
    areas = [s.rows * s.cols for s in scans]
    return max(areas, default=0) > limits.MAX_SHEET_AREA or sum(areas) > limits.MAX_BOOK_AREA


def _refuse_declarations(
    name: str,
    parts: _Parts,
    read: dict[zipfile.ZipInfo | None, bytes],
    later: set[zipfile.ZipInfo],
) -> None:
    """No XML part may declare a document type or entities (in its prolog, before the root
    element). The parts in ``later`` are checked as they are read."""
    for info in parts.infos:
        if info not in later and info.filename.lower().endswith((".xml", ".rels", ".vml")):
            _refuse_declaration(name, read[info] if info in read else parts.head(info))


def _refuse_declaration(name: str, start: bytes) -> None:
    if _DECLARATION.search(start, 0, _HEAD):
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


@lru_cache(maxsize=16)
def _attribute(name: bytes) -> re.Pattern[bytes]:
    """Attribute ``name`` of a tag (``name`` may be an expression), its value in group 1 or 2."""
    return re.compile(rb"\s" + name + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _get(tag: bytes, name: bytes) -> str | None:
    """The value of attribute ``name``, decoded as an XML parser decodes it (whitespace
    normalised, character references and the five predefined entities replaced)."""
    m = _attribute(name).search(tag)
    if m is None:
        return None
    raw = m.group(1) if m.group(2) is None else m.group(2)
    text = raw.replace(b"\r\n", b"\n").translate(_SPACES).decode("utf-8", "replace")
    return _ENTITY.sub(_entity, text) if "&" in text else text


_SPACES = bytes.maketrans(b"\t\n\r", b"   ")


def _entity(m: re.Match[str]) -> str:
    ref = m.group(1)
    if ref[0] != "#":
        return _NAMED[ref]
    try:
        return chr(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:]))
    except (ValueError, OverflowError):
        return m.group(0)


@lru_cache(maxsize=8)  # workbooks filled in from one template share these parts
def _sheet_parts(book: bytes, rels: bytes) -> dict[str, str]:
    """Worksheet part (lower-case path in the zip) -> sheet name (not to be changed)."""
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        target = _get(tag, b"Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[_get(tag, b"Id")] = posixpath.normpath(path).lower()
    out = {}
    for tag in _SHEET.findall(book):
        rid = _get(tag, _ANY_ID)  # r:id, whatever the prefix
        if rid in targets:
            out[targets[rid]] = _get(tag, b"name") or ""
    return out


@lru_cache(maxsize=8)
def _cell_formats(styles: bytes) -> tuple[str, ...]:
    """The number format code of each cell style (``s=`` index), as openpyxl names them."""
    custom: dict[int, str] = {}
    for tag in _NUMFMT.findall(_section(styles, b"numFmts")):
        code = _get(tag, b"formatCode")
        try:
            custom[int(_get(tag, b"numFmtId") or "")] = "General" if code is None else code
        except ValueError:
            continue
    codes: list[str] = []
    for tag in _XF.findall(_section(styles, b"cellXfs")):
        try:
            number = int(_get(tag, b"numFmtId") or "0")
        except ValueError:
            number = 0
        codes.append(custom.get(number) or builtin_format(number))
    return tuple(codes)


def _section(xml: bytes, tag: bytes) -> bytes:
    """The first ``<tag>…</tag>`` element of ``xml`` (any prefix), or b""."""
    m = re.search(_PREFIX + tag + rb"[\s>]", xml)
    if m is None:
        return b""
    end = re.compile(rb"</(?:[A-Za-z_][\w.-]{0,15}:)?" + tag + rb"\s*>").search(xml, m.end())
    return xml[m.end() : end.start() if end else len(xml)]
