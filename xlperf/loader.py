"""Open a workbook file of any kind Excel users send, as grids, with clear errors for bad input."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path
from typing import Any

from xlperf.errors import InputError
from xlperf.grid import Grid, grid_from_openpyxl, grid_from_xlrd

OOXML_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
LOCK_PREFIX = "~$"


def sniff(path: Path) -> str:
    """'ooxml', 'xls' or 'encrypted' by content, not by name; InputError otherwise."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except FileNotFoundError:
        raise InputError(str(path), "文件不存在") from None
    except IsADirectoryError:
        raise InputError(str(path), "这是一个文件夹，不是 Excel 文件") from None
    except OSError as exc:
        raise InputError(str(path), f"无法打开文件（{exc.strerror or exc}）") from None
    if not head:
        raise InputError(str(path), "文件为空（0 字节），不是有效的 Excel 工作簿")
    if head.startswith(ZIP_MAGIC):
        return "ooxml"
    if head == OLE_MAGIC:
        return "encrypted" if _is_encrypted_ole(path) else "xls"
    raise InputError(str(path), "不是 Excel 文件（无法识别的文件格式）")


def _is_encrypted_ole(path: Path) -> bool:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except Exception:  # noqa: BLE001 - a broken OLE file is reported by the xls reader
        return False


def load_grids(path: Path, *, with_formulas: bool = False) -> list[Grid]:
    """Every sheet of the workbook as a grid (values as last calculated)."""
    kind = sniff(path)
    if kind == "encrypted":
        raise InputError(str(path), "文件设有打开密码（已加密），请取消密码后再检查")
    if kind == "xls":
        return _load_xls(path)
    return _load_ooxml(path, with_formulas)


def open_ooxml(path: Path, *, data_only: bool, keep_vba: bool = False) -> Any:
    """An openpyxl workbook, or InputError saying why the file cannot be opened."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, data_only=data_only, keep_vba=keep_vba)
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise InputError(
            str(path), f"文件已损坏，无法作为 Excel 工作簿打开（{type(exc).__name__}）"
        ) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on malformed parts
        raise InputError(
            str(path), f"文件已损坏或格式不受支持（{type(exc).__name__}: {exc}）"
        ) from None


def _load_ooxml(path: Path, with_formulas: bool) -> list[Grid]:
    book = open_ooxml(path, data_only=True)
    if not with_formulas:
        return [grid_from_openpyxl(ws) for ws in book.worksheets]
    formula_book = open_ooxml(path, data_only=False)
    return [grid_from_openpyxl(ws, book[ws.title]) for ws in formula_book.worksheets]


def _load_xls(path: Path) -> list[Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=False)
    except Exception as exc:  # noqa: BLE001 - xlrd raises XLRDError, CompDocError, struct errors
        raise InputError(str(path), f"旧版 .xls 文件已损坏或无法读取（{exc}）") from None
    return [grid_from_xlrd(book, book.sheet_by_index(i)) for i in range(book.nsheets)]


def is_lock_file(path: Path) -> bool:
    return path.name.startswith(LOCK_PREFIX)


OUTPUT_TAGS = ("_已检查", "_自评报告", "_汇总")
"""What xlperf adds to a workbook's name for its outputs (fix, report --sheet, rollup)."""


def is_our_output(path: Path, siblings: set[Path]) -> bool:
    """An earlier output of xlperf beside its source: ``<name>_已检查.xlsx`` next to ``<name>.*``
    (a file so named without its source beside it is the user's and is kept)."""
    for tag in OUTPUT_TAGS:
        if path.stem.endswith(tag) and len(path.stem) > len(tag):
            source = path.stem[: -len(tag)]
            if any(q.parent == path.parent and q.stem == source for q in siblings):
                return True
    return False


def workbook_paths(paths: list[Path], skipped: list[Path] | None = None) -> list[Path]:
    """Expand folders into the workbooks below them (Excel's lock files ~$*.xlsx left out, and
    xlperf's own earlier outputs beside their sources, which would count every form twice: put in
    ``skipped``, or named on stderr when no list is given). A file named on its own is kept."""
    import sys

    out: list[Path] = []
    left_out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                q
                for q in p.rglob("*")
                if q.is_file()
                and q.suffix.lower() in OOXML_SUFFIXES | {".xls"}
                and not is_lock_file(q)
            )
            siblings = set(found)
            left_out.extend(q for q in found if is_our_output(q, siblings))
            out.extend(q for q in found if not is_our_output(q, siblings))
        else:
            out.append(p)
    if skipped is not None:
        skipped.extend(left_out)
    else:
        for q in left_out:
            print(f"{q}: xlperf 先前生成的文件（与原文件在同一文件夹），已跳过", file=sys.stderr)
    return out
