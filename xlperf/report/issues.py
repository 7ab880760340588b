"""The check's findings as the report states them.

Each :class:`~xlperf.findings.Finding` of :func:`xlperf.checks.check_workbook` becomes one row of
the report's 附表 (an :class:`Issue`: where, what the form says, what it should say), printed
from the finding's own ``expected`` and ``actual``. The prose reads the same rows (:func:`at`),
so every "问题及更正" the report states is a finding's, never a comparison of the report's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xlperf.findings import CODES, Finding
from xlperf.forms.workbook import WorkbookForms
from xlperf.registry import REGISTRY
from xlperf.registry.model import Appendix, Shows
from xlperf.report.blocks import Block, Table, para
from xlperf.report.numbers import pct, plain, plain_pct, pts, wan
from xlperf.scoring.figures import ProjectFigures, Unit, group_units, in_form
from xlperf.vocabulary.review import FINDING_PLACE
from xlperf.vocabulary.summary import SEQ_LABEL

SUMMARY_RATES = ("rate", "output_rate", "benefit_rate", "satisfaction_rate")
SUMMARY_FIELDS = {"annual_budget": "amount", "executed": "amount", "score": "score"} | {
    name: "rate" for name in SUMMARY_RATES
}


@dataclass(frozen=True)
class Issue:
    """One finding as the report's 附表 lists it: where, what the form says, what is right."""

    finding: Finding
    subject: str  # the project it concerns, or the sheet it stands on
    form_value: str
    corrected: str
    project: ProjectFigures | None = field(default=None, compare=False)  # the form it stands on

    @property
    def error(self) -> bool:
        return self.finding.severity == "error"


def _summary_kinds(book: WorkbookForms) -> dict[tuple[str, str], str]:
    """(sheet, cell) of every 汇总表 figure -> how it prints: "amount", "score" or "rate"."""
    return {
        (s.sheet, val.cell): kind
        for s in book.summaries
        for row in s.rows
        for name, kind in SUMMARY_FIELDS.items()
        if (val := getattr(row, name)).cell
    }


_SHOW = {"amount": wan, "score": pts, "rate": pct}
_STATE = {"amount": plain, "score": plain, "rate": plain_pct}


def _fill(template: str, f: Finding, show) -> str:
    """``template`` with the finding's figures printed by ``show``; a template with words
    around its figure asks to check (请核实) where the figure is not a number."""
    figures = {"expected": f.expected, "actual": f.actual}
    used = [v for k, v in figures.items() if "{" + k + "}" in template]
    if template not in ("{expected}", "{actual}") and not all(isinstance(v, Decimal) for v in used):
        return "请核实"
    if template == "{expected}" and f.expected is None:
        return "请核实"
    return template.format(
        **{k: show(v) if isinstance(v, Decimal) else plain(v) for k, v in figures.items()}
    )


def _appendix(f: Finding) -> Appendix:
    rule = REGISTRY.get(f.code)
    return rule.appendix if rule is not None else Appendix()


def corrected(f: Finding, kind: Shows | None = None) -> str:
    """What the 附表 says the cell should hold (the registry's 更正为 of the code), printed as
    figures of its kind; a ``kind`` names a 汇总表 figure's ("amount", "score", "rate")."""
    appendix = _appendix(f)
    return _fill(appendix.corrected, f, _SHOW[kind or appendix.shows])


def form_value(f: Finding, kind: Shows | None = None) -> str:
    """What the form holds there (the registry's 表中所填 of the code)."""
    appendix = _appendix(f)
    template = appendix.stated
    if "{" not in template:
        return template
    return template.format(
        **{
            k: _STATE[kind or appendix.shows](v)
            for k, v in (("expected", f.expected), ("actual", f.actual))
        }
    )


def report_issues(
    book: WorkbookForms, figures: list[ProjectFigures], findings: list[Finding]
) -> list[Issue]:
    """Every finding as its 附表 row, in the check's order."""
    kinds = _summary_kinds(book)
    out = []
    for f in findings:
        owner = next((p for p in figures if _stands_on(f, p)), None)
        kind = kinds.get((f.sheet, f.cell))  # a 汇总表 figure prints as its column
        subject = owner.name if owner is not None else f.sheet
        out.append(Issue(f, subject, form_value(f, kind), corrected(f, kind), owner))
    return out


