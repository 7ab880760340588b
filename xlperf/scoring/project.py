"""The official scoring rules (DOMAIN.md §1) as pure functions over the data model."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xlperf.forms.project import FundRow, Indicator, ProjectForm
from xlperf.rules import RuleSet
from xlperf.targets import Target, comparable, is_reached, parse_target
from xlperf.vocabulary.project import level1_kind

ZERO = Decimal(0)


def execution_rate(row: FundRow) -> Decimal | None:
    """执行率 = 全年执行数 ÷ 全年预算数; None when either is missing or the budget is 0."""
    budget, executed = row.annual_budget.number, row.executed.number
    if budget is None or executed is None or budget == 0:
        return None
    return executed / budget


def scoring_rate(row: FundRow) -> Decimal | None:
    """The 执行率 the 预算执行率得分 is judged against: 全年执行数 ÷ 全年预算数, else (when the
    amounts are missing) the form's own.

    A wrong 执行率 is reported where it stands (XP101); the score and the 总分 then follow from
    the correct rate, so that no two findings (and no report) state different figures.
    """
    exact = execution_rate(row)
    return exact if exact is not None else row.rate.rate_fraction()


def is_less_better(indicator: Indicator, rules: RuleSet) -> bool:
    level2 = indicator.level2.text or ""
    return any(word in level2 for word in rules.less_is_better_level2)


@dataclass(frozen=True)
class Judgement:
    """What the quantitative rule says of one indicator."""

    target: Target
    actual: Target
    reached: bool
    expected: Decimal  # the score the rule gives, unrounded


def judge_indicator(indicator: Indicator, rules: RuleSet) -> Judgement | None:
    """The rule's score for a quantitative indicator; None when target and actual don't compare."""
    weight = indicator.weight.number
    if weight is None:
        return None
    less = is_less_better(indicator, rules)
    target = parse_target(indicator.target.value, less_is_better=less)
    actual = parse_target(indicator.actual.value, less_is_better=less)
    if target.kind not in ("quantitative", "deadline") or actual.kind != target.kind:
        return None
    pair = comparable(target, actual)
    reached = is_reached(target, actual)
    if pair is None or reached is None:
        return None
    if reached:
        return Judgement(target, actual, True, weight)
    goal, done = pair
    if target.kind == "deadline":
        return Judgement(target, actual, False, ZERO)
    if target.direction == "less":
        ratio = goal / done if done > 0 else ZERO
    else:
        ratio = done / goal if goal > 0 else Decimal(1)
    return Judgement(target, actual, False, weight * max(ZERO, min(ratio, Decimal(1))))


def indicator_weight_sum(form: ProjectForm) -> Decimal:
    return sum((i.weight.number or ZERO for i in form.scored_indicators()), ZERO)


def weight_sum(form: ProjectForm) -> Decimal:
    """分值 of the form: 执行率 分值 plus every indicator's 分值."""
    return (form.funds.total.weight.number or ZERO) + indicator_weight_sum(form)


def level1_groups(form: ProjectForm) -> dict[str, list[Indicator]]:
    """Indicators by 一级指标 name, in form order (worked out once per form: not to be
    changed)."""
    scored = form.scored_shared()
    known = form.memo.get("level1_groups")
    if known is not None and known[0] is scored:
        return known[1]
    groups: dict[str, list[Indicator]] = {}
    for ind in scored:
        groups.setdefault(ind.level1.text or "", []).append(ind)
    form.memo["level1_groups"] = (scored, groups)
    return groups


def level_rate(form: ProjectForm, kind: str) -> Decimal | None:
    """得分率 of a 一级指标 kind ('output', 'benefit', 'satisfaction'): Σ得分 ÷ Σ分值."""
    inds = [i for i in form.scored_indicators() if level1_kind(i.level1.text) == kind]
    weights = sum((i.weight.number or ZERO for i in inds), ZERO)
    if not inds or weights == 0:
        return None
    return sum((i.score.number or ZERO for i in inds), ZERO) / weights


def rate_score(form: ProjectForm, rules: RuleSet) -> Decimal | None:
    """预算执行率得分 by the rule, from the correct 执行率 (:func:`scoring_rate`), unrounded."""
    row = form.funds.total
    rate, weight = scoring_rate(row), row.weight.number
    if rate is None or weight is None:
        return None
    return rules.rate_score(rate, weight)


def rate_score_candidates(form: ProjectForm, rules: RuleSet) -> list[Decimal]:
    """The 预算执行率得分 the rule accepts, unrounded, the correct one first: from 全年执行数 ÷
    全年预算数 and, where the form's stated 执行率 agrees with it to the precision the form shows
    (no XP101), from the stated one too: a form that scores its rounded 执行率 (99% → 9.9 where
    4.49 ÷ 4.54 gives 9.89) is not wrong."""
    row = form.funds.total
    weight = row.weight.number
    if weight is None:
        return []
    exact, stated = execution_rate(row), row.rate.rate_fraction()
    rates = [exact] if exact is not None else []
    if stated is not None and (
        exact is None or rules.tolerance.rates_agree(stated, exact, row.rate.rate_decimals())
    ):
        rates.append(stated)
    return [rules.rate_score(rate, weight) for rate in rates]


def correct_rate_score(form: ProjectForm, rules: RuleSet) -> Decimal | None:
    """The 预算执行率得分 as it should stand: the form's own where the rule accepts it (see
    :func:`rate_score_candidates`) or cannot be applied, else the rule's, rounded as forms show
    scores. XP102, XP204, fix and the report all use this one figure."""
    candidates = rate_score_candidates(form, rules)
    stated = form.funds.total.score.number
    if not candidates:
        return stated
    if stated is not None and any(rules.tolerance.scores_agree(stated, c) for c in candidates):
        return stated
    return rules.round_score(candidates[0])
