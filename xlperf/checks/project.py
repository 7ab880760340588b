"""The units XP101–XP209 of one 项目支出绩效自评表, one function per code.

Every expected figure follows from the form's inputs by the rule (执行率 from the amounts, the
预算执行率得分 from the correct 执行率, the 总分 from the correct 预算执行率得分, the 等次 from the
correct 总分), so that two findings on one form never state different figures for one thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from xlperf.checks.unit import Flag, Flags, run, unit
from xlperf.findings import Finding
from xlperf.forms.base import Val
from xlperf.forms.project import FUND_ROWS, FundRow, ProjectForm
from xlperf.rules import RuleSet
from xlperf.scoring.convention import (
    ConventionFit,
    expected_total,
    indicator_weight_total,
    infer_convention,
    level_split,
    weights_total,
)
from xlperf.scoring.project import (
    ZERO,
    correct_rate_score,
    execution_rate,
    judge_indicator,
    level1_groups,
    rate_score_candidates,
    scoring_rate,
)
from xlperf.values import fmt_decimal as num
from xlperf.values import fmt_percent as pct
from xlperf.vocabulary.project import (
    FUND_ROW_NAMES,
    INDICATOR_PARTS,
    MONEY_HEADINGS,
    RATE_SCORE_LABEL,
)


def check_project(form: ProjectForm, file: str, rules: RuleSet) -> list[Finding]:
    """The findings of every project unit on ``form``, each message naming the project."""
    prefix = f"《{form.project_name.text or form.sheet}》"
    return run("project", file, form, rules, sheet=form.sheet, prefix=prefix)


def _rows(form: ProjectForm) -> Iterator[tuple[str, str, FundRow]]:
    for name in FUND_ROWS:
        yield name, FUND_ROW_NAMES[name], getattr(form.funds, name)


@unit("XP101")
def rate_matches_amounts(form: ProjectForm, rules: RuleSet) -> Flags:
    """Each fund row's 执行率 equals 全年执行数 ÷ 全年预算数 to the shown precision."""
    for name, label, row in _rows(form):
        exact, stated, weight = execution_rate(row), row.rate.rate_fraction(), row.weight.number
        if exact is None or stated is None:
            continue
        if rules.tolerance.rates_agree(stated, exact, row.rate.rate_decimals()):
            continue
        message = (
            f"{label}执行率为 {pct(stated, 2)}，按全年执行数 {num(row.executed.number)} ÷ 全年预算数 "
            f"{num(row.annual_budget.number)} 应为 {pct(exact, 2)}"
        )
        if name == "total" and weight is not None:
            message += f"；按正确执行率，预算执行率得分应为 {num(rules.round_score(rules.rate_score(exact, weight)))}"
        yield Flag(row.rate.cell, message, exact, stated)


@unit("XP102")
def rate_score_follows_rule(form: ProjectForm, rules: RuleSet) -> Flags:
    """The 预算执行率得分 is one the rule gives for the (correct or shown) 执行率."""
    total = form.funds.total
    score, candidates = total.score.number, rate_score_candidates(form, rules)
    if score is None or not candidates:
        return
    if not any(rules.tolerance.scores_agree(score, c) for c in candidates):
        expected = rules.round_score(candidates[0])
        message = (
            f"预算执行率得分为 {num(score)}，按规则 min(执行率 {pct(scoring_rate(total), 2)}, 100%) × 分值 "
            f"{num(total.weight.number)} 应为 {num(expected)}"
        )
        yield Flag(total.score.cell, message, expected, score)


@unit("XP103")
def executed_within_budget(form: ProjectForm, rules: RuleSet) -> Flags:
    """No fund row executes more than its 全年预算数."""
    for _, label, row in _rows(form):
        budget, executed = row.annual_budget.number, row.executed.number
        if budget is None or executed is None or executed <= budget + rules.tolerance.amount:
            continue
        message = f"{label}全年执行数 {num(executed)} 大于全年预算数 {num(budget)}"
        yield Flag(row.executed.cell, message, budget, executed)


@unit("XP104")
def total_row_adds_up(form: ProjectForm, rules: RuleSet) -> Flags:
    """年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金, column by column."""
    for column in ("initial_budget", "annual_budget", "executed"):
        column_name = MONEY_HEADINGS[column]
        whole: Val = getattr(form.funds.total, column)
        parts = [getattr(p, column).number for p in form.funds.parts()]
        part_sum = sum((p or ZERO for p in parts), ZERO)
        if all(p is None for p in parts) or rules.tolerance.amounts_agree(
            whole.number or ZERO, part_sum
        ):
            continue
        terms = " + ".join(num(p or ZERO) for p in parts)
        message = f"{column_name}：年度资金总额 {num(whole.number)} ≠ 当年财政拨款 + 上年结转资金 + 其他资金 = {terms} = {num(part_sum)}"
        yield Flag(whole.cell, message, part_sum, whole.number)


