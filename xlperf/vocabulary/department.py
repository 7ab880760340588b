"""The 部门整体支出绩效自评表's labels: titles, header block, indicator table, money, totals, grades."""

from __future__ import annotations

from xlperf.values import fold
from xlperf.vocabulary.words import UNIT_NAME_LABELS, WEIGHT_SUM

# Words of the titles in use (部门整体支出绩效自评表, 部门（单位）整体绩效自评表, 整体支出绩效评价评分表,
# 部门整体支出项目绩效评价指标体系及得分 …). A title only names the form: the table is found by its
# header's columns, with or without one.
TITLE_WORDS = ("部门整体", "整体支出", "整体绩效", "评分表", "指标体系")
TITLE_MAX_CHARS = 48
# Indicator table columns; 分值 columns are resolved by position (see xlperf.reader.department).
TABLE_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("level1", ("一级指标",)),
    ("level2", ("二级指标",)),
    ("name", ("三级指标", "指标名称", "具体指标", "指标内容")),
    ("criterion", ("评分标准", "评价标准", "评分细则", "计分方法", "评分办法")),
    ("input", ("评分依据", "实际完成值", "完成值", "实际值", "评价依据", "完成情况")),
    ("target", ("年度指标值", "指标值", "目标值")),
    ("score", ("得分", "自评分")),
    ("weight", ("分值", "权重", "分数", "满分", "标准分")),
    ("note", ("扣分原因", "偏差", "原因", "改进措施", "备注")),
)
LEVEL_FIELDS = ("level1", "level2", "name")
# Rows that end the table: the total by its label (or, unlabelled, by its figures), a note below.
TOTAL_LABELS = ("总分", "合计", "总计", "综合得分", "得分合计", "合计得分", "总得分", "综合评分")
NOTE_PREFIXES = ("注:", "注：", "注1", "说明:", "说明：", "备注:", "备注：")
GRADE_LABELS = (
    "等次",
    "等级",
    "评价等级",
    "自评等级",
    "绩效等级",
    "评价结论",
    "评定等级",
    "评价结果",
)
GRADE_MAX_CHARS = 8
# The header block above the table (seed 000's 部门（单位）整体绩效自评表).
UNIT_LABELS = (*UNIT_NAME_LABELS, "名称")
GOAL_LABELS = ("年度履职目标", "年度总体目标", "整体绩效目标", "年度绩效目标")
TASK_LABELS = ("年度主要任务", "主要任务")
TASK_HEADER_WORDS = ("任务名称", "主要内容")
BUDGET_LABELS = ("预算情况", "部门预算情况", "预算安排情况")
# Labels that mark a project form's block (the project reader's, left to it).
PROJECT_MARKS = ("项目名称", "年度资金总额")
MONEY_HEADERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("initial_budget", ("年初预算",)),
    ("rate", ("执行率",)),
    ("executed", ("执行数", "实际支出", "支出数")),
    ("annual_budget", ("全年预算", "调整后预算", "预算数", "可支配")),
)
MONEY_ROW_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", ("预算总额", "资金总额", "部门预算", "收入合计", "合计")),
    ("appropriation", ("财政拨款", "财政性资金", "财政资金")),
    ("other", ("其他资金", "其他收入")),
    ("basic", ("基本支出",)),
    ("project", ("项目支出",)),
)
FIGURE_VALUE_LABELS = ("计算值", "指标值", "比率", "实际值")
FIGURE_WHAT = {"numerator": "分子", "denominator": "分母", "value": "计算值"}
WHAT = {
    "weight": "分值",
    "score": "得分",
    "level1_weight": "一级指标分值",
    "level2_weight": "二级指标分值",
    "initial_budget": "年初预算数（万元）",
    "annual_budget": "全年预算数（万元）",
    "executed": "全年执行数（万元）",
    "rate": "执行率",
    "budget": "预算金额（万元）",
    "input": TABLE_COLUMNS[4][1][0],  # 评分依据
    "total_weight": WEIGHT_SUM,
    "total_score": TOTAL_LABELS[0],  # 总分
}

INDICATOR_NAMES = {
    "budget_execution_rate": "预算执行率",
    "budget_adjustment_rate": "预算调整率",
    "carryover_rate": "结转结余率",
    "carryover_change_rate": "结转结余变动率",
    "three_public_control_rate": "三公经费控制率",
    "three_public_change_rate": "三公经费变动率",
    "procurement_execution_rate": "政府采购执行率",
    "public_expense_control_rate": "公用经费控制率",
    "fixed_asset_utilisation_rate": "固定资产利用率",
    "key_expenditure_rate": "重点支出安排率",
    "staff_control_rate": "在职人员控制率",
}
"""The canonical names of the money-derived indicators (quotes dropped: “三公经费”控制率 →
三公经费控制率), by the :mod:`xlperf.criteria.money` function that computes each."""
PRINTED_NAMES = INDICATOR_NAMES | {
    "three_public_control_rate": "“三公经费”控制率",
    "three_public_change_rate": "“三公经费”变动率",
}
"""The same names as the template prints them, quotes and all."""


