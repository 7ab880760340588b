"""A minimal, deterministic writer of [MS-CFB] compound files (version 3, 512-byte sectors).

Enough for ``vbaProject.bin``: storages and streams given as ``"VBA/dir"``-style paths. Streams
shorter than 4096 bytes go to the mini stream (64-byte mini sectors, mini FAT); the others get
regular sectors. The layout is fixed (header, FAT, directory, mini FAT, mini stream, large
streams, in directory order), timestamps and CLSIDs are zero, and the directory's red-black trees are
balanced binary trees coloured so that every path has the same number of black nodes, so the same
streams always give the same bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
DIFAT_IN_HEADER = 109

FATSECT = 0xFFFFFFFD
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
NOSTREAM = 0xFFFFFFFF

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
TYPE_STORAGE, TYPE_STREAM, TYPE_ROOT = 1, 2, 5
RED, BLACK = 0, 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def name_key(name: str) -> tuple[int, str]:
    """Sort key of sibling names per [MS-CFB] 2.6.4: shorter first, then by upper-cased code points."""
    return (len(name), name.upper())


def _check_name(name: str) -> None:
    if not name or len(name) > 31 or any(c in name for c in "/\\:!"):
        raise ValueError(f"invalid compound file entry name: {name!r}")


def _tree(root: _Entry, streams: Mapping[str, bytes]) -> None:
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for i, part in enumerate(parts):
            _check_name(part)
            last = i == len(parts) - 1
            existing = next(
                (c for k, c in node.children.items() if k.upper() == part.upper()), None
            )
            if existing is None:
                existing = _Entry(
                    part, TYPE_STREAM if last else TYPE_STORAGE, bytes(data) if last else b""
                )
                node.children[part] = existing
            elif last or existing.kind != TYPE_STORAGE:
                raise ValueError(f"duplicate or conflicting compound file path: {path!r}")
            node = existing


def _balanced(entries: list[_Entry], depth: int, height: int) -> int:
    """Link sorted siblings as a midpoint-split tree; return the subtree root's id.

    Every level but the deepest (``height``) of such a tree is full, so colouring the deepest
    level red and the rest black gives every path the same number of black nodes.
    """
    if not entries:
        return NOSTREAM
    mid = len(entries) // 2
    node = entries[mid]
    node.left = _balanced(entries[:mid], depth + 1, height)
    node.right = _balanced(entries[mid + 1 :], depth + 1, height)
    node.color = RED if depth == height > 0 else BLACK
    return node.sid


def _link(storage: _Entry) -> None:
    siblings = sorted(storage.children.values(), key=lambda e: name_key(e.name))
    if siblings:
        storage.child = _balanced(siblings, 0, len(siblings).bit_length() - 1)
    for entry in siblings:
        _link(entry)


def _chain(fat: list[int], start: int, count: int) -> None:
    for i in range(count):
        fat[start + i] = start + i + 1 if i < count - 1 else ENDOFCHAIN


def _sectors(size: int, unit: int) -> int:
    return (size + unit - 1) // unit


def _dir_entry(e: _Entry) -> bytes:
    name = e.name.encode("utf-16-le") + b"\0\0"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        e.kind,
        e.color,
        e.left,
        e.right,
        e.child,
        b"\0" * 16,
        0,
        0,
        0,
        e.start,
        e.size,
    )


_FREE_ENTRY = struct.pack(
    "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"", 0, 0, 0, 0, 0
)


def write_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """The bytes of a compound file holding ``streams`` (``"Storage/Stream"`` paths → data)."""
    root = _Entry("Root Entry", TYPE_ROOT)
    _tree(root, streams)

    # Directory order: root, then depth-first in sorted name order (stable, deterministic).
    order: list[_Entry] = []

    def visit(e: _Entry) -> None:
        e.sid = len(order)
        order.append(e)
        for c in sorted(e.children.values(), key=lambda c: name_key(c.name)):
            visit(c)

    visit(root)
    _link(root)

    small = [e for e in order if e.kind == TYPE_STREAM and 0 < len(e.data) < MINI_CUTOFF]
    large = [e for e in order if e.kind == TYPE_STREAM and len(e.data) >= MINI_CUTOFF]

    mini = bytearray()
    mini_fat: list[int] = []
    for e in small:
        count = _sectors(len(e.data), MINI_SECTOR)
        e.start, e.size = len(mini_fat), len(e.data)
        mini_fat.extend([0] * count)
        _chain(mini_fat, e.start, count)
        mini += e.data.ljust(count * MINI_SECTOR, b"\0")
    for e in order:
        if e.kind == TYPE_STREAM and not e.data:
            e.start, e.size = ENDOFCHAIN, 0

    n_dir = _sectors(len(order) * 128, SECTOR)
    n_minifat = _sectors(len(mini_fat) * 4, SECTOR)
    n_mini = _sectors(len(mini), SECTOR)
    n_large = sum(_sectors(len(e.data), SECTOR) for e in large)
    n_fat = 1
    while True:
        total = n_fat + n_dir + n_minifat + n_mini + n_large
        if _sectors(total * 4, SECTOR) <= n_fat:
            break
        n_fat += 1
    if n_fat > DIFAT_IN_HEADER:
        raise ValueError("compound file too large for this writer (needs DIFAT sectors)")

    fat = [FREESECT] * (n_fat * SECTOR // 4)
    for i in range(n_fat):
        fat[i] = FATSECT
    pos = n_fat
    dir_start = pos
    _chain(fat, pos, n_dir)
    pos += n_dir
    minifat_start = pos if n_minifat else ENDOFCHAIN
    _chain(fat, pos, n_minifat)
    pos += n_minifat
    root.start = pos if n_mini else ENDOFCHAIN
    root.size = len(mini)
    _chain(fat, pos, n_mini)
    pos += n_mini
    for e in large:
        count = _sectors(len(e.data), SECTOR)
        e.start, e.size = pos, len(e.data)
        _chain(fat, pos, count)
        pos += count

    difat = list(range(n_fat)) + [FREESECT] * (DIFAT_IN_HEADER - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        SIGNATURE,
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        n_fat,
        dir_start,
        0,
        MINI_CUTOFF,
        minifat_start,
        n_minifat,
        ENDOFCHAIN,
        0,
    ) + struct.pack(f"<{DIFAT_IN_HEADER}I", *difat)

    def padded(data: bytes | bytearray, count: int, fill: bytes = b"\0") -> bytes:
        return bytes(data).ljust(count * SECTOR, fill)

    directory = b"".join(_dir_entry(e) for e in order)
    directory += _FREE_ENTRY * (n_dir * SECTOR // 128 - len(order))
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    parts = [
        header,
        struct.pack(f"<{len(fat)}I", *fat),
        directory,
        padded(mini_fat_bytes, n_minifat, b"\xff"),
        padded(mini, n_mini),
    ]
    parts += [padded(e.data, _sectors(len(e.data), SECTOR)) for e in large]
    return b"".join(parts)
