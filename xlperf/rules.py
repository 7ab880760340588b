"""The scoring rules as data, and the tolerances every comparison uses (stated here, once).

The default is the national rule set of 2020 (DOMAIN.md §1). Provinces adapt it: a rule set can be
loaded from a JSON or TOML file, or from a workbook's 参数 sheet, and passed to every check.
"""

from __future__ import annotations

import json
import stat
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, Field, ValidationError

from xlperf.limits import MAX_RULES_BYTES, mb


class RateTier(BaseModel):
    """执行率 at or above ``min_rate`` earns ``fraction`` of the 执行率 分值 (stepped rule)."""

    min_rate: Decimal
    fraction: Decimal


class QualitativeTier(BaseModel):
    label: str
    low: Decimal  # fraction of 分值
    high: Decimal


class GradeBand(BaseModel):
    grade: str
    min_score: Decimal


class Tolerance(BaseModel):
    """How far a figure on the form may stand from the computed one and still agree.

    - amounts (万元) are typed to the cent: they agree within half a cent;
    - scores are typed to two decimals: they agree within half a hundredth of a point;
    - rates agree within half a unit of the last decimal the form shows (80.3% -> ±0.05%),
      but never more loosely than ``rate_max`` (a rate shown as a whole number still has to
      agree to half a percent).
    """

    amount: Decimal = Decimal("0.005")
    score: Decimal = Decimal("0.005")
    rate_max: Decimal = Decimal("0.005")
    epsilon: Decimal = Decimal("1e-9")

    def amounts_agree(self, a: Decimal, b: Decimal) -> bool:
        return abs(a - b) <= self.amount + self.epsilon

    def scores_agree(self, a: Decimal, b: Decimal) -> bool:
        return abs(a - b) <= self.score + self.epsilon

    def rate_tolerance(self, *shown_decimals: int | None) -> Decimal:
        """Half a unit of the coarsest of the shown precisions, capped at ``rate_max``."""
        known = [d for d in shown_decimals if d is not None]
        if not known:
            return self.rate_max
        half_unit = Decimal(5) * Decimal(10) ** (-(min(known) + 1))
        return min(half_unit, self.rate_max)

    def rates_agree(self, shown: Decimal, exact: Decimal, *shown_decimals: int | None) -> bool:
        return abs(shown - exact) <= self.rate_tolerance(*shown_decimals) + self.epsilon


class Convention(BaseModel):
    """评分口径: how a form lays out its points (DOMAIN.md §6). A form follows a convention when
    its 分值 add up under it; it is then judged by it."""

    name: str
    rate_weight: Decimal = Field(Decimal(10), ge=0, le=10000)  # 预算执行率 分值 (0: not scored)
    total_includes_rate: bool = True  # 总分 = 预算执行率得分 + Σ 指标得分, else Σ 指标得分 alone
    # 一级 splits allowed, each as the 分值 of 产出 / 效益 / 满意度 (0 where a form has none);
    # empty: any split whose sum fits
    splits: list[list[Decimal]] = Field(default_factory=list)
    weights_at: list[Literal["column", "labels"]] = Field(
        default_factory=lambda: ["column", "labels"]
    )


def _default_conventions() -> list[Convention]:
    """Every convention DOMAIN.md §6 has seen in real forms: the default accepts them all."""
    d = Decimal
    return [
        Convention(name="全国2020（执行率10分，总分含执行率）", rate_weight=d(10)),
        Convention(name="执行率20分，总分含执行率", rate_weight=d(20)),
        Convention(
            name="执行率10分另计，总分仅含指标",
            rate_weight=d(10),
            total_includes_rate=False,
        ),
        Convention(
            name="执行率20分另计，总分仅含指标",
            rate_weight=d(20),
            total_includes_rate=False,
        ),
        Convention(
            name="执行率不计分，总分仅含指标",
            rate_weight=d(0),
            total_includes_rate=False,
        ),
    ]


DEFAULT_QUALITATIVE = [
    QualitativeTier(label="达成预期指标", low=Decimal("0.8"), high=Decimal("1")),
    QualitativeTier(label="部分达成并具有一定效果", low=Decimal("0.6"), high=Decimal("0.8")),
    QualitativeTier(label="未达成且效果较差", low=Decimal("0"), high=Decimal("0.6")),
]
DEFAULT_GRADES = [
    GradeBand(grade="优", min_score=Decimal(90)),
    GradeBand(grade="良", min_score=Decimal(80)),
    GradeBand(grade="中", min_score=Decimal(60)),
    GradeBand(grade="差", min_score=Decimal(0)),
]


