"""Checks XS301–XS303: 汇总表 rows against their project forms, and total rows against rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from xlperf.findings import Finding, finding
from xlperf.forms.base import Val
from xlperf.forms.project import ProjectForm
from xlperf.forms.summary import SummaryForm, SummaryRow
from xlperf.rules import RuleSet
from xlperf.scoring.figures import name_key, project_figures
from xlperf.scoring.project import ZERO, execution_rate, level_rate
from xlperf.values import fmt_decimal as num
from xlperf.values import fmt_percent as pct

RATE_FIELDS = {
    "output_rate": ("output", "产出指标得分率"),
    "benefit_rate": ("benefit", "效益指标得分率"),
    "satisfaction_rate": ("satisfaction", "满意度指标得分率"),
}
SUM_FIELDS = {"annual_budget": "全年预算数", "executed": "执行数"}


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
    for field_name, (kind, _) in RATE_FIELDS.items():
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
    out: list[Finding] = []
    by_name = {name_key(p.project_name.text): p for p in projects}
    listed: set[str] = set()
    for summary in summaries:
        for row in summary.rows:
            key = name_key(row.project_name.text)
            listed.add(key)
            form = by_name.get(key)
            if form is None:
                if key and projects:  # a workbook of summaries alone has nothing to match
                    out.append(
                        finding(
                            file,
                            summary.sheet,
                            row.project_name.cell,
                            "XS302",
                            f"汇总表中的项目“{row.project_name.text}”在本工作簿中没有对应的项目支出绩效自评表",
                        )
                    )
                continue
            out.extend(_compare_row(summary, row, form, file, rules))
        out.extend(_check_total(summary, file, rules))
    if summaries:
        for form in projects:
            key = name_key(form.project_name.text)
            if key and key not in listed:
                out.append(
                    finding(
                        file,
                        form.sheet,
                        form.project_name.cell,
                        "XS302",
                        f"项目“{form.project_name.text}”有项目支出绩效自评表，但未列入任何汇总表",
                    )
                )
    return out


def _compare_row(
    summary: SummaryForm, row: SummaryRow, form: ProjectForm, file: str, rules: RuleSet
) -> Iterator[Finding]:
    """Each figure of the row against the project's figure as the rules give it: the message
    names the 汇总表 cell that is wrong, the right figure and how it is worked out, and says
    when the form itself states another (wrong) figure."""
    tol = rules.tolerance
    figures = row_figures(form, rules)
    labels = {
        "annual_budget": "全年预算数",
        "executed": "执行数",
        "rate": "执行率",
        "score": "自评得分",
    } | {k: v[1] for k, v in RATE_FIELDS.items()}
    name = row.project_name.text
    for field_name, label in labels.items():
        val: Val = getattr(row, field_name)
        figure = figures[field_name]
        expected = figure.value
        if expected is None or val.cell is None or field_name not in summary.columns:
            continue
        is_rate = field_name == "rate" or field_name in RATE_FIELDS
        actual = val.rate_fraction() if is_rate else val.number
        expected_text = pct(expected, 2) if is_rate else num(expected)
        here = f"{summary.sheet}!{val.cell}"
        if actual is None:
            if val.value is None:
                yield finding(
                    file,
                    summary.sheet,
                    val.cell,
                    "XS301",
                    f"汇总表项目“{name}”的{label}为空（{here}），应为 {expected_text}（{figure.basis}）",
                    expected,
                    None,
                )
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
        message = (
            f"汇总表项目“{name}”的{label} {shown_text} 有误（{here}），"
            f"应为 {expected_text}（{figure.basis}）"
        )
        if figure.stated is not None and figure.stated_wrong:
            message += (
                f"；项目自评表所填 {stated_text(figure.stated, rate=is_rate)}"
                f"（{form.sheet}!{figure.stated.cell}）亦不符合评分规则"
            )
        yield finding(file, summary.sheet, val.cell, "XS301", message, expected, actual)


def _check_total(summary: SummaryForm, file: str, rules: RuleSet) -> Iterator[Finding]:
    total = summary.total
    if total is None:
        return
    for field_name, label in SUM_FIELDS.items():
        stated = getattr(total, field_name).number
        if stated is None:
            continue
        parts = sum((getattr(r, field_name).number or ZERO for r in summary.rows), ZERO)
        if not rules.tolerance.amounts_agree(stated, parts):
            yield finding(
                file,
                summary.sheet,
                getattr(total, field_name).cell,
                "XS303",
                f"汇总表合计行{label}为 {num(stated)}，各行之和为 {num(parts)}",
                parts,
                stated,
            )
    budget, executed = total.annual_budget.number, total.executed.number
    stated_rate = total.rate.rate_fraction()
    if budget and executed is not None and stated_rate is not None:
        exact = executed / budget
        if not rules.tolerance.rates_agree(stated_rate, exact, total.rate.rate_decimals()):
            yield finding(
                file,
                summary.sheet,
                total.rate.cell,
                "XS303",
                f"汇总表合计行执行率为 {pct(stated_rate, 2)}，合计执行数 ÷ 合计预算数为 {pct(exact, 2)}",
                exact,
                stated_rate,
            )
