"""[MS-OVBA]: a VBA project (``vbaProject.bin``) from module source text.

The project carries source only: ``_VBA_PROJECT`` has version 0xFFFF and no performance cache
(§2.3.4.1), every module stream holds just its compressed source at offset 0 (§2.3.4.3), so the
host compiles the code from source when it opens the file. Written here: the compression of
§2.4.1, the ``dir`` stream (§2.3.4.2), the ``PROJECT`` (§2.3.1) and ``PROJECTwm`` (§2.3.3)
streams and the data encryption of §2.4.3 for the ``CMG``/``DPB``/``GC`` project properties.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from xlperf.addin.cfb import write_compound_file

CODEPAGE = 1252
ENCODING = "cp1252"
LCID = 0x0409
SYSKIND_WIN64 = 3

STANDARD, CLASS, DOCUMENT = "standard", "class", "document"

CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"

# Type libraries every Excel VBA project references (the host's own library is implicit).
REFERENCES = (
    (
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation",
    ),
    (
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files\Microsoft Shared"
        r"\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)
HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"


# --- §2.4.1 compression -------------------------------------------------------------------------

CHUNK = 4096


def _copy_token_bits(difference: int) -> int:
    """Offset bits of a copy token at ``difference`` bytes into a chunk (§2.4.1.3.19.1)."""
    return max((difference - 1).bit_length(), 4)


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    """The CompressedChunkData of ``data[start:end]``: the longest, nearest match at each step."""
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    pos = start
    indexed = start

    def index_to(limit: int) -> None:
        nonlocal indexed
        while indexed < limit:
            if indexed + 3 <= end:
                heads.setdefault(data[indexed : indexed + 3], []).append(indexed)
            indexed += 1

    while pos < end:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            best_len, best_off = 0, 0
            if pos + 3 <= end and pos > start:
                bits = _copy_token_bits(pos - start)
                max_len = min((0xFFFF >> bits) + 3, end - pos)
                for cand in reversed(heads.get(data[pos : pos + 3], ())):
                    if best_len >= max_len:
                        break
                    if best_len and data[cand + best_len] != data[pos + best_len]:
                        continue  # cannot beat the best match so far
                    length = 3
                    while length < max_len and data[cand + length] == data[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
            if best_len >= 3:
                bits = _copy_token_bits(pos - start)
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                pos += best_len
            else:
                out.append(data[pos])
                pos += 1
            index_to(pos)
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer (§2.4.1.1) holding ``data``."""
    data = bytes(data)
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        end = min(start + CHUNK, len(data))
        body = _compress_chunk(data, start, end)
        if len(body) <= CHUNK:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
        else:  # a raw chunk always holds 4096 bytes (§2.4.1.3.10), padded if it is the last one
            out += struct.pack("<H", 0x3000 | (CHUNK + 2 - 3)) + data[start:end].ljust(CHUNK, b"\0")
    return bytes(out)


# --- §2.4.3 data encryption ---------------------------------------------------------------------


def encrypt(data: bytes, project_id: str, seed: int, ignored: bytes | None = None) -> str:
    """The hex text of ``data`` obfuscated per §2.4.3.2 with a fixed seed (deterministic)."""
    proj_key = sum(project_id.encode(ENCODING)) & 0xFF
    version_enc = seed ^ 2
    proj_key_enc = seed ^ proj_key
    out = bytearray([seed, version_enc, proj_key_enc])
    unencrypted1, encrypted1, encrypted2 = proj_key, proj_key_enc, version_enc
    n_ignored = (seed & 6) // 2
    ignored = (ignored or b"\0" * n_ignored)[:n_ignored].ljust(n_ignored, b"\0")
    for byte in ignored + struct.pack("<I", len(data)) + bytes(data):
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    return out.hex().upper()


# --- modules ------------------------------------------------------------------------------------

_VB_NAME = re.compile(r'^Attribute VB_Name = "([A-Za-z][A-Za-z0-9_]{0,30})"\s*$', re.M)


@dataclass(frozen=True)
class Module:
    """A VBA module: its name, kind (standard, class or document) and stored source text."""

    name: str
    kind: str
    source: str

    @property
    def code(self) -> bytes:
        """The source as stored: CRLF line ends, project code page."""
        lines = self.source.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")
        return ("\r\n".join(lines) + "\r\n").encode(ENCODING)


