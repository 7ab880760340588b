"""The project form's labels (项目支出绩效自评表): fund rows, money columns, indicator columns.

Every spelling seen in the provinces' forms (DOMAIN.md §6) stands here, most specific first:
:func:`xlperf.vocabulary.words.classify` takes the first field whose word a label contains.
"""

from __future__ import annotations

import re

from xlperf.values import fold

# Money block columns, most specific first. "得分(20分*执行率)" names the score, not the rate.
MONEY_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("initial_budget", ("年初预算",)),
    ("score", ("得分",)),
    ("rate", ("执行率",)),
    ("executed", ("执行数", "实际支出", "支出数")),
    ("annual_budget", ("全年预算", "调整后预算", "预算数")),
    ("weight", ("分值", "权重")),
)
# A budget column whose label says neither 年初 nor 全年/调整后: its role follows from content.
PLAIN_BUDGET_LABELS = ("预算数",)

# Fund rows. Strong labels name the scored row anywhere on a sheet; weak ones ("总额", "合计")
# only count under a money header with an indicator table below.
MONEY_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", ("资金总额", "资金合计", "财政资金总额")),
    ("special_account", ("财政专户管理资金", "财政专户")),
    (
        "current_appropriation",
        ("当年财政拨款", "本年财政拨款", "财政拨款", "财政资金", "一般公共预算"),
    ),
    ("carryover", ("上年结转", "结转资金")),
    ("unit_funds", ("单位资金", "单位自有资金", "自有资金")),
    ("other", ("其他资金",)),
)
WEAK_TOTAL_LABELS = ("总额", "合计", "总计", "预算执行情况", "资金总额合计")

INDICATOR_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("level1", ("一级指标",)),
    ("level2", ("二级指标",)),
    ("name", ("三级指标", "指标名称")),
    ("actual", ("完成值", "实际完成", "实际值", "完成情况")),
    ("target", ("指标值", "目标值")),
    ("weight", ("分值", "权重")),
    ("score", ("得分",)),
    ("note", ("偏差", "原因", "改进措施")),
)
INDICATOR_HEADER_NAMES = ("三级指标", "指标名称")
# Under a two-row header: the parts a 年度指标值 (or 实际完成值) is split into.
SUBCOLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("op", ("指标性质", "运算符", "符号")),
    ("unit", ("度量单位", "计量单位", "单位")),
    ("value", ("指标值", "数值", "目标值", "完成值", "实际值")),
)
INDICATOR_FIELD_NAMES = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "得分",
    "note": "偏差原因分析及改进措施",
}
REQUIRED_INDICATOR_COLUMNS = ("target", "actual", "score")

_UNIT_IN_LABEL = re.compile(r"[(（](万元|元)[)）]|单位[:：]?(万元|元)")


def money_unit_of(key: str) -> str | None:
    """'万元' or '元' where a label states it ('项目资金（万元）', '单位：元'), else None."""
    match = _UNIT_IN_LABEL.search(key)
    return (match.group(1) or match.group(2)) if match else None


def money_labels(unit: str) -> dict[str, str]:
    """The names the money columns are reported by, in the form's own unit."""
    return {
        "initial_budget": f"年初预算数（{unit}）",
        "annual_budget": f"全年预算数（{unit}）",
        "executed": f"全年执行数（{unit}）",
        "weight": "分值",
        "rate": "执行率",
        "score": "得分",
    }


MONEY_UNIT = "万元"  # the forms' money unit when a form states none
YUAN = "元"  # the other unit a form may state
MONEY_LABELS = money_labels(MONEY_UNIT)
INDICATOR_LABELS = {"weight": "分值", "score": "得分"}
INDICATOR_PARTS = {"target": "指标值", "actual": "完成值", **INDICATOR_LABELS}
"""An indicator's figures by their short names, in the order a message lists the missing ones."""
HEADER_FIELDS = {
    "project_name": ("项目名称",),
    "department": ("主管部门",),
    "implementer": ("实施单位",),
}
TOTAL_ROW_LABELS = ("总分", "合计", "总计")
GRADE_LABELS = ("等次", "自评等次", "评价等次", "等级", "自评等级")
LEVEL1_KINDS = {"output": "产出", "benefit": "效益", "satisfaction": "满意"}
_PLACEHOLDER = re.compile(r"^(?:指标\d*[:：]?|[/／\\—\-–]+|\.{2,}|…+)$")
# "得分(20分*执行率)", "得分（10分）": the 执行率 分值 stated in the score column's label.
_RATE_WEIGHT_IN_LABEL = re.compile(r"(\d+(?:\.\d+)?)分")


def rate_weight_in_label(key: str) -> str | None:
    match = _RATE_WEIGHT_IN_LABEL.search(key)
    return match.group(1) if match else None


def is_placeholder_name(text: str | None) -> bool:
    return text is None or bool(_PLACEHOLDER.match(fold(text)))


def level1_kind(name: str | None) -> str | None:
    """'output', 'benefit' or 'satisfaction' for a 一级指标 name."""
    if not name:
        return None
    for kind, word in LEVEL1_KINDS.items():
        if word in name:
            return kind
    return None


FORM_TITLE = "项目支出绩效自评表"
FUND_ROW_NAMES = {
    "total": "年度资金总额",
    "current_appropriation": "当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}
MONEY_HEADINGS = {k: v.removesuffix("（万元）") for k, v in MONEY_LABELS.items()}
"""The money columns as the template heads them (年初预算数 … 得分, the unit in the block's label)."""
LEVEL1_NAMES = {"output": "产出指标", "benefit": "效益指标", "satisfaction": "满意度指标"}
LEVEL2_NAMES = {
    "output": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "benefit": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "satisfaction": ("服务对象满意度指标",),
}
"""The official 二级指标 of each 一级指标 (the template's rows and its drop-down lists)."""
INDICATOR_HEADINGS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度\n指标值",
    "实际\n完成值",
    "分值",
    "得分",
    "偏差原因分析\n及改进措施",
)
TOTAL_LABEL = TOTAL_ROW_LABELS[0]  # 总分
GRADE_LABEL = "等次"
FUND_BLOCK_LABEL = "项目资金\n（万元）"
GOAL_LABEL = "年度\n总体\n目标"
GOAL_COLUMNS = {"expected": "预期目标", "actual": "实际完成情况"}
GOAL_WORDS = {"goal_expected": GOAL_COLUMNS["expected"], "goal_actual": "实际完成"}
"""The words a 年度总体目标 column's label starts with, by the form's field."""
INDICATOR_BLOCK_LABEL = "绩效\n指标"
HELPER_LABEL = "自动计算（不打印）"  # over the helper figures beside the form
RATE_SCORE_LABEL = "预算执行率得分"  # the 年度资金总额 row's 得分
