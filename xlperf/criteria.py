"""评分标准 as data: scoring rules read from the Chinese prose of a 评分标准 column.

A rule is one of a few kinds (a pydantic union discriminated on ``kind``):

- ``linear``     full marks at/beyond ``full_at``, 0 at/beyond ``zero_at``, linear between;
- ``bands``      stepped bands over a value (``=0 → 3分; (0,10%] → 2分; …``);
- ``deduction``  a deduction per item found (``每发现一处扣0.5分，扣完为止``) or per unit a rate
                 stands beyond a baseline (``每超过一个百分点扣0.5分``), floored at 0;
- ``survey``     satisfaction = mean questionnaire score × 分值;
- ``ratio``      分值 × min(实际/目标, 100%) (``按比例得分``);
- ``binary``     all or nothing on a condition stated in prose (``…得1分，否则不得分``);
- ``composite``  the sum of numbered parts (``①…得0.5分；②…``), each a rule of its own;
- ``manual``     anything else, kept verbatim: it is scored by hand and never guessed.

:func:`parse_criterion` reads a 评分标准 text into a rule, :func:`evaluate` scores a value under a
rule (exact :class:`~decimal.Decimal` arithmetic, quantised only at the end; floats are refused)
and :func:`explain` renders a rule as short Chinese. Rates are fractions throughout (95% is
``Decimal("0.95")``). The money-derived department indicators (预算执行率 …) close the module.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
    model_validator,
)

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
PERCENT_POINT = Decimal("0.01")
DEFAULT_QUANTUM = Decimal("0.01")


# --------------------------------------------------------------------------- numbers


def _refuse_float(value: object) -> object:
    if isinstance(value, float | bool):
        raise ValueError(f"{type(value).__name__} is not accepted here: pass a Decimal, int or str")
    return value


def _canonical(value: Decimal) -> str:
    """``0.950`` -> ``0.95``, ``1E+2`` -> ``100``: one spelling per number in JSON."""
    return "0" if value == 0 else format(value.normalize(), "f")


Dec = Annotated[
    Decimal,
    BeforeValidator(_refuse_float),
    PlainSerializer(_canonical, return_type=str, when_used="json"),
]


def to_decimal(value: Decimal | int | str) -> Decimal:
    """An exact Decimal from a Decimal, int or numeric string (``"91.43%"`` -> 0.9143); no floats."""
    if isinstance(value, bool | float):
        raise TypeError(f"{type(value).__name__} is not accepted: pass a Decimal, int or str")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        percent = text.endswith("%")
        try:
            number = Decimal(text.rstrip("%").strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
        return number / HUNDRED if percent else number
    raise TypeError(f"cannot read {type(value).__name__} as a number")


def _fmt(value: Decimal) -> str:
    return _canonical(value)


def _pct(value: Decimal) -> str:
    return "0" if value == 0 else f"{_canonical(value * HUNDRED)}%"


# --------------------------------------------------------------------------- intervals


class Interval(BaseModel):
    """A stretch of the real line; ``None`` bounds are unbounded."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lower: Dec | None = None
    upper: Dec | None = None
    lower_inclusive: bool = False
    upper_inclusive: bool = False

    def contains(self, x: Decimal) -> bool:
        if self.lower is not None and (
            x < self.lower or (x == self.lower and not self.lower_inclusive)
        ):
            return False
        return not (
            self.upper is not None
            and (x > self.upper or (x == self.upper and not self.upper_inclusive))
        )

    def render(self, subject: str | None = None) -> str:
        """``80%≤x<90%``, ``x=0``, ``x>30%`` (with the indicator's name for ``x`` when known)."""
        x = subject or "x"
        lo, hi = self.lower, self.upper
        if lo is not None and hi is not None and lo == hi:
            return f"{x}={_pct(lo)}"
        if lo is None and hi is None:
            return f"{x}为任意值"
        if lo is None:
            return f"{x}{'≤' if self.upper_inclusive else '<'}{_pct(hi)}"  # type: ignore[arg-type]
        if hi is None:
            return f"{x}{'≥' if self.lower_inclusive else '>'}{_pct(lo)}"
        return f"{_pct(lo)}{'≤' if self.lower_inclusive else '<'}{x}{'≤' if self.upper_inclusive else '<'}{_pct(hi)}"


class Band(Interval):
    """One step of a ``bands`` rule: a value in the interval earns ``points``."""

    points: Dec = Field(ge=0)


def _touching_or_overlapping(a: Interval, b: Interval) -> tuple[bool, bool]:
    """(overlap, gap) between ``a`` and the next band ``b`` (``a`` starts no later than ``b``)."""
    if a.upper is None or b.lower is None:
        return True, False
    if a.upper > b.lower:
        return True, False
    if a.upper < b.lower:
        return False, True
    both, neither = (
        a.upper_inclusive and b.lower_inclusive,
        not (a.upper_inclusive or b.lower_inclusive),
    )
    return both, neither


def _sort_key(iv: Interval) -> tuple[int, Decimal, int]:
    if iv.lower is None:
        return (0, ZERO, 0)
    return (1, iv.lower, 0 if iv.lower_inclusive else 1)


# --------------------------------------------------------------------------- rules


class _RuleBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    expects: ClassVar[str] = "rate"

    weight: Dec = Field(ge=0, description="分值")
    text: str = Field(default="", description="the original 评分标准")
    notes: tuple[str, ...] = Field(default=(), description="doubts found while reading the text")


class LinearRule(_RuleBase):
    """分值 at/beyond ``full_at``, 0 at/beyond ``zero_at``, linear between.

    ``full_at > zero_at``: more is better (预算执行率 ≥95% → 2, ≤90% → 0); ``full_at < zero_at``:
    less is better (预算调整率 =0 → 1, ≥10% → 0). ``domain`` limits the values the text covers.
    """

    kind: Literal["linear"] = "linear"
    subject: str | None = None
    full_at: Dec
    zero_at: Dec
    domain: Interval | None = None

    @model_validator(mode="after")
    def _distinct(self) -> LinearRule:
        if self.full_at == self.zero_at:
            raise ValueError("full_at and zero_at must differ")
        return self

    @property
    def less_is_better(self) -> bool:
        return self.full_at < self.zero_at


