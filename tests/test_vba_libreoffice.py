"""The add-in's own VBA, run in LibreOffice, against its Python mirror in tests/remote_client.py.

The add-in is built from addin/vba/*.bas as it ships (``.xlam``); LibreOffice opens it with its
own reader of the VBA project and runs XlperfMark, XlperfUnmark and XlperfCopySheet in VBA
compatibility mode on a second, real workbook, with the arguments the remote engine's
``runMacro`` actions carry (tests/vba_office.py does that through UNO, in the Python that has
Debian's python3-uno). The same macros of the mirror run on the same workbook as LibreOffice
read it; the cells, fills, notes, sheets and sheet-scoped names must agree.

What LibreOffice 7.4 does not do as Excel does, each asserted below:
- it has no *very* hidden sheet: the journal (xlSheetVeryHidden) is saved as hidden;
- four of the xlwings modules the add-in embeds do not compile in its Basic, so they are left
  out of the library (XlperfNotes needs none of them): ``xlwings`` and ``WebHelpers`` declare
  the same function or type in both branches of an ``#If`` (LibreOffice ignores ``#If`` and
  compiles both), ``Dictionary`` sets an Enum member to ``VBA.vbBinaryCompare``, ``WebRequest``
  writes ``If ... Then: statement``;
- four constructs our own modules therefore avoid (:data:`UNPORTABLE`).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from tests.conftest import REPO, fixture_path, soffice
from tests.remote_client import (
    apply_actions,
    payload,
    xlperf_copy_sheet,
    xlperf_mark,
    xlperf_unmark,
)
from xlperf import excel
from xlperf.addin import build, ovba
from xlperf.ops.journal import JOURNAL_SHEET
from xlperf.ops.new_sheet import input_ranges
from xlperf.ops.plan import PREVIOUS_NOTE
from xlperf.rules import DEFAULT_RULES
from xlperf.templates.build import department_workbook, save_reproducibly

DRIVER = REPO / "tests" / "vba_office.py"
UNO_PYTHONS = ("/usr/bin/python3", "python3")
OURS = {p.stem for p in (build.SOURCE_DIR / "vba").glob("*.bas")}
# xlwings' modules that LibreOffice 7.4's Basic does not compile (why: the module docstring)
NOT_COMPILED = {"Dictionary", "WebHelpers", "WebRequest", "xlwings"}
# What LibreOffice's Basic runs otherwise than Excel: a pattern our VBA must not hold, and why
UNPORTABLE = {
    r"^\s*#If\b": "LibreOffice ignores #If/#Else/#End If and runs every branch",
    r"\.End\(xl": "LibreOffice's Range.End works through the active sheet's view: on a hidden"
    " sheet it answers for the active sheet",
    r"\.Pattern\b": "LibreOffice reads Interior.Pattern as xlNone for a fill loaded from the"
    " file, and setting it to xlNone leaves the fill",
    r"\bNot \.\w+ Is Nothing": "inside With, LibreOffice parses Not .X Is Nothing as"
    " (Not .X) Is Nothing: error 380 or 91",
}
OWN_NOTE = "单位自己的批注\n第二行"


def _uno_python() -> str:
    """A Python that can ``import uno`` (Debian's python3-uno), or skip."""
    for exe in UNO_PYTHONS:
        path = shutil.which(exe)
        if path and subprocess.run([path, "-c", "import uno"], capture_output=True).returncode == 0:
            return path
    pytest.skip("no Python with LibreOffice's uno module (Debian python3-uno); .ci/run installs it")


def _remote_actions(path: Path, operation) -> tuple[list[dict], list[dict]]:
    """The remote engine's answer for ``operation`` on ``path``: (runMacro actions, the rest)."""
    book = xw.Book(json=payload(path))
    operation(book)
    actions = book.json()["actions"]
    macros = [a for a in actions if a["func"] == "runMacro"]
    return macros, [a for a in actions if a["func"] != "runMacro"]


def _flag_input(tmp: Path) -> tuple[Path, list[Any]]:
    """A fixture workbook after 重新计算并检查's value writes, before its XlperfMark, and that
    call's arguments. Some cells to be flagged already have a fill, a note or both. Its first
    five sheets (four project forms and a 汇总表) keep LibreOffice's loads and saves short."""
    src = tmp / "fixture.xlsx"
    wb = openpyxl.load_workbook(fixture_path("std"))
    for ws in wb.worksheets[5:]:
        wb.remove(ws)
    first = wb.worksheets[0]
    first["H5"].comment = Comment(OWN_NOTE, "")
    first["I5"].fill = PatternFill(fill_type="solid", fgColor="00B050")
    first["H6"].fill = PatternFill(fill_type="solid", fgColor="FFFF00")
    first["H6"].comment = Comment("既有底色也有批注", "")
    wb.save(src)
    macros, rest = _remote_actions(src, excel.fix_live)
    assert [m["args"][0] for m in macros] == ["XlperfLayout", "XlperfMark"]  # 检查结果's layout
    wb = openpyxl.load_workbook(src)
    apply_actions(wb, [*rest, macros[0]])
    wb.save(tmp / "flag_input.xlsx")
    return tmp / "flag_input.xlsx", macros[1]["args"][1:]


def _copy_input(tmp: Path) -> tuple[Path, list[Any]]:
    """A department workbook whose template project sheet has its inputs filled, and the
    arguments of 新增项目表's XlperfCopySheet."""
    wb = department_workbook(DEFAULT_RULES, project_sheets=["项目1"])
    ws = wb["项目1"]
    regions = {n: d.attr_text.split("!")[1].replace("$", "") for n, d in ws.defined_names.items()}
    for ref in input_ranges(regions):
        for row in ws[ref] if ":" in ref else [[ws[ref]]]:
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    cell.value = f"填写{cell.coordinate}"
    src = save_reproducibly(wb, tmp / "copy_input.xlsx")
    macros, rest = _remote_actions(src, excel.new_project_live)
    assert [m["args"][0] for m in macros] == ["XlperfCopySheet"] and not rest
    return src, macros[0]["args"][1:]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One LibreOffice run of every macro: flag, then clear, a fixture; copy a template sheet."""
    office_exe = soffice()
    python = _uno_python()
    tmp = tmp_path_factory.mktemp("vba")
    addin = build.build_addin(build.SOURCE_DIR, tmp / "xlperf.xlam")
    flag_in, mark_args = _flag_input(tmp)
    copy_in, copy_args = _copy_input(tmp)
    job = {
        "soffice": office_exe,
        "addin": str(addin),
        "profile": str(tmp / "profile"),
        "books": [
            {
                "path": str(flag_in),
                "start": str(tmp / "flag_start.xlsx"),
                "steps": [
                    {"macro": "XlperfMark", "args": mark_args, "save": str(tmp / "lo_marked.xlsx")},
                    {"macro": "XlperfUnmark", "args": [], "save": str(tmp / "lo_unmarked.xlsx")},
                ],
            },
            {
                "path": str(copy_in),
                "start": str(tmp / "copy_start.xlsx"),
                "steps": [
                    {
                        "macro": "XlperfCopySheet",
                        "args": copy_args,
                        "save": str(tmp / "lo_copied.xlsx"),
                    }
                ],
            },
        ],
    }
    (tmp / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    # its own session, so that a hung run can be ended with the office it started
    done = subprocess.Popen(
        [python, str(DRIVER), str(tmp / "job.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = done.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(done.pid, signal.SIGKILL)
        raise
    assert done.returncode == 0, err
    result = json.loads(out)
    result.update(tmp=tmp, mark_args=mark_args, copy_args=copy_args)
    return result


def _mirror(start: Path, out: Path, macro, *args: Any) -> Path:
    """The mirror's macro on the workbook as LibreOffice read it (saved, then read back)."""
    wb = openpyxl.load_workbook(start)
    macro(wb, *args)
    wb.save(out)
    return out


def _fill(cell: Any) -> str:
    fill = cell.fill
    if fill.fill_type == "solid" and fill.fgColor.type == "rgb":
        return str(fill.fgColor.rgb)[-6:].upper()
    return "" if fill.fill_type in (None, "none") else f"{fill.fill_type}:{fill.fgColor.value}"


@functools.cache
def _state(path: Path) -> dict[str, Any]:
    """Sheets (name, visibility, sheet-scoped names) and every cell that has a value, a fill or
    a note: what the macros change."""
    wb = openpyxl.load_workbook(path)
    sheets, cells = [], {}
    for ws in wb.worksheets:
        names = {n: sorted(d.destinations) for n, d in ws.defined_names.items()}
        sheets.append((ws.title, ws.sheet_state, names))
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.comment is not None or _fill(c):
                    cells[(ws.title, c.coordinate)] = (
                        c.value,
                        _fill(c),
                        c.comment.text if c.comment else None,
                    )
    return {"sheets": sheets, "cells": cells}


def _without_very_hidden(state: dict[str, Any]) -> dict[str, Any]:
    """LibreOffice has no very hidden sheets: it keeps xlSheetVeryHidden as hidden."""
    sheets = [(n, "hidden" if s == "veryHidden" else s, d) for n, s, d in state["sheets"]]
    return {**state, "sheets": sheets}


def _assert_same(office_file: Path, mirror_file: Path) -> None:
    lo, py = _state(office_file), _state(mirror_file)
    assert lo["sheets"] == _without_very_hidden(py)["sheets"]
    differ = {
        k: (lo["cells"].get(k), py["cells"].get(k))
        for k in lo["cells"].keys() | py["cells"].keys()
        if lo["cells"].get(k) != py["cells"].get(k)
    }
    assert not differ, sorted(differ.items())[:10]


def test_libreoffice_runs_the_built_modules(office: dict[str, Any]) -> None:
    """LibreOffice ran our modules as built: their text is the .bas text, each compiled, and
    the only modules it could not compile are xlwings' own."""
    assert [s["result"] for s in office["steps"]] == ["ok"] * 3
    assert set(office["uncompiled"]) == NOT_COMPILED and not OURS & NOT_COMPILED
    for name in OURS:
        text = ovba.module_from_file(build.SOURCE_DIR / "vba" / f"{name}.bas")
        lines = office["modules"][name].replace("\r\n", "\n").split("\n")
        assert lines[:2] == ["Rem Attribute VBA_ModuleType=VBAModule", "Option VBASupport 1"]
        assert "\n".join(lines[2:]).strip() in text.source.replace("\r\n", "\n")


def test_our_vba_avoids_what_libreoffice_runs_otherwise() -> None:
    found = [
        (path.name, n, why)
        for path in sorted((build.SOURCE_DIR / "vba").glob("*.bas"))
        for n, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1)
        if not line.lstrip().startswith("'")
        for pattern, why in UNPORTABLE.items()
        if re.search(pattern, line.split(" '")[0])
    ]
    assert not found