class RuleSet(BaseModel):
    name: str = "财政部2020年项目支出绩效自评规则"
    preset: str | None = None  # the preset it came from (xlperf rules list)
    conventions: list[Convention] = Field(default_factory=_default_conventions, min_length=1)
    total_weight: Decimal = Field(Decimal(100), gt=0, le=10000)
    rate_scoring: Literal["proportional", "tiers"] = "proportional"
    rate_cap: Decimal = Decimal(1)
    rate_tiers: list[RateTier] = Field(default_factory=list)
    qualitative_tiers: list[QualitativeTier] = Field(
        default_factory=lambda: list(DEFAULT_QUALITATIVE)
    )
    grade_bands: list[GradeBand] = Field(default_factory=lambda: list(DEFAULT_GRADES))
    grade_aliases: dict[str, str] = Field(
        default_factory=lambda: {
            "优秀": "优",
            "良好": "良",
            "中等": "中",
            "较差": "差",
            "不合格": "差",
        }
    )
    less_is_better_level2: list[str] = Field(default_factory=lambda: ["成本"])
    score_places: int = Field(2, ge=0, le=6)  # 得分保留小数位数 (quantized to, so bounded)
    tolerance: Tolerance = Field(default_factory=Tolerance)

    def rate_score(self, rate: Decimal, weight: Decimal) -> Decimal:
        """预算执行率得分 for an 执行率 (a fraction) and its 分值, unrounded."""
        if self.rate_scoring == "tiers":
            fraction = next(
                (
                    t.fraction
                    for t in sorted(self.rate_tiers, key=lambda t: -t.min_rate)
                    if rate >= t.min_rate
                ),
                Decimal(0),
            )
            return fraction * weight
        return max(Decimal(0), min(rate, self.rate_cap)) * weight

    def grade(self, total: Decimal) -> str:
        for band in sorted(self.grade_bands, key=lambda b: -b.min_score):
            if total >= band.min_score:
                return band.grade
        return self.grade_bands[-1].grade

    def normalise_grade(self, text: str) -> str:
        folded = "".join(text.split())
        return self.grade_aliases.get(folded, folded)

    def round_score(self, score: Decimal) -> Decimal:
        return score.quantize(Decimal(1).scaleb(-self.score_places), rounding=ROUND_HALF_UP)


DEFAULT_RULES = RuleSet()


class RulesFileError(ValueError):
    """A rule file that cannot be used, said in one Chinese sentence (the key or line at fault)."""


def load_rules(path: Path) -> RuleSet:
    """A rule set from a .json or .toml file; keys left out keep the national defaults, a key
    that is not a rule (a typo) is an error, never silently ignored. OSError when unreadable."""
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block, /dev/zero never end
        raise RulesFileError("不是普通文件（管道、设备或套接字），拒绝读取")
    if st.st_size > MAX_RULES_BYTES:
        raise RulesFileError(
            f"文件过大（{st.st_size:,} 字节），规则文件不超过 {mb(MAX_RULES_BYTES)}"
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulesFileError("不是 UTF-8 编码的文本文件") from None
    if path.suffix.lower() == ".toml":
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RulesFileError(f"不是有效的 TOML（{exc}）") from None
    else:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            where = f"第 {exc.lineno} 行第 {exc.colno} 列" if hasattr(exc, "lineno") else "嵌套过深"
            raise RulesFileError(f"不是有效的 JSON（{where}）") from None
    return rules_from_data(data)


def rules_from_data(data: Any) -> RuleSet:
    """A rule set from parsed JSON or TOML; keys left out keep the national defaults, a key that
    is not a rule (a typo) is an error, never silently ignored."""
    if not isinstance(data, dict):
        raise RulesFileError('内容应为键值表（JSON 对象或 TOML 表），如 {"rate_cap": 1}')
    _check_keys(RuleSet, data, "")
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        value = str(err.get("input"))[:60]
        raise RulesFileError(f"规则项“{key}”的值“{value}”无效") from None


def _check_keys(model: type[BaseModel], data: dict, prefix: str) -> None:
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            known = "、".join(model.model_fields)
            raise RulesFileError(f"未知的规则项“{prefix}{key}”（可用的规则项：{known}）")
        inner = _model_of(field.annotation)
        if inner is None:
            continue
        if isinstance(value, dict):
            _check_keys(inner, value, f"{prefix}{key}.")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    _check_keys(inner, item, f"{prefix}{key}[{i}].")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, itself or as the items of a list."""
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
