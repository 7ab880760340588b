"""Condition clauses as intervals ("重点支出安排率≥90%", "80%(含)-90%", "大于85%小于等于100%",
"小于或等于85%或大于100%")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from xlperf.criteria.model import Interval
from xlperf.criteria.parse.text import NUM, read_number

_OP_WORDS: dict[str, str] = {
    "大于或等于": ">=",
    "大于等于": ">=",
    "高于或等于": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "≥": ">=",
    ">=": ">=",
    "小于或等于": "<=",
    "小于等于": "<=",
    "低于或等于": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "不大于": "<=",
    "不多于": "<=",
    "≤": "<=",
    "<=": "<=",
    "大于": ">",
    "高于": ">",
    "超过": ">",
    "多于": ">",
    ">": ">",
    "小于": "<",
    "低于": "<",
    "少于": "<",
    "不足": "<",
    "不满": "<",
    "<": "<",
    "等于": "=",
    "=": "=",
}
OP_RE = re.compile("|".join(re.escape(w) for w in sorted(_OP_WORDS, key=len, reverse=True)))
_START_RE = re.compile(rf"{OP_RE.pattern}|[-+]?\d")
_NUMP_RE = re.compile(rf"({NUM})(%)?")
_INCL_RE = re.compile(r"\((含|包含|含本数|不含|不包含)\)")
_SEP_RE = re.compile(r"[-~—–至到]")
_SUFFIX_RE = re.compile(r"及?(以上|以下|以内)(?:\((含|不含)\))?")
_SKIP_RE = re.compile(r"之间|区间内?|范围内?|的|时|者|并且|而且|且|并|,")
_IMPLICIT = (("达到", ">="), ("达", ">="), ("为", "="), ("是", "="), ("在", None))


@dataclass
class Iv:
    """An interval under construction: inclusive flags None while the text leaves them open."""

    lower: Decimal | None
    upper: Decimal | None
    li: bool | None = False
    ui: bool | None = False

    def bounds(self) -> dict[str, Decimal | bool | None]:
        """The fields of an :class:`Interval`: an end left open counts as not included."""
        return {
            "lower": self.lower,
            "upper": self.upper,
            "lower_inclusive": bool(self.li) and self.lower is not None,
            "upper_inclusive": bool(self.ui) and self.upper is not None,
        }

    def freeze(self) -> Interval:
        return Interval(**self.bounds())


def _from_op(op: str, v: Decimal) -> Iv:
    return {
        ">=": Iv(v, None, True, False),
        ">": Iv(v, None, False, False),
        "<=": Iv(None, v, False, True),
        "<": Iv(None, v, False, False),
        "=": Iv(v, v, True, True),
    }[op]


def _and_flag(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _inner(
    a: Decimal | None, a_flag: bool | None, b: Decimal | None, b_flag: bool | None, lower: bool
) -> tuple[Decimal | None, bool | None]:
    """The tighter of two ends (of lower ends the larger, of upper ends the smaller), inclusive
    only where both are."""
    if a is None or (b is not None and (b > a if lower else b < a)):
        return b, b_flag
    if b is not None and b == a:
        return a, _and_flag(a_flag, b_flag)
    return a, a_flag


def _intersect(a: Iv, b: Iv) -> Iv | None:
    lower, li = _inner(a.lower, a.li, b.lower, b.li, lower=True)
    upper, ui = _inner(a.upper, a.ui, b.upper, b.ui, lower=False)
    if (
        lower is not None
        and upper is not None
        and (lower > upper or (lower == upper and (li is False or ui is False)))
    ):
        return None
    return Iv(lower, upper, li, ui)


def parse_condition(piece: str) -> tuple[str, list[Iv]] | None:
    """(subject, union of intervals) of a condition clause; None when it is prose."""
    start = _START_RE.search(piece)
    if start is None:
        return None
    subject, implicit = piece[: start.start()], None
    for filler, op in _IMPLICIT:
        if subject.endswith(filler):
            subject, implicit = subject[: -len(filler)], op
            break
    if any(c in subject for c in "()"):
        return None
    rest = piece[start.start() :]
    terms: list[list[Iv]] = [[]]
    pos = 0
    while pos < len(rest):
        if skip := _SKIP_RE.match(rest, pos):
            pos = skip.end()
            continue
        if rest.startswith("或", pos):
            if not terms[-1]:
                return None
            terms.append([])
            pos += 2 if rest.startswith("或者", pos) else 1
            continue
        if op := OP_RE.match(rest, pos):
            number = _NUMP_RE.match(rest, op.end())
            if number is None:
                return None
            pos = number.end()
            if incl := _INCL_RE.match(rest, pos):
                pos = incl.end()
            terms[-1].append(
                _from_op(_OP_WORDS[op.group()], read_number(number.group(1), bool(number.group(2))))
            )
            continue
        number = _NUMP_RE.match(rest, pos)
        if number is None:
            return None
        pos = number.end()
        inc1: bool | None = None
        if incl := _INCL_RE.match(rest, pos):
            inc1, pos = "不" not in incl.group(1), incl.end()
        sep = _SEP_RE.match(rest, pos)
        second = _NUMP_RE.match(rest, sep.end()) if sep else None
        if second is not None:
            pos = second.end()
            inc2: bool | None = None
            if incl := _INCL_RE.match(rest, pos):
                inc2, pos = "不" not in incl.group(1), incl.end()
            percent = bool(number.group(2) or second.group(2))
            a, b = read_number(number.group(1), percent), read_number(second.group(1), percent)
            if a > b:
                (a, inc1), (b, inc2) = (b, inc2), (a, inc1)
            terms[-1].append(Iv(a, b, inc1, inc2))
            continue
        v = read_number(number.group(1), bool(number.group(2)))
        if suffix := _SUFFIX_RE.match(rest, pos):
            pos = suffix.end()
            inclusive = inc1 is not False and suffix.group(2) != "不含"
            if suffix.group(1) == "以上":
                terms[-1].append(Iv(v, None, inclusive, False))
            else:
                terms[-1].append(Iv(None, v, False, inclusive))
            continue
        if implicit is None:
            return None
        terms[-1].append(_from_op(implicit, v))
    if not terms[-1]:
        return None
    union: list[Iv] = []
    for term in terms:
        acc: Iv | None = term[0]
        for atom in term[1:]:
            acc = _intersect(acc, atom) if acc is not None else None
        if acc is None:
            return None
        union.append(acc)
    return subject.rstrip(":"), union
