"""Scores proportional to a rate: questionnaire surveys (满意度) and ratios (按比例得分)."""

from __future__ import annotations

import re
from decimal import Decimal

from xlperf.criteria.decimals import fmt
from xlperf.criteria.model import DEFAULT_ANSWER_WEIGHTS, RatioRule, SurveyRule
from xlperf.criteria.parse.text import UNUM, read_number

_SURVEY_RE = re.compile(r"(?:问卷|调查)[^;。]*?(?:平均|均值)|满意(?:度|率)(?:得分)?×")
_ANSWER_RE = re.compile(
    rf"(非常满意|比较满意|基本满意|非常不满意|很不满意|较不满意|不满意|满意|一般)(?:\(?[A-E]\)?)?(?:为|得|计|:)?({UNUM})(%)?"
)
_MULTIPLIER_RE = re.compile(rf"×({UNUM})(?!%|\d)")
_RATIO_RE = re.compile(
    r"按(?:实际)?(?:完成|执行)?(?:比例|比率)(?:得分|计分|折算|计算得分|给分)"
    r"|(?:完成|执行)(?:率|比例|程度)×(?:分值|权重|该指标分值)"
    r"|(?:分值|权重)×(?:完成|执行)(?:率|比例)"
    r"|(?:实际|完成)值?[/÷](?:指标|目标|计划)值?\)?×"
    r"|(?:指标|目标|计划)值?[/÷](?:实际|完成)值?\)?×"
    r"|min\([^)]*100%\)×"
)
_RATIO_INVERSE_RE = re.compile(r"(?:指标|目标|计划)值?[/÷](?:实际|完成)值?")
_CAP_100_RE = re.compile(
    r"(?:超过|高于|大于)100%(?:的部分)?(?:按|以|的按)100%(?:计算|计)?|最高(?:按)?100%(?:计算|计)?"
)
_COMPARATOR_RE = re.compile(
    r"[≥≤<>]|大于|小于|高于|低于|超过|不足|以上|以下|之间|区间|(?<!\d)(?!100%)\d+(?:\.\d+)?%"
)


def parse_survey(s: str, weight: Decimal, text: str, notes: list[str]) -> SurveyRule | None:
    if not _SURVEY_RE.search(s):
        return None
    weights = dict(DEFAULT_ANSWER_WEIGHTS)
    stated = {a: read_number(v, bool(pct) or Decimal(v) > 1) for a, v, pct in _ANSWER_RE.findall(s)}
    if stated:
        weights = stated
    multipliers = [Decimal(m) for m in _MULTIPLIER_RE.findall(s)]
    if multipliers and multipliers[-1] != weight:
        notes.append(f"公式乘以{fmt(multipliers[-1])}，分值为{fmt(weight)}分")
    return SurveyRule(weight=weight, text=text, answer_weights=weights, notes=tuple(notes))


def parse_ratio(s: str, weight: Decimal, text: str, notes: list[str]) -> RatioRule | None:
    if not _RATIO_RE.search(s):
        return None
    if _COMPARATOR_RE.search(_CAP_100_RE.sub("", s)):
        return None
    return RatioRule(
        weight=weight,
        text=text,
        less_is_better=bool(_RATIO_INVERSE_RE.search(s)),
        notes=tuple(notes),
    )
