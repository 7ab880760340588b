"""The add-in's own VBA, run in LibreOffice, against its Python mirror in tests/remote_client.py.

The add-in is built from addin/vba/*.bas as it ships (``.xlam``); LibreOffice opens it with its
own reader of the VBA project and runs XlperfLayout, XlperfFormats, XlperfMark, XlperfUnmark
(重新计算并检查 and 清除标记 on a fixture), XlperfClearRange and XlperfLayout (覆盖汇总's) and
XlperfCopySheet (新增项目表) in VBA compatibility mode on real workbooks, one soffice for all,
with the arguments the remote engine's ``runMacro`` actions carry (tests/vba_office.py does
that through UNO, in the Python that has Debian's python3-uno). The same macros of the mirror
run on the same workbook as LibreOffice read it; the cells (value, fill, note, number format),
sheets, merges and sheet-scoped names must agree, and for XlperfLayout fonts, alignment,
borders, widths, heights, autofilter and page setup.

What LibreOffice 7.4 does not do as Excel does, each asserted below:
- it has no *very* hidden sheet: the journal (xlSheetVeryHidden) is saved as hidden;
- four of the xlwings modules the add-in embeds do not compile in its Basic, so they are left
  out of the library (XlperfNotes needs none of them): ``xlwings`` and ``WebHelpers`` declare
  the same function or type in both branches of an ``#If`` (LibreOffice ignores ``#If`` and
  compiles both), ``Dictionary`` sets an Enum member to ``VBA.vbBinaryCompare``, ``WebRequest``
  writes ``If ... Then: statement``;
- four constructs our own modules therefore avoid (:data:`UNPORTABLE`);
- four XlperfLayout statements whose saved result differs (:data:`LIBREOFFICE_DIFFERS`).
"""

from __future__ import annotations

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
from tests.office_state import coordinates, layout, state, western
from tests.remote_client import (
    apply_actions,
    payload,
    xlperf_clear_range,
    xlperf_copy_sheet,
    xlperf_formats,
    xlperf_layout,
    xlperf_mark,
    xlperf_unmark,
)
from xlperf import excel
from xlperf.addin import build, ovba
from xlperf.ops.edits import PREVIOUS_NOTE
from xlperf.ops.journal import JOURNAL_SHEET, RESULTS_SHEET
from xlperf.ops.new_sheet import input_ranges
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
# XlperfLayout statements whose effect LibreOffice 7.4 saves otherwise than the mirror (which
# follows the file adapter, and is compared with it through the remote engine in
# tests/test_parity.py); each asserted in test_layout_in_libreoffice_is_the_mirror:
LIBREOFFICE_DIFFERS = {
    "Font": '`.Name = f(2)` and `.Bold = (f(4) = "1")` reach only the cells LibreOffice saves'
    " with their Western font (numbers, Latin text): a cell holding Chinese text, or nothing, is"
    " saved with its Asian font, unchanged (LibreOffice's VBA Font sets CharFontName and"
    " CharWeight, not CharFontNameAsian, CharWeightAsian); `.Size`, `.Color`, `.Underline` reach all",
    "PrintTitleRows": "`.PrintTitleRows = f(3)` is accepted and ignored: LibreOffice reads it"
    ' back as "", and the sheet\'s (UNO) PrintTitleRows stays False',
    "PrintGridlines": '`.PrintGridlines = (f(4) = "1")` is accepted and ignored: read back False,'
    ' the page style\'s PrintGrid stays False, the file is saved with gridLines="false"',
    "WrapText": '`.WrapText = (f(4) = "1")` grows a row whose height is not set to fit its text'
    " (as Excel does); the mirror, like the file adapter, leaves the row's height",
}


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


def _fixture_input(tmp: Path, summary: bool = False) -> Path:
    """A fixture workbook's first five sheets (four project forms and a 汇总表: short loads and
    saves in LibreOffice). Some cells to be flagged already have a fill, a note or both; with
    ``summary``, the 汇总表 has a note, a fill and a merge inside the range 覆盖汇总 empties."""
    src = tmp / ("summary.xlsx" if summary else "fixture.xlsx")
    wb = openpyxl.load_workbook(fixture_path("std"))
    for ws in wb.worksheets[5:]:
        wb.remove(ws)
    first = wb.worksheets[0]
    first["H5"].comment = Comment(OWN_NOTE, "")
    first["I5"].fill = PatternFill(fill_type="solid", fgColor="00B050")
    first["H6"].fill = PatternFill(fill_type="solid", fgColor="FFFF00")
    first["H6"].comment = Comment("既有底色也有批注", "")
    if summary:
        ws = wb.worksheets[4]
        ws["B5"].comment = Comment("汇总表上单位自己的批注", "")
        ws["C5"].fill = PatternFill(fill_type="solid", fgColor="DDEBF7")
        ws.merge_cells("F6:G6")
    wb.save(src)
    return src