@unit("XP201")
def score_within_weight(form: ProjectForm, rules: RuleSet) -> Flags:
    """Every 得分 (预算执行率得分 and each scored indicator's) lies in [0, 分值]."""
    total = form.funds.total
    for what, weight, score in [(RATE_SCORE_LABEL, total.weight, total.score)] + [
        (f"指标“{i.name.text or ''}”得分", i.weight, i.score) for i in form.scored_indicators()
    ]:
        value, most = score.number, weight.number
        if value is not None and (
            value < 0 or (most is not None and value > most + rules.tolerance.epsilon)
        ):
            yield Flag(
                score.cell, f"{what} {num(value)} 超出 [0, 分值 {num(most)}] 的范围", most, value
            )
    if form.weights_at == "labels":  # no 分值 column: a 一级's scores within its label's 分值
        for level1, inds in level1_groups(form).items():
            declared = inds[0].level1_declared_weight
            scored = [i for i in inds if i.score.number is not None]
            held = sum((i.score.number or ZERO for i in scored), ZERO)
            if declared is not None and scored and held > declared + rules.tolerance.epsilon:
                message = (
                    f"一级指标“{level1}”各指标得分之和 {num(held)} 超出其标注的 {num(declared)} 分"
                )
                yield Flag(scored[-1].score.cell, message, declared, held)


def _points(x: Decimal) -> str:
    return format(x.normalize(), "f") if x == x.to_integral_value() else num(x)


def _weights_detail(form: ProjectForm, fit: ConventionFit) -> str:
    inds = indicator_weight_total(form)
    if fit.convention.total_includes_rate:
        return f"执行率 {num(form.funds.total.weight.number or ZERO)} + 指标 {num(inds)}"
    return f"指标 {num(inds)}，执行率不计入"


def _split_text(form: ProjectForm) -> str:
    out, ben, sat = (_points(x) for x in level_split(form))
    return f"产出 {out}／效益 {ben}／满意度 {sat}"


@unit("XP200")
def convention_stated(form: ProjectForm, rules: RuleSet) -> Flags:
    """The accepted convention the form follows, where it is not the rule set's first."""
    if not form.scored_indicators():
        return
    fit = infer_convention(form, rules)
    if not fit.weights_fit or fit.convention == rules.conventions[0]:
        return
    where = "一级指标标签" if form.weights_at == "labels" else "分值栏"
    message = (
        f"按“{fit.convention.name}”评分：{_weights_detail(form, fit)}，一级指标 {_split_text(form)}，"
        f"分值取自{where}"
    )
    if form.readings:
        message += "；读法：" + "；".join(form.readings)
    yield Flag(
        form.total_label_cell or form.funds.total.label_cell, message, None, fit.convention.name
    )


@unit("XP202")
def weights_add_up(form: ProjectForm, rules: RuleSet) -> Flags:
    """The 分值 add up under some accepted convention (执行率 inside or outside the 100)."""
    if not form.scored_indicators():
        return
    fit = infer_convention(form, rules)
    if fit.weights_fit:
        return
    total = weights_total(form, fit.convention)
    why = (
        f"一级指标分值 {_split_text(form)} 不在可接受的分配之列"
        if total == rules.total_weight
        else f"应为 {num(rules.total_weight)}"
    )
    message = (
        f"分值合计为 {num(total)}（{_weights_detail(form, fit)}），{why}；"
        f"不符合任何可接受的评分口径（已尝试：{fit.tried_names()}）"
    )
    yield Flag(
        form.total_weight.cell or form.funds.total.weight.cell, message, rules.total_weight, total
    )


@unit("XP203")
def level1_weight_matches(form: ProjectForm, rules: RuleSet) -> Flags:
    """A 一级指标's declared 分值 (“产出指标（50分）”) equals its indicators' 分值."""
    if form.weights_at == "labels":  # the labels are the weights: nothing to compare them with
        return
    for level1, inds in level1_groups(form).items():
        declared = inds[0].level1_declared_weight
        held = sum((i.weight.number or ZERO for i in inds), ZERO)
        if declared is not None and held != declared:
            message = f"一级指标“{level1}”标注 {num(declared)} 分，其下指标分值之和为 {num(held)}"
            yield Flag(inds[0].level1.cell, message, declared, held)


