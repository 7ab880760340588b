"""部门（单位）收支情况: the four per-unit money tables, their columns and the words that name them.

The order of a table's ``columns`` is the printed order; :func:`classify_column` matches specific
words before the generic 合计/其他.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xlperf.values import fold
from xlperf.vocabulary.project import MONEY_UNIT
from xlperf.vocabulary.summary import SUMMARY_TOTAL_LABELS


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # as printed on the template
    words: tuple[str, ...]  # any of these in the folded header label names the column
    parent: str | None = None  # the 其中 column this one details (template header nesting)


@dataclass(frozen=True)
class TableSpec:
    kind: str
    title: str
    columns: tuple[Column, ...]
    identities: tuple[tuple[str, tuple[str, ...]], ...]  # 合计 column = sum of part columns

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


# Columns are classified most specific first: the order of ``columns`` is not the match order
# (see ``MATCH_ORDER``), it is the printed order.
INCOME = TableSpec(
    "income",
    "年度收入情况",
    (
        Column("total", "收入合计", ("收入合计", "合计", "总计")),
        Column("carryover", "上年结转", ("上年结转", "结转")),
        Column("appropriation", "公共财政拨款", ("公共财政拨款", "一般公共预算", "财政拨款")),
        Column("fund", "政府基金拨款", ("政府基金", "政府性基金")),
        Column("special", "纳入专户管理的非税收入拨款", ("专户", "非税")),
        Column("other", "其他收入", ("其他",)),
    ),
    (("total", ("carryover", "appropriation", "fund", "special", "other")),),
)
EXPENSE = TableSpec(
    "expense",
    "年度支出和结余情况",
    (
        Column("total", "支出合计", ("支出合计", "合计", "总计")),
        Column("basic", "基本支出", ("基本支出",)),
        Column("personnel", "人员支出", ("人员支出", "人员经费"), "basic"),
        Column("public_use", "公用支出", ("公用支出", "公用经费"), "basic"),
        Column("project", "项目支出", ("项目支出",)),
        Column("balance", "当年结余", ("当年结余", "本年结余")),
        Column("accumulated", "累计结余", ("累计结余", "年末结余", "滚存结余")),
    ),
    (("total", ("basic", "project")), ("basic", ("personnel", "public_use"))),
)
THREE_PUBLIC = TableSpec(
    "three_public",
    "三公经费",
    (
        Column("total", "三公经费合计", ("三公经费合计", "三公经费", "合计", "总计")),
        Column("reception", "公务接待费", ("接待",)),
        Column("vehicle_upkeep", "公务用车运维费", ("运维", "运行维护")),
        Column("vehicle_purchase", "公务用车购置费", ("购置",)),
        Column("abroad", "因公出国费", ("出国", "出境")),
    ),
    (("total", ("reception", "vehicle_upkeep", "vehicle_purchase", "abroad")),),
)
ASSETS = TableSpec(
    "assets",
    "固定资产",
    (
        Column("total", "固定资产合计", ("固定资产合计", "合计", "总计")),
        Column("in_use", "在用固定资产", ("在用",)),
        Column("leased", "出租固定资产", ("出租", "出借")),
        Column("other", "其他", ("其他",)),
    ),
    (("total", ("in_use", "leased", "other")),),
)
TABLES: tuple[TableSpec, ...] = (INCOME, EXPENSE, THREE_PUBLIC, ASSETS)
SPECS = {t.kind: t for t in TABLES}

ANCHORS = ("机构名称", "单位名称", "部门名称", "机构", "单位")
TOTAL_WORDS = ("汇总", *SUMMARY_TOTAL_LABELS)
_NUMBERING = re.compile(r"^[(（]?\d+[)）]?[、.．]?\s*")
SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]+、")  # 二、部门（单位）收支情况 ends a table
TABLE_END_WORDS = ("情况", MONEY_UNIT)  # the next table's heading: 年度支出和结余情况（万元）


def ends_table(key: str) -> bool:
    """A folded first-column label below a table's rows that ends it: a blank, the next
    table's header (机构名称) or heading, a section heading."""
    return (
        not key
        or key in ANCHORS
        or bool(SECTION_HEADING.match(key))
        or any(w in key for w in TABLE_END_WORDS)
    )


def unit_name(label: str) -> str:
    return _NUMBERING.sub("", fold(label)).rstrip(":：") or fold(label)


def is_total_label(key: str) -> bool:
    return any(w in key for w in TOTAL_WORDS)


def classify_column(spec: TableSpec, key: str) -> str | None:
    """The column of ``spec`` a header label names (specific words before 合计/其他)."""
    for generic in (False, True):
        for col in spec.columns:
            words = [w for w in col.words if (w in ("合计", "总计", "其他")) == generic]
            if any(w in key for w in words):
                return col.key
    return None


FORM_TITLE = "部门（单位）收支情况"
TOTAL_ROW_LABEL = "局机关及二级机构汇总"
UNIT_COLUMN = ANCHORS[0]  # 机构名称
TABLE_HEADINGS = {
    "income": "年度收入情况（万元）",
    "expense": "年度支出和结余情况（万元）",
    "three_public": "三公经费情况（万元）",
    "assets": "固定资产情况（万元）",
}
BALANCE_GROUP = "结余"  # the header over 当年结余 and 累计结余
