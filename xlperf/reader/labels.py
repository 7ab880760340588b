"""The labels that identify the parts of a form, however a layout spells them.

Every matcher takes a folded label key (:func:`xlperf.values.label_key`): NFKC, no whitespace.
"""

from __future__ import annotations

import re
from decimal import Decimal

from xlperf.values import fold

# Money block columns of the project form, most specific first.
MONEY_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("initial_budget", ("年初预算",)),
    ("rate", ("执行率",)),
    ("executed", ("执行数", "实际支出", "支出数")),
    ("annual_budget", ("全年预算", "调整后预算", "预算数")),
    ("weight", ("分值", "权重")),
    ("score", ("得分",)),
)

MONEY_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", ("资金总额", "资金合计")),
    ("current_appropriation", ("当年财政拨款", "财政拨款")),
    ("carryover", ("上年结转", "结转资金")),
    ("other", ("其他资金",)),
)

INDICATOR_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("level1", ("一级指标",)),
    ("level2", ("二级指标",)),
    ("name", ("三级指标", "指标名称")),
    ("actual", ("完成值", "实际完成", "实际值")),
    ("target", ("指标值", "目标值")),
    ("weight", ("分值", "权重")),
    ("score", ("得分",)),
    ("note", ("偏差", "原因", "改进措施")),
)

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

TOTAL_ROW_LABELS = ("总分", "合计", "总计")
SUMMARY_TOTAL_LABELS = ("合计", "总计", "小计", "汇总")
LEVEL1_KINDS = {"output": "产出", "benefit": "效益", "satisfaction": "满意"}

_PLACEHOLDER = re.compile(r"^指标\d*[:：]?$")
_DECLARED_WEIGHT = re.compile(r"^(.*?)[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_YEAR = re.compile(r"[（(]?\s*(?:19|20)\d{2}\s*年度?\s*[)）]?")


def classify(key: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The field a header label names, by the first rule whose word it contains."""
    if not key:
        return None
    for field_name, words in table:
        if any(w in key for w in words):
            if field_name in ("score", "weight") and "得分率" in key:
                continue
            return field_name
    return None


def summary_column(key: str) -> str | None:
    field_name = classify(key, SUMMARY_COLUMNS)
    if field_name in ("output_rate", "benefit_rate", "satisfaction_rate") and "率" not in key:
        return None
    return field_name


def is_placeholder_name(text: str | None) -> bool:
    return text is None or bool(_PLACEHOLDER.match(fold(text)))


def split_declared_weight(text: str) -> tuple[str, Decimal | None]:
    """'产出指标（50分）' -> ('产出指标', 50); other labels unchanged."""
    folded = fold(text)
    match = _DECLARED_WEIGHT.match(folded)
    if match and match.group(1):
        return match.group(1), Decimal(match.group(2))
    return folded, None


def find_year(text: str) -> int | None:
    match = _YEAR.search(fold(text))
    return int(match.group(1)) if match else None


def strip_year(title: str) -> str:
    return _TITLE_YEAR.sub("", fold(title)) or fold(title)


def level1_kind(name: str | None) -> str | None:
    """'output', 'benefit' or 'satisfaction' for a 一级指标 name."""
    if not name:
        return None
    for kind, word in LEVEL1_KINDS.items():
        if word in name:
            return kind
    return None


def value_after_colon(text: str) -> str | None:
    """'项目名称：某某' -> '某某' (label and value typed in one cell)."""
    for sep in ("：", ":"):
        if sep in text:
            rest = text.split(sep, 1)[1].strip()
            return rest or None
    return None
