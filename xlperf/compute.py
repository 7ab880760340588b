"""The computed fields of a form (执行率, 预算执行率得分, 总分, 分值合计, 得分率, 等次).

``fix`` writes these where a form leaves them empty; templates compute them by formula; the
roll-up writes the 汇总表 rows from them. Figures are exact Decimals, rounded only where a form
shows them (scores to the rule set's places, rates to four decimals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from xlperf.forms.base import Val
from xlperf.forms.project import FUND_ROWS, ProjectForm
from xlperf.rules import RuleSet
from xlperf.scoring.convention import expected_total, form_weight_total, infer_convention
from xlperf.scoring.project import ZERO, correct_rate_score, execution_rate, level_rate

RATE_PLACES = Decimal("0.0001")


def round_rate(rate: Decimal) -> Decimal:
    return rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


Totals = tuple[Decimal | None, Decimal | None, Decimal | None]


def money_totals(budgets: list[Decimal | None], executed: list[Decimal | None]) -> Totals:
    """合计 of several projects: 全年预算数, 全年执行数 and 执行率 (执行数 ÷ 预算数). A sum with a
    missing amount is missing (None), never the sum of the others, wherever the tool states it
    (the report, the 汇总表 roll-up, the review)."""
    budget = None if None in budgets else sum(budgets, ZERO)  # type: ignore[arg-type]
    spent = None if None in executed else sum(executed, ZERO)  # type: ignore[arg-type]
    rate = spent / budget if budget and spent is not None else None
    return budget, spent, rate


@dataclass(frozen=True)
class ComputedCell:
    """A computed figure and the form's cell it belongs in."""

    field: str  # e.g. "funds.total.rate", "total_score", "grade"
    val: Val  # the cell as read (its address, current value, formula)
    value: Decimal | str
    number_format: str | None = None


def project_computed(form: ProjectForm, rules: RuleSet) -> list[ComputedCell]:
    """Every computed figure of a project form, from its inputs."""
    out: list[ComputedCell] = []
    for name in FUND_ROWS:
        row = getattr(form.funds, name)
        rate = execution_rate(row)
        if rate is not None and row.rate.cell:
            out.append(ComputedCell(f"funds.{name}.rate", row.rate, round_rate(rate), "0.00%"))
    total = form.funds.total
    rate = execution_rate(total)
    rate_score = None
    if rate is not None and total.weight.number is not None:
        rate_score = rules.round_score(rules.rate_score(rate, total.weight.number))
        if total.score.cell:
            out.append(ComputedCell("funds.total.score", total.score, rate_score, "0.00"))
    if form.total_weight.cell and form.scored_indicators():
        weights = form_weight_total(form, rules)
        out.append(ComputedCell("total_weight", form.total_weight, weights, "0.00"))
    indicator_scores = [i.score.number for i in form.scored_indicators()]
    # the 总分 follows the 预算执行率得分 and the convention that XP204 expects
    convention = infer_convention(form, rules).convention
    rate_part = correct_rate_score(form, rules) if convention.total_includes_rate else ZERO
    if (
        form.total_score.cell
        and rate_part is not None
        and all(s is not None for s in indicator_scores)
    ):
        total_score = expected_total(form, convention, rules)
        out.append(
            ComputedCell("total_score", form.total_score, rules.round_score(total_score), "0.00")
        )
        if form.grade.cell:
            out.append(ComputedCell("grade", form.grade, rules.grade(total_score)))
    return out


def project_figures(form: ProjectForm, rules: RuleSet) -> dict[str, Decimal | str | None]:
    """The figures a 汇总表 row carries for a project: the form's own, else computed."""
    total = form.funds.total
    computed = {c.field: c.value for c in project_computed(form, rules)}
    return {
        "project_name": form.project_name.text,
        "annual_budget": total.annual_budget.number,
        "executed": total.executed.number,
        "rate": _stated_or(total.rate.rate_fraction(), computed.get("funds.total.rate")),
        "output_rate": _rounded(level_rate(form, "output")),
        "benefit_rate": _rounded(level_rate(form, "benefit")),
        "satisfaction_rate": _rounded(level_rate(form, "satisfaction")),
        "score": form.total_score.number
        if form.total_score.number is not None
        else computed.get("total_score"),
        "reason": reasons(form),
    }


def _stated_or(stated: Decimal | None, computed: Decimal | str | None) -> Decimal | str | None:
    """The form's own figure where it gives one: a 汇总表 repeats its forms, mistakes and all
    (those are flagged on the form itself), and computes only what the form leaves out."""
    return stated if stated is not None else computed


def _rounded(rate: Decimal | None) -> Decimal | None:
    return None if rate is None else round_rate(rate)


def reasons(form: ProjectForm) -> str | None:
    """The 偏差原因 of the form's indicators, each once, as a 汇总表 row states them."""
    notes = [i.note.text for i in form.scored_indicators() if i.note.text]
    return "；".join(dict.fromkeys(notes)) or None
