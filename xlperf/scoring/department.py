"""Score a department form: every indicator by its own 评分标准, money-derived ones from money.

The rates (预算执行率 …) are computed from the 指标计算数据 figures (falling back on the money
block for 预算执行率 and 预算调整率) with the functions of :mod:`xlperf.criteria`, never taken from
what was typed. An indicator whose rule is manual, or whose inputs the form does not give, keeps
its stated score and is listed in :attr:`DepartmentScore.kept`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from xlperf.criteria.decimals import to_decimal
from xlperf.criteria.evaluation import assess
from xlperf.criteria.model import CompositeRule, Rule, expected_input
from xlperf.criteria.money import MONEY_INDICATORS, budget_adjustment_rate
from xlperf.forms.base import Val
from xlperf.forms.department import DepartmentForm, DepartmentIndicator
from xlperf.rules import RuleSet
from xlperf.vocabulary.department import INDICATOR_NAMES, canonical_indicator

Status = Literal["computed", "manual", "no-input"]
TRUE_WORDS = ("是", "符合", "达到", "已", "完成", "有", "√", "✓", "1", "true", "yes", "y")
FALSE_WORDS = ("否", "不符合", "未", "没有", "无", "×", "✗", "0", "false", "no", "n")
_PART_SEP = re.compile(r"[；;]")
_SUB_SEP = "/"


@dataclass(frozen=True)
class MoneyUse:
    """A money-derived value an indicator (or one of its parts) was scored on."""

    name: str
    computed: Decimal
    typed: Val | None = None  # the value the form shows for it, when it shows one
    typed_value: Decimal | None = None


@dataclass
class IndicatorScore:
    indicator: DepartmentIndicator
    rule: Rule
    status: Status
    score: Decimal | None  # the engine's score (None: kept as stated)
    reason: str | None = None
    money: list[MoneyUse] = field(default_factory=list)

    @property
    def used(self) -> Decimal | None:
        """The score that counts: the engine's where it has one, else the stated one."""
        return self.score if self.score is not None else self.indicator.score.number


@dataclass
class Level1Score:
    name: str
    weight: Decimal
    score: Decimal
    declared: Decimal | None


@dataclass
class DepartmentScore:
    items: list[IndicatorScore]
    level1: list[Level1Score]
    total: Decimal
    grade: str
    rates: dict[str, Decimal | None]

    @property
    def kept(self) -> list[IndicatorScore]:
        """Indicators the engine could not recompute: their stated scores are kept."""
        return [i for i in self.items if i.score is None]

    def kept_names(self) -> list[str]:
        return [i.indicator.name.text or f"第{i.indicator.row}行" for i in self.kept]


def compute_rates(form: DepartmentForm) -> dict[str, Decimal | None]:
    """Each money-derived indicator computed from the form's figures (None where not given)."""
    rates: dict[str, Decimal | None] = {}
    total = form.money.total
    for name, fn in MONEY_INDICATORS.items():
        fig = form.figure(name)
        num = fig.numerator.number if fig else None
        den = fig.denominator.number if fig else None
        if name == INDICATOR_NAMES["budget_execution_rate"] and (num is None or den is None):
            num, den = total.executed.number, total.annual_budget.number
        if name == INDICATOR_NAMES["budget_adjustment_rate"]:
            if num is None or den is None:
                num, den = total.annual_budget.number, total.initial_budget.number
            # the figures are 调整后预算数 and 年初预算数; the function takes the adjustment
            rates[name] = (
                None if num is None or den is None else budget_adjustment_rate(num - den, den)
            )
            continue
        rates[name] = fn(num, den)
    return rates


@dataclass
class WeightSet:
    """Indicators sharing one 分值 (typed once on the first row, or merged over the rows)."""

    leader: DepartmentIndicator  # the row holding the 分值
    members: list[DepartmentIndicator]  # the leader and the rows sharing its 分值

    @property
    def score(self) -> Decimal:
        return sum((m.score.number or Decimal(0) for m in self.members), Decimal(0))


def weight_sets(form: DepartmentForm) -> list[WeightSet]:
    """Every shared 分值 of the form with the indicators it covers."""
    sets: dict[int, WeightSet] = {}
    for ind in form.indicators:
        if ind.weight_from is None:
            continue
        leader = form.indicator_at(ind.weight_from)
        if leader is None:
            continue
        sets.setdefault(leader.row, WeightSet(leader, [leader])).members.append(ind)
    return list(sets.values())