def _stands_on(f: Finding, p: ProjectFigures) -> bool:
    """Whether the finding is on ``p``'s form: in its rows, or at its 等次 (read below them)."""
    form = p.form
    return in_form(f, form.sheet, form.first_row, form.last_row) or (
        f.sheet == form.sheet and f.cell == form.grade.cell
    )


def units_with_issues(
    book: WorkbookForms, figures: list[ProjectFigures], issues: list[Issue]
) -> tuple[list[Unit], list[Issue]]:
    """The units (:func:`xlperf.scoring.figures.group_units`), each with the 附表 rows of its forms; and
    the rows of no unit (the department's forms and 汇总表)."""
    units = group_units(book, figures)
    placed: set[int] = set()
    for unit in units:
        mine = [
            i for i in issues if any(i.project is p for p in unit.projects) or unit.holds(i.finding)
        ]
        placed.update(id(i) for i in mine)
        unit.issues = ordered(mine)
    return units, ordered([i for i in issues if id(i) not in placed])


def ordered(issues: list[Issue]) -> list[Issue]:
    """Errors first, then what needs checking; each in the order the check found them."""
    return [i for i in issues if i.error] + [i for i in issues if not i.error]


def at(issues: list[Issue], sheet: str, cell: str | None, code: str) -> Issue | None:
    """The 附表 row of ``code`` at ``sheet!cell``, if the check found one there."""
    return next(
        (
            i
            for i in issues
            if i.finding.code == code and i.finding.sheet == sheet and i.finding.cell == cell
        ),
        None,
    )


def on_form(issues: list[Issue], sheet: str, first: int, last: int, code: str) -> list[Issue]:
    """The 附表 rows of ``code`` on the form at rows ``first``–``last`` of ``sheet``."""
    return [i for i in issues if i.finding.code == code and in_form(i.finding, sheet, first, last)]


APPENDIX_CAPTION = "附表：自评表填报问题及更正"


def appendix_table(issues: list[Issue]) -> Table:
    header = (SEQ_LABEL, *FINDING_PLACE, "问题", "表中所填", "更正为")
    rows = tuple(
        (
            str(n),
            i.finding.sheet,
            i.finding.cell,
            i.finding.code,
            CODES[i.finding.code][1] if i.finding.code in CODES else i.finding.message,
            i.form_value,
            i.corrected,
        )
        for n, i in enumerate(issues, 1)
    )
    widths = (0.8, 3.0, 1.1, 1.1, 3.9, 1.7, 4.0)
    align = ("center", "left", "center", "center", "left", "center", "left")
    return Table(APPENDIX_CAPTION, header, rows, widths, align=align, appendix=True)


def _subjects(issues: list[Issue]) -> str:
    names = list(dict.fromkeys(i.subject for i in issues))
    if len(names) > 3:
        return "、".join(names[:3]) + f"等{len(names)}个项目"
    return "、".join(names)


def _by_code(issues: list[Issue]) -> str:
    groups: dict[str, list[Issue]] = {}
    for i in issues:
        groups.setdefault(i.finding.code, []).append(i)
    return "；".join(
        f"{CODES[code][1] if code in CODES else code}（{len(group)}处，涉及{_subjects(group)}）"
        for code, group in groups.items()
    )


def issues_summary(issues: list[Issue], where: str = "自评表与汇总表") -> list[Block]:
    """What the check found, summarised in prose; the item list is the 附表."""
    if not issues:
        return [para(f"经按评分规则复核，{where}未发现计算或填报错误。")]
    errors = [i for i in issues if i.error]
    warnings = [i for i in issues if not i.error]
    blocks: list[Block] = []
    if errors:
        blocks.append(
            para(
                f"经按评分规则复核，{where}中需更正的填报问题共{len(errors)}处：{_by_code(errors)}。"
                "本报告所列数字均为复核后的数字。"
            )
        )
    if warnings:
        lead = "另有" if errors else f"经按评分规则复核，{where}未发现计算错误，但有"
        kept = "".join(dict.fromkeys(_appendix(i.finding).note for i in warnings))
        blocks.append(para(f"{lead}需核实的事项{len(warnings)}处：{_by_code(warnings)}{kept}。"))
    blocks.append(para("各问题的位置、表中所填数字和更正后的数字见附表。"))
    return blocks
