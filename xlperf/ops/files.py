"""The operations on workbook files (openpyxl): fix, clear; atomic writes; Excel's lock files."""

from __future__ import annotations

import os
import re
import secrets
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.workbook.workbook import Workbook

from xlperf.errors import InputError
from xlperf.findings import Finding
from xlperf.ops.apply_file import apply_file
from xlperf.ops.edits import WorkbookPlan
from xlperf.ops.fix import clear_plan, fix_edits
from xlperf.ops.journal import JOURNAL_SHEET, Journal, is_journal
from xlperf.ops.plan import plan_fix
from xlperf.reader import read_grids, require_some_form
from xlperf.reader.grid import Budget, Grid, grid_from_openpyxl
from xlperf.reader.loader import load_grids, open_ooxml, sniff
from xlperf.rules import RuleSet
from xlperf.vocabulary.sheets import REPORT_SHEET

MACRO_SUFFIXES = {".xlsm", ".xltm"}
TEMP_PREFIX = ".xlperf-"
# Our temporary files: ".xlperf-" + a random tail + the output's suffix (tempfile.mkstemp's
# tails, of earlier versions, included). Nothing else in a folder is ever removed.
TEMP_NAME = re.compile(
    r"\.xlperf-(?:[0-9a-f]{16}|[a-z0-9_]{8})\.(?:xlsx|xlsm|xltx|xltm|docx)", re.IGNORECASE
)
STALE_TEMP_SECONDS = 3600  # a temporary file this old is left by a killed run


def lock_files(path: Path) -> list[Path]:
    """Lock files Excel/WPS (``~$name``) and LibreOffice (``.~lock.name#``) keep beside an open file."""
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    if len(path.name) > 2:  # Excel shortens long names: ~$ replaces the first two characters
        candidates.append(path.with_name("~$" + path.name[2:]))
    return [p for p in candidates if p.exists()]


def refuse_if_open(path: Path) -> None:
    locks = lock_files(path)
    if locks:
        raise InputError(
            str(path),
            f"文件正在被 Excel/WPS 打开（发现锁定文件 {locks[0].name}），请先关闭该文件再操作",
        )


