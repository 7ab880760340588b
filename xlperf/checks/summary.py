"""The units XS301–XS303: 汇总表 rows against their project forms, and total rows against rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from xlperf.checks.unit import Flag, Flags, run, unit
from xlperf.findings import Finding
from xlperf.forms.base import Val
from xlperf.forms.project import ProjectForm
from xlperf.forms.summary import SummaryForm, SummaryRow
from xlperf.rules import RuleSet
from xlperf.scoring.figures import name_key, project_figures
from xlperf.scoring.project import ZERO, execution_rate, level_rate
from xlperf.values import fmt_decimal as num
from xlperf.values import fmt_percent as pct
from xlperf.vocabulary.summary import COLUMN_NAMES, NUMBER_LABELS

RATE_FIELDS = {
    "output_rate": "output",
    "benefit_rate": "benefit",
    "satisfaction_rate": "satisfaction",
}
SUM_FIELDS = {k: COLUMN_NAMES[k] for k in ("annual_budget", "executed")}


@dataclass(frozen=True)
class RowFigure:
    """What a 汇总表 row should carry for one field: the figure by the rules and where it comes
    from, with the form's own cell for it (when the form states one) and whether that is wrong."""

    value: Decimal | None
    basis: str  # how the figure is worked out, for messages and notes
    stated: Val | None = None  # the form's own cell for this figure
    stated_wrong: bool = False  # the form states another figure than the rules give
    shown: int | None = None  # decimals the figure is known to (None: exact)


def row_figures(form: ProjectForm, rules: RuleSet, checked=None) -> dict[str, RowFigure]:
    """The correct figures of a project's 汇总表 row, as the scorer recomputes them (the same
    figures ``xlperf report`` states): 执行率 = 全年执行数 ÷ 全年预算数, 自评得分 = the rule's
    预算执行率得分 + Σ 指标得分, 得分率 = Σ得分 ÷ Σ分值; amounts as the form states them.
    ``checked``: the report's figures of the form, when already worked out."""

    tol = rules.tolerance
    checked = checked or project_figures(form, rules)
    total = form.funds.total
    sheet = form.sheet

    def at(val: Val) -> str:
        return f"项目自评表 {sheet}!{val.cell}" if val.cell else "项目自评表"

    out: dict[str, RowFigure] = {
        "annual_budget": RowFigure(total.annual_budget.number, at(total.annual_budget)),
        "executed": RowFigure(total.executed.number, at(total.executed)),
    }
    exact = execution_rate(total)
    stated_rate = total.rate.rate_fraction()
    if exact is not None:
        wrong = stated_rate is not None and not tol.rates_agree(
            stated_rate, exact, total.rate.rate_decimals()
        )
        out["rate"] = RowFigure(
            exact,
            f"全年执行数 {num(total.executed.number)} ÷ 全年预算数 {num(total.annual_budget.number)}",
            total.rate if stated_rate is not None else None,
            wrong,
        )
    else:
        out["rate"] = RowFigure(
            stated_rate, at(total.rate), None, False, total.rate.rate_decimals()
        )
    stated_total = form.total_score.number
    score = checked.total
    if score is None:
        out["score"] = RowFigure(stated_total, at(form.total_score))
    elif stated_total is not None and tol.scores_agree(stated_total, score):
        out["score"] = RowFigure(stated_total, at(form.total_score), form.total_score)
    else:
        rate_score = checked.rate_score or ZERO
        out["score"] = RowFigure(
            score,
            f"预算执行率得分 {num(rate_score)} + 各指标得分之和 {num(score - rate_score)}",
            form.total_score if stated_total is not None else None,
            stated_total is not None,
        )
    for field_name, kind in RATE_FIELDS.items():
        out[field_name] = RowFigure(level_rate(form, kind), "项目自评表各指标得分 ÷ 分值")
    return out


def stated_text(val: Val, *, rate: bool = False) -> str:
    """A figure as the form shows it: ``80.3%``, ``96.97``."""
    if rate:
        fraction = val.rate_fraction()
        return pct(fraction, 2) if fraction is not None else (val.text or "（空）")
    return num(val.number) if val.number is not None else (val.text or "（空）")


def check_summaries(
    summaries: list[SummaryForm], projects: list[ProjectForm], file: str, rules: RuleSet
) -> list[Finding]:
    """The findings of every summary unit on a workbook's 汇总表 and its project forms."""
    return run("summary", file, summaries, projects, rules)


def _pairs(
    summaries: list[SummaryForm], projects: list[ProjectForm]
) -> Iterator[tuple[SummaryForm, SummaryRow, ProjectForm | None]]:
    """Every 汇总表 row with the project form of its name (None: the workbook has none)."""
    by_name = {name_key(p.project_name.text): p for p in projects}
    for summary in summaries:
        for row in summary.rows:
            yield summary, row, by_name.get(name_key(row.project_name.text))


