"""A fixed-seed slice of the fuzz harness (benchmarks/fuzz.py): mutated workbooks through
``xlperf check --format json``, the server's ``recalc_and_check`` and ``fix`` then ``clear``.

Every failure the harness sees is sorted into a class; each class known to fail on the current
code is its own test, marked xfail (not strict) until it is fixed, and ``test_no_other_failure``
fails on any failure that belongs to no known class.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Border, Font, PatternFill, Side

from tests import mutate
from tests.conftest import fixture_path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import fuzz  # noqa: E402

SEED = 20261201
CHECKS = 150
ROUNDTRIPS = 40
SERVER_EVERY = 3  # a third of the book mutants also go to the server

# The failure classes the first full run found (id, what failed, how to recognise it), each
# fixed since; a test per class keeps it so. The harness's class names are
# "<stage>: <class>: <detail>".
KNOWN = [
    (
        "huge-number",
        "a huge number (1e308, 10**20, 9×400) makes xlperf/values.py:fmt_decimal "
        "raise decimal.InvalidOperation",
        r"InvalidOperation",
    ),
    (
        "merged-flag",
        "a finding on a merged cell: ops/files.py:apply_plan sets a comment on a "
        "MergedCell (AttributeError)",
        r"MergedCell",
    ),
    (
        "user-results-sheet",
        "a user sheet named 检查结果: the server's excel.py:add_sheet raises "
        "(ValueError: already present); fix replaces the user's sheet",
        r"already present|user sheets changed|检查结果",
    ),
    (
        "iso-date-text",
        "text like 2021-08-31T00:00:00 in a cell: xlwings' remote engine cuts the "
        "last character and excel.py:read raises ValueError (Invalid isoformat string)",
        r"Invalid isoformat",
    ),
    (
        "far-cell",
        "one cell at XFD1048576 (or another far row/column): check runs past 10 s "
        "(the reader builds the whole grid)",
        r"^far_cell:.*timeout",
    ),
    (
        "formula-injection",
        "cell text starting = + - @ written unprotected: by the server "
        "(excel.py:fix_live writes the 检查结果 rows without excel_rows) and by fix "
        "(ops/files.py:write_results_sheet uses ws.cell, not literal.put)",
        r"as a formula|wrote a formula|formula in its own sheet",
    ),
]


def _classify(failure: tuple[str, ...]) -> str | None:
    """The known class of a (label, stage, class, detail) failure, or None."""
    text = ":".join(failure)
    for ident, _, pattern in KNOWN:
        if re.search(pattern, text):
            return ident
    return None


@pytest.fixture(scope="module")
def records() -> list[fuzz.Record]:
    fixture_path("std")
    specs = mutate.plan(CHECKS, SEED, mutate.source_paths())
    book = [s.index for s in specs if mutate.is_book(s.mutator)]
    return fuzz.run(
        specs,
        jobs=os.cpu_count() or 1,  # each mutant is its own subprocess: use every core
        timeout=10,
        server=set(book[::SERVER_EVERY]),
        roundtrips=set(book[: ROUNDTRIPS + 8]),
    )


def _failures(records: list[fuzz.Record]) -> list[tuple[str, str, str, str]]:
    return [(r.spec.label, *f) for r in records for f in r.failures]


def test_the_slice_ran(records: list[fuzz.Record]) -> None:
    stages = [o.stage for r in records for o in r.outcomes]
    assert len(records) == CHECKS
    assert stages.count("check") == CHECKS
    assert stages.count("server") >= 30
    done = [
        o
        for r in records
        for o in r.outcomes
        if o.stage == "roundtrip" and o.note != "not readable"
    ]
    assert len(done) >= ROUNDTRIPS
    kinds = {r.spec.mutator for r in records}
    assert {"flip", "xml", "sheet_rename", "merge_make", "huge"} <= kinds


def test_no_other_failure(records: list[fuzz.Record]) -> None:
    """No traceback, timeout, exit outside 0/1/2, non-JSON stdout or round-trip difference
    other than the known classes."""
    unknown = [f for f in _failures(records) if _classify(f) is None]
    assert unknown == [], fuzz.summary(records, 0)


@pytest.mark.parametrize(
    "ident",
    [pytest.param(k[0], id=k[0]) for k in KNOWN],
)
def test_known_failure_class_is_fixed(records: list[fuzz.Record], ident: str) -> None:
    hits = [f for f in _failures(records) if _classify(f) == ident]
    assert hits == []


def test_exit_codes_and_json(records: list[fuzz.Record]) -> None:
    checks = [o for r in records for o in r.outcomes if o.stage == "check"]
    killed = [o for o in checks if o.exit is None]
    assert all("timeout" in cls for o in killed for cls, _ in o.failures)
    assert {o.exit for o in checks if o.exit is not None} <= {0, 1, 2}
    assert {0, 1, 2} <= {o.exit for o in checks}  # clean, faulty and refused mutants all occur


def test_the_command_line_exits_as_in_process(records: list[fuzz.Record]) -> None:
    """The real ``xlperf check`` process gives the exit code the in-process run gave."""
    picked = {}
    for r in records:
        first = r.outcomes[0]
        if first.stage == "check" and not r.failures and first.exit not in picked:
            picked[first.exit] = r.spec
    assert set(picked) == {0, 1, 2}
    for spec, run in zip(picked.values(), fuzz.run_subprocess(list(picked.values())), strict=True):
        assert run.failures == [] and run.outcomes[0].exit == next(
            code for code, s in picked.items() if s == spec
        )


def test_the_comparison_sees_every_kind_of_change(tmp_path: Path) -> None:
    """The round-trip comparison can fail: a changed value, format, fill, font, border, note,
    sheet name, order or visibility is each reported."""
    path = tmp_path / "a.xlsx"
    wb = openpyxl.load_workbook(fixture_path("std"))
    wb.save(path)
    edits = {
        "value": lambda wb: setattr(wb.worksheets[0]["H5"], "value", 1),
        "number_format": lambda wb: setattr(wb.worksheets[0]["H5"], "number_format", "0.0"),
        "fill": lambda wb: setattr(
            wb.worksheets[0]["A1"], "fill", PatternFill(fill_type="solid", fgColor="FF0000")
        ),
        "font": lambda wb: setattr(wb.worksheets[0]["A1"], "font", Font(name="Arial", size=30)),
        "border": lambda wb: setattr(wb.worksheets[0]["A1"], "border", Border(left=Side("thick"))),
        "comment": lambda wb: setattr(wb.worksheets[0]["A1"], "comment", Comment("x", "y")),
        "sheets": lambda wb: setattr(wb.worksheets[1], "sheet_state", "hidden"),
    }
    for name, edit in edits.items():
        before, after = openpyxl.load_workbook(path), openpyxl.load_workbook(path)
        edit(after)
        found = mutate.compare_books(before, after)
        assert found and all(name in cls for cls, _ in found), name
    before, after = openpyxl.load_workbook(path), openpyxl.load_workbook(path)
    assert mutate.compare_books(before, after) == []
    after.move_sheet(after.worksheets[0], 1)
    assert mutate.compare_books(before, after)


# Mutants the full run (10,000) failed on, each fixed since: replayed as they were made.
FULL_RUN_FAILURES = [
    "text:项目支出绩效自评表.xlsx:1000272",  # ISO date-time text read through the remote engine
    "nanlike:部门整体支出绩效自评表.xlsx:1004541",  # "NaN" text as a department rate, on the server
    "negative:seed000_plain.xlsx:1000262",  # a negative rate xlperf fills, sent as "-100%"
]


@pytest.mark.parametrize("label", FULL_RUN_FAILURES)
def test_full_run_failures_stay_fixed(label: str, tmp_path: Path) -> None:
    mutator, source, seed = label.split(":")
    path = tmp_path / f"{mutator}_{seed}_{source}"
    mutate.write_mutant(fuzz.Spec(0, source, mutator, int(seed)), path)
    for outcome in (mutate.stage_check(path), mutate.stage_server(path)):
        assert outcome.failures == [], (label, outcome.stage, outcome.failures)


# Mutants whose fix-then-clear round trip failed, each fixed since.
ROUNDTRIP_FAILURES = [
    "combo:seed000_plain.xlsx:1005236",  # clear lost the author of the note a flagged cell had
    "text:seed000_std.xlsx:1000393",  # a 汇总表 cell typed as one space, filled by fix
]


@pytest.mark.parametrize("label", ROUNDTRIP_FAILURES)
def test_roundtrip_failures_stay_fixed(label: str, tmp_path: Path) -> None:
    mutator, source, seed = label.split(":")
    path = tmp_path / f"{mutator}_{seed}_{source}"
    mutate.write_mutant(fuzz.Spec(0, source, mutator, int(seed)), path)
    outcome = mutate.stage_roundtrip(path, tmp_path)
    assert outcome.exit == 0 and outcome.failures == [], (label, outcome.failures)


def test_fix_keeps_a_cell_typed_as_spaces(tmp_path: Path) -> None:
    """The round trip's case at the plan: 汇总表4!E6 holds " ", which fix leaves as typed."""
    from xlperf.ops.plan import plan_fix
    from xlperf.reader import read_workbook

    path = tmp_path / "spaces.xlsx"
    mutate.write_mutant(fuzz.Spec(0, "seed000_std.xlsx", "text", 1000393), path)
    assert openpyxl.load_workbook(path)["汇总表4"]["E6"].value == " "
    writes = {(w.sheet, w.cell) for w in plan_fix(read_workbook(path)).writes}
    assert ("汇总表4", "E6") not in writes
