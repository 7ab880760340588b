"""Every check of a workbook: project forms (XP), 汇总表 (XS), 部门整体 forms and 收支情况
tables (XD), and what could not be read (XP000); each code one unit (see checks/unit.py)."""

from __future__ import annotations

from xlperf.checks.department import check_department
from xlperf.checks.money import check_money
from xlperf.checks.project import check_project
from xlperf.checks.summary import check_summaries
from xlperf.checks.unit import run
from xlperf.checks.workbook import readable  # noqa: F401 (registers XP000)
from xlperf.findings import Finding, cell_position
from xlperf.forms.workbook import WorkbookForms
from xlperf.reader import no_cycle_collection
from xlperf.rules import RuleSet


def check_workbook(book: WorkbookForms, rules: RuleSet | None = None) -> list[Finding]:
    """All findings of a workbook, in sheet order then row, then column, under ``rules``, else
    the workbook's own 参数 sheet, else the national rules."""
    with no_cycle_collection():  # as in reading: no cycles made, no walks over the workbook
        return _check_workbook(book, rules)


def _check_workbook(book: WorkbookForms, rules: RuleSet | None) -> list[Finding]:
    rules = book.rule_set(rules)
    found = run("workbook", book.path, book, rules)
    for form in book.projects:
        found.extend(check_project(form, book.path, rules))
    found.extend(check_summaries(book.summaries, book.projects, book.path, rules))
    for department in book.departments:
        found.extend(check_department(department, book.path, rules))
    found.extend(check_money(book.money_book(), rules))
    return sort_findings(found, book.sheets)


def sort_findings(findings: list[Finding], sheets: list[str]) -> list[Finding]:
    def key(f: Finding) -> tuple[int, int, int, str]:
        row, col = cell_position(f.cell)
        rank = sheets.index(f.sheet) if f.sheet in sheets else len(sheets)
        return (rank, row, col, f.code)

    return sorted(findings, key=key)
