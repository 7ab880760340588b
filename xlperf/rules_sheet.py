"""The 参数 sheet: its layout (labels, names, tables) and the rule set read back by its labels;
:mod:`xlperf.templates.params_sheet` writes it into a template.

The templates' formulas read the rule set through the workbook-scoped names below, and the Python
engine reads the same cells with :func:`read_rules_sheet`, so a province that changes a rule on the
sheet changes both at once.

=========================  ==============================================================
``xr_rule_name``           规则名称
``xr_year``                评价年度 (the forms' titles show it)
``xr_total_weight``        分值合计 (100)
``xr_rate_weight``         预算执行率分值 (10; the forms' 年度资金总额 分值)
``xr_rate_mode``           执行率计分方式: 按比例 (min(执行率, 封顶) × 分值) or 按档次
``xr_rate_cap``            执行率封顶 (100%)
``xr_score_places``        得分保留小数位数 (2)
``xr_less_better``         越小越好的二级指标 (成本)
``xr_tol_amount``          金额容差（万元）
``xr_tol_score``           得分容差
``xr_tol_rate_max``        执行率容差上限
``xr_eps``                 比较精度
``xr_level1_name``         一级指标 names (产出指标 / 效益指标 / 满意度指标), 3 rows
``xr_level1_weight``       their 分值 (50 / 30 / 10), shown in the forms' 一级指标 labels
``xr_rate_tier_min``       执行率档次: 执行率不低于 (fractions), for 按档次
``xr_rate_tier_fraction``  执行率档次: 得分比例
``xr_qual_label``          定性指标档次 names
``xr_qual_low``            their lowest score as a fraction of 分值
``xr_qual_high``           their highest
``xr_grade_name``          等次 names
``xr_grade_min``           their lowest 总分
``xr_alias_from``          等次写法 (优秀, 良好…)
``xr_alias_to``            the 等次 each stands for
=========================  ==============================================================

年度, 预算执行率分值 and the 一级指标 分值 drive the templates' formulas only; the rule set
(:class:`xlperf.rules.RuleSet`) has no field for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlperf.reader.grid import Grid, address
from xlperf.rules import GradeBand, QualitativeTier, RateTier, RuleSet, Tolerance
from xlperf.values import NotANumber, clean_text, fold, label_key, parse_number

RATE_MODES = {"按比例": "proportional", "按档次": "tiers"}

# (label, name, number format) of the single values; column A holds labels, B values.
SINGLE: tuple[tuple[str, str, str], ...] = (
    ("规则名称", "xr_rule_name", "@"),
    ("评价年度", "xr_year", "0"),
    ("分值合计", "xr_total_weight", "General"),
    ("预算执行率分值", "xr_rate_weight", "General"),
    ("执行率计分方式", "xr_rate_mode", "@"),
    ("执行率封顶", "xr_rate_cap", "0%"),
    ("得分保留小数位数", "xr_score_places", "0"),
    ("越小越好的二级指标", "xr_less_better", "@"),
    ("金额容差（万元）", "xr_tol_amount", "0.000"),
    ("得分容差", "xr_tol_score", "0.000"),
    ("执行率容差上限", "xr_tol_rate_max", "0.00%"),
    ("比较精度", "xr_eps", "0E+00"),
)


# Tables: (caption row label in column A, column labels, names per column, slots, formats).
@dataclass(frozen=True)
class Table:
    key: str
    headers: tuple[str, ...]
    names: tuple[str, ...]
    slots: int
    formats: tuple[str, ...]
    note: str = ""


LEVEL1 = Table(
    "一级指标",
    ("一级指标", "分值"),
    ("xr_level1_name", "xr_level1_weight"),
    3,
    ("@", "General"),
    "各项目表一级指标标签“产出指标（50分）”取此表",
)
RATE_TIERS = Table(
    "执行率不低于",
    ("执行率不低于", "得分比例"),
    ("xr_rate_tier_min", "xr_rate_tier_fraction"),
    6,
    ("0.00%", "0.00%"),
    "执行率计分方式为“按档次”时使用：执行率达到某档即得该档比例 × 分值",
)
QUALITATIVE = Table(
    "定性指标档次",
    ("定性指标档次", "得分下限（占分值）", "得分上限（占分值）"),
    ("xr_qual_label", "xr_qual_low", "xr_qual_high"),
    5,
    ("@", "0%", "0%"),
    "定性指标按档次评分，得分应在分值 × 下限与分值 × 上限之间",
)
GRADES = Table(
    "等次",
    ("等次", "最低分"),
    ("xr_grade_name", "xr_grade_min"),
    6,
    ("@", "General"),
    "总分不低于某等次最低分即为该等次",
)
ALIASES = Table(
    "等次写法",
    ("等次写法", "视同为"),
    ("xr_alias_from", "xr_alias_to"),
    10,
    ("@", "@"),
    "表中等次写作左列时视同右列",
)
TABLES = (LEVEL1, RATE_TIERS, QUALITATIVE, GRADES, ALIASES)

NAMES: tuple[str, ...] = tuple(s[1] for s in SINGLE) + tuple(n for t in TABLES for n in t.names)


class RulesSheetError(ValueError):
    """A 参数 sheet value that cannot be read; names the sheet and cell."""

    def __init__(self, sheet: str, cell: str, message: str):
        self.sheet, self.cell, self.message = sheet, cell, message
        super().__init__(f"{sheet}!{cell}: {message}")


def _labels(grid: Grid) -> dict[str, tuple[int, int]]:
    """Folded label -> (row, col) of its first cell, in one pass over the grid."""
    index: dict[str, tuple[int, int]] = {}
    for r in range(grid.n_rows):
        for c, v in grid.row_cells(r):
            if isinstance(v, str):
                index.setdefault(label_key(v), (r, c))
    return index


KNOWN_LABELS = frozenset(fold(s[0]) for s in SINGLE) | frozenset(fold(t.headers[0]) for t in TABLES)


def _value_right(grid: Grid, r: int, c: int) -> tuple[Any, int]:
    for cc in range(grid.col_span(r, c)[-1] + 1, min(grid.n_cols, c + 4)):
        if not grid.is_covered(r, cc):
            return grid.get(r, cc), cc
    return None, c + 1


class _Reader:
    def __init__(self, grid: Grid, labels: dict[str, tuple[int, int]] | None = None):
        self.grid = grid
        self.labels = labels if labels is not None else _labels(grid)

    def find(self, label: str) -> tuple[int, int] | None:
        return self.labels.get(fold(label))

    def col(self, table: Table, i: int) -> int:
        found = self.find(table.headers[0])
        assert found is not None
        return found[1] + i

    def decimal(self, r: int, c: int, what: str, *, rate: bool = False) -> Decimal | None:
        raw = self.grid.get(r, c)
        try:
            parsed = parse_number(raw, self.grid.fmt(r, c))
        except NotANumber:
            raise RulesSheetError(
                self.grid.sheet, address(r, c), f"{what}应为数字，实际为“{raw}”"
            ) from None
        if parsed is None:
            return None
        value = parsed.value
        if rate and not parsed.percent and value > 2:
            value = value / 100  # "95" typed without % in a rate column: percentage points
        return value

    def single(self, label: str, what: str | None = None, *, rate: bool = False) -> Decimal | None:
        found = self.find(label)
        if found is None:
            return None
        raw, c = _value_right(self.grid, *found)
        if raw is None:
            return None
        return self.decimal(found[0], c, what or label, rate=rate)

    def text(self, label: str) -> str | None:
        found = self.find(label)
        if found is None:
            return None
        raw, _ = _value_right(self.grid, *found)
        return clean_text(raw)

    def table(self, table: Table) -> list[tuple[int, list[Any]]] | None:
        """The filled rows (0-based row, raw values) under the table's header, blank rows skipped,
        up to the next label of the sheet (the formulas read every slot, so must the engine)."""
        found = self.find(table.headers[0])
        if found is None:
            return None
        r0, c0 = found
        out = []
        for r in range(r0 + 1, self.grid.n_rows):
            if self.grid.key(r, c0) in KNOWN_LABELS:
                break
            raw = [self.grid.get(r, c0 + i) for i in range(len(table.headers))]
            if any(clean_text(v) is not None for v in raw):
                out.append((r, raw))
        return out


IDENTIFYING_LABELS = (fold("执行率计分方式"), fold(GRADES.headers[1]))


def read_rules_sheet(grid: Grid) -> RuleSet | None:
    """The rule set a 参数 sheet states (labels anywhere), None when the grid is no 参数 sheet.

    Values left empty keep the national defaults; a value that is not a number raises
    :class:`RulesSheetError` naming its cell.
    """
    labels = _labels(grid)
    if not all(key in labels for key in IDENTIFYING_LABELS):
        return None
    rd = _Reader(grid, labels)
    data: dict[str, Any] = {}
    name = rd.text("规则名称")
    if name:
        data["name"] = name
    for label, key in (("分值合计", "total_weight"), ("得分保留小数位数", "score_places")):
        value = rd.single(label)
        if value is not None:
            data[key] = int(value) if key == "score_places" else value
    mode = rd.text("执行率计分方式")
    if mode:
        folded = fold(mode)
        if folded not in RATE_MODES and folded not in RATE_MODES.values():
            r, c = rd.find("执行率计分方式") or (0, 0)
            raise RulesSheetError(
                grid.sheet,
                address(r, c + 1),
                f"执行率计分方式应为“按比例”或“按档次”，实际为“{mode}”",
            )
        data["rate_scoring"] = RATE_MODES.get(folded, folded)
    cap = rd.single("执行率封顶", rate=True)
    if cap is not None:
        data["rate_cap"] = cap
    less = rd.text("越小越好的二级指标")
    if less:
        data["less_is_better_level2"] = [
            w for w in fold(less).replace(",", "、").replace("，", "、").split("、") if w
        ]
    tolerance: dict[str, Decimal] = {}
    for label, key, rate in (
        ("金额容差（万元）", "amount", False),
        ("得分容差", "score", False),
        ("执行率容差上限", "rate_max", True),
        ("比较精度", "epsilon", False),
    ):
        value = rd.single(label, rate=rate)
        if value is not None:
            tolerance[key] = value
    if tolerance:
        data["tolerance"] = Tolerance(**tolerance)
    tiers = rd.table(RATE_TIERS)
    if tiers is not None:
        data["rate_tiers"] = [
            RateTier(
                min_rate=rd.decimal(r, rd.col(RATE_TIERS, 0), "执行率档次", rate=True)
                or Decimal(0),
                fraction=rd.decimal(r, rd.col(RATE_TIERS, 1), "得分比例", rate=True) or Decimal(0),
            )
            for r, _ in tiers
        ]
    qualitative = rd.table(QUALITATIVE)
    if qualitative:
        data["qualitative_tiers"] = [
            QualitativeTier(
                label=clean_text(raw[0]) or "",
                low=rd.decimal(r, rd.col(QUALITATIVE, 1), "得分下限", rate=True) or Decimal(0),
                high=rd.decimal(r, rd.col(QUALITATIVE, 2), "得分上限", rate=True) or Decimal(1),
            )
            for r, raw in qualitative
        ]
    grades = rd.table(GRADES)
    if grades:
        data["grade_bands"] = [
            GradeBand(
                grade=fold(clean_text(raw[0]) or ""),
                min_score=rd.decimal(r, rd.col(GRADES, 1), "最低分") or Decimal(0),
            )
            for r, raw in grades
        ]
    aliases = rd.table(ALIASES)
    if aliases is not None:
        data["grade_aliases"] = {
            fold(clean_text(a) or ""): fold(clean_text(b) or "")
            for _, (a, b) in aliases
            if clean_text(a) and clean_text(b)
        }
    return RuleSet(**data)
