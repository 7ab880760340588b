"""A 评分标准 cell into a rule: prose read by rule family, or the rule's own JSON."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from pydantic import ValidationError

from xlperf.criteria.decimals import ZERO, fmt, to_decimal
from xlperf.criteria.model import CIRCLED, CompositeRule, ManualRule, Part, Rule, rule_from_json
from xlperf.criteria.parse.build import build_from_cases
from xlperf.criteria.parse.cases import OUTCOME_RE, outcome_of, read_cases
from xlperf.criteria.parse.deduction import parse_deduction
from xlperf.criteria.parse.proportional import parse_ratio, parse_survey
from xlperf.criteria.parse.text import (
    FORMULA_RE,
    REPEAT_RE,
    SCORE_FORMULA_RE,
    STANDARD_RE,
    TOTAL_RE,
    Unparsed,
    drop_bookmarks,
    normalise,
)
from xlperf.limits import MAX_CRITERION_CHARS


def read_criterion(text: str, weight: Decimal | int | str, *, name: str | None = None) -> Rule:
    """A 评分标准 cell: the usual Chinese prose (:func:`parse_criterion`) or, where prose will not
    do, the rule in its structured form: the JSON of :func:`rule_from_json`
    (``{"kind": "linear", "full_at": "0.95", "zero_at": "0.9"}``), its 分值 taken from the form
    when the JSON gives none. Unreadable JSON is a manual rule saying why, never a guess."""
    stripped = text.strip()
    if not stripped.startswith("{"):
        return parse_criterion(text, weight, name=name)
    try:
        data = json.loads(stripped, parse_float=Decimal)
        if not isinstance(data, dict):
            raise ValueError("应为一个 {…} 对象")
        data.setdefault("weight", to_decimal(weight))
        data.setdefault("text", text)
        return rule_from_json(data)
    except ValueError as exc:  # json.JSONDecodeError and pydantic's ValidationError are ValueErrors
        reason = f"结构化评分标准无法读取：{str(exc).splitlines()[0]}"
        return ManualRule(weight=to_decimal(weight), text=text, reason=reason)


_MANUAL_MARKERS = re.compile(
    r"酌情|视情|综合(?:评定|考虑|评价|判断|研判)|折算|专家(?:评|打)分|由评价组(?:确定|判定)"
    r"|根据[^;。]*?情况[^;。]*?(?:扣分|打分|评分|给分)"
)


def parse_criterion(text: str, weight: Decimal | int | str, *, name: str | None = None) -> Rule:
    """Read a 评分标准 text with its 分值 into a rule; what cannot be read becomes ``manual``.

    ``name`` (the 三级指标, e.g. 固定资产利用率) names the value when the text does not.
    """
    w = to_decimal(weight)
    if w < 0:
        raise ValueError(f"a weight is never negative, got {weight}")
    if not text or not normalise(text):
        return ManualRule(weight=w, text=text or "", reason="评分标准为空")
    if len(text) > MAX_CRITERION_CHARS:
        return ManualRule(
            weight=w, text=text, reason=f"评分标准超过 {MAX_CRITERION_CHARS} 字，无法自动计分"
        )
    try:
        return _parse(text, w, segment=False, hint=name)
    except Unparsed as exc:
        return ManualRule(weight=w, text=text, reason=str(exc))
    except ValidationError as exc:  # read, but not a consistent rule
        problem = exc.errors()[0].get("msg", "")
        return ManualRule(weight=w, text=text, reason=f"读出的规则不成立：{problem}")


def _parse(
    text: str, weight: Decimal, segment: bool, hint: str | None = None, split: bool = True
) -> Rule:
    """The rule of one text (``segment``: a numbered part of a composite, ``hint``: its name;
    ``split``: try reading numbered items as the parts of a composite)."""
    notes: list[str] = []
    if split and not segment and (composite := _parse_composite(text, weight)) is not None:
        return composite
    s = normalise(text)
    if repeat := REPEAT_RE.search(s):
        return _parse_repeat(text, s, repeat, weight, hint)
    if (survey := parse_survey(s, weight, text, notes)) is not None:
        return survey
    if marker := _MANUAL_MARKERS.search(s):
        return ManualRule(
            weight=weight, text=text, reason=f"“{marker.group(0)}”：由评价人员判断，无法自动计分"
        )
    if (deduction := parse_deduction(s, weight, text, notes, hint)) is not None:
        return deduction
    if (ratio := parse_ratio(s, weight, text, notes)) is not None:
        return ratio
    body = SCORE_FORMULA_RE.sub(";", FORMULA_RE.sub(";", s))
    body = STANDARD_RE.sub(";", body)
    body = TOTAL_RE.sub(";", body)
    return build_from_cases(read_cases(body), weight, text, segment, notes, hint)


def _segment_weight(seg: str) -> Decimal | None:
    s = normalise(seg)
    if REPEAT_RE.search(s) and (total := TOTAL_RE.search(s)):
        return Decimal(total.group(1))
    body = SCORE_FORMULA_RE.sub(";", s)
    best: Decimal | None = None
    for m in OUTCOME_RE.finditer(body):
        kind, points, linear = outcome_of(m)
        if kind == "full":
            return None
        candidates = [points] if points is not None else list(linear or ())
        for c in candidates:
            best = c if best is None or c > best else best
    return best


def _parse_composite(text: str, weight: Decimal) -> Rule | None:
    pieces = re.split(f"([{CIRCLED}])", drop_bookmarks(text))
    if len(pieces) < 5:  # preamble + at least two (marker, segment) pairs
        return None
    preamble = pieces[0]
    segments = list(zip(pieces[1::2], pieces[2::2], strict=True))
    weights = [_segment_weight(seg) for _, seg in segments]
    if any(w is None or w == 0 for w in weights):
        return None
    total = sum((w for w in weights if w is not None), ZERO)
    if total != weight:
        try:
            whole = _parse(text, weight, segment=False, split=False)
        except Unparsed:
            whole = None
        if whole is not None and not isinstance(whole, ManualRule):
            return whole
        return ManualRule(
            weight=weight,
            text=text,
            reason=f"各分项合计{fmt(total)}分，与分值{fmt(weight)}分不符",
        )
    parts: list[Part] = []
    for (marker, seg), w in zip(segments, weights, strict=True):
        assert w is not None
        name = _label(seg)
        try:
            rule = _parse(marker + seg, w, segment=True, hint=name)
        except Unparsed as exc:
            if "片段" in str(exc):
                return None
            rule = ManualRule(weight=w, text=marker + seg, reason=str(exc))
        parts.append(Part(label=marker + (name or getattr(rule, "subject", None) or ""), rule=rule))
    notes: list[str] = []
    if (stated := TOTAL_RE.search(normalise(preamble))) and Decimal(stated.group(1)) != weight:
        notes.append(
            f"评分标准写明总分{stated.group(1)}分，但分值为{fmt(weight)}分，分项合计{fmt(total)}分"
        )
    return CompositeRule(weight=weight, text=text, parts=tuple(parts), notes=tuple(notes))


def _label(seg: str) -> str | None:
    """The name a numbered part starts with (``预算执行率：…`` -> 预算执行率)."""
    m = re.match(r"^;?([^\d:,;。()]{1,20}):", normalise(seg))
    return m.group(1) if m else None


def _parse_repeat(
    text: str, s: str, repeat: re.Match[str], weight: Decimal, hint: str | None
) -> Rule:
    """``每季度分值0.5分，总分值2分``: the same rule once per quarter."""
    each = Decimal(repeat.group(2))
    total = TOTAL_RE.search(s)
    stated_total = Decimal(total.group(1)) if total else weight
    if stated_total != weight:
        raise Unparsed(f"总分值{fmt(stated_total)}分与分值{fmt(weight)}分不符")
    if each <= 0:
        raise Unparsed(f"每{repeat.group(1)}分值为0")
    count = weight / each
    if count != count.to_integral_value():
        raise Unparsed(f"每{repeat.group(1)}{fmt(each)}分不能整分{fmt(weight)}分")
    body = s.replace(repeat.group(0), ";")
    if total:
        body = body.replace(total.group(0), ";")
    body = STANDARD_RE.sub(";", body)
    one = _parse(body, each, segment=True, hint=hint)
    unit = repeat.group(1)
    parts = tuple(
        Part(label=f"第{i}{'季度' if unit == '季度' else unit}", rule=one)
        for i in range(1, int(count) + 1)
    )
    return CompositeRule(weight=weight, text=text, parts=parts)
