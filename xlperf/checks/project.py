"""Checks XP101–XP209 of one 项目支出绩效自评表.

Every expected figure follows from the form's inputs by the rule (执行率 from the amounts, the
预算执行率得分 from the correct 执行率, the 总分 from the correct 预算执行率得分, the 等次 from the
correct 总分), so that two findings on one form never state different figures for one thing.
"""

from __future__ import annotations

from collections.abc import Iterator

from xlperf.checks.convention import check_convention
from xlperf.findings import Finding, finding
from xlperf.forms.project import FUND_ROWS, ProjectForm
from xlperf.rules import RuleSet
from xlperf.scoring.project import (
    ZERO,
    execution_rate,
    judge_indicator,
    level1_groups,
    rate_score_candidates,
    scoring_rate,
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
    for check in (_funds, _weights, _indicators, check_convention):
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
    if form.weights_at == "labels":  # the labels are the weights: nothing to compare them with
        return
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
    if form.weights_at == "labels":
        yield from _label_weight_scores(form, rules, emit)
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
                if val.value is None and not (label == "分值" and form.weights_at == "labels")
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


def _label_weight_scores(form: ProjectForm, rules: RuleSet, emit) -> Iterator[Finding]:
    """No 分值 column: a 一级指标's scores together stay within the 分值 its label declares."""
    for level1, inds in level1_groups(form).items():
        declared = inds[0].level1_declared_weight
        scored = [i for i in inds if i.score.number is not None]
        if declared is None or not scored:
            continue
        held = sum((i.score.number or ZERO for i in scored), ZERO)
        if held > declared + rules.tolerance.epsilon:
            yield emit(
                scored[-1].score.cell,
                "XP201",
                f"一级指标“{level1}”各指标得分之和 {num(held)} 超出其标注的 {num(declared)} 分",
                declared,
                held,
            )
