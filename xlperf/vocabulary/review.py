"""The headings of what xlperf writes of its findings: the review workbook (``xlperf review``),
with the forms' labels where it shows their figures, and the 检查结果 sheet of ``fix``."""

from __future__ import annotations

from xlperf.vocabulary.project import GRADE_LABEL, RATE_SCORE_LABEL, TOTAL_LABEL
from xlperf.vocabulary.summary import COLUMN_NAMES, SEQ_LABEL
from xlperf.vocabulary.words import WEIGHT_SUM

UNIT = "单位"
FILE = "文件"
PROJECT = "项目"
CONVENTION = "评分口径"
STATED, RECHECKED = "（表中）", "（复核）"  # a figure as the form states it / as xlperf scores it
DIFFERENCE = "差异"
EVERYTHING = "合计（全部门）"  # the overview's last row


def _both(label: str) -> list[str]:
    return [label + STATED, label + RECHECKED]


OVERVIEW_HEAD = [
    SEQ_LABEL,
    UNIT,
    "文件数",
    "项目数",
    COLUMN_NAMES["annual_budget"],
    COLUMN_NAMES["executed"],
    COLUMN_NAMES["rate"],
    "平均" + COLUMN_NAMES["score"],
]
OVERVIEW_TAIL = ["错误", "警告", CONVENTION]
FINDING_PLACE = ("工作表", "单元格", "代码")  # where a finding stands and its code
SEVERITY_COLUMN = "级别"
MESSAGE = "说明"
FINDINGS_HEAD = [SEQ_LABEL, UNIT, FILE, PROJECT, *FINDING_PLACE, SEVERITY_COLUMN, MESSAGE]
PROJECTS_HEAD = [
    SEQ_LABEL,
    UNIT,
    FILE,
    COLUMN_NAMES["project_name"],
    CONVENTION,
    COLUMN_NAMES["annual_budget"],
    COLUMN_NAMES["executed"],
    *_both(COLUMN_NAMES["rate"]),
    *_both(RATE_SCORE_LABEL),
    *_both(TOTAL_LABEL),
    *_both(GRADE_LABEL),
    WEIGHT_SUM,
    DIFFERENCE,
]
EXPECTED, ACTUAL = "期望值", "实际值"
RESULTS_HEAD = [
    SEQ_LABEL,
    FINDING_PLACE[2],
    SEVERITY_COLUMN,
    *FINDING_PLACE[:2],
    MESSAGE,
    EXPECTED,
    ACTUAL,
]
CODES_HEAD = [FINDING_PLACE[2], SEVERITY_COLUMN, "名称", "条数", "涉及文件数", "涉及单位数"]
UNREAD_HEAD = [SEQ_LABEL, FILE, "情况", "原因"]
SCORE_BANDS_TITLE = COLUMN_NAMES["score"] + "分布"
SCORE_BANDS_HEAD = ["", "分数段", "项目数"]