def score_department(form: DepartmentForm, rules: RuleSet) -> DepartmentScore:
    rates = compute_rates(form)
    items = [score_indicator(ind, rates, rules) for ind in form.indicators]
    level1: dict[str, Level1Score] = {}
    for item in items:
        ind = item.indicator
        name = ind.level1.text or ""
        entry = level1.setdefault(
            name, Level1Score(name, Decimal(0), Decimal(0), ind.level1_weight.number)
        )
        entry.weight += ind.weight.number or 0
        entry.score += item.used or 0
    total = sum((i.used or Decimal(0) for i in items), Decimal(0))
    return DepartmentScore(items, list(level1.values()), total, rules.grade(total), rates)


def score_indicator(
    ind: DepartmentIndicator, rates: dict[str, Decimal | None], rules: RuleSet
) -> IndicatorScore:
    rule = ind.rule
    if expected_input(rule) == "none":
        return IndicatorScore(ind, rule, "manual", None, getattr(rule, "reason", None))
    money: list[MoneyUse] = []
    value = _value(rule, ind.input.text, ind.name.text, ind.input, rates, money)
    quantum = Decimal(1).scaleb(-rules.score_places)
    try:
        result = assess(rule, value, quantum)
    except (ValueError, TypeError):  # e.g. a satisfaction rate of 120%: the form's, not a bug
        return IndicatorScore(
            ind, rule, "no-input", None, "计分所需的数值超出评分标准适用的范围", money
        )
    if result.score is None:
        return IndicatorScore(ind, rule, "no-input", None, result.reason, money)
    return IndicatorScore(ind, rule, "computed", result.score, None, money)


def _money_name(rule: Rule, name: str | None) -> str | None:
    subject = getattr(rule, "subject", None)
    return canonical_indicator(subject) or canonical_indicator(name)


def _value(
    rule: Rule,
    text: str | None,
    name: str | None,
    cell: Val | None,
    rates: dict[str, Decimal | None],
    money: list[MoneyUse],
) -> Any:
    """The value ``rule`` is scored on, from the typed text, or from money for a money rate."""
    kind = expected_input(rule)
    text = (text or "").strip() or None
    if kind == "rate":
        mname = _money_name(rule, name)
        computed = rates.get(mname) if mname else None
        typed = _rate(text, cell)
        if computed is not None:
            money.append(MoneyUse(mname or "", computed, cell, typed))
            return computed
        return typed
    if kind == "survey":
        return _rate(text, cell)
    if kind == "count":
        number = _rate(text, None)
        if number is None or number != number.to_integral_value() or number < 0:
            return None
        return int(number)
    if kind == "flag":
        return _flag(text)
    if kind == "parts" and isinstance(rule, CompositeRule):
        pieces = _split(text, len(rule.parts), _PART_SEP)
        if pieces is None:
            return None
        out = []
        for part, piece in zip(rule.parts, pieces, strict=True):
            sub = piece
            if isinstance(part.rule, CompositeRule) and piece:
                sub = "；".join(piece.split(_SUB_SEP))
            out.append(_value(part.rule, sub, part.label, None, rates, money))
        return out
    return None


def _split(text: str | None, n: int, sep: re.Pattern[str]) -> list[str | None] | None:
    if text is None:
        return [None] * n
    pieces = [p.strip() or None for p in sep.split(text)]
    while len(pieces) > n and pieces[-1] is None:
        pieces.pop()
    if len(pieces) < n:
        pieces += [None] * (n - len(pieces))
    return pieces if len(pieces) == n else None


def _rate(text: str | None, cell: Val | None) -> Decimal | None:
    if cell is not None and cell.number is not None:
        return cell.rate_fraction()
    if text is None:
        return None
    try:
        value = to_decimal(text.replace("−", "-").replace("－", "-"))
    except ValueError:
        return None
    if not value.is_finite():  # "NaN", "Infinity" typed as text are no rate
        return None
    if not text.rstrip().endswith("%") and abs(value) > 2:
        return value / 100
    return value


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    key = "".join(text.split()).lower()
    if any(key.startswith(w) for w in FALSE_WORDS):
        return False
    if any(key.startswith(w) for w in TRUE_WORDS):
        return True
    return None
