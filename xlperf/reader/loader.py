"""Open a workbook file of any kind Excel users send, as grids, with clear errors for bad input."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
import warnings
import zipfile
from pathlib import Path
from typing import Any

from xlperf import limits
from xlperf.errors import InputError
from xlperf.reader.grid import Budget, Grid, grid_from_xlrd
from xlperf.reader.package import ENTITY_MESSAGE, check_package
from xlperf.reader.scan import SheetScan

OOXML_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
LOCK_PREFIX = "~$"


def sniff(path: Path) -> str:
    """'ooxml', 'xls' or 'encrypted' by content, not by name; InputError otherwise.

    Only a regular file is opened (a FIFO or a device named ``x.xlsx`` would block or never
    end), and only one of at most :data:`~xlperf.limits.MAX_FILE_BYTES`.
    """
    size = _regular_file_size(path)
    if size > limits.MAX_FILE_BYTES:
        raise InputError(
            str(path),
            f"文件过大（{limits.mb(size)}），超过可读取的上限 {limits.mb(limits.MAX_FILE_BYTES)}",
        )
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


def _regular_file_size(path: Path) -> int:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(str(path), "文件不存在") from None
    except OSError as exc:
        raise InputError(str(path), f"无法打开文件（{exc.strerror or exc}）") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(str(path), "这是一个文件夹，不是 Excel 文件")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(str(path), "不是普通文件（管道、设备或套接字），拒绝读取")
    return st.st_size


def _is_encrypted_ole(path: Path) -> bool:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except Exception:  # noqa: BLE001 - a broken OLE file is reported by the xls reader
        return False


def load_grids(path: Path) -> list[Grid]:
    """Every worksheet of the workbook as a grid (values as last calculated)."""
    kind = sniff(path)
    if kind == "encrypted":
        raise InputError(str(path), "文件设有打开密码（已加密），请取消密码后再检查")
    if kind == "xls":
        return _load_xls(path)
    return _load_ooxml(path)


def open_ooxml(path: Path, *, data_only: bool, keep_vba: bool = False) -> Any:
    """An openpyxl workbook, or InputError saying why the file cannot be opened."""
    import openpyxl

    from xlperf.reader.merges import install

    install()
    check_package(path)
    try:
        with warnings.catch_warnings(), path.open("rb") as f:
            # A file object, not the name: openpyxl refuses a name ending in .xls even when
            # the content is OOXML, and the content is what was sniffed.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(f, data_only=data_only, keep_vba=keep_vba)
            book.xlperf_source = str(path)  # what messages about its sheets name
            return book
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise InputError(
            str(path), f"文件已损坏，无法作为 Excel 工作簿打开（{type(exc).__name__}）"
        ) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on malformed parts
        cause = _defused(exc)
        if cause is not None:
            raise InputError(str(path), ENTITY_MESSAGE.format(type(cause).__name__)) from None
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        raise InputError(
            str(path), f"文件已损坏或格式不受支持（{type(exc).__name__}: {detail}）"
        ) from None


def _defused(exc: BaseException | None) -> BaseException | None:
    """The defusedxml refusal behind an exception (openpyxl wraps it in a ValueError)."""
    from defusedxml import DefusedXmlException

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _load_ooxml(path: Path) -> list[Grid]:
    """The worksheets read by python-calamine, after :func:`check_package` has bounded the
    package and scanned each sheet for what calamine does not give (formats, error values)."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

    package = check_package(path)
    budget = Budget(str(path))
    try:
        with io.BytesIO(package.data) as f:
            book = CalamineWorkbook.from_filelike(f)
            grids = []
            for meta in book.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet:
                    continue
                scan = package.sheets.get(meta.name)
                if scan is None:
                    raise InputError(
                        str(path), f"文件已损坏或格式不受支持（找不到工作表“{meta.name}”的内容）"
                    )
                if scan.rows:
                    budget.check_area(meta.name, scan.rows, scan.cols, scan.far)
                grids.append(grid_from_calamine(book.get_sheet_by_name(meta.name), scan, budget))
            return grids
    except (CalamineError, ValueError, OverflowError) as exc:
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        raise InputError(
            str(path), f"文件已损坏或格式不受支持（{type(exc).__name__}: {detail}）"
        ) from None


