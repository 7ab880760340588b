"""Scoring a value under a rule: exact Decimal arithmetic, quantised only at the end."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from xlperf.criteria.decimals import ONE, ZERO, fmt, pct, to_decimal
from xlperf.criteria.model import (
    CIRCLED,
    BandsRule,
    BinaryRule,
    CompositeRule,
    DeductionRule,
    Interval,
    LinearRule,
    ManualRule,
    Part,
    RatioRule,
    Rule,
    SurveyRule,
)

DEFAULT_QUANTUM = Decimal("0.01")


@dataclass(frozen=True)
class Assessment:
    """A score (quantised), the exact score, and why there is none when there is none."""

    score: Decimal | None
    exact: Decimal | None = None
    reason: str | None = None


class _NoScore(Exception):
    pass


def evaluate(
    rule: Rule,
    value: Any,
    quantum: Decimal | None = DEFAULT_QUANTUM,
    rounding: str = ROUND_HALF_UP,
) -> Decimal | None:
    """The score ``value`` earns under ``rule``, quantised to ``quantum`` (None: exact).

    ``value`` is a rate (Decimal fraction) for linear/bands/ratio/per-unit deductions (a ratio
    also takes ``(actual, target)``), an int count for count deductions, answer counts (one
    mapping, or one per question) or a satisfaction rate for surveys, a bool for binary rules,
    and a sequence or mapping (by label, ①-marker or 1-based index) of part values for composites.
    None when the rule cannot score it (:func:`assess` says why).
    """
    return assess(rule, value, quantum, rounding).score


def assess(
    rule: Rule,
    value: Any,
    quantum: Decimal | None = DEFAULT_QUANTUM,
    rounding: str = ROUND_HALF_UP,
) -> Assessment:
    """Like :func:`evaluate`, with the exact score and the reason when there is no score."""
    try:
        exact = _exact(rule, value)
    except _NoScore as exc:
        return Assessment(None, None, str(exc))
    score = exact if quantum is None else exact.quantize(quantum, rounding=rounding)
    return Assessment(score, exact)


def _rate_value(value: Any) -> Decimal:
    if value is None:
        raise _NoScore("缺少计分所需的数值")
    if isinstance(value, Decimal | int | str) and not isinstance(value, bool):
        return to_decimal(value)
    raise TypeError(f"a rate (Decimal) is needed, got {type(value).__name__}")


def _exact(rule: Rule, value: Any) -> Decimal:
    if isinstance(rule, ManualRule):
        raise _NoScore(f"人工评分：{rule.reason}")
    if isinstance(rule, LinearRule):
        return _linear(rule, _rate_value(value))
    if isinstance(rule, BandsRule):
        return _bands(rule, _rate_value(value))
    if isinstance(rule, DeductionRule):
        return _deduction(rule, value)
    if isinstance(rule, SurveyRule):
        return _survey(rule, value)
    if isinstance(rule, RatioRule):
        return _ratio(rule, value)
    if isinstance(rule, BinaryRule):
        if value is None:
            raise _NoScore("缺少是否达到要求的判断")
        if not isinstance(value, bool):
            raise TypeError(f"a binary rule needs a bool, got {type(value).__name__}")
        return rule.weight if value else ZERO
    if isinstance(rule, CompositeRule):
        return _composite(rule, value)
    raise TypeError(f"not a rule: {rule!r}")  # pragma: no cover


def _check_domain(domain: Interval | None, x: Decimal) -> None:
    if domain is not None and not domain.contains(x):
        raise _NoScore(f"{pct(x)} 不在评分标准所述范围（{domain.render()}）内")


def _linear(rule: LinearRule, x: Decimal) -> Decimal:
    _check_domain(rule.domain, x)
    t = (x - rule.zero_at) / (rule.full_at - rule.zero_at)
    return rule.weight * max(ZERO, min(ONE, t))


def _bands(rule: BandsRule, x: Decimal) -> Decimal:
    hits = {b.points for b in rule.bands if b.contains(x)}
    if not hits:
        raise _NoScore(f"{pct(x)} 不在评分标准的任何一档内")
    if len(hits) > 1:
        shown = "、".join(f"{fmt(p)}分" for p in sorted(hits))
        raise _NoScore(f"{pct(x)} 同时落在得分不同的几档（{shown}），评分标准自相矛盾")
    return hits.pop()


def _deduction(rule: DeductionRule, value: Any) -> Decimal:
    if value is None:
        raise _NoScore("缺少扣分项数" if not rule.per_unit else "缺少计分所需的数值")
    if rule.per_unit:
        x = _rate_value(value)
        _check_domain(rule.domain, x)
        assert rule.baseline is not None
        excess = x - rule.baseline if rule.direction == "above" else rule.baseline - x
        items = max(ZERO, excess) / rule.unit
        if rule.whole_units:
            items = items.to_integral_value(rounding=ROUND_FLOOR)
    else:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise TypeError(f"a count deduction needs an int count, got {type(value).__name__}")
        items = Decimal(value)
        if items < 0 or items != items.to_integral_value():
            raise ValueError(f"an item count must be a whole number ≥ 0, got {value}")
    deducted = items * rule.points_per_item
    if rule.cap is not None:
        deducted = min(deducted, rule.cap)
    return max(ZERO, rule.weight - deducted)


def _question_rate(rule: SurveyRule, counts: Mapping[str, Any]) -> Decimal:
    total = ZERO
    weighted = ZERO
    for answer, count in counts.items():
        key = "".join(str(answer).split())
        n = to_decimal(count)
        if n < 0:
            raise ValueError(f"negative answer count for {answer}")
        if n == 0:
            continue
        if key not in rule.answer_weights:
            known = "、".join(rule.answer_weights)
            raise _NoScore(f"答案“{key}”没有给定分值（已知：{known}）")
        total += n
        weighted += n * rule.answer_weights[key]
    if total == 0:
        raise _NoScore("问卷答案数为0")
    return weighted / total


def _survey(rule: SurveyRule, value: Any) -> Decimal:
    if value is None:
        raise _NoScore("缺少问卷结果")
    if isinstance(value, Mapping):
        rate = _question_rate(rule, value)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        if not value:
            raise _NoScore("问卷没有题目")
        rates = [
            _question_rate(rule, q) if isinstance(q, Mapping) else _rate_value(q) for q in value
        ]
        rate = sum(rates, ZERO) / len(rates)
    else:
        rate = _rate_value(value)
    if not ZERO <= rate <= ONE:
        raise ValueError(f"a satisfaction rate lies in [0, 1], got {rate}")
    return rule.weight * rate


def _ratio(rule: RatioRule, value: Any) -> Decimal:
    if isinstance(value, tuple):
        actual, target = (_rate_value(v) for v in value)
        num, den = (target, actual) if rule.less_is_better else (actual, target)
        if den == 0:
            raise _NoScore("比值的分母为0")
        rate = num / den
    else:
        rate = _rate_value(value)
    return rule.weight * max(ZERO, min(ONE, rate))


def _part_value(rule: CompositeRule, value: Any, index: int, part: Part) -> Any:
    if isinstance(value, Mapping):
        keys: list[Any] = [part.label, index + 1, str(index + 1)]
        if part.label[:1] in CIRCLED:
            keys.insert(1, part.label[:1])
        for key in keys:
            if key in value:
                return value[key]
        return None
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != len(rule.parts):
            raise ValueError(f"{len(rule.parts)} part values needed, got {len(value)}")
        return value[index]
    raise TypeError("a composite rule needs a sequence or mapping of part values")


def _composite(rule: CompositeRule, value: Any) -> Decimal:
    if value is None:
        raise _NoScore("缺少各分项的数值")
    total = ZERO
    for i, part in enumerate(rule.parts):
        try:
            total += _exact(part.rule, _part_value(rule, value, i, part))
        except _NoScore as exc:
            raise _NoScore(f"{part.label}：{exc}") from None
    return total
