"""评分口径: which accepted convention a project form follows, inferred from its own figures.

A form follows a convention when its 分值 add up under it (执行率 分值, indicators carrying the
rest of the 100 or the whole 100, an allowed 一级 split, weights where the convention has them)
and its 总分 is the sum that convention says. The checks then judge the form by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlperf.forms.project import ProjectForm
from xlperf.rules import Convention, RuleSet
from xlperf.scoring.project import ZERO, correct_rate_score, level1_groups
from xlperf.vocabulary.project import level1_kind

KINDS = ("output", "benefit", "satisfaction")


@dataclass(frozen=True)
class ConventionFit:
    """The convention a form is judged by, and how well it fits."""

    convention: Convention
    weights_fit: bool  # the 分值 add up under it
    total_fits: bool  # the 总分 is its sum (or the form states none)
    tried: tuple[Convention, ...]

    @property
    def accepted(self) -> bool:
        return self.weights_fit and self.total_fits

    def tried_names(self) -> str:
        return "；".join(c.name for c in self.tried)


def indicator_weight_total(form: ProjectForm) -> Decimal:
    """Σ 指标分值: from the 分值 column, or from the 一级 labels where the form has no column."""
    if form.weights_at == "labels":
        return sum(
            (inds[0].level1_declared_weight or ZERO for inds in level1_groups(form).values()),
            ZERO,
        )
    return sum((i.weight.number or ZERO for i in form.scored_indicators()), ZERO)


def level_split(form: ProjectForm) -> tuple[Decimal, Decimal, Decimal]:
    """The 分值 of 产出 / 效益 / 满意度 (0 where a form has none)."""
    split = dict.fromkeys(KINDS, ZERO)
    for name, inds in level1_groups(form).items():
        kind = level1_kind(name)
        if kind is None:
            continue
        if form.weights_at == "labels":
            split[kind] += inds[0].level1_declared_weight or ZERO
        else:
            split[kind] += sum((i.weight.number or ZERO for i in inds), ZERO)
    return split["output"], split["benefit"], split["satisfaction"]


def weights_total(form: ProjectForm, convention: Convention) -> Decimal:
    """The form's 分值合计 as the convention counts it (the 执行率 inside or outside the 100)."""
    inds = indicator_weight_total(form)
    if not convention.total_includes_rate:
        return inds
    return inds + (form.funds.total.weight.number or ZERO)


@dataclass(frozen=True)
class _Figures:
    """What the inference compares, worked out once per form."""

    rate_weight: Decimal
    indicator_weights: Decimal
    split: list[Decimal]
    scores: Decimal
    rate_score: Decimal


def _figures(form: ProjectForm, rules: RuleSet) -> _Figures:
    return _remembered(form, "figures", rules, _work_out_figures)


def _remembered(form: ProjectForm, what: str, rules: RuleSet, work: Any) -> Any:
    """``work(form, rules)``, once per form and rule set (:attr:`ProjectForm.memo`)."""
    key = (what, id(rules))
    known = form.memo.get(key)
    if known is None or known[0] is not rules:
        known = form.memo[key] = (rules, work(form, rules))
    return known[1]


def _work_out_figures(form: ProjectForm, rules: RuleSet) -> _Figures:
    return _Figures(
        rate_weight=form.funds.total.weight.number or ZERO,
        indicator_weights=indicator_weight_total(form),
        split=list(level_split(form)),
        scores=sum((i.score.number or ZERO for i in form.scored_indicators()), ZERO),
        rate_score=correct_rate_score(form, rules) or ZERO,
    )


def _weights_fit(form: ProjectForm, fig: _Figures, c: Convention, rules: RuleSet) -> bool:
    if form.weights_at not in c.weights_at or fig.rate_weight != c.rate_weight:
        return False
    total = fig.indicator_weights + (fig.rate_weight if c.total_includes_rate else ZERO)
    if total != rules.total_weight:
        return False
    return not c.splits or fig.split in [list(s) for s in c.splits]


def expected_total(form: ProjectForm, c: Convention, rules: RuleSet) -> Decimal:
    """总分 under the convention: Σ 指标得分, plus the correct 预算执行率得分 where it counts."""
    return _expected(_figures(form, rules), c)


def _expected(fig: _Figures, c: Convention) -> Decimal:
    return fig.scores + (fig.rate_score if c.total_includes_rate else ZERO)


def _total_fits(form: ProjectForm, fig: _Figures, c: Convention, rules: RuleSet) -> bool:
    stated = form.total_score.number
    return stated is None or rules.tolerance.scores_agree(stated, _expected(fig, c))


def fallback(form: ProjectForm) -> Convention:
    """What a form that fits no convention is judged by: its own 执行率 分值, inside the 总分."""
    rate = form.funds.total.weight.number or ZERO
    return Convention(
        name=f"执行率{format(rate.normalize(), 'f')}分，总分含执行率", rate_weight=rate
    )


def infer_convention(form: ProjectForm, rules: RuleSet) -> ConventionFit:
    """The first accepted convention both the 分值 and the 总分 fit. Else the first the stated
    总分 fits (the 总分 says how the unit scored; its 分值 are then wrong: XP202); else the first
    the 分值 fit (its 总分 is then wrong: XP204); else the form's own 执行率 分值 inside the 总分.
    Worked out once per form and rule set."""
    return _remembered(form, "convention", rules, _infer)


def _infer(form: ProjectForm, rules: RuleSet) -> ConventionFit:
    tried = tuple(rules.conventions)
    fig = _figures(form, rules)
    weights = [c for c in tried if _weights_fit(form, fig, c, rules)]
    for c in weights:
        if _total_fits(form, fig, c, rules):
            return ConventionFit(c, True, True, tried)
    if form.total_score.number is not None:
        for c in tried:
            if _total_fits(form, fig, c, rules):
                return ConventionFit(c, False, True, tried)
    if weights:
        return ConventionFit(weights[0], True, False, tried)
    own = fallback(form)
    return ConventionFit(own, False, _total_fits(form, fig, own, rules), tried)


def form_total(form: ProjectForm, rules: RuleSet) -> Decimal:
    """The 总分 as it should stand under the convention the form follows, unrounded."""
    return expected_total(form, infer_convention(form, rules).convention, rules)


def form_weight_total(form: ProjectForm, rules: RuleSet) -> Decimal:
    """The 分值合计 under the convention the form follows (the 执行率 inside or outside it)."""
    return weights_total(form, infer_convention(form, rules).convention)
