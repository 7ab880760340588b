"""A rule as short Chinese, for reports and cell notes."""

from __future__ import annotations

from xlperf.criteria.decimals import PERCENT_POINT, fmt, pct
from xlperf.criteria.model import (
    BandsRule,
    BinaryRule,
    CompositeRule,
    DeductionRule,
    LinearRule,
    RatioRule,
    Rule,
    SurveyRule,
)


def _short(text: str, limit: int = 30) -> str:
    text = "".join(text.split()).rstrip("，,；;。")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(rule: Rule) -> str:
    """A short Chinese rendering of the rule, for reports and cell notes."""
    w = fmt(rule.weight)
    if isinstance(rule, LinearRule):
        x = rule.subject or "x"
        full, zero = ("≤", "≥") if rule.less_is_better else ("≥", "≤")
        out = f"{x}{full}{pct(rule.full_at)}得{w}分，{x}{zero}{pct(rule.zero_at)}得0分，其间按线性比例计分"
        if rule.domain is not None:
            out += f"（适用于{rule.domain.render(rule.subject)}）"
        return out
    if isinstance(rule, BandsRule):
        return "；".join(f"{b.render(rule.subject)}得{fmt(b.points)}分" for b in rule.ordered())
    if isinstance(rule, DeductionRule):
        cap = f"，最多扣{fmt(rule.cap)}分" if rule.cap is not None else "，扣完为止"
        if not rule.per_unit:
            return f"满分{w}分，每项扣{fmt(rule.points_per_item)}分{cap}"
        assert rule.baseline is not None
        step = "1个百分点" if rule.unit == PERCENT_POINT else pct(rule.unit)
        way = "超过" if rule.direction == "above" else "低于"
        whole = "（不足一个单位不扣）" if rule.whole_units else ""
        subject = f"{rule.subject}" if rule.subject else ""
        return f"{subject}以{pct(rule.baseline)}为基准，每{way}{step}扣{fmt(rule.points_per_item)}分{whole}，满分{w}分{cap}"
    if isinstance(rule, SurveyRule):
        answers = "、".join(f"{k}{pct(v) if v else '0%'}" for k, v in rule.answer_weights.items())
        return f"得分=问卷满意度×{w}（{answers}）"
    if isinstance(rule, RatioRule):
        ratio = "目标值÷实际值" if rule.less_is_better else "实际值÷目标值"
        return f"得分={w}×min({ratio}, 100%)"
    if isinstance(rule, BinaryRule):
        return f"{_short(rule.condition)}得{w}分，否则0分"
    if isinstance(rule, CompositeRule):
        parts = "；".join(
            f"{p.label}（{fmt(p.rule.weight)}分）：{explain(p.rule)}" for p in rule.parts
        )
        return f"分项计分，合计{w}分：{parts}"
    return f"人工评分（{rule.reason}）"
