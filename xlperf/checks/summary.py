"""Checks XS301–XS303: 汇总表 rows against their project forms, and total rows against rows."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

from xlperf.findings import Finding, finding
from xlperf.model import ProjectForm, SummaryForm, SummaryRow, Val
from xlperf.rules import RuleSet
from xlperf.scoring import ZERO, execution_rate, level_rate
from xlperf.values import fmt_decimal as num
from xlperf.values import fmt_percent as pct

_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")

RATE_FIELDS = {
    "output_rate": ("output", "产出指标得分率"),
    "benefit_rate": ("benefit", "效益指标得分率"),
    "satisfaction_rate": ("satisfaction", "满意度指标得分率"),
}
SUM_FIELDS = {"annual_budget": "全年预算数", "executed": "执行数"}


def name_key(name: str | None) -> str:
    """Project names compare without quotes, spaces and width differences."""
    if not name:
        return ""
    return _QUOTES.sub("", "".join(unicodedata.normalize("NFKC", name).split()))


def _form_figures(form: ProjectForm) -> dict[str, tuple[Decimal | None, int | None, str | None]]:
    """What the 汇总表 row should carry: (value, decimals shown, cell it comes from)."""
    total = form.funds.total
    rate = total.rate.rate_fraction()
    rate_decimals = total.rate.rate_decimals()
    if rate is None:
        rate, rate_decimals = execution_rate(total), None
    figures = {
        "annual_budget": (
            total.annual_budget.number,
            total.annual_budget.decimals,
            total.annual_budget.cell,
        ),
        "executed": (total.executed.number, total.executed.decimals, total.executed.cell),
        "rate": (rate, rate_decimals, total.rate.cell),
        "score": (form.total_score.number, form.total_score.decimals, form.total_score.cell),
    }
    for field_name, (kind, _) in RATE_FIELDS.items():
        figures[field_name] = (level_rate(form, kind), None, None)
    return figures


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
    tol = rules.tolerance
    figures = _form_figures(form)
    labels = {
        "annual_budget": "全年预算数",
        "executed": "执行数",
        "rate": "执行率",
        "score": "自评得分",
    } | {k: v[1] for k, v in RATE_FIELDS.items()}
    for field_name, label in labels.items():
        val: Val = getattr(row, field_name)
        expected, shown, source = figures[field_name]
        if expected is None or val.cell is None or field_name not in summary.columns:
            continue
        is_rate = field_name == "rate" or field_name in RATE_FIELDS
        actual = val.rate_fraction() if is_rate else val.number
        if actual is None:
            if val.value is None:
                yield finding(
                    file,
                    summary.sheet,
                    val.cell,
                    "XS301",
                    f"汇总表项目“{row.project_name.text}”的{label}为空，项目表为 {pct(expected, 2) if is_rate else num(expected)}",
                    expected,
                    None,
                )
            continue
        if is_rate:
            agrees = tol.rates_agree(actual, expected, val.rate_decimals(), shown)
            shown_text, expected_text = pct(actual, 2), pct(expected, 2)
        elif field_name == "score":
            agrees = tol.scores_agree(actual, expected)
            shown_text, expected_text = num(actual), num(expected)
        else:
            agrees = tol.amounts_agree(actual, expected)
            shown_text, expected_text = num(actual), num(expected)
        if not agrees:
            where = f"（{form.sheet}!{source}）" if source else "（按项目表各指标得分÷分值计算）"
            yield finding(
                file,
                summary.sheet,
                val.cell,
                "XS301",
                f"汇总表项目“{row.project_name.text}”的{label}为 {shown_text}，项目自评表为 {expected_text}{where}",
                expected,
                actual,
            )


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
