"""Deductions: per item found (``每发现一处扣0.5分``) or per unit beyond a baseline
(``每超过一个百分点扣0.5分``), with their cap and the full-marks case beside them."""

from __future__ import annotations

import re
from decimal import Decimal

from xlperf.criteria.decimals import fmt
from xlperf.criteria.model import DeductionRule
from xlperf.criteria.parse.cases import case_points, read_cases
from xlperf.criteria.parse.conditions import Iv
from xlperf.criteria.parse.text import NUM, STANDARD_RE, UNUM, Unparsed, read_number

_PER_UNIT_RE = re.compile(
    rf"(?:(?P<pre>低于|少于|不足|小于|超过|超出|高于|大于)(?P<base0>{NUM})(?P<b0pct>%)?(?:的部分|的)?,?)?"
    r"每(?P<dir>超过|超出|高于|增加|上升|提高|超|高|多|减少|降低|低于|下降|少|低)"
    rf"(?:(?P<base>{NUM})(?P<bpct>%)?)?(?:一|1)个?百分点[,]?扣(?:减)?(?P<pts>{UNUM})分"
)
_COUNT_RE = re.compile(
    rf"(?:每|缺|少)(?:出现|发现|有|少|缺|减少|存在)?(?:一|1)?(?:个|项|处|例|次|起|件|条|份|笔)[^。;扣]*?扣(?:减)?(?P<pts>{UNUM})分"
)
_CAP_RE = re.compile(
    rf"(?:最多|最高|累计最多|累计)扣(?P<a>{UNUM})分|扣分(?:不超过|上限为?|以)(?P<b>{UNUM})分|扣(?P<c>{UNUM})分为限"
)
_ABOVE = {"超过", "超出", "高于", "增加", "上升", "提高", "超", "高", "多", "大于"}


def parse_deduction(
    s: str, weight: Decimal, text: str, notes: list[str], hint: str | None = None
) -> DeductionRule | None:
    per_unit = list(_PER_UNIT_RE.finditer(s))
    counts = list(_COUNT_RE.finditer(s)) if not per_unit else []
    if not per_unit and not counts:
        return None
    found = per_unit or counts
    points = {Decimal(m.group("pts")) for m in found}
    if len(points) != 1:
        raise Unparsed("各处扣分标准不一致")
    ppi = points.pop()
    cap = None
    if m := _CAP_RE.search(s):
        cap = Decimal(m.group("a") or m.group("b") or m.group("c"))
    rest = s
    for m in found:
        rest = rest.replace(m.group(0), ";")
    rest = _CAP_RE.sub(";", rest).replace("扣完为止", ";")
    standard = STANDARD_RE.search(rest)
    rest = STANDARD_RE.sub(";", rest)
    try:
        cases = read_cases(rest, lenient=True)
    except Unparsed:
        cases = []
    if any(c.outcome == "linear" for c in cases) or len(cases) > 1:
        raise Unparsed("扣分规定之外还有其他计分档次")
    full = cases[0] if cases else None
    if full is not None and case_points(full, weight) != weight:
        raise Unparsed(f"满足要求得{fmt(case_points(full, weight))}分，与分值{fmt(weight)}分不符")
    if not per_unit:
        if full is not None and full.intervals:
            raise Unparsed("按项扣分却写有数值条件")
        return DeductionRule(
            weight=weight, text=text, points_per_item=ppi, cap=cap, notes=tuple(notes)
        )
    words = [m.group("dir") for m in per_unit] + [
        m.group("pre") for m in per_unit if m.group("pre")
    ]
    directions = {"above" if w in _ABOVE else "below" for w in words}
    if len(directions) != 1:
        raise Unparsed("扣分方向不一致")
    direction = directions.pop()
    baselines: set[Decimal] = set()
    for m in per_unit:
        for base, pct in (("base", "bpct"), ("base0", "b0pct")):
            if m.group(base) is not None:
                baselines.add(read_number(m.group(base), bool(m.group(pct))))
    if standard is not None:
        baselines.add(read_number(standard.group(1), bool(standard.group(2))))
    full_iv: Iv | None = None
    if full is not None and full.intervals:
        if len(full.intervals) != 1:
            raise Unparsed("满分条件不是一个区间")
        full_iv = full.intervals[0]
        edge = full_iv.upper if direction == "above" else full_iv.lower
        if edge is None:
            raise Unparsed("满分区间与扣分方向不衔接")
        baselines.add(edge)
    if len(baselines) != 1:
        raise Unparsed("找不到唯一的扣分基准" if not baselines else "扣分基准前后不一致")
    baseline = baselines.pop()
    # the text covers the deduction side and the full-marks side up to where that one ends
    edge = full_iv or Iv(baseline, baseline, True, True)
    if direction == "above":
        covered = Iv(edge.lower, None, edge.li, False)
    else:
        covered = Iv(None, edge.upper, False, edge.ui)
    domain = covered.freeze() if covered.lower is not None or covered.upper is not None else None
    if full_iv is None and any(m.group("pre") for m in per_unit):
        domain = None  # "低于95%的，每低1个百分点扣…": nothing is deducted on the other side
    subject = (full.subject if full else None) or hint
    if domain is not None:
        notes.append(f"评分标准只规定了{domain.render(subject)}的情形")
    return DeductionRule(
        weight=weight,
        text=text,
        subject=subject,
        points_per_item=ppi,
        cap=cap,
        baseline=baseline,
        direction=direction,
        domain=domain,
        notes=tuple(notes),
    )
