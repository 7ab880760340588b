"""Checks XP101–XP209 of one 项目支出绩效自评表.

Every expected figure follows from the form's inputs by the rule (执行率 from the amounts, the
预算执行率得分 from the correct 执行率, the 总分 from the correct 预算执行率得分, the 等次 from the
correct 总分), so that two findings on one form never state different figures for one thing.
"""

from __future__ import annotations

from collections.abc import Iterator

from xlperf.findings import Finding, finding
from xlperf.forms.project import FUND_ROWS, ProjectForm
from xlperf.rules import RuleSet
from xlperf.scoring.project import (
    ZERO,
    correct_rate_score,
    correct_total,
    execution_rate,
    judge_indicator,
    level1_groups,
    rate_score_candidates,
    scoring_rate,
    weight_sum,
)
from xlperf.values import fmt_decimal as num
from xlperf.values import fmt_percent as pct

ROW_NAMES = {
    "total": "年度资金总额",
    "current_appropriation": "当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
COLUMN_NAMES = {
    "initial_budget": "年初预算数",
    "annual_budget": "全年预算数",
    "executed": "全年执行数",
}


def check_project(form: ProjectForm, file: str, rules: RuleSet) -> list[Finding]:
    def emit(cell: str | None, code: str, message: str, expected=None, actual=None) -> Finding:
        return finding(
            file,
            form.sheet,
            cell,
            code,
            f"《{form.project_name.text or form.sheet}》{message}",
            expected,
            actual,
        )

    out: list[Finding] = []
    for check in (_funds, _weights, _indicators, _totals):
        out.extend(check(form, rules, emit))
    return out


def _funds(form: ProjectForm, rules: RuleSet, emit) -> Iterator[Finding]:
    tol = rules.tolerance
    for name in FUND_ROWS:
        row = getattr(form.funds, name)
        label = ROW_NAMES[name]
        exact = execution_rate(row)
        stated = row.rate.rate_fraction()
        if (
            exact is not None
            and stated is not None
            and not tol.rates_agree(stated, exact, row.rate.rate_decimals())
        ):
            extra = ""
            weight = row.weight.number
            if name == "total" and weight is not None:
                extra = f"；按正确执行率，预算执行率得分应为 {num(rules.round_score(rules.rate_score(exact, weight)))}"
            yield emit(
                row.rate.cell,
                "XP101",
                f"{label}执行率为 {pct(stated, 2)}，按全年执行数 {num(row.executed.number)} ÷ 全年预算数 "
                f"{num(row.annual_budget.number)} 应为 {pct(exact, 2)}{extra}",
                exact,
                stated,
            )
        budget, executed = row.annual_budget.number, row.executed.number
        if budget is not None and executed is not None and executed > budget + tol.amount:
            yield emit(
                row.executed.cell,
                "XP103",
                f"{label}全年执行数 {num(executed)} 大于全年预算数 {num(budget)}",
                budget,
                executed,
            )
    total = form.funds.total
    rate, weight, score = scoring_rate(total), total.weight.number, total.score.number
    candidates = rate_score_candidates(form, rules)
    if score is not None and candidates and not any(tol.scores_agree(score, c) for c in candidates):
        expected = rules.round_score(candidates[0])
        yield emit(
            total.score.cell,
            "XP102",
            f"预算执行率得分为 {num(score)}，按规则 min(执行率 {pct(rate, 2)}, 100%) × 分值 {num(weight)} "
            f"应为 {num(expected)}",
            expected,
            score,
        )
    for column, column_name in COLUMN_NAMES.items():
        whole = getattr(total, column).number
        parts = [getattr(p, column).number for p in form.funds.parts()]
        if all(p is None for p in parts):
            continue
        part_sum = sum((p or ZERO for p in parts), ZERO)
        whole_value = whole if whole is not None else ZERO
        if not tol.amounts_agree(whole_value, part_sum):
            terms = " + ".join(num(p or ZERO) for p in parts)
            yield emit(
                getattr(total, column).cell,
                "XP104",
                f"{column_name}：年度资金总额 {num(whole)} ≠ 当年财政拨款 + 上年结转资金 + 其他资金 = {terms} = {num(part_sum)}",
                part_sum,
                whole,
            )


def _weights(form: ProjectForm, rules: RuleSet, emit) -> Iterator[Finding]:
    if not form.scored_indicators():
        return
    total = weight_sum(form)
    if total != rules.total_weight:
        rate_weight = form.funds.total.weight.number or ZERO
        yield emit(
            form.total_weight.cell or form.funds.total.weight.cell,
            "XP202",
            f"分值合计为 {num(total)}（执行率 {num(rate_weight)} + 指标 {num(total - rate_weight)}），应为 {num(rules.total_weight)}",
            rules.total_weight,
            total,
        )
    stated = form.total_weight.number
    # a 总分 row that states the rule's total where the weights miss it is XP202's one finding
    explained = total != rules.total_weight and stated == rules.total_weight
    if stated is not None and not explained and not rules.tolerance.scores_agree(stated, total):
        yield emit(
            form.total_weight.cell,
            "XP209",
            f"总分行的分值为 {num(stated)}，执行率与各指标分值之和为 {num(total)}",
            total,
            stated,
        )
    for level1, inds in level1_groups(form).items():
        declared = inds[0].level1_declared_weight
        if declared is None:
            continue
        held = sum((i.weight.number or ZERO for i in inds), ZERO)
        if held != declared:
            yield emit(
                inds[0].level1.cell,
                "XP203",
                f"一级指标“{level1}”标注 {num(declared)} 分，其下指标分值之和为 {num(held)}",
                declared,
                held,
            )


def _indicators(form: ProjectForm, rules: RuleSet, emit) -> Iterator[Finding]:
    tol = rules.tolerance
    total = form.funds.total
    for weight, score, what in [(total.weight.number, total.score, "预算执行率得分")] + [
        (i.weight.number, i.score, f"指标“{i.name.text or ''}”得分")
        for i in form.scored_indicators()
    ]:
        value = score.number
        if value is None:
            continue
        if value < 0 or (weight is not None and value > weight + tol.epsilon):
            yield emit(
                score.cell,
                "XP201",
                f"{what} {num(value)} 超出 [0, 分值 {num(weight)}] 的范围",
                weight,
                value,
            )
    for ind in form.scored_indicators():
        name = ind.name.text or ""
        if ind.name.value is not None:
            missing = [
                (label, val.cell)
                for label, val in (
                    ("指标值", ind.target),
                    ("完成值", ind.actual),
                    ("分值", ind.weight),
                    ("得分", ind.score),
                )
                if val.value is None
            ]
            if missing:
                yield emit(
                    missing[0][1],
                    "XP206",
                    f"指标“{name}”缺少{'、'.join(m[0] for m in missing)}",
                    None,
                    None,
                )
        weight, score = ind.weight.number, ind.score.number
        if weight is None or score is None:
            continue
        judgement = judge_indicator(ind, rules)
        if judgement is not None and not tol.scores_agree(score, judgement.expected):
            expected = rules.round_score(judgement.expected)
            why = (
                "已达到指标值，应得满分" if judgement.reached else "未达到指标值，应按完成比例得分"
            )
            yield emit(
                ind.score.cell,
                "XP205",
                f"指标“{name}”指标值 {ind.target.text}、完成值 {ind.actual.text}：{why} {num(expected)}，表中为 {num(score)}",
                expected,
                score,
            )
        if score < weight - tol.epsilon and ind.note.value is None:
            yield emit(
                ind.note.cell or ind.score.cell,
                "XP207",
                f"指标“{name}”得分 {num(score)} 低于分值 {num(weight)}，未填写偏差原因分析及改进措施",
                None,
                None,
            )


def _totals(form: ProjectForm, rules: RuleSet, emit) -> Iterator[Finding]:
    stated = form.total_score.number
    expected = correct_total(form, rules)
    if stated is not None and not rules.tolerance.scores_agree(stated, expected):
        rate_score = correct_rate_score(form, rules)
        stated_rate_score = form.funds.total.score.number
        if (
            rate_score is not None
            and stated_rate_score is not None
            and not rules.tolerance.scores_agree(stated_rate_score, rate_score)
        ):
            parts = f"按规则的预算执行率得分 {num(rate_score)} 与各指标得分之和"
        else:
            parts = "预算执行率得分与各指标得分之和"
        yield emit(
            form.total_score.cell,
            "XP204",
            f"总分为 {num(stated)}，{parts}为 {num(expected)}",
            expected,
            stated,
        )
    grade = form.grade.text
    if grade and stated is not None:
        expected_grade = rules.grade(expected)
        if rules.normalise_grade(grade) != expected_grade:
            yield emit(
                form.grade.cell,
                "XP208",
                f"等次为“{grade}”，总分 {num(rules.round_score(expected))} 对应“{expected_grade}”",
                expected_grade,
                grade,
            )
