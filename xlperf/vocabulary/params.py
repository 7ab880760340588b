"""The 参数 sheet's words: its labels, the workbook-scoped names of its values and its tables;
:mod:`xlperf.templates.params_sheet` writes it, :mod:`xlperf.reader.rules_sheet` reads it.

The templates' formulas read the rule set through the workbook-scoped names below, and the Python
engine reads the same cells, so a province that changes a rule on the sheet changes both at once.

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

LABELS = {name: label for label, name, _ in SINGLE}
"""Each single value's label by its workbook-scoped name."""


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