def test_mark_in_libreoffice_is_the_mirror(office: dict[str, Any]) -> None:
    tmp = office["tmp"]
    start = tmp / "flag_start.xlsx"
    mirror = _mirror(start, tmp / "py_marked.xlsx", xlperf_mark, *office["mark_args"])
    _assert_same(tmp / "lo_marked.xlsx", mirror)
    # and the macro did flag: every record of the payload is a filled, noted cell
    lo = _state(tmp / "lo_marked.xlsx")["cells"]
    records = [r.split(chr(31)) for r in office["mark_args"][0].split(chr(30))]
    assert all(
        lo[(s, a)][1] == colour and lo[(s, a)][2].startswith(note) for s, a, colour, note in records
    )
    # a note the cell had is kept below ours, and written to the journal (column F)
    first = _state(start)["sheets"][0][0]
    assert lo[(first, "H5")][2].endswith(PREVIOUS_NOTE + OWN_NOTE)
    assert [k for k, v in lo.items() if k[0] == JOURNAL_SHEET and v[0] == OWN_NOTE] == [
        (JOURNAL_SHEET, "F2")
    ]


def test_unmark_in_libreoffice_is_the_mirror_and_restores(office: dict[str, Any]) -> None:
    tmp = office["tmp"]
    mirror = _mirror(tmp / "lo_marked.xlsx", tmp / "py_unmarked.xlsx", xlperf_unmark)
    _assert_same(tmp / "lo_unmarked.xlsx", mirror)
    # every flagged cell has its fill and note back; the journal's B:G are empty again
    before, after = (
        _state(tmp / "flag_start.xlsx")["cells"],
        _state(tmp / "lo_unmarked.xlsx")["cells"],
    )
    forms = {k: v for k, v in after.items() if k[0] != JOURNAL_SHEET}
    assert forms == {k: v for k, v in before.items() if k[0] != JOURNAL_SHEET}
    assert not [k for k in after if k[0] == JOURNAL_SHEET and k[1][0] in "BCDEFG"]


def test_copy_sheet_in_libreoffice_is_the_mirror(office: dict[str, Any]) -> None:
    tmp = office["tmp"]
    mirror = _mirror(
        tmp / "copy_start.xlsx", tmp / "py_copied.xlsx", xlperf_copy_sheet, *office["copy_args"]
    )
    _assert_same(tmp / "lo_copied.xlsx", mirror)
    source, title, _ = office["copy_args"]
    lo = _state(tmp / "lo_copied.xlsx")
    names = [s[0] for s in lo["sheets"]]
    assert names[names.index(source) + 1] == title
    assert any(str(v[0]).startswith("填写") for k, v in lo["cells"].items() if k[0] == source)
    assert not any(str(v[0]).startswith("填写") for k, v in lo["cells"].items() if k[0] == title)