def remove_stale_temps(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove our temporary files that a killed run left in ``folder`` (regular files only, by
    name and age: a write under way elsewhere is younger than ``older_than`` seconds)."""
    removed = []
    limit = time.time() - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not TEMP_NAME.fullmatch(entry.name):
            continue
        try:
            if (
                entry.is_file(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_mtime < limit
            ):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _new_temp(out: Path) -> Path:
    """A new empty file beside ``out``, created with mode 0666 less the umask (mkstemp would make
    it 0600 whatever the umask)."""
    for _ in range(100):
        tmp = out.with_name(f"{TEMP_PREFIX}{secrets.token_hex(8)}{out.suffix}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no temporary name free beside {out}")


def atomic_write(out: Path, write: Callable[[Path], Any]) -> None:
    """Write a file through ``write(temporary_path)`` beside ``out``, then rename it over ``out``:
    never a half-written file. Refused while ``out`` is open in Excel/WPS. A file that is
    replaced keeps its permission bits; a new one gets the umask's. Our temporary files left
    by a killed run are removed. Every file xlperf writes goes through here."""
    refuse_if_open(out)
    if out.is_symlink():  # write where the link points, and keep the link
        out = out.resolve()
        refuse_if_open(out)
    if out.is_dir():
        raise InputError(
            str(out), "输出位置是一个文件夹，不能写入：请给出文件名（如 -o 结果.xlsx）"
        )
    if out.exists() and not out.is_file():  # renamed over, /dev/null would become a file
        raise InputError(
            str(out), "输出位置不是普通文件（管道、设备或套接字），不会替换它：请另给一个文件名"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(out.parent)
        try:
            mode = stat.S_IMODE(os.stat(out).st_mode) if out.is_file() else None
        except OSError:
            mode = None
        tmp = _new_temp(out)
    except OSError as exc:
        raise InputError(str(out), f"无法写入（{exc.strerror or exc}）") from None
    try:
        write(tmp)
        if mode is not None:
            os.chmod(tmp, mode)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_save(wb: Workbook, out: Path) -> None:
    """Save a workbook with :func:`atomic_write`."""
    atomic_write(out, wb.save)


def open_for_edit(path: Path) -> Workbook:
    """The workbook with its formulas, to edit (its values as last calculated are read by
    :func:`sheet_grids`). Reading a workbook open in Excel is fine; writing one is refused (by
    :func:`atomic_write`)."""
    if sniff(path) != "ooxml":
        raise InputError(
            str(path),
            "只能处理 .xlsx/.xlsm 工作簿：请先在 Excel/WPS 中另存为 .xlsx（旧版 .xls 与加密文件不能直接修改）",
        )
    keep_vba = path.suffix.lower() in MACRO_SUFFIXES
    return open_ooxml(path, data_only=False, keep_vba=keep_vba)


def our_sheets(wb: Workbook) -> set[str]:
    """The sheets xlperf made (never read as forms): its journal and the results sheet the journal
    names, and the 自评报告 sheet. A user's sheet that only shares a name is not among them."""
    found = {REPORT_SHEET} & set(wb.sheetnames)
    if has_journal(wb):
        found.add(JOURNAL_SHEET)
        results = read_journal(wb).results_sheet
        if results in wb.sheetnames:
            found.add(results)
    return found


def sheet_grids(wb: Workbook, path: Path) -> list[Grid]:
    """The sheets of a workbook opened by :func:`open_for_edit` from ``path``, as the reader
    takes them: what ``wb`` holds now, formula cells with their values as last calculated (read
    from ``path`` by python-calamine, instead of loading it with openpyxl a second time, and only
    when there is a formula); our own sheets (journal, results, report) are left out."""
    budget = Budget(getattr(wb, "xlperf_source", "工作簿"))
    ours = our_sheets(wb)
    sheets = [ws for ws in wb.worksheets if ws.title not in ours]
    formulas = any(c.data_type == "f" for ws in sheets for c in ws._cells.values())
    cached = {g.sheet: g for g in load_grids(path)} if formulas else {}
    return [grid_from_openpyxl(ws, cached.get(ws.title), budget) for ws in sheets]


def has_journal(wb: Workbook) -> bool:
    if JOURNAL_SHEET not in wb.sheetnames:
        return False
    return is_journal([[wb[JOURNAL_SHEET]["A1"].value]])


def read_journal(wb: Workbook) -> Journal:
    if not has_journal(wb):
        return Journal()
    return Journal.from_rows([list(r) for r in wb[JOURNAL_SHEET].iter_rows(values_only=True)])


def refuse_foreign_journal(names: list[str], ours: bool, where: str) -> None:
    """A user's own sheet named like our journal: the check does not run rather than touch it."""
    if JOURNAL_SHEET in names and not ours:
        raise InputError(
            where,
            f"工作簿中已有名为“{JOURNAL_SHEET}”的工作表，但不是 xlperf 建立的；xlperf 不删除、不改名"
            "用户的工作表，请先将该表改名再检查",
        )


@dataclass
class FixResult:
    findings: list[Finding]
    filled: int
    flagged: int


def fix_file(path: Path, out: Path, rules: RuleSet | None = None) -> FixResult:
    """重新计算并检查 on a file: fill empty computed fields, flag findings, list them, save atomically.

    A legacy .xls is never modified: its sheets are copied into a new .xlsx (``out``), checked
    there."""
    refuse_if_open(out)  # before the work (atomic_write checks again)
    if sniff(path) == "xls":
        wb = xls_as_workbook(path, out)
    else:
        wb = open_for_edit(path)
        refuse_foreign_journal(wb.sheetnames, has_journal(wb), str(path))
    undo = clear_plan(read_journal(wb), wb.sheetnames) if has_journal(wb) else WorkbookPlan()
    apply_file(wb, undo)
    grids = sheet_grids(wb, path)
    book = require_some_form(read_grids(grids, str(path)))
    plan = plan_fix(book, rules)
    apply_file(wb, fix_edits(plan, wb.sheetnames))
    atomic_save(wb, out)
    return FixResult(plan.findings, len(plan.writes), plan.flagged)


class NothingToClear(InputError):
    """The workbook carries no marks of a check: nothing was changed (not a failure)."""


def clear_file(path: Path, out: Path | None = None) -> int:
    """清除标记 on a file: undo what the last check wrote; returns the number of cells restored."""
    refuse_if_open(out or path)
    wb = open_for_edit(path)
    if not has_journal(wb):
        raise NothingToClear(str(path), "没有 xlperf 的检查标记可清除")
    journal = read_journal(wb)
    apply_file(wb, clear_plan(journal, wb.sheetnames))
    atomic_save(wb, out or path)
    return len(journal.values) + len(journal.marks)


def xls_as_workbook(path: Path, out: Path) -> Workbook:
    """A new workbook holding the values, number formats and merges of a legacy .xls, to be
    saved as the .xlsx ``out`` (the .xls itself is only read)."""
    from xlperf.ops.literal import put

    if out.suffix.lower() != ".xlsx" or out.resolve() == path.resolve():
        raise InputError(
            str(path),
            "旧版 .xls 不能直接修改：请用 -o 指定一个 .xlsx 输出文件（如 -o 结果.xlsx）",
        )
    wb = Workbook()
    wb.remove(wb.active)
    for grid in load_grids(path):
        ws = wb.create_sheet(grid.sheet)
        for r, line in enumerate(grid.values):
            for c, value in enumerate(line):
                if value is None:
                    continue
                cell = put(ws.cell(r + 1, c + 1), value)
                fmt = grid.fmt(r, c)
                if fmt:
                    cell.number_format = fmt
        for r0, c0, r1, c1 in grid.merged:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(
                    start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1
                )
    wb.xlperf_source = str(path)
    return wb
