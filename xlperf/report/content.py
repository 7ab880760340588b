"""The 自评总结报告 as data: workbook forms -> sections of paragraphs and tables, figures filled in.

Pure: no file is read or written here. The structure follows the seed-000 reports: per unit a
项目支出绩效自评总结报告 (一、项目支出基本情况 … 六、其他需要说明的问题, :mod:`.projects`), then
the department's 整体自评总结报告 (:mod:`.department`). One source for every number: figures are
the scored ones (:func:`xlperf.scoring.figures.project_figures`, :mod:`xlperf.scoring.department`); what
the forms state wrongly, and what it should be, is the check's findings
(:func:`xlperf.checks.check_workbook`, :mod:`.issues`). What needs human words is a marked place
(【待填写：…】), never invented prose.
"""

from __future__ import annotations

from collections import Counter

from xlperf.checks import check_workbook
from xlperf.errors import InputError
from xlperf.forms.workbook import WorkbookForms
from xlperf.report.blocks import ReportContent
from xlperf.report.department import department_report
from xlperf.report.issues import report_issues, units_with_issues
from xlperf.report.projects import unit_report
from xlperf.rules import RuleSet
from xlperf.scoring.figures import department_summaries, project_figures


def build_report(book: WorkbookForms, rules: RuleSet | None = None) -> ReportContent:
    """Every report of the workbook: one per unit with project forms, then the department's
    (when the workbook has a 部门整体支出绩效自评表, several units or a department 汇总表)."""
    rules = book.rule_set(rules)
    findings = check_workbook(book, rules)
    figures = [project_figures(f, rules) for f in book.projects]
    units, rest = units_with_issues(book, figures, report_issues(book, figures, findings))
    year = _year(book)
    reports = [unit_report(u, year) for u in units]
    if book.departments or (figures and (len(units) > 1 or department_summaries(book))):
        reports.append(department_report(book, units, figures, rest, year, rules))
    if not reports:
        raise InputError(book.path, "工作簿中没有项目支出绩效自评表，无法生成自评总结报告")
    return ReportContent(source=book.path, reports=tuple(reports))


def _year(book: WorkbookForms) -> str:
    years = Counter(p.year.text for p in book.projects if p.year.text)
    return years.most_common(1)[0][0] if years else ""