@unit("XS301")
def rows_match_forms(
    summaries: list[SummaryForm], projects: list[ProjectForm], rules: RuleSet
) -> Flags:
    """Each figure of a 汇总表 row is its project's figure as the rules give it: the message
    names the 汇总表 cell that is wrong, the right figure and how it is worked out, and says
    when the form itself states another (wrong) figure."""
    for summary, row, form in _pairs(summaries, projects):
        if form is not None:
            yield from _compare_row(summary, row, form, rules)


@unit("XS302")
def rows_and_forms_pair(
    summaries: list[SummaryForm], projects: list[ProjectForm], rules: RuleSet
) -> Flags:
    """Every 汇总表 row has its project form and every project form its 汇总表 row."""
    listed: set[str] = set()
    for summary, row, form in _pairs(summaries, projects):
        key = name_key(row.project_name.text)
        listed.add(key)
        if form is None and key and projects:  # a workbook of summaries alone has nothing to match
            message = (
                f"汇总表中的项目“{row.project_name.text}”在本工作簿中没有对应的项目支出绩效自评表"
            )
            yield Flag(row.project_name.cell, message, sheet=summary.sheet)
    for form in projects if summaries else []:
        key = name_key(form.project_name.text)
        if key and key not in listed:
            message = f"项目“{form.project_name.text}”有项目支出绩效自评表，但未列入任何汇总表"
            yield Flag(form.project_name.cell, message, sheet=form.sheet)


def _compare_row(summary: SummaryForm, row: SummaryRow, form: ProjectForm, rules: RuleSet) -> Flags:
    tol = rules.tolerance
    figures = row_figures(form, rules)
    name = row.project_name.text
    for field_name in ("annual_budget", "executed", "rate", "score", *RATE_FIELDS):
        label = COLUMN_NAMES.get(field_name) or NUMBER_LABELS[field_name]  # 全年预算数, no （万元）
        val: Val = getattr(row, field_name)
        figure = figures[field_name]
        expected = figure.value
        if expected is None or val.cell is None or field_name not in summary.columns:
            continue
        is_rate = field_name == "rate" or field_name in RATE_FIELDS
        actual = val.rate_fraction() if is_rate else val.number
        expected_text = pct(expected, 2) if is_rate else num(expected)
        here = f"{summary.sheet}!{val.cell}"
        should = f"应为 {expected_text}（{figure.basis}）"
        if actual is None:
            if val.value is None:
                message = f"汇总表项目“{name}”的{label}为空（{here}），{should}"
                yield Flag(val.cell, message, expected, None, summary.sheet)
            continue
        if is_rate:
            agrees = tol.rates_agree(actual, expected, val.rate_decimals(), figure.shown)
            shown_text = pct(actual, 2)
        elif field_name == "score":
            agrees = tol.scores_agree(actual, expected)
            shown_text = num(actual)
        else:
            agrees = tol.amounts_agree(actual, expected)
            shown_text = num(actual)
        if agrees:
            continue
        message = f"汇总表项目“{name}”的{label} {shown_text} 有误（{here}），{should}"
        if figure.stated is not None and figure.stated_wrong:
            message += (
                f"；项目自评表所填 {stated_text(figure.stated, rate=is_rate)}"
                f"（{form.sheet}!{figure.stated.cell}）亦不符合评分规则"
            )
        yield Flag(val.cell, message, expected, actual, summary.sheet)


@unit("XS303")
def total_rows_add_up(
    summaries: list[SummaryForm], projects: list[ProjectForm], rules: RuleSet
) -> Flags:
    """A 汇总表's 合计 row: its amounts the sums of the rows, its 执行率 合计执行数 ÷ 合计预算数."""
    tol = rules.tolerance
    for summary in (s for s in summaries if s.total is not None):
        total, sheet = summary.total, summary.sheet
        for field_name, label in SUM_FIELDS.items():
            stated = getattr(total, field_name).number
            parts = sum((getattr(r, field_name).number or ZERO for r in summary.rows), ZERO)
            if stated is not None and not tol.amounts_agree(stated, parts):
                message = f"汇总表合计行{label}为 {num(stated)}，各行之和为 {num(parts)}"
                yield Flag(getattr(total, field_name).cell, message, parts, stated, sheet)
        budget, executed = total.annual_budget.number, total.executed.number
        rate = total.rate.rate_fraction()
        if not budget or executed is None or rate is None:
            continue
        exact = executed / budget
        if not tol.rates_agree(rate, exact, total.rate.rate_decimals()):
            message = (
                f"汇总表合计行执行率为 {pct(rate, 2)}，合计执行数 ÷ 合计预算数为 {pct(exact, 2)}"
            )
            yield Flag(total.rate.cell, message, exact, rate, sheet)
