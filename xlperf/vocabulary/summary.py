"""The 汇总表's labels (部门（单位）项目支出自评汇总表)."""

from __future__ import annotations

from xlperf.vocabulary.project import INDICATOR_FIELD_NAMES
from xlperf.vocabulary.words import UNIT_NAME_LABELS, classify

SUMMARY_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("seq", ("序号",)),
    ("project_name", ("项目名称",)),
    ("rate", ("执行率",)),
    ("output_rate", ("产出",)),
    ("benefit_rate", ("效益",)),
    ("satisfaction_rate", ("满意度",)),
    ("executed", ("执行数", "支出数", "实际支出")),
    ("annual_budget", ("预算",)),
    ("score", ("得分", "总分")),
    ("reason", ("偏差", "原因")),
)

SUMMARY_TOTAL_LABELS = ("合计", "总计", "小计", "汇总")
NUMBER_LABELS = {
    "annual_budget": "全年预算数（万元）",
    "executed": "执行数（万元）",
    "rate": "执行率",
    "output_rate": "产出指标得分率",
    "benefit_rate": "效益指标得分率",
    "satisfaction_rate": "满意度指标得分率",
    "score": "自评得分",
}
COLUMN_NAMES = {
    "project_name": "项目名称",
    "annual_budget": "全年预算数",
    "executed": "执行数",
    "rate": "执行率",
    "score": "自评得分",
}


def is_header(keys: list[str]) -> bool:
    """A row's folded labels head a 汇总表: a 项目名称 and a 执行率 or 得分 column, and no
    三级指标 (that is a project form's indicator table)."""
    has_name = any(COLUMN_NAMES["project_name"] in k for k in keys)
    has_figure = any(w in k for k in keys for w in (COLUMN_NAMES["rate"], "得分"))
    return has_name and has_figure and not any(INDICATOR_FIELD_NAMES["name"] in k for k in keys)


def summary_column(key: str) -> str | None:
    field_name = classify(key, SUMMARY_COLUMNS)
    if field_name in ("output_rate", "benefit_rate", "satisfaction_rate") and "率" not in key:
        return None
    return field_name


SHORT_TITLE = "项目支出自评汇总表"  # the form's title without its unit
FORM_TITLE = "部门（单位）" + SHORT_TITLE
TITLE_WORD = "汇总表"  # in a title above the header names the form
UNIT_LABEL = "部门（单位）名称"
SUM_LABEL = SUMMARY_TOTAL_LABELS[0]  # 合计
SEQ_LABEL = "序号"
HEADINGS = (
    SEQ_LABEL,
    COLUMN_NAMES["project_name"],
    COLUMN_NAMES["annual_budget"],
    COLUMN_NAMES["executed"],
    COLUMN_NAMES["rate"],
    *(
        NUMBER_LABELS[k].replace("指标", "指标\n")
        for k in ("output_rate", "benefit_rate", "satisfaction_rate")
    ),
    COLUMN_NAMES["score"],
    "偏差原因",
)
"""The 汇总表's column headings as the template prints them (A–J)."""
HEADER = tuple(h.replace("\n", "") for h in HEADINGS)
"""The same headings on one line each, as the roll-up writes them."""
MONEY_UNIT_NOTE = "单位：万元"
DATE_LABEL = "汇总时间"
UNIT_LABEL_WORDS = (*UNIT_NAME_LABELS, "填报单位")  # folded labels the header's unit starts with
DATE_LABEL_WORDS = (DATE_LABEL, "填报时间", "填报日期", "汇总日期")
LINK_COLUMN = "对应工作表"
LINK_HEADING = LINK_COLUMN + "\n（填写后自动取数，不打印）"
