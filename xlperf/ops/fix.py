"""重新计算并检查 and 清除标记 as plans: what the fix plan (:mod:`xlperf.ops.plan`) writes, and
what undoing a check run's journal puts back, for either adapter to apply."""

from __future__ import annotations

from xlperf.findings import Finding
from xlperf.ops.edits import WorkbookPlan
from xlperf.ops.journal import JOURNAL_SHEET, Journal, free_sheet_name
from xlperf.ops.plan import FixPlan, flag_marks
from xlperf.ops.results_sheet import results_edit
from xlperf.vocabulary.sheets import RESULTS_SHEET


def clear_plan(journal: Journal, names: list[str]) -> WorkbookPlan:
    """Undo a check run: its flags and values put back, its journal and results sheet deleted
    (only those: a user's sheet that shares a name stays)."""
    gone = [JOURNAL_SHEET]
    if journal.results_sheet and journal.results_sheet in names:
        gone.append(journal.results_sheet)
    return WorkbookPlan(
        unmark=list(journal.marks),
        restore=list(journal.values),
        unformat=list(journal.formatted),
        delete=gone,
    )


def fix_edits(plan: FixPlan, names: list[str]) -> WorkbookPlan:
    """The changes of a fix plan to a workbook with sheets ``names`` (after any undo): values
    filled, cells flagged, the results sheet under a free name, all journaled."""
    results = free_sheet_name(RESULTS_SHEET, names)
    return WorkbookPlan(
        writes=list(plan.writes),
        flags=[m.flag() for m in plan.marks],
        sheets=[results_edit(plan, results)],
        journal=Journal(results_sheet=results),
    )


def flag_edits(findings: list[Finding], names: list[str]) -> WorkbookPlan:
    """Findings flagged (no value filled), as ``xlperf fix`` flags them."""
    return fix_edits(FixPlan(findings=findings, marks=flag_marks(findings)), names)


def names_after(plan: WorkbookPlan, names: list[str]) -> list[str]:
    """The sheet names once ``plan``'s deletions are done."""
    return [n for n in names if n not in plan.delete]