def _flag_input(src: Path, tmp: Path) -> tuple[Path, list[list[Any]]]:
    """The workbook after 重新计算并检查's value writes, before its macros, and those macros'
    arguments: XlperfLayout (检查结果), XlperfFormats, XlperfMark."""
    macros, rest = _remote_actions(src, excel.fix_live)
    assert [m["args"][0] for m in macros] == ["XlperfLayout", "XlperfFormats", "XlperfMark"]
    wb = openpyxl.load_workbook(src)
    apply_actions(wb, rest)
    wb.save(tmp / "flag_input.xlsx")
    return tmp / "flag_input.xlsx", [m["args"][1:] for m in macros]


def _rollup_inputs(src: Path, tmp: Path) -> tuple[Path, list[Any], Path, list[Any]]:
    """覆盖汇总's XlperfClearRange, on the workbook, and its XlperfLayout, on the workbook as the
    answer's actions before it leave it: (workbook, arguments) each."""
    book = xw.Book(json=payload(src))
    excel.rollup_live(book, overwrite=True)
    actions = book.json()["actions"]
    macros = [a for a in actions if a["func"] == "runMacro"]
    assert [m["args"][0] for m in macros] == ["XlperfClearRange", "XlperfSetNotes", "XlperfLayout"]
    assert actions[-1] is macros[-1]
    wb = openpyxl.load_workbook(src)
    apply_actions(wb, actions[:-1])
    wb.save(tmp / "layout_input.xlsx")
    return src, macros[0]["args"][1:], tmp / "layout_input.xlsx", macros[2]["args"][1:]


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
    flag_in, (layout_args, formats_args, mark_args) = _flag_input(_fixture_input(tmp), tmp)
    clear_in, clear_args, rollup_in, rollup_args = _rollup_inputs(_fixture_input(tmp, True), tmp)
    copy_in, copy_args = _copy_input(tmp)

    def step(macro: str, args: list[Any], save: str) -> dict[str, Any]:
        return {"macro": macro, "args": args, "save": str(tmp / save)}

    job = {
        "soffice": office_exe,
        "addin": str(addin),
        "profile": str(tmp / "profile"),
        "books": [
            {
                "path": str(flag_in),
                "start": str(tmp / "flag_start.xlsx"),
                "steps": [
                    step("XlperfLayout", layout_args, "lo_laid.xlsx"),
                    step("XlperfFormats", formats_args, "lo_formatted.xlsx"),
                    step("XlperfMark", mark_args, "lo_marked.xlsx"),
                    step("XlperfUnmark", [], "lo_unmarked.xlsx"),
                ],
            },
            {
                "path": str(clear_in),
                "start": str(tmp / "clear_start.xlsx"),
                "steps": [step("XlperfClearRange", clear_args, "lo_cleared.xlsx")],
            },
            {
                "path": str(rollup_in),
                "start": str(tmp / "rollup_start.xlsx"),
                "steps": [step("XlperfLayout", rollup_args, "lo_rollup_laid.xlsx")],
            },
            {
                "path": str(copy_in),
                "start": str(tmp / "copy_start.xlsx"),
                "steps": [step("XlperfCopySheet", copy_args, "lo_copied.xlsx")],
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
    result.update(
        tmp=tmp,
        layout_args=layout_args,
        formats_args=formats_args,
        mark_args=mark_args,
        clear_args=clear_args,
        rollup_args=rollup_args,
        copy_args=copy_args,
    )
    return result


def _mirror(start: Path, out: Path, macro, *args: Any) -> Path:
    """The mirror's macro on the workbook as LibreOffice read it (saved, then read back)."""
    wb = openpyxl.load_workbook(start)
    macro(wb, *args)
    wb.save(out)
    return out


def _without_very_hidden(state: dict[str, Any]) -> dict[str, Any]:
    """LibreOffice has no very hidden sheets: it keeps xlSheetVeryHidden as hidden."""
    sheets = [(n, "hidden" if s == "veryHidden" else s, *d) for n, s, *d in state["sheets"]]
    return {**state, "sheets": sheets}


def _assert_same(office_file: Path, mirror_file: Path) -> None:
    lo, py = state(office_file), state(mirror_file)
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
    assert [s["result"] for s in office["steps"]] == ["ok"] * 7
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


@pytest.mark.parametrize(
    ("book", "args", "sheet"),
    [("flag", "layout_args", RESULTS_SHEET), ("rollup", "rollup_args", "汇总表")],
    ids=["results-sheet", "rollup-overwrite"],
)
def test_layout_in_libreoffice_is_the_mirror(
    office: dict[str, Any], book: str, args: str, sheet: str
) -> None:
    """XlperfLayout with the arguments of 检查结果 (widths, heights) and of 覆盖汇总's 汇总表
    (merges, widths, fonts, alignment, borders, A4 landscape page)."""
    tmp = office["tmp"]
    start, done = tmp / f"{book}_start.xlsx", tmp / f"lo_{book}_laid.xlsx"
    if book == "flag":
        done = tmp / "lo_laid.xlsx"
    mirror = _mirror(start, tmp / f"py_{book}_laid.xlsx", xlperf_layout, *office[args])
    lo, py, before = layout(done, sheet), layout(mirror, sheet), layout(start, sheet)
    records = [r.split(chr(31)) for r in office[args][1].split(chr(30))]
    kinds = {r[0] for r in records}
    differ = {}
    for at, (font, align, border) in py["cells"].items():
        lo_font, lo_align, lo_border = lo["cells"][at]
        if not western(lo["values"][at]):  # LIBREOFFICE_DIFFERS["Font"]: name and bold
            font, lo_font = (font[1], *font[3:]), (lo_font[1], *lo_font[3:])
        if (font, align, border) != (lo_font, lo_align, lo_border):
            differ[at] = ((lo_font, lo_align, lo_border), (font, align, border))
    assert not differ, sorted(differ.items())[:10]
    # a W width is the width as saved (ColumnWidth less the padding XlperfPadding measures)
    assert lo["widths"] == py["widths"]
    for page in (r for r in records if r[0] == "P"):  # what LIBREOFFICE_DIFFERS says it lacks
        if page[3]:
            assert lo["page"]["title_rows"] is None and py["page"]["title_rows"]
        if page[4] == "1":
            assert not lo["page"]["grid"] and py["page"]["grid"]
    page = {k: v for k, v in py["page"].items() if k not in ("title_rows", "grid")}
    assert {k: v for k, v in lo["page"].items() if k not in ("title_rows", "grid")} == page
    assert (lo["merges"], lo["autofilter"]) == (py["merges"], py["autofilter"])
    # LIBREOFFICE_DIFFERS["WrapText"]: a row no H record sets may grow to fit, never shrink
    rows = {int(r[1]) for r in records if r[0] == "H"}
    assert {r: lo["heights"].get(r) for r in rows} == {r: py["heights"].get(r) for r in rows}
    assert all(lo["heights"].get(r, 15) >= h for r, h in py["heights"].items())
    _assert_same(done, mirror)  # and nothing else changed
    # the layout did something: each record kind of the payload shows in LibreOffice's result
    assert ("W" in kinds) <= (lo["widths"] != before["widths"])
    assert ("H" in kinds) <= (lo["heights"] != before["heights"])
    assert ("M" in kinds) <= (lo["merges"] != before["merges"])
    assert ("T" in kinds) <= (lo["autofilter"] is not None)
    assert ("P" in kinds) <= (lo["page"] != before["page"])
    assert ({"A", "B"} & kinds != set()) <= (lo["cells"] != before["cells"])


def test_formats_in_libreoffice_is_the_mirror(office: dict[str, Any]) -> None:
    """XlperfFormats sets a computed value's number format where the cell's is General, and
    lists the cell in the journal's H:I for XlperfUnmark."""
    tmp = office["tmp"]
    start = tmp / "lo_laid.xlsx"
    mirror = _mirror(start, tmp / "py_formatted.xlsx", xlperf_formats, *office["formats_args"])
    _assert_same(tmp / "lo_formatted.xlsx", mirror)
    lo, before = state(tmp / "lo_formatted.xlsx")["cells"], state(start)["cells"]
    records = [r.split(chr(31)) for r in office["formats_args"][0].split(chr(30))]
    assert records and all(lo[(s, a)][3] == f != before[(s, a)][3] for s, a, f in records)
    listed = {(lo[(JOURNAL_SHEET, f"H{r}")][0], lo[(JOURNAL_SHEET, f"I{r}")][0]) for r in (2,)}
    assert listed == {(s, a) for s, a, _ in records}


def test_clear_range_in_libreoffice_is_the_mirror(office: dict[str, Any]) -> None:
    """覆盖汇总's XlperfClearRange: the range's merges undone, values and notes removed, fills
    and number formats kept."""
    tmp = office["tmp"]
    start = tmp / "clear_start.xlsx"
    mirror = _mirror(start, tmp / "py_cleared.xlsx", xlperf_clear_range, *office["clear_args"])
    _assert_same(tmp / "lo_cleared.xlsx", mirror)
    sheet, area = office["clear_args"]
    lo, before = state(tmp / "lo_cleared.xlsx"), state(start)
    inside = set(coordinates(area))
    kept = {k: v for k, v in lo["cells"].items() if k[0] == sheet and k[1] in inside}
    assert kept and all(v[0] is None and v[2] is None for v in kept.values())
    assert (sheet, "C5") in kept and (sheet, "B5") in before["cells"]
    merges = dict((s[0], s[3]) for s in lo["sheets"])[sheet]
    assert "F6:G6" in dict((s[0], s[3]) for s in before["sheets"])[sheet]
    assert "F6:G6" not in merges


def test_mark_in_libreoffice_is_the_mirror(office: dict[str, Any]) -> None:
    tmp = office["tmp"]
    start = tmp / "lo_formatted.xlsx"
    mirror = _mirror(start, tmp / "py_marked.xlsx", xlperf_mark, *office["mark_args"])
    _assert_same(tmp / "lo_marked.xlsx", mirror)
    # and the macro did flag: every record of the payload is a filled, noted cell
    lo = state(tmp / "lo_marked.xlsx")["cells"]
    records = [r.split(chr(31)) for r in office["mark_args"][0].split(chr(30))]
    assert all(
        lo[(s, a)][1] == colour and lo[(s, a)][2].startswith(note) for s, a, colour, note in records
    )
    # a note the cell had is kept below ours, and written to the journal (column F)
    first = state(start)["sheets"][0][0]
    assert lo[(first, "H5")][2].endswith(PREVIOUS_NOTE + OWN_NOTE)
    assert [k for k, v in lo.items() if k[0] == JOURNAL_SHEET and v[0] == OWN_NOTE] == [
        (JOURNAL_SHEET, "F2")
    ]


def test_unmark_in_libreoffice_is_the_mirror_and_restores(office: dict[str, Any]) -> None:
    tmp = office["tmp"]
    mirror = _mirror(tmp / "lo_marked.xlsx", tmp / "py_unmarked.xlsx", xlperf_unmark)
    _assert_same(tmp / "lo_unmarked.xlsx", mirror)
    # every flagged cell has its fill and note back, every formatted one General again; the
    # journal's B:I are empty again
    before, after = (
        state(tmp / "flag_start.xlsx")["cells"],
        state(tmp / "lo_unmarked.xlsx")["cells"],
    )
    forms = {k: v for k, v in after.items() if k[0] != JOURNAL_SHEET}
    assert forms == {k: v for k, v in before.items() if k[0] != JOURNAL_SHEET}
    assert not [
        k for k, v in after.items() if k[0] == JOURNAL_SHEET and k[1][0] in "BCDEFGHI" and v[0]
    ]


def test_copy_sheet_in_libreoffice_is_the_mirror(office: dict[str, Any]) -> None:
    tmp = office["tmp"]
    mirror = _mirror(
        tmp / "copy_start.xlsx", tmp / "py_copied.xlsx", xlperf_copy_sheet, *office["copy_args"]
    )
    _assert_same(tmp / "lo_copied.xlsx", mirror)
    source, title, _ = office["copy_args"]
    lo = state(tmp / "lo_copied.xlsx")
    names = [s[0] for s in lo["sheets"]]
    assert names[names.index(source) + 1] == title
    assert any(str(v[0]).startswith("填写") for k, v in lo["cells"].items() if k[0] == source)
    assert not any(str(v[0]).startswith("填写") for k, v in lo["cells"].items() if k[0] == title)