def grid_from_calamine(sheet: Any, scan: SheetScan, budget: Budget) -> Grid:
    """Build a grid from a python-calamine sheet and what :mod:`xlperf.reader.scan` learnt of its
    part (number formats, error values, which calamine reads as empty), spanning the cells that
    hold something. Values come out as openpyxl gives them: whole numbers as int, dates as
    datetime, no empty text.

    The sheet's area was bounded (:meth:`Budget.check_area`) from the scan before calamine
    loaded it; its merges are counted here."""
    rows: list[list[Any]] = []
    for raw in sheet.to_python(skip_empty_area=False):  # a rectangle
        if raw.count("") == len(raw):
            rows.append([None] * len(raw))
        else:  # most values are text
            rows.append([(v or None) if type(v) is str else _plain(v) for v in raw])
    for (r, c), text in scan.errors.items():
        while len(rows) <= r:
            rows.append([])
        line = rows[r]
        if len(line) <= c:
            line.extend([None] * (c + 1 - len(line)))
        line[c] = text
    while rows and rows[-1].count(None) == len(rows[-1]):
        rows.pop()
    cols = max(map(len, rows), default=0)
    while cols and all(len(line) < cols or line[cols - 1] is None for line in rows):
        cols -= 1
    values = [line if len(line) == cols else _fit(line, cols) for line in rows]
    merged = budget.clip_merges(
        sheet.name,
        [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []],
        len(values),
        cols,
    )
    return Grid(sheet.name, values, scan.formats, merged)


_INTEGRAL = 1e15  # openpyxl reads <v>12</v> as int 12; Excel writes larger numbers as 1E+15


def _plain(v: Any) -> Any:
    kind = type(v)
    if kind is float:
        return int(v) if v.is_integer() and -_INTEGRAL < v < _INTEGRAL else v
    if kind is str:
        return v if v else None
    if kind is dt.date:
        return dt.datetime(v.year, v.month, v.day)
    return v


def _fit(line: list[Any], cols: int) -> list[Any]:
    return line[:cols] if len(line) > cols else line + [None] * (cols - len(line))


def _load_xls(path: Path) -> list[Grid]:
    import xlrd

    size = path.stat().st_size
    if size > limits.MAX_XLS_BYTES:
        raise InputError(
            str(path),
            f"旧版 .xls 文件过大（{limits.mb(size)}），超过可读取的上限 {limits.mb(limits.MAX_XLS_BYTES)}",
        )
    try:
        # on_demand: the sheets are counted before any is parsed; ragged_rows: a cell at IV65536
        # does not pad every row to 256 columns.
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, ragged_rows=True)
    except Exception as exc:  # noqa: BLE001 - xlrd raises XLRDError, CompDocError, struct errors
        raise InputError(str(path), f"旧版 .xls 文件已损坏或无法读取（{exc}）") from None
    try:
        if book.nsheets > limits.MAX_SHEETS:
            raise InputError(
                str(path),
                f"工作簿有 {book.nsheets} 张工作表，超过可读取的上限 {limits.MAX_SHEETS} 张",
            )
        grids, budget = [], Budget(str(path))
        for i in range(book.nsheets):
            try:
                sheet = book.sheet_by_index(i)
            except Exception as exc:  # noqa: BLE001 - a broken sheet record
                raise InputError(str(path), f"旧版 .xls 文件已损坏或无法读取（{exc}）") from None
            grids.append(grid_from_xlrd(book, sheet, budget))
            book.unload_sheet(i)
        return grids
    finally:
        book.release_resources()


def is_lock_file(path: Path) -> bool:
    return path.name.startswith(LOCK_PREFIX)


OUTPUT_TAGS = ("_已检查", "_自评报告", "_汇总")
"""What xlperf adds to a workbook's name for its outputs (fix, report --sheet, rollup)."""


FLAGGED_TAG = "_标记副本"
"""The folder of flagged copies that ``xlperf review -o <name>.xlsx`` writes beside its workbook."""


def _in_flagged_folder(path: Path, siblings: set[Path]) -> bool:
    """Under ``<name>_标记副本/`` with the review workbook ``<name>.xlsx`` beside that folder."""
    for folder in path.parents:
        name = folder.name
        if not name.endswith(FLAGGED_TAG) or len(name) == len(FLAGGED_TAG):
            continue
        if folder.with_name(name[: -len(FLAGGED_TAG)] + ".xlsx") in siblings:
            return True
    return False


def _is_review_workbook(path: Path) -> bool:
    """``<name>.xlsx`` with its folder of flagged copies ``<name>_标记副本/`` beside it."""
    return path.with_name(path.stem + FLAGGED_TAG).is_dir()


def is_our_output(path: Path, siblings: set[Path]) -> bool:
    """An earlier output of xlperf beside its source: ``<name>_已检查.xlsx`` next to ``<name>.*``
    (a file so named without its source beside it is the user's and is kept), or a flagged copy
    of an earlier review, under ``<审核结果>_标记副本/`` beside ``<审核结果>.xlsx`` (and that
    review workbook itself)."""
    if _in_flagged_folder(path, siblings) or _is_review_workbook(path):
        return True
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
            if _is_review_workbook(q):
                where = "审核结果工作簿"
            elif _in_flagged_folder(q, set(left_out) | set(out)):
                where = "审核结果的标记副本"
            else:
                where = "与原文件在同一文件夹"
            print(f"{q}: xlperf 先前生成的文件（{where}），已跳过", file=sys.stderr)
    return out
