"""Matching helpers every form kind shares: a header label to its field, a year, a declared weight.

Every matcher takes a folded label key (:func:`xlperf.values.label_key`): NFKC, no whitespace.
"""

from __future__ import annotations

import re
from decimal import Decimal

from xlperf.values import fold

_DECLARED_WEIGHT = re.compile(r"^(.*?)[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_YEAR = re.compile(r"[（(]?\s*(?:19|20)\d{2}\s*年度?\s*[)）]?")


# Labels that mention 得分 or 分值 but hold no figure: a rate, or how the score is worked out.
NOT_A_FIGURE = ("得分率", "计算方法", "评分标准", "评分方法", "计分方法")
Table = tuple[tuple[str, tuple[str, ...]], ...]
_CLASSIFIED: dict[int, tuple[Table, dict[str, str | None]]] = {}


def classify(key: str, table: Table) -> str | None:
    """The field a header label names, by the first rule whose word it contains (remembered per
    table and label: the same headers recur on every form)."""
    if not key:
        return None
    entry = _CLASSIFIED.get(id(table))
    if entry is None or entry[0] is not table:
        entry = _CLASSIFIED[id(table)] = (table, {})
    known = entry[1]
    try:
        return known[key]
    except KeyError:
        pass
    name = _classify(key, table)
    if len(known) < 4096:
        known[key] = name
    return name


def _classify(key: str, table: Table) -> str | None:
    for field_name, words in table:
        if any(w in key for w in words):
            if field_name in ("score", "weight") and any(w in key for w in NOT_A_FIGURE):
                continue
            return field_name
    return None


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


def value_after_colon(text: str) -> str | None:
    """'项目名称：某某' -> '某某' (label and value typed in one cell)."""
    for sep in ("：", ":"):
        if sep in text:
            rest = text.split(sep, 1)[1].strip()
            return rest or None
    return None


UNIT_NAME_LABELS = ("部门(单位)名称", "部门名称", "单位名称")  # folded: the unit's name follows
WEIGHT_SUM = "分值合计"  # the 分值 of a 总分 row (and the 参数 sheet's 100)
OF_WHICH = "其中："  # printed before the parts of a total (其中：当年财政拨款, the 其中： header)
UNIT_NOTE = "单位：万元"  # above a table of amounts
SIGNATURES = {
    "filler": "填表人：",
    "reviewer": "审核人：",
    "phone": "联系电话：",
    "date": "填报日期：",
}
"""The footer labels under a printed form."""