def is_total_label(key: str) -> bool:
    """A folded label naming the table's total row (合计, 总分, 综合得分 …)."""
    return any(key.startswith(w) for w in TOTAL_LABELS)


def is_note(key: str) -> bool:
    return key.startswith(NOTE_PREFIXES)


def grade_label(key: str) -> str | None:
    """'等次' / '评价等级' … (the label, perhaps with its value after a colon), else None."""
    head = key.replace(":", "：").split("：", 1)[0]
    if len(head) <= GRADE_MAX_CHARS and any(head.endswith(w) for w in GRADE_LABELS):
        return head
    return None


def is_unit_label(head: str) -> bool:
    """A folded label naming the unit: one of ``UNIT_LABELS``, or 名称 early in a label that
    names 部门 or 单位 (主管部门名称, 单位（部门）名称 …)."""
    return head in UNIT_LABELS or ("名称" in head[:12] and ("部门" in head or "单位" in head))


def is_title(key: str) -> bool:
    return len(key) <= TITLE_MAX_CHARS and any(w in key for w in TITLE_WORDS)


def canonical_indicator(text: str | None) -> str | None:
    """The money-derived indicator a label names (“三公经费”控制率 → 三公经费控制率), else None."""
    if not text:
        return None
    key = fold(text)
    for ch in "“”\"'‘’「」①②③④⑤⑥⑦⑧⑨⑩":
        key = key.replace(ch, "")
    key = key.rstrip(":：")
    for name in sorted(INDICATOR_NAMES.values(), key=len, reverse=True):
        if key == name or key.endswith(name) or key.startswith(name):
            return name
    return None


FORM_TITLE = "部门整体支出绩效自评表"
MONEY_ROW_NAMES = {
    "total": "部门预算总额",
    "appropriation": "财政拨款",
    "other": "其他资金",
    "basic": "基本支出",
    "project": "项目支出",
}
MONEY_HEADINGS = {
    k: WHAT[k].removesuffix("（万元）")
    for k in ("initial_budget", "annual_budget", "executed", "rate")
}
INDICATOR_HEADINGS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "分值",
    "评分标准",
    "评分依据\n（实际值）",
    "得分",
    "扣分原因\n及改进措施",
)
FIGURE_HEADINGS = (
    "分子项目",
    FIGURE_WHAT["numerator"],
    "分母项目",
    FIGURE_WHAT["denominator"],
    FIGURE_WHAT["value"],
)
MONEY_BLOCK_LABEL = "部门资金（万元）"
FIGURES_LABEL = "指标计算数据"
FIGURE_ROWS: tuple[tuple[str, str, str, bool], ...] = (
    (
        INDICATOR_NAMES["budget_execution_rate"],
        MONEY_HEADINGS["executed"],
        MONEY_HEADINGS["annual_budget"],
        False,
    ),
    (
        INDICATOR_NAMES["budget_adjustment_rate"],
        "调整后预算数",
        MONEY_HEADINGS["initial_budget"],
        True,
    ),
    (INDICATOR_NAMES["carryover_rate"], "结转结余总额", MONEY_HEADINGS["annual_budget"], False),
    (INDICATOR_NAMES["carryover_change_rate"], "本年结转结余", "上年结转结余", True),
    (PRINTED_NAMES["three_public_control_rate"], "“三公经费”实际支出", "“三公经费”预算数", False),
    (PRINTED_NAMES["three_public_change_rate"], "本年“三公经费”预算", "上年“三公经费”预算", True),
    (INDICATOR_NAMES["procurement_execution_rate"], "实际政府采购金额", "政府采购预算金额", False),
    (INDICATOR_NAMES["public_expense_control_rate"], "实际公用经费支出", "预算公用经费", False),
    (INDICATOR_NAMES["fixed_asset_utilisation_rate"], "在用固定资产总额", "固定资产总额", False),
    (INDICATOR_NAMES["key_expenditure_rate"], "重点项目支出", "项目总支出", False),
    (INDICATOR_NAMES["staff_control_rate"], "在职人员数", "编制人数", False),
)
"""The 指标计算数据 rows as printed: indicator, 分子项目, 分母项目, and whether the indicator is a
change, (分子−分母)/分母, instead of 分子/分母."""