class BandsRule(_RuleBase):
    """Stepped bands: the band holding the value gives the points."""

    kind: Literal["bands"] = "bands"
    subject: str | None = None
    bands: tuple[Band, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _within_weight(self) -> BandsRule:
        if any(b.points > self.weight for b in self.bands):
            raise ValueError("a band gives more points than the weight")
        return self

    def ordered(self) -> list[Band]:
        return sorted(self.bands, key=_sort_key)

    def gaps(self) -> list[Interval]:
        """Stretches between the lowest and the highest band that no band covers."""
        out: list[Interval] = []
        bands = self.ordered()
        reach: Interval = bands[0]
        for band in bands[1:]:
            _, gap = _touching_or_overlapping(reach, band)
            if gap:
                out.append(
                    Interval(
                        lower=reach.upper,
                        upper=band.lower,
                        lower_inclusive=not reach.upper_inclusive,
                        upper_inclusive=not band.lower_inclusive,
                    )
                )
            if reach.upper is not None and (
                band.upper is None
                or band.upper > reach.upper
                or (band.upper == reach.upper and band.upper_inclusive)
            ):
                reach = band
        return out

    def conflicts(self) -> list[Decimal | Interval]:
        """Values two bands claim with different points."""
        out: list[Decimal | Interval] = []
        bands = self.ordered()
        for i, a in enumerate(bands):
            for b in bands[i + 1 :]:
                if a.points == b.points:
                    continue
                overlap, _ = _touching_or_overlapping(a, b)
                if not overlap:
                    continue
                if a.upper is not None and b.lower is not None and a.upper == b.lower:
                    out.append(a.upper)
                else:
                    out.append(
                        Interval(
                            lower=b.lower,
                            upper=a.upper
                            if b.upper is None or (a.upper is not None and a.upper < b.upper)
                            else b.upper,
                            lower_inclusive=b.lower_inclusive,
                            upper_inclusive=True,
                        )
                    )
        return out

    @property
    def covers_line(self) -> bool:
        bands = self.ordered()
        return bands[0].lower is None and any(b.upper is None for b in bands) and not self.gaps()


class DeductionRule(_RuleBase):
    """分值 less ``points_per_item`` per item, floored at 0 (``扣完为止``), at most ``cap`` in all.

    Count mode (``baseline`` None): the value is the number of items found (an int).
    Per-unit mode: the value is a rate; every ``unit`` (default one percentage point) it stands
    ``above``/``below`` ``baseline`` counts as an item — pro rata, or whole units only when
    ``whole_units`` is set.
    """

    kind: Literal["deduction"] = "deduction"
    subject: str | None = None
    points_per_item: Dec = Field(gt=0)
    cap: Dec | None = Field(default=None, gt=0)
    baseline: Dec | None = None
    unit: Dec = Field(default=PERCENT_POINT, gt=0)
    direction: Literal["above", "below"] | None = None
    whole_units: bool = False
    domain: Interval | None = None

    @model_validator(mode="after")
    def _mode(self) -> DeductionRule:
        if (self.baseline is None) != (self.direction is None):
            raise ValueError("baseline and direction go together")
        return self

    @property
    def per_unit(self) -> bool:
        return self.baseline is not None


DEFAULT_ANSWER_WEIGHTS: dict[str, Decimal] = {
    "非常满意": Decimal(1),
    "基本满意": Decimal("0.75"),
    "一般": Decimal("0.5"),
    "不满意": Decimal(0),
}
"""Answer weights of seed 004's questionnaires (A 非常满意 100%, B 基本满意 75%, C 一般 50%,
D 不满意 0%). 满意 has no weight here: forms differ on it, so a count of 满意 needs one given."""


class SurveyRule(_RuleBase):
    """满意度 = mean questionnaire score × 分值, answers weighted by ``answer_weights``."""

    kind: Literal["survey"] = "survey"
    answer_weights: dict[str, Dec] = Field(default_factory=lambda: dict(DEFAULT_ANSWER_WEIGHTS))

    expects: ClassVar[str] = "survey"

    @model_validator(mode="after")
    def _fractions(self) -> SurveyRule:
        if any(not ZERO <= w <= ONE for w in self.answer_weights.values()):
            raise ValueError("answer weights are fractions in [0, 1]")
        return self


class RatioRule(_RuleBase):
    """分值 × min(实际/目标, 100%) (or 目标/实际 when less is better)."""

    kind: Literal["ratio"] = "ratio"
    less_is_better: bool = False


class BinaryRule(_RuleBase):
    """分值 when the prose condition holds, else 0."""

    kind: Literal["binary"] = "binary"
    condition: str

    expects: ClassVar[str] = "flag"


class ManualRule(_RuleBase):
    """A 评分标准 that cannot be turned into a rule; scored by hand."""

    kind: Literal["manual"] = "manual"
    reason: str

    expects: ClassVar[str] = "none"


class CompositeRule(_RuleBase):
    """The sum of numbered parts, each scored by its own rule."""

    kind: Literal["composite"] = "composite"
    parts: tuple[Part, ...] = Field(min_length=1)

    expects: ClassVar[str] = "parts"

    @model_validator(mode="after")
    def _adds_up(self) -> CompositeRule:
        total = sum((p.rule.weight for p in self.parts), ZERO)
        if total != self.weight:
            raise ValueError(f"parts add up to {total}, weight is {self.weight}")
        return self


Rule = Annotated[
    LinearRule
    | BandsRule
    | DeductionRule
    | SurveyRule
    | RatioRule
    | BinaryRule
    | CompositeRule
    | ManualRule,
    Field(discriminator="kind"),
]


class Part(BaseModel):
    """One numbered part of a composite rule (``label`` like ``①预算执行率``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    rule: Rule


CompositeRule.model_rebuild()
Part.model_rebuild()
RULE_ADAPTER: TypeAdapter[Rule] = TypeAdapter(Rule)


def rule_from_json(data: Any) -> Rule:
    """A rule from its JSON-ready dict (``rule.model_dump(mode="json")``)."""
    return RULE_ADAPTER.validate_python(data)


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


def expected_input(rule: Rule) -> str:
    """What :func:`evaluate` wants for this rule: rate, count, survey, flag, parts or none."""
    if isinstance(rule, DeductionRule):
        return "rate" if rule.per_unit else "count"
    return rule.expects


# --------------------------------------------------------------------------- evaluation


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
        raise _NoScore(f"{_pct(x)} 不在评分标准所述范围（{domain.render()}）内")


def _linear(rule: LinearRule, x: Decimal) -> Decimal:
    _check_domain(rule.domain, x)
    t = (x - rule.zero_at) / (rule.full_at - rule.zero_at)
    return rule.weight * max(ZERO, min(ONE, t))


def _bands(rule: BandsRule, x: Decimal) -> Decimal:
    hits = {b.points for b in rule.bands if b.contains(x)}
    if not hits:
        raise _NoScore(f"{_pct(x)} 不在评分标准的任何一档内")
    if len(hits) > 1:
        shown = "、".join(f"{_fmt(p)}分" for p in sorted(hits))
        raise _NoScore(f"{_pct(x)} 同时落在得分不同的几档（{shown}），评分标准自相矛盾")
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
        if part.label[:1] in _CIRCLED:
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


# --------------------------------------------------------------------------- explain


def _short(text: str, limit: int = 30) -> str:
    text = "".join(text.split()).rstrip("，,；;。")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(rule: Rule) -> str:
    """A short Chinese rendering of the rule, for reports and cell notes."""
    w = _fmt(rule.weight)
    if isinstance(rule, LinearRule):
        x = rule.subject or "x"
        full, zero = ("≤", "≥") if rule.less_is_better else ("≥", "≤")
        out = f"{x}{full}{_pct(rule.full_at)}得{w}分，{x}{zero}{_pct(rule.zero_at)}得0分，其间按线性比例计分"
        if rule.domain is not None:
            out += f"（适用于{rule.domain.render(rule.subject)}）"
        return out
    if isinstance(rule, BandsRule):
        return "；".join(f"{b.render(rule.subject)}得{_fmt(b.points)}分" for b in rule.ordered())
    if isinstance(rule, DeductionRule):
        cap = f"，最多扣{_fmt(rule.cap)}分" if rule.cap is not None else "，扣完为止"
        if not rule.per_unit:
            return f"满分{w}分，每项扣{_fmt(rule.points_per_item)}分{cap}"
        assert rule.baseline is not None
        step = "1个百分点" if rule.unit == PERCENT_POINT else _pct(rule.unit)
        way = "超过" if rule.direction == "above" else "低于"
        whole = "（不足一个单位不扣）" if rule.whole_units else ""
        subject = f"{rule.subject}" if rule.subject else ""
        return f"{subject}以{_pct(rule.baseline)}为基准，每{way}{step}扣{_fmt(rule.points_per_item)}分{whole}，满分{w}分{cap}"
    if isinstance(rule, SurveyRule):
        answers = "、".join(f"{k}{_pct(v) if v else '0%'}" for k, v in rule.answer_weights.items())
        return f"得分=问卷满意度×{w}（{answers}）"
    if isinstance(rule, RatioRule):
        ratio = "目标值÷实际值" if rule.less_is_better else "实际值÷目标值"
        return f"得分={w}×min({ratio}, 100%)"
    if isinstance(rule, BinaryRule):
        return f"{_short(rule.condition)}得{w}分，否则0分"
    if isinstance(rule, CompositeRule):
        parts = "；".join(
            f"{p.label}（{_fmt(p.rule.weight)}分）：{explain(p.rule)}" for p in rule.parts
        )
        return f"分项计分，合计{w}分：{parts}"
    return f"人工评分（{rule.reason}）"


# --------------------------------------------------------------------------- parsing

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_DROP = str.maketrans("", "", "“”‘’\"'「」『』")
_NUM = r"[-+]?\d+(?:\.\d+)?"
_UNUM = r"\d+(?:\.\d+)?"


class _Unparsed(Exception):
    pass


def _normalise(text: str) -> str:
    text = re.sub(r"\[bookmark:[^\]]*\]", "", text)
    text = re.sub(f"[{_CIRCLED}]", ";", text)
    text = unicodedata.normalize("NFKC", text).translate(_DROP)
    for a, b in (("≦", "≤"), ("≧", "≥"), ("﹤", "<"), ("﹥", ">"), ("－", "-"), ("＝", "=")):
        text = text.replace(a, b)
    return re.sub(r"\s+", "", text)


# -- conditions ("重点支出安排率≥90%", "80%(含)-90%", "大于85%小于等于100%", "小于或等于85%或大于100%")

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
_OP_RE = re.compile("|".join(re.escape(w) for w in sorted(_OP_WORDS, key=len, reverse=True)))
_START_RE = re.compile(rf"{_OP_RE.pattern}|[-+]?\d")
_NUMP_RE = re.compile(rf"({_NUM})(%)?")
_INCL_RE = re.compile(r"\((含|包含|含本数|不含|不包含)\)")
_SEP_RE = re.compile(r"[-~—–至到]")
_SUFFIX_RE = re.compile(r"及?(以上|以下|以内)(?:\((含|不含)\))?")
_SKIP_RE = re.compile(r"之间|区间内?|范围内?|的|时|者|并且|而且|且|并|,")
_IMPLICIT = (("达到", ">="), ("达", ">="), ("为", "="), ("是", "="), ("在", None))


@dataclass
class _Iv:
    """An interval under construction: inclusive flags None while the text leaves them open."""

    lower: Decimal | None
    upper: Decimal | None
    li: bool | None = False
    ui: bool | None = False

    def contains_explicitly(self, x: Decimal) -> bool:
        if self.lower is not None and (x < self.lower or (x == self.lower and not self.li)):
            return False
        return not (
            self.upper is not None and (x > self.upper or (x == self.upper and not self.ui))
        )

    def freeze(self) -> Interval:
        return Interval(
            lower=self.lower,
            upper=self.upper,
            lower_inclusive=bool(self.li),
            upper_inclusive=bool(self.ui),
        )


def _from_op(op: str, v: Decimal) -> _Iv:
    return {
        ">=": _Iv(v, None, True, False),
        ">": _Iv(v, None, False, False),
        "<=": _Iv(None, v, False, True),
        "<": _Iv(None, v, False, False),
        "=": _Iv(v, v, True, True),
    }[op]


def _and_flag(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _intersect(a: _Iv, b: _Iv) -> _Iv | None:
    if a.lower is None or (b.lower is not None and b.lower > a.lower):
        lower, li = b.lower, b.li
    elif b.lower is not None and b.lower == a.lower:
        lower, li = a.lower, _and_flag(a.li, b.li)
    else:
        lower, li = a.lower, a.li
    if a.upper is None or (b.upper is not None and b.upper < a.upper):
        upper, ui = b.upper, b.ui
    elif b.upper is not None and b.upper == a.upper:
        upper, ui = a.upper, _and_flag(a.ui, b.ui)
    else:
        upper, ui = a.upper, a.ui
    if (
        lower is not None
        and upper is not None
        and (lower > upper or (lower == upper and (li is False or ui is False)))
    ):
        return None
    return _Iv(lower, upper, li, ui)


def _value(number: str, percent: bool) -> Decimal:
    d = Decimal(number)
    return d / HUNDRED if percent else d


def _parse_condition(piece: str) -> tuple[str, list[_Iv]] | None:
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
    terms: list[list[_Iv]] = [[]]
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
        if op := _OP_RE.match(rest, pos):
            number = _NUMP_RE.match(rest, op.end())
            if number is None:
                return None
            pos = number.end()
            if incl := _INCL_RE.match(rest, pos):
                pos = incl.end()
            terms[-1].append(
                _from_op(_OP_WORDS[op.group()], _value(number.group(1), bool(number.group(2))))
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
            a, b = _value(number.group(1), percent), _value(second.group(1), percent)
            if a > b:
                (a, inc1), (b, inc2) = (b, inc2), (a, inc1)
            terms[-1].append(_Iv(a, b, inc1, inc2))
            continue
        v = _value(number.group(1), bool(number.group(2)))
        if suffix := _SUFFIX_RE.match(rest, pos):
            pos = suffix.end()
            inclusive = inc1 is not False and suffix.group(2) != "不含"
            if suffix.group(1) == "以上":
                terms[-1].append(_Iv(v, None, inclusive, False))
            else:
                terms[-1].append(_Iv(None, v, False, inclusive))
            continue
        if implicit is None:
            return None
        terms[-1].append(_from_op(implicit, v))
    if not terms[-1]:
        return None
    union: list[_Iv] = []
    for term in terms:
        acc: _Iv | None = term[0]
        for atom in term[1:]:
            acc = _intersect(acc, atom) if acc is not None else None
        if acc is None:
            return None
        union.append(acc)
    return subject.rstrip(":"), union


# -- outcomes ("得2分", "计5分", "不得分", "在0分和2分之间按比例计算确定", "1分")

_OUTCOME_RE = re.compile(
    rf"(?P<lin>在?(?P<lo>{_UNUM})分?(?:和|与|至|到|-|~)(?P<hi>{_UNUM})分之间(?:按比例|按线性比例|线性)?(?:插值)?(?:计算)?(?:确定|得分|计分|计算)?)"
    r"|(?P<lin2>(?:其间|之间)?(?:按线性插值|线性插值|按比例|线性)(?:计算)?(?:确定|得分|计分)?)"
    r"|(?P<zero>不得分|不计分|不给分)"
    r"|(?P<full>(?:得|计|记|给)满分)"
    rf"|(?:得|计|记|给|获)(?P<pts>{_UNUM})[分份]"
    rf"|(?<![扣减值满总分\d.\-+])(?P<pts2>{_UNUM})[分份](?!值)"
)
_ELSE_RE = re.compile(
    r"^(?:否则|反之|其他情况|其余情况|其他|其余|未达到|未达到要求|不符合|不满足)$"
)
_BETWEEN_RE = re.compile(r"^(?:在此|介于|介于两者|两者|其|此|在)?(?:之间|间|区间)?$")
_PIECE_SPLIT = re.compile(r"[,;:。、]")
_QUIET_RE = re.compile(rf"\d|{_OP_RE.pattern}|以上|以下|之间")
_FORMULA_RE = re.compile(r"[^。;,]*?(?:率|度)=\([^)]*\)×100%[。;,]?")
_SCORE_FORMULA_RE = re.compile(r"(?:该指标)?得分=[^;。]*")
_STANDARD_RE = re.compile(rf"以[^;。,]*?({_UNUM})(%)?为标准[^;。,]*[;。,]?")
_REPEAT_RE = re.compile(rf"每(?:一)?个?(季度|月|半年|年度|项)(?:的)?分值(?:为)?({_UNUM})分")
_TOTAL_RE = re.compile(rf"总分(?:值)?(?:为)?({_UNUM})分")


@dataclass
class _Case:
    """One ``condition → outcome`` clause of a 评分标准."""

    condition: str  # the condition clause as written (normalised)
    intervals: list[_Iv] | None  # None: prose; [] : an ``否则`` (everything else)
    subject: str
    outcome: str  # points | full | linear
    points: Decimal | None = None
    linear: tuple[Decimal, Decimal] | None = None


def _outcome_of(m: re.Match[str]) -> tuple[str, Decimal | None, tuple[Decimal, Decimal] | None]:
    if m.group("lin"):
        return "linear", None, (Decimal(m.group("lo")), Decimal(m.group("hi")))
    if m.group("lin2"):
        return "linear", None, None
    if m.group("zero"):
        return "points", ZERO, None
    if m.group("full"):
        return "full", None, None
    return "points", Decimal(m.group("pts") or m.group("pts2")), None


def _cases(s: str, lenient: bool = False) -> list[_Case]:
    """Split normalised text into condition → outcome cases (raises _Unparsed when unclear)."""
    cases: list[_Case] = []
    prev = 0
    for m in _OUTCOME_RE.finditer(s):
        span = s[prev : m.start()]
        prev = m.end()
        pieces = [p.rstrip("的") for p in _PIECE_SPLIT.split(span)]
        pieces = [p for p in pieces if p]
        outcome, points, linear = _outcome_of(m)
        if not pieces:
            if outcome == "linear":
                cases.append(_Case("", [], "", outcome, points, linear))
                continue
            if cases:  # "…，2分" continues the clause before: unclear
                raise _Unparsed("得分前没有条件")
            cases.append(_Case("", None, "", outcome, points, linear))
            continue
        last = pieces[-1]
        if _ELSE_RE.match(last) or (outcome == "linear" and _BETWEEN_RE.match(last)):
            cases.append(_Case(last, [], "", outcome, points, linear))
            continue
        parsed = _parse_condition(last)
        if parsed is not None and any(_QUIET_RE.search(p) for p in pieces[:-1]):
            raise _Unparsed(f"条件“{span}”含有多处数值，无法确定适用哪一个")
        if parsed is None:
            cases.append(
                _Case(span.strip(",;:。、").rstrip("的"), None, "", outcome, points, linear)
            )
        else:
            cases.append(_Case(last, parsed[1], parsed[0], outcome, points, linear))
    if not cases:
        raise _Unparsed("未找到得分规定")
    trailing = s[prev:]
    if not lenient and _QUIET_RE.search(trailing):
        raise _Unparsed(f"末尾“{trailing}”无法解读")
    return cases


def _resolve_open_ends(ivs: list[_Iv]) -> None:
    """Close an end the text leaves open (``80%-90%``) unless another case already claims it."""
    stated = [
        _Iv(o.lower, o.upper, o.li, o.ui) for o in ivs
    ]  # decide on the text, not on earlier choices
    for i, iv in enumerate(ivs):
        for end in ("lower", "upper"):
            flag = "li" if end == "lower" else "ui"
            point = getattr(iv, end)
            if point is None or getattr(iv, flag) is not None:
                continue
            claimed = any(j != i and o.contains_explicitly(point) for j, o in enumerate(stated))
            setattr(iv, flag, not claimed)


def _complement(ivs: list[_Iv]) -> list[_Iv]:
    """The parts of the line no interval covers."""
    out: list[_Iv] = []
    cur: Decimal | None = None  # covered up to cur (None: -inf, nothing covered yet)
    cur_closed = False
    started = False
    for iv in sorted(ivs, key=lambda i: (i.lower is not None, i.lower or ZERO, not i.li)):
        if not started:
            if iv.lower is not None:
                out.append(_Iv(None, iv.lower, False, not iv.li))
        elif (
            cur is not None
            and iv.lower is not None
            and (iv.lower > cur or (iv.lower == cur and not cur_closed and not iv.li))
        ):
            out.append(_Iv(cur, iv.lower, not cur_closed, not iv.li))
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
        out.append(_Iv(cur, None, not cur_closed, False))
    return out


def _points(case: _Case, weight: Decimal) -> Decimal:
    if case.outcome == "full":
        return weight
    assert case.points is not None
    return case.points


def _subject_of(cases: list[_Case], hint: str | None) -> str | None:
    names = [c.subject for c in cases if c.subject]
    return names[0] if names else hint


def _build_from_cases(
    cases: list[_Case],
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
            points = _points(prose[0], weight)
            if not others and not segment:
                raise _Unparsed("只写了达到要求的得分，没有写未达到时如何计分")
            if points != weight:
                raise _Unparsed(f"达到要求得{_fmt(points)}分，与分值{_fmt(weight)}分不符")
            if points == 0:
                raise _Unparsed("得分为0")
            return BinaryRule(
                weight=weight, text=text, condition=prose[0].condition, notes=tuple(notes)
            )
        raise _Unparsed("条件为文字描述，无法自动判定")
    linear = [c for c in others if c.outcome == "linear"]
    stepped = [c for c in others if c.outcome != "linear"]
    explicit = [iv for c in others for iv in (c.intervals or [])]
    _resolve_open_ends(explicit)
    for case in stepped:
        if case.intervals == []:  # 否则: everything the other cases leave
            case.intervals = _complement(
                [iv for c in others if c is not case for iv in (c.intervals or [])]
            )
    subject = _subject_of(others, hint)
    if len(linear) > 1:
        raise _Unparsed("有多段线性区间")
    if linear:
        return _build_linear(linear[0], stepped, weight, text, subject, notes)
    bands = [
        Band(
            lower=iv.lower,
            upper=iv.upper,
            lower_inclusive=bool(iv.li) and iv.lower is not None,
            upper_inclusive=bool(iv.ui) and iv.upper is not None,
            points=_points(c, weight),
        )
        for c in stepped
        for iv in (c.intervals or [])
    ]
    if not bands:
        raise _Unparsed("未找到得分档次")
    if segment and len(stepped) < 2:
        raise _Unparsed("只有一档，像是某条规则的片段")
    top = max(b.points for b in bands)
    if top > weight:
        raise _Unparsed(f"最高档{_fmt(top)}分超过分值{_fmt(weight)}分")
    if top < weight:
        notes.append(f"最高档只得{_fmt(top)}分，达不到分值{_fmt(weight)}分")
    rule = BandsRule(
        weight=weight, text=text, subject=subject, bands=tuple(sorted(bands, key=_sort_key))
    )
    for gap in rule.gaps():
        notes.append(f"{gap.render(subject)}时评分标准未作规定")
    for conflict in rule.conflicts():
        where = _pct(conflict) if isinstance(conflict, Decimal) else conflict.render(subject)
        notes.append(f"{where}同时落在得分不同的两档，评分标准自相矛盾")
    return rule.model_copy(update={"notes": tuple(notes)})


def _build_linear(
    lin: _Case,
    stepped: list[_Case],
    weight: Decimal,
    text: str,
    subject: str | None,
    notes: list[str],
) -> LinearRule:
    ivs = [(iv, _points(c, weight)) for c in stepped for iv in (c.intervals or [])]
    if len(ivs) != 2:
        raise _Unparsed("线性计分需要上下两个端点档")
    (low, p_low), (high, p_high) = sorted(
        ivs, key=lambda t: (t[0].lower is not None, t[0].lower or ZERO)
    )
    if low.upper is None or high.lower is None:
        raise _Unparsed("线性区间两端不明确")
    a, b = low.upper, high.lower
    region = lin.intervals[0] if lin.intervals else None
    if region is not None and (region.lower != a or region.upper != b):
        raise _Unparsed("线性区间与两端档次不衔接")
    if a >= b:
        raise _Unparsed("线性区间为空")
    if {p_low, p_high} != {ZERO, weight} or weight == 0:
        raise _Unparsed(
            f"线性两端得分为{_fmt(p_low)}分和{_fmt(p_high)}分，不是0分和分值{_fmt(weight)}分"
        )
    if lin.linear is not None and set(lin.linear) != {ZERO, weight}:
        raise _Unparsed(
            f"线性区间写的是{_fmt(lin.linear[0])}分至{_fmt(lin.linear[1])}分，与分值{_fmt(weight)}分不符"
        )
    full_at, zero_at = (b, a) if p_high == weight else (a, b)
    domain = None
    if low.lower is not None or high.upper is not None:
        domain = Interval(
            lower=low.lower,
            upper=high.upper,
            lower_inclusive=bool(low.li) and low.lower is not None,
            upper_inclusive=bool(high.ui) and high.upper is not None,
        )
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


# -- deductions

_PER_UNIT_RE = re.compile(
    rf"(?:(?P<pre>低于|少于|不足|小于|超过|超出|高于|大于)(?P<base0>{_NUM})(?P<b0pct>%)?(?:的部分|的)?,?)?"
    r"每(?P<dir>超过|超出|高于|增加|上升|提高|超|高|多|减少|降低|低于|下降|少|低)"
    rf"(?:(?P<base>{_NUM})(?P<bpct>%)?)?(?:一|1)个?百分点[,]?扣(?:减)?(?P<pts>{_UNUM})分"
)
_COUNT_RE = re.compile(
    rf"(?:每|缺|少)(?:出现|发现|有|少|缺|减少|存在)?(?:一|1)?(?:个|项|处|例|次|起|件|条|份|笔)[^。;扣]*?扣(?:减)?(?P<pts>{_UNUM})分"
)
_CAP_RE = re.compile(
    rf"(?:最多|最高|累计最多|累计)扣(?P<a>{_UNUM})分|扣分(?:不超过|上限为?|以)(?P<b>{_UNUM})分|扣(?P<c>{_UNUM})分为限"
)
_ABOVE = {"超过", "超出", "高于", "增加", "上升", "提高", "超", "高", "多", "大于"}


def _parse_deduction(
    s: str, weight: Decimal, text: str, notes: list[str], hint: str | None = None
) -> DeductionRule | None:
    per_unit = list(_PER_UNIT_RE.finditer(s))
    counts = list(_COUNT_RE.finditer(s)) if not per_unit else []
    if not per_unit and not counts:
        return None
    found = per_unit or counts
    points = {Decimal(m.group("pts")) for m in found}
    if len(points) != 1:
        raise _Unparsed("各处扣分标准不一致")
    ppi = points.pop()
    cap = None
    if m := _CAP_RE.search(s):
        cap = Decimal(m.group("a") or m.group("b") or m.group("c"))
    rest = s
    for m in found:
        rest = rest.replace(m.group(0), ";")
    rest = _CAP_RE.sub(";", rest).replace("扣完为止", ";")
    standard = _STANDARD_RE.search(rest)
    rest = _STANDARD_RE.sub(";", rest)
    try:
        cases = _cases(rest, lenient=True)
    except _Unparsed:
        cases = []
    if any(c.outcome == "linear" for c in cases) or len(cases) > 1:
        raise _Unparsed("扣分规定之外还有其他计分档次")
    full = cases[0] if cases else None
    if full is not None and _points(full, weight) != weight:
        raise _Unparsed(f"满足要求得{_fmt(_points(full, weight))}分，与分值{_fmt(weight)}分不符")
    if not per_unit:
        if full is not None and full.intervals:
            raise _Unparsed("按项扣分却写有数值条件")
        return DeductionRule(
            weight=weight, text=text, points_per_item=ppi, cap=cap, notes=tuple(notes)
        )
    words = [m.group("dir") for m in per_unit] + [
        m.group("pre") for m in per_unit if m.group("pre")
    ]
    directions = {"above" if w in _ABOVE else "below" for w in words}
    if len(directions) != 1:
        raise _Unparsed("扣分方向不一致")
    direction = directions.pop()
    baselines: set[Decimal] = set()
    for m in per_unit:
        for base, pct in (("base", "bpct"), ("base0", "b0pct")):
            if m.group(base) is not None:
                baselines.add(_value(m.group(base), bool(m.group(pct))))
    if standard is not None:
        baselines.add(_value(standard.group(1), bool(standard.group(2))))
    full_iv: _Iv | None = None
    if full is not None and full.intervals:
        if len(full.intervals) != 1:
            raise _Unparsed("满分条件不是一个区间")
        full_iv = full.intervals[0]
        edge = full_iv.upper if direction == "above" else full_iv.lower
        if edge is None:
            raise _Unparsed("满分区间与扣分方向不衔接")
        baselines.add(edge)
    if len(baselines) != 1:
        raise _Unparsed("找不到唯一的扣分基准" if not baselines else "扣分基准前后不一致")
    baseline = baselines.pop()
    # the text covers the deduction side and the full-marks side up to where that one ends
    edge = full_iv or _Iv(baseline, baseline, True, True)
    if direction == "above":
        covered = _Iv(edge.lower, None, edge.li, False)
    else:
        covered = _Iv(None, edge.upper, False, edge.ui)
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


# -- surveys and ratios

_SURVEY_RE = re.compile(r"(?:问卷|调查)[^;。]*?(?:平均|均值)|满意(?:度|率)(?:得分)?×")
_ANSWER_RE = re.compile(
    rf"(非常满意|比较满意|基本满意|非常不满意|很不满意|较不满意|不满意|满意|一般)(?:\(?[A-E]\)?)?(?:为|得|计|:)?({_UNUM})(%)?"
)
_MULTIPLIER_RE = re.compile(rf"×({_UNUM})(?!%|\d)")
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


def _parse_survey(s: str, weight: Decimal, text: str, notes: list[str]) -> SurveyRule | None:
    if not _SURVEY_RE.search(s):
        return None
    weights = dict(DEFAULT_ANSWER_WEIGHTS)
    stated = {a: _value(v, bool(pct) or Decimal(v) > 1) for a, v, pct in _ANSWER_RE.findall(s)}
    if stated:
        weights = stated
    multipliers = [Decimal(m) for m in _MULTIPLIER_RE.findall(s)]
    if multipliers and multipliers[-1] != weight:
        notes.append(f"公式乘以{_fmt(multipliers[-1])}，分值为{_fmt(weight)}分")
    return SurveyRule(weight=weight, text=text, answer_weights=weights, notes=tuple(notes))


def _parse_ratio(s: str, weight: Decimal, text: str, notes: list[str]) -> RatioRule | None:
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


# -- the parser

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
    if not text or not _normalise(text):
        return ManualRule(weight=w, text=text or "", reason="评分标准为空")
    try:
        return _parse(text, w, segment=False, hint=name)
    except _Unparsed as exc:
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
    s = _normalise(text)
    if repeat := _REPEAT_RE.search(s):
        return _parse_repeat(text, s, repeat, weight, hint)
    if (survey := _parse_survey(s, weight, text, notes)) is not None:
        return survey
    if marker := _MANUAL_MARKERS.search(s):
        return ManualRule(
            weight=weight, text=text, reason=f"“{marker.group(0)}”：由评价人员判断，无法自动计分"
        )
    if (deduction := _parse_deduction(s, weight, text, notes, hint)) is not None:
        return deduction
    if (ratio := _parse_ratio(s, weight, text, notes)) is not None:
        return ratio
    body = _SCORE_FORMULA_RE.sub(";", _FORMULA_RE.sub(";", s))
    body = _STANDARD_RE.sub(";", body)
    body = _TOTAL_RE.sub(";", body)
    return _build_from_cases(_cases(body), weight, text, segment, notes, hint)


def _segment_weight(seg: str) -> Decimal | None:
    s = _normalise(seg)
    if _REPEAT_RE.search(s) and (total := _TOTAL_RE.search(s)):
        return Decimal(total.group(1))
    body = _SCORE_FORMULA_RE.sub(";", s)
    best: Decimal | None = None
    for m in _OUTCOME_RE.finditer(body):
        kind, points, linear = _outcome_of(m)
        if kind == "full":
            return None
        candidates = [points] if points is not None else list(linear or ())
        for c in candidates:
            best = c if best is None or c > best else best
    return best


def _parse_composite(text: str, weight: Decimal) -> Rule | None:
    pieces = re.split(f"([{_CIRCLED}])", re.sub(r"\[bookmark:[^\]]*\]", "", text))
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
        except _Unparsed:
            whole = None
        if whole is not None and not isinstance(whole, ManualRule):
            return whole
        return ManualRule(
            weight=weight,
            text=text,
            reason=f"各分项合计{_fmt(total)}分，与分值{_fmt(weight)}分不符",
        )
    parts: list[Part] = []
    for (marker, seg), w in zip(segments, weights, strict=True):
        assert w is not None
        name = _label(seg)
        try:
            rule = _parse(marker + seg, w, segment=True, hint=name)
        except _Unparsed as exc:
            if "片段" in str(exc):
                return None
            rule = ManualRule(weight=w, text=marker + seg, reason=str(exc))
        parts.append(Part(label=marker + (name or getattr(rule, "subject", None) or ""), rule=rule))
    notes: list[str] = []
    if (stated := _TOTAL_RE.search(_normalise(preamble))) and Decimal(stated.group(1)) != weight:
        notes.append(
            f"评分标准写明总分{stated.group(1)}分，但分值为{_fmt(weight)}分，分项合计{_fmt(total)}分"
        )
    return CompositeRule(weight=weight, text=text, parts=tuple(parts), notes=tuple(notes))


def _label(seg: str) -> str | None:
    """The name a numbered part starts with (``预算执行率：…`` -> 预算执行率)."""
    m = re.match(r"^;?([^\d:,;。()]{1,20}):", _normalise(seg))
    return m.group(1) if m else None


def _parse_repeat(
    text: str, s: str, repeat: re.Match[str], weight: Decimal, hint: str | None
) -> Rule:
    """``每季度分值0.5分，总分值2分``: the same rule once per quarter."""
    each = Decimal(repeat.group(2))
    total = _TOTAL_RE.search(s)
    stated_total = Decimal(total.group(1)) if total else weight
    if stated_total != weight:
        raise _Unparsed(f"总分值{_fmt(stated_total)}分与分值{_fmt(weight)}分不符")
    if each <= 0:
        raise _Unparsed(f"每{repeat.group(1)}分值为0")
    count = weight / each
    if count != count.to_integral_value():
        raise _Unparsed(f"每{repeat.group(1)}{_fmt(each)}分不能整分{_fmt(weight)}分")
    body = s.replace(repeat.group(0), ";")
    if total:
        body = body.replace(total.group(0), ";")
    body = _STANDARD_RE.sub(";", body)
    one = _parse(body, each, segment=True, hint=hint)
    unit = repeat.group(1)
    parts = tuple(
        Part(label=f"第{i}{'季度' if unit == '季度' else unit}", rule=one)
        for i in range(1, int(count) + 1)
    )
    return CompositeRule(weight=weight, text=text, parts=parts)


# --------------------------------------------------------------------------- money-derived indicators

Amount = Decimal | int | str | None


def _ratio_of(numerator: Amount, denominator: Amount) -> Decimal | None:
    if numerator is None or denominator is None:
        return None
    den = to_decimal(denominator)
    if den == 0:
        return None
    return to_decimal(numerator) / den


def budget_execution_rate(expenditure: Amount, budget: Amount) -> Decimal | None:
    """预算执行率 = 支出决算数 ÷ 支出预算数 (seed 004: 实际支出 5,409.65 ÷ 可支配资金 5,916.61)."""
    return _ratio_of(expenditure, budget)


def budget_adjustment_rate(adjustment: Amount, initial_budget: Amount) -> Decimal | None:
    """预算调整率 = 预算调整数 ÷ 年初预算数, where 预算调整数 = 调整后预算数 − 年初预算数
    (seed 004: (2,953.58 − 1,607.61) ÷ 1,607.61 = 83.72%)."""
    return _ratio_of(adjustment, initial_budget)


def carryover_rate(carryover: Amount, base: Amount) -> Decimal | None:
    """结转结余率 = 结转结余总额 ÷ 支出预算数 (some provinces divide by 收入合计 instead)."""
    return _ratio_of(carryover, base)


def carryover_change_rate(current: Amount, previous: Amount) -> Decimal | None:
    """结转结余变动率 = (本年结转结余 − 上年结转结余) ÷ 上年结转结余 (seed 004: 89.87%)."""
    if current is None or previous is None:
        return None
    return _ratio_of(to_decimal(current) - to_decimal(previous), previous)


def three_public_control_rate(actual: Amount, budget: Amount) -> Decimal | None:
    """“三公经费”控制率 = “三公经费”实际支出数 ÷ 预算安排数 (seed 004: 3.03 ÷ 14.1 = 21.49%)."""
    return _ratio_of(actual, budget)


def three_public_change_rate(current_budget: Amount, previous_budget: Amount) -> Decimal | None:
    """“三公经费”变动率 = (本年预算数 − 上年预算数) ÷ 上年预算数 (seed 004: (14.1 − 13) ÷ 13 = 8.46%)."""
    if current_budget is None or previous_budget is None:
        return None
    return _ratio_of(to_decimal(current_budget) - to_decimal(previous_budget), previous_budget)


def procurement_execution_rate(actual: Amount, budget: Amount) -> Decimal | None:
    """政府采购执行率 = 实际政府采购金额 ÷ 政府采购预算金额 (seed 004: 48.50 ÷ 55.58 = 87.26%)."""
    return _ratio_of(actual, budget)


def public_expense_control_rate(actual: Amount, budget: Amount) -> Decimal | None:
    """公用经费控制率 = 实际支出公用经费总额 ÷ 预算安排公用经费总额 (seed 004: 152.53 ÷ 154.03)."""
    return _ratio_of(actual, budget)


def fixed_asset_utilisation_rate(in_use: Amount, total: Amount) -> Decimal | None:
    """固定资产利用率 = 实际在用固定资产总额 ÷ 所有固定资产总额."""
    return _ratio_of(in_use, total)


def key_expenditure_rate(key_projects: Amount, total_projects: Amount) -> Decimal | None:
    """重点支出安排率 = 重点项目支出 ÷ 项目总支出 (seed 004: 3,520.50 ÷ 3,951.75 = 89.09%)."""
    return _ratio_of(key_projects, total_projects)


def staff_control_rate(actual_staff: Amount, authorised_staff: Amount) -> Decimal | None:
    """在职人员控制率 = 在职人员数 ÷ 编制数 (seed 004: 369 ÷ 304 = 121.38%)."""
    return _ratio_of(actual_staff, authorised_staff)


MONEY_INDICATORS: dict[str, Callable[[Amount, Amount], Decimal | None]] = {
    "预算执行率": budget_execution_rate,
    "预算调整率": budget_adjustment_rate,
    "结转结余率": carryover_rate,
    "结转结余变动率": carryover_change_rate,
    "三公经费控制率": three_public_control_rate,
    "三公经费变动率": three_public_change_rate,
    "政府采购执行率": procurement_execution_rate,
    "公用经费控制率": public_expense_control_rate,
    "固定资产利用率": fixed_asset_utilisation_rate,
    "重点支出安排率": key_expenditure_rate,
    "在职人员控制率": staff_control_rate,
}
"""The money-derived indicators by name (quotes dropped: “三公经费”控制率 → 三公经费控制率)."""
