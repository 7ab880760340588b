"""The rules a 评分标准 becomes (a pydantic union discriminated on ``kind``).

- ``linear``     full marks at/beyond ``full_at``, 0 at/beyond ``zero_at``, linear between;
- ``bands``      stepped bands over a value (``=0 → 3分; (0,10%] → 2分; …``);
- ``deduction``  a deduction per item found (``每发现一处扣0.5分，扣完为止``) or per unit a rate
                 stands beyond a baseline (``每超过一个百分点扣0.5分``), floored at 0;
- ``survey``     satisfaction = mean questionnaire score × 分值;
- ``ratio``      分值 × min(实际/目标, 100%) (``按比例得分``);
- ``binary``     all or nothing on a condition stated in prose (``…得1分，否则不得分``);
- ``composite``  the sum of numbered parts (``①…得0.5分；②…``), each a rule of its own;
- ``manual``     anything else, kept verbatim: it is scored by hand and never guessed.

Rates are fractions throughout (95% is ``Decimal("0.95")``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from xlperf.criteria.decimals import ONE, PERCENT_POINT, ZERO, Dec, pct


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
            return f"{x}={pct(lo)}"
        if lo is None and hi is None:
            return f"{x}为任意值"
        if lo is None:
            return f"{x}{'≤' if self.upper_inclusive else '<'}{pct(hi)}"  # type: ignore[arg-type]
        if hi is None:
            return f"{x}{'≥' if self.lower_inclusive else '>'}{pct(lo)}"
        return f"{pct(lo)}{'≤' if self.lower_inclusive else '<'}{x}{'≤' if self.upper_inclusive else '<'}{pct(hi)}"


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


def interval_order(iv: Interval) -> tuple[int, Decimal, int]:
    """Sort key: by where an interval starts, unbounded first, a closed start before an open one."""
    if iv.lower is None:
        return (0, ZERO, 0)
    return (1, iv.lower, 0 if iv.lower_inclusive else 1)


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
        return sorted(self.bands, key=interval_order)

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


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
"""The markers numbering the parts of a composite 评分标准."""


class Part(BaseModel):
    """One numbered part of a composite rule (``label`` like ``①预算执行率``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    rule: Rule


CompositeRule.model_rebuild()
Part.model_rebuild()
_RULE_ADAPTER: TypeAdapter[Rule] = TypeAdapter(Rule)


def rule_from_json(data: Any) -> Rule:
    """A rule from its JSON-ready dict (``rule.model_dump(mode="json")``)."""
    return _RULE_ADAPTER.validate_python(data)


def expected_input(rule: Rule) -> str:
    """What :func:`evaluate` wants for this rule: rate, count, survey, flag, parts or none."""
    if isinstance(rule, DeductionRule):
        return "rate" if rule.per_unit else "count"
    return rule.expects