@unit("XP204")
def total_score_adds_up(form: ProjectForm, rules: RuleSet) -> Flags:
    """总分 = Σ 指标得分, plus the rule's 预算执行率得分 where the form's convention counts it."""
    fit = infer_convention(form, rules)
    stated = form.total_score.number
    if stated is None or fit.total_fits:
        return
    c = fit.convention
    expected = expected_total(form, c, rules)
    rate_score, stated_rate_score = correct_rate_score(form, rules), form.funds.total.score.number
    parts = "预算执行率得分与各指标得分之和"
    if not c.total_includes_rate:
        parts = "各指标得分之和（执行率得分不计入）"
    elif (
        rate_score is not None
        and stated_rate_score is not None
        and not rules.tolerance.scores_agree(stated_rate_score, rate_score)
    ):
        parts = f"按规则的预算执行率得分 {num(rate_score)} 与各指标得分之和"
    which = (
        f"按“{c.name}”口径"
        if fit.weights_fit
        else f"不符合任何可接受的评分口径（已尝试：{fit.tried_names()}）"
    )
    message = f"总分为 {num(stated)}，{parts}为 {num(expected)}；{which}"
    yield Flag(form.total_score.cell, message, expected, stated)


@unit("XP205")
def indicator_score_follows_rule(form: ProjectForm, rules: RuleSet) -> Flags:
    """An indicator's 得分 is the one its 指标值 and 完成值 give by the rule."""
    for ind in form.scored_indicators():
        score = ind.score.number
        if ind.weight.number is None or score is None:
            continue
        judgement = judge_indicator(ind, rules)
        if judgement is None or rules.tolerance.scores_agree(score, judgement.expected):
            continue
        expected = rules.round_score(judgement.expected)
        why = "已达到指标值，应得满分" if judgement.reached else "未达到指标值，应按完成比例得分"
        message = f"指标“{ind.name.text or ''}”指标值 {ind.target.text}、完成值 {ind.actual.text}：{why} {num(expected)}，表中为 {num(score)}"
        yield Flag(ind.score.cell, message, expected, score)


@unit("XP206")
def indicator_complete(form: ProjectForm, rules: RuleSet) -> Flags:
    """A named indicator has its 指标值, 完成值, 分值 and 得分."""
    for ind in form.scored_indicators():
        missing = [
            (label, getattr(ind, key).cell)
            for key, label in INDICATOR_PARTS.items()
            if getattr(ind, key).value is None
            and not (key == "weight" and form.weights_at == "labels")
        ]
        if ind.name.value is not None and missing:
            names = "、".join(m[0] for m in missing)
            yield Flag(missing[0][1], f"指标“{ind.name.text or ''}”缺少{names}")


@unit("XP207")
def shortfall_explained(form: ProjectForm, rules: RuleSet) -> Flags:
    """An indicator scored below its 分值 says why in 偏差原因分析及改进措施."""
    for ind in form.scored_indicators():
        weight, score = ind.weight.number, ind.score.number
        if weight is None or score is None or ind.note.value is not None:
            continue
        if score < weight - rules.tolerance.epsilon:
            message = f"指标“{ind.name.text or ''}”得分 {num(score)} 低于分值 {num(weight)}，未填写偏差原因分析及改进措施"
            yield Flag(ind.note.cell or ind.score.cell, message)


@unit("XP208")
def grade_matches_total(form: ProjectForm, rules: RuleSet) -> Flags:
    """The 等次 is the one the correct 总分 falls in."""
    grade = form.grade.text
    expected = expected_total(form, infer_convention(form, rules).convention, rules)
    if not grade or form.total_score.number is None:
        return
    expected_grade = rules.grade(expected)
    if rules.normalise_grade(grade) != expected_grade:
        message = f"等次为“{grade}”，总分 {num(rules.round_score(expected))} 对应“{expected_grade}”"
        yield Flag(form.grade.cell, message, expected_grade, grade)


@unit("XP209")
def total_row_weight_matches(form: ProjectForm, rules: RuleSet) -> Flags:
    """The 总分 row's 分值 equals the 分值 as the form's convention counts them (unless XP202
    explains it)."""
    fit = infer_convention(form, rules)
    total, stated = weights_total(form, fit.convention), form.total_weight.number
    # a 总分 row that states the rule's total where the weights miss it is XP202's one finding
    explained = total != rules.total_weight and stated == rules.total_weight
    if not form.scored_indicators() or stated is None or explained:
        return
    if not rules.tolerance.scores_agree(stated, total):
        parts = "执行率与各指标分值" if fit.convention.total_includes_rate else "各指标分值"
        message = f"总分行的分值为 {num(stated)}，{parts}之和为 {num(total)}"
        yield Flag(form.total_weight.cell, message, total, stated)