def module_from_text(text: str, filename: str) -> Module:
    """A module from the text of an exported ``.bas`` or ``.cls`` file.

    A class file's ``VERSION``/``BEGIN``…``END`` header is dropped and the attributes the VBA
    editor stores but does not export (``VB_Base``, ``VB_TemplateDerived``, ``VB_Customizable``)
    are added, as in a project saved by Office.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    match = _VB_NAME.search(text)
    if match is None:
        raise ValueError(f"{filename}: no 'Attribute VB_Name = \"...\"' line")
    name = match.group(1)
    if filename.lower().endswith(".cls"):
        lines = text.split("\n")
        first = next(i for i, line in enumerate(lines) if line.startswith("Attribute VB_Name"))
        lines = lines[first:]
        attrs = 1
        while attrs < len(lines) and lines[attrs].startswith("Attribute "):
            attrs += 1
        head = [lines[0], f'Attribute VB_Base = "{CLASS_BASE}"']
        rest = lines[1:attrs]
        exposed = next(
            (i for i, line in enumerate(rest) if line.startswith("Attribute VB_Exposed")),
            len(rest) - 1,
        )
        extra = ["Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False"]
        rest = rest[: exposed + 1] + extra + rest[exposed + 1 :]
        return Module(name, CLASS, "\n".join(head + rest + lines[attrs:]))
    if not filename.lower().endswith(".bas"):
        raise ValueError(f"{filename}: not a .bas or .cls file")
    return Module(name, STANDARD, text[match.start() :])


def module_from_file(path: Path) -> Module:
    """A module from an exported ``.bas``/``.cls`` file (ASCII or the project code page)."""
    module = module_from_text(path.read_bytes().decode(ENCODING), path.name)
    if module.name != path.stem:
        raise ValueError(f"{path}: VB_Name {module.name!r} differs from the file name")
    return module


def document_module(name: str, base: str) -> Module:
    """An empty document module (``ThisWorkbook``, a sheet) with the attributes Office stores."""
    attrs = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return Module(name, DOCUMENT, "\n".join(attrs))


# --- streams ------------------------------------------------------------------------------------


def _mbcs(text: str) -> bytes:
    return text.encode(ENCODING)


def _rec(rid: int, payload: bytes) -> bytes:
    return struct.pack("<HI", rid, len(payload)) + payload


def _rec_pair(rid: int, text: str, rid_unicode: int) -> bytes:
    return _rec(rid, _mbcs(text)) + _rec(rid_unicode, text.encode("utf-16-le"))


def dir_stream(project_name: str, modules: Iterable[Module]) -> bytes:
    """The uncompressed ``dir`` stream (§2.3.4.2) of a project with these modules."""
    modules = list(modules)
    out = bytearray()
    out += _rec(0x0001, struct.pack("<I", SYSKIND_WIN64))
    out += _rec(0x0002, struct.pack("<I", LCID))
    out += _rec(0x0014, struct.pack("<I", LCID))
    out += _rec(0x0003, struct.pack("<H", CODEPAGE))
    out += _rec(0x0004, _mbcs(project_name))
    out += _rec_pair(0x0005, "", 0x0040)  # doc string
    out += _rec(0x0006, b"") + _rec(0x003D, b"")  # help file 1 and 2
    out += _rec(0x0007, struct.pack("<I", 0))  # help context
    out += _rec(0x0008, struct.pack("<I", 0))  # lib flags
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # version 1.0 (Reserved is 4, not the size)
    out += _rec_pair(0x000C, "", 0x003C)  # constants
    for name, libid in REFERENCES:
        out += _rec_pair(0x0016, name, 0x003E)
        lib = _mbcs(libid)
        out += _rec(0x000D, struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0))
    out += _rec(0x000F, struct.pack("<H", len(modules)))
    out += _rec(0x0013, struct.pack("<H", 0xFFFF))
    for m in modules:
        out += _rec(0x0019, _mbcs(m.name))
        out += _rec(0x0047, m.name.encode("utf-16-le"))
        out += _rec_pair(0x001A, m.name, 0x0032)  # stream name
        out += _rec_pair(0x001C, "", 0x0048)  # doc string
        out += _rec(0x0031, struct.pack("<I", 0))  # source at offset 0: no performance cache
        out += _rec(0x001E, struct.pack("<I", 0))  # help context
        out += _rec(0x002C, struct.pack("<H", 0xFFFF))
        out += _rec(0x0021 if m.kind == STANDARD else 0x0022, b"")
        out += _rec(0x002B, b"")
    out += _rec(0x0010, b"")
    return bytes(out)


def project_stream(project_name: str, project_id: str, modules: Iterable[Module]) -> bytes:
    """The ``PROJECT`` stream (§2.3.1): module list, name, unprotected and visible."""
    lines = [f'ID="{project_id}"']
    for m in modules:
        if m.kind == DOCUMENT:
            lines.append(f"Document={m.name}/&H00000000")
        elif m.kind == CLASS:
            lines.append(f"Class={m.name}")
        else:
            lines.append(f"Module={m.name}")
    cmg = encrypt(struct.pack("<I", 0), project_id, 0x41)  # not protected
    dpb = encrypt(bytes([0]), project_id, 0x43)  # no password
    gc = encrypt(bytes([0xFF]), project_id, 0x45)  # visible
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{cmg}"',
        f'DPB="{dpb}"',
        f'GC="{gc}"',
        "",
        "[Host Extender Info]",
        HOST_EXTENDER,
        "",
    ]
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING)


def project_wm_stream(modules: Iterable[Module]) -> bytes:
    """The ``PROJECTwm`` stream (§2.3.3): module names in the code page and in UTF-16."""
    out = bytearray()
    for m in modules:
        out += _mbcs(m.name) + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
    return bytes(out + b"\0\0")


VBA_PROJECT_STREAM = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)


def project_streams(
    project_name: str, project_id: str, modules: Iterable[Module]
) -> dict[str, bytes]:
    """Every stream of the project storage, by compound-file path."""
    modules = list(modules)
    names = [m.name.upper() for m in modules]
    if len(set(names)) != len(names):
        raise ValueError("duplicate module names")
    if project_name.upper() in names:
        raise ValueError("the project name must differ from every module name")
    streams = {
        "PROJECT": project_stream(project_name, project_id, modules),
        "PROJECTwm": project_wm_stream(modules),
        "VBA/_VBA_PROJECT": VBA_PROJECT_STREAM,
        "VBA/dir": compress(dir_stream(project_name, modules)),
    }
    for m in modules:
        streams[f"VBA/{m.name}"] = compress(m.code)
    return streams


def vba_project_bin(project_name: str, project_id: str, modules: Iterable[Module]) -> bytes:
    """The bytes of ``vbaProject.bin``."""
    return write_compound_file(project_streams(project_name, project_id, modules))
