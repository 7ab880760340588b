"""A linear, bands or binary rule from the condition → outcome cases of a 评分标准."""

from __future__ import annotations

from decimal import Decimal

from xlperf.criteria.decimals import ZERO, fmt, pct
from xlperf.criteria.model import Band, BandsRule, BinaryRule, LinearRule, interval_order
from xlperf.criteria.parse.cases import Case, case_points, complement, resolve_open_ends
from xlperf.criteria.parse.conditions import Iv
from xlperf.criteria.parse.text import Unparsed


def _subject_of(cases: list[Case], hint: str | None) -> str | None:
    names = [c.subject for c in cases if c.subject]
    return names[0] if names else hint


def build_from_cases(
    cases: list[Case],
    weight: Decimal,
    text: str,
    segment: bool,
    notes: list[str],
    hint: str | None = None,
) -> LinearRule | BandsRule | BinaryRule:
    prose = [c for c in cases if c.intervals is None]
    others = [c for c in cases if c.intervals is not None]
    if prose:
        else_zero = [
            c for c in others if not c.intervals and c.outcome == "points" and c.points == 0
        ]
        if (
            len(prose) == 1
            and prose[0].outcome != "linear"
            and len(else_zero) == len(others)
            and len(others) <= 1
        ):
            points = case_points(prose[0], weight)
            if not others and not segment:
                raise Unparsed("只写了达到要求的得分，没有写未达到时如何计分")
            if points != weight:
                raise Unparsed(f"达到要求得{fmt(points)}分，与分值{fmt(weight)}分不符")
            if points == 0:
                raise Unparsed("得分为0")
            return BinaryRule(
                weight=weight, text=text, condition=prose[0].condition, notes=tuple(notes)
            )
        raise Unparsed("条件为文字描述，无法自动判定")
    linear = [c for c in others if c.outcome == "linear"]
    stepped = [c for c in others if c.outcome != "linear"]
    explicit = [iv for c in others for iv in (c.intervals or [])]
    resolve_open_ends(explicit)
    for case in stepped:
        if case.intervals == []:  # 否则: everything the other cases leave
            case.intervals = complement(
                [iv for c in others if c is not case for iv in (c.intervals or [])]
            )
    subject = _subject_of(others, hint)
    if len(linear) > 1:
        raise Unparsed("有多段线性区间")
    if linear:
        return _build_linear(linear[0], stepped, weight, text, subject, notes)
    bands = [
        Band(**iv.bounds(), points=case_points(c, weight))
        for c in stepped
        for iv in (c.intervals or [])
    ]
    if not bands:
        raise Unparsed("未找到得分档次")
    if segment and len(stepped) < 2:
        raise Unparsed("只有一档，像是某条规则的片段")
    top = max(b.points for b in bands)
    if top > weight:
        raise Unparsed(f"最高档{fmt(top)}分超过分值{fmt(weight)}分")
    if top < weight:
        notes.append(f"最高档只得{fmt(top)}分，达不到分值{fmt(weight)}分")
    rule = BandsRule(
        weight=weight, text=text, subject=subject, bands=tuple(sorted(bands, key=interval_order))
    )
    for gap in rule.gaps():
        notes.append(f"{gap.render(subject)}时评分标准未作规定")
    for conflict in rule.conflicts():
        where = pct(conflict) if isinstance(conflict, Decimal) else conflict.render(subject)
        notes.append(f"{where}同时落在得分不同的两档，评分标准自相矛盾")
    return rule.model_copy(update={"notes": tuple(notes)})


def _build_linear(
    lin: Case,
    stepped: list[Case],
    weight: Decimal,
    text: str,
    subject: str | None,
    notes: list[str],
) -> LinearRule:
    ivs = [(iv, case_points(c, weight)) for c in stepped for iv in (c.intervals or [])]
    if len(ivs) != 2:
        raise Unparsed("线性计分需要上下两个端点档")
    (low, p_low), (high, p_high) = sorted(
        ivs, key=lambda t: (t[0].lower is not None, t[0].lower or ZERO)
    )
    if low.upper is None or high.lower is None:
        raise Unparsed("线性区间两端不明确")
    a, b = low.upper, high.lower
    region = lin.intervals[0] if lin.intervals else None
    if region is not None and (region.lower != a or region.upper != b):
        raise Unparsed("线性区间与两端档次不衔接")
    if a >= b:
        raise Unparsed("线性区间为空")
    if {p_low, p_high} != {ZERO, weight} or weight == 0:
        raise Unparsed(
            f"线性两端得分为{fmt(p_low)}分和{fmt(p_high)}分，不是0分和分值{fmt(weight)}分"
        )
    if lin.linear is not None and set(lin.linear) != {ZERO, weight}:
        raise Unparsed(
            f"线性区间写的是{fmt(lin.linear[0])}分至{fmt(lin.linear[1])}分，与分值{fmt(weight)}分不符"
        )
    full_at, zero_at = (b, a) if p_high == weight else (a, b)
    domain = None
    if low.lower is not None or high.upper is not None:
        domain = Iv(low.lower, high.upper, low.li, high.ui).freeze()
        notes.append(f"评分标准只规定了{domain.render(subject)}的情形")
    return LinearRule(
        weight=weight,
        text=text,
        subject=subject,
        full_at=full_at,
        zero_at=zero_at,
        domain=domain,
        notes=tuple(notes),
    )
