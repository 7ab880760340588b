"""The checks a project form's 评分口径 decides: XP200 (a convention other than the usual, a 提示), XP202 (分值合计),
XP204 (总分), XP208 (等次), XP209 (总分行分值), each under the convention the form follows.

A form that adds up under one accepted convention is judged by it; XP202 and XP204 are reported
only where none fits, and say which conventions were tried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from xlperf.findings import Finding
from xlperf.forms.project import ProjectForm
from xlperf.rules import Convention, RuleSet
from xlperf.scoring.convention import (
    ConventionFit,
    expected_total,
    indicator_weight_total,
    infer_convention,
    level_split,
    weights_total,
)
from xlperf.scoring.project import ZERO, correct_rate_score
from xlperf.values import fmt_decimal as num

Emit = Callable[..., Finding]


def _points(x: Decimal) -> str:
    return format(x.normalize(), "f") if x == x.to_integral_value() else num(x)


def _weights_detail(form: ProjectForm, c: Convention) -> str:
    inds = indicator_weight_total(form)
    if c.total_includes_rate:
        rate = form.funds.total.weight.number or ZERO
        return f"执行率 {num(rate)} + 指标 {num(inds)}"
    return f"指标 {num(inds)}，执行率不计入"


def check_convention(form: ProjectForm, rules: RuleSet, emit: Emit) -> Iterator[Finding]:
    """XP200, XP202, XP209, XP204 and XP208 of one form, from one inference of its convention."""
    fit = infer_convention(form, rules)
    if form.scored_indicators():
        yield from _xp200(form, rules, fit, emit)
        yield from _xp202(form, rules, fit, emit)
    yield from _xp209(form, rules, fit, emit)
    yield from _xp204(form, rules, fit, emit)
    yield from _xp208(form, rules, fit, emit)


def _xp200(form: ProjectForm, rules: RuleSet, fit: ConventionFit, emit: Emit) -> Iterator[Finding]:
    """Stated where the form follows an accepted convention other than the rule set's first (the
    national one by default): a form scored the usual way is no news, one scored otherwise is."""
    if not fit.weights_fit or fit.convention == rules.conventions[0]:
        return
    c = fit.convention
    out, ben, sat = (_points(x) for x in level_split(form))
    where = "一级指标标签" if form.weights_at == "labels" else "分值栏"
    said = f"按“{c.name}”评分：{_weights_detail(form, c)}，一级指标 产出 {out}／效益 {ben}／满意度 {sat}，分值取自{where}"
    if form.readings:
        said += "；读法：" + "；".join(form.readings)
    yield emit(
        form.total_label_cell or form.funds.total.label_cell,
        "XP200",
        said,
        None,
        c.name,
    )


def _xp202(form: ProjectForm, rules: RuleSet, fit: ConventionFit, emit: Emit) -> Iterator[Finding]:
    if fit.weights_fit:
        return
    c = fit.convention
    total = weights_total(form, c)
    out, ben, sat = (_points(x) for x in level_split(form))
    if total == rules.total_weight:
        why = f"一级指标分值 产出 {out}／效益 {ben}／满意度 {sat} 不在可接受的分配之列"
    else:
        why = f"应为 {num(rules.total_weight)}"
    yield emit(
        form.total_weight.cell or form.funds.total.weight.cell,
        "XP202",
        f"分值合计为 {num(total)}（{_weights_detail(form, c)}），{why}；"
        f"不符合任何可接受的评分口径（已尝试：{fit.tried_names()}）",
        rules.total_weight,
        total,
    )


def _xp209(form: ProjectForm, rules: RuleSet, fit: ConventionFit, emit: Emit) -> Iterator[Finding]:
    stated = form.total_weight.number
    total = weights_total(form, fit.convention)
    # a 总分 row that states the rule's total where the weights miss it is XP202's one finding
    explained = total != rules.total_weight and stated == rules.total_weight
    if stated is None or explained or rules.tolerance.scores_agree(stated, total):
        return
    yield emit(
        form.total_weight.cell,
        "XP209",
        f"总分行的分值为 {num(stated)}，{_weights_detail(form, fit.convention)}之和为 {num(total)}",
        total,
        stated,
    )


def _xp204(form: ProjectForm, rules: RuleSet, fit: ConventionFit, emit: Emit) -> Iterator[Finding]:
    stated = form.total_score.number
    if stated is None or fit.total_fits:
        return
    c = fit.convention
    expected = expected_total(form, c, rules)
    if not c.total_includes_rate:
        parts = "各指标得分之和（执行率得分不计入）"
    else:
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
    if fit.weights_fit:
        which = f"按“{c.name}”口径"
    else:
        which = f"不符合任何可接受的评分口径（已尝试：{fit.tried_names()}）"
    yield emit(
        form.total_score.cell,
        "XP204",
        f"总分为 {num(stated)}，{parts}为 {num(expected)}；{which}",
        expected,
        stated,
    )


def _xp208(form: ProjectForm, rules: RuleSet, fit: ConventionFit, emit: Emit) -> Iterator[Finding]:
    grade, stated = form.grade.text, form.total_score.number
    if not grade or stated is None:
        return
    expected = expected_total(form, fit.convention, rules)
    expected_grade = rules.grade(expected)
    if rules.normalise_grade(grade) != expected_grade:
        yield emit(
            form.grade.cell,
            "XP208",
            f"等次为“{grade}”，总分 {num(rules.round_score(expected))} 对应“{expected_grade}”",
            expected_grade,
            grade,
        )
