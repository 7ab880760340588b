"""A 评分标准 as condition → outcome cases ("…≥90%得2分", "否则不得分", "其间按比例计分"), the
open ends of their intervals closed and what ``否则`` leaves computed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from xlperf.criteria.decimals import ZERO
from xlperf.criteria.parse.conditions import OP_RE, Iv, parse_condition
from xlperf.criteria.parse.text import UNUM, Unparsed

# outcomes ("得2分", "计5分", "不得分", "在0分和2分之间按比例计算确定", "1分")

OUTCOME_RE = re.compile(
    rf"(?P<lin>在?(?P<lo>{UNUM})分?(?:和|与|至|到|-|~)(?P<hi>{UNUM})分之间(?:按比例|按线性比例|线性)?(?:插值)?(?:计算)?(?:确定|得分|计分|计算)?)"
    r"|(?P<lin2>(?:其间|之间)?(?:按线性插值|线性插值|按比例|线性)(?:计算)?(?:确定|得分|计分)?)"
    r"|(?P<zero>不得分|不计分|不给分)"
    r"|(?P<full>(?:得|计|记|给)满分)"
    rf"|(?:得|计|记|给|获)(?P<pts>{UNUM})[分份]"
    rf"|(?<![扣减值满总分\d.\-+])(?P<pts2>{UNUM})[分份](?!值)"
)
_ELSE_RE = re.compile(
    r"^(?:否则|反之|其他情况|其余情况|其他|其余|未达到|未达到要求|不符合|不满足)$"
)
_BETWEEN_RE = re.compile(r"^(?:在此|介于|介于两者|两者|其|此|在)?(?:之间|间|区间)?$")
_PIECE_SPLIT = re.compile(r"[,;:。、]")
_QUIET_RE = re.compile(rf"\d|{OP_RE.pattern}|以上|以下|之间")


@dataclass
class Case:
    """One ``condition → outcome`` clause of a 评分标准."""

    condition: str  # the condition clause as written (normalised)
    intervals: list[Iv] | None  # None: prose; [] : an ``否则`` (everything else)
    subject: str
    outcome: str  # points | full | linear
    points: Decimal | None = None
    linear: tuple[Decimal, Decimal] | None = None


def outcome_of(m: re.Match[str]) -> tuple[str, Decimal | None, tuple[Decimal, Decimal] | None]:
    if m.group("lin"):
        return "linear", None, (Decimal(m.group("lo")), Decimal(m.group("hi")))
    if m.group("lin2"):
        return "linear", None, None
    if m.group("zero"):
        return "points", ZERO, None
    if m.group("full"):
        return "full", None, None
    return "points", Decimal(m.group("pts") or m.group("pts2")), None


def read_cases(s: str, lenient: bool = False) -> list[Case]:
    """Split normalised text into condition → outcome cases (raises Unparsed when unclear)."""
    cases: list[Case] = []
    prev = 0
    for m in OUTCOME_RE.finditer(s):
        span = s[prev : m.start()]
        prev = m.end()
        pieces = [p.rstrip("的") for p in _PIECE_SPLIT.split(span)]
        pieces = [p for p in pieces if p]
        outcome, points, linear = outcome_of(m)
        if not pieces:
            if outcome == "linear":
                cases.append(Case("", [], "", outcome, points, linear))
                continue
            if cases:  # "…，2分" continues the clause before: unclear
                raise Unparsed("得分前没有条件")
            cases.append(Case("", None, "", outcome, points, linear))
            continue
        last = pieces[-1]
        if _ELSE_RE.match(last) or (outcome == "linear" and _BETWEEN_RE.match(last)):
            cases.append(Case(last, [], "", outcome, points, linear))
            continue
        parsed = parse_condition(last)
        if parsed is not None and any(_QUIET_RE.search(p) for p in pieces[:-1]):
            raise Unparsed(f"条件“{span}”含有多处数值，无法确定适用哪一个")
        if parsed is None:
            cases.append(
                Case(span.strip(",;:。、").rstrip("的"), None, "", outcome, points, linear)
            )
        else:
            cases.append(Case(last, parsed[1], parsed[0], outcome, points, linear))
    if not cases:
        raise Unparsed("未找到得分规定")
    trailing = s[prev:]
    if not lenient and _QUIET_RE.search(trailing):
        raise Unparsed(f"末尾“{trailing}”无法解读")
    return cases


def resolve_open_ends(ivs: list[Iv]) -> None:
    """Close an end the text leaves open (``80%-90%``) unless another case already claims it."""
    stated = [o.freeze() for o in ivs]  # decide on the text, not on earlier choices
    for i, iv in enumerate(ivs):
        for end in ("lower", "upper"):
            flag = "li" if end == "lower" else "ui"
            point = getattr(iv, end)
            if point is None or getattr(iv, flag) is not None:
                continue
            claimed = any(j != i and o.contains(point) for j, o in enumerate(stated))
            setattr(iv, flag, not claimed)


def complement(ivs: list[Iv]) -> list[Iv]:
    """The parts of the line no interval covers."""
    out: list[Iv] = []
    cur: Decimal | None = None  # covered up to cur (None: -inf, nothing covered yet)
    cur_closed = False
    started = False
    for iv in sorted(ivs, key=lambda i: (i.lower is not None, i.lower or ZERO, not i.li)):
        if not started:
            if iv.lower is not None:
                out.append(Iv(None, iv.lower, False, not iv.li))
        elif (
            cur is not None
            and iv.lower is not None
            and (iv.lower > cur or (iv.lower == cur and not cur_closed and not iv.li))
        ):
            out.append(Iv(cur, iv.lower, not cur_closed, not iv.li))
        if not started or (
            cur is not None
            and (
                iv.upper is None or iv.upper > cur or (iv.upper == cur and iv.ui and not cur_closed)
            )
        ):
            cur, cur_closed = iv.upper, bool(iv.ui)
        started = True
        if cur is None:
            return out
    if cur is not None:
        out.append(Iv(cur, None, not cur_closed, False))
    return out


def case_points(case: Case, weight: Decimal) -> Decimal:
    """The points a case gives (``得满分``: the weight)."""
    if case.outcome == "full":
        return weight
    assert case.points is not None
    return case.points
