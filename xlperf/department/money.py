"""部门（单位）收支情况: the per-unit money tables of a department evaluation, read by labels.

Seed 002 (§二) has four tables, each headed 机构名称 with two or three header rows, a 汇总 row
(局机关及二级机构汇总) and one row per unit (1、局机关 … 8、仲裁院): 年度收入情况, 年度支出和结余
情况, 三公经费, 固定资产. Amounts are 万元. The seed leaves a cell blank where the amount is nil
(社保 上年结转, 其他收入 …: its 合计 still adds up), so a blank amount counts as 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, Field

from xlperf.grid import Grid, address
from xlperf.loader import load_grids
from xlperf.model import Problem, Val, empty
from xlperf.reader.cells import CellReader
from xlperf.reader.labels import SUMMARY_TOTAL_LABELS
from xlperf.values import fold, label_key


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
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
_MAX_HEADER_ROWS = 4


class MoneyRow(BaseModel):
    """A unit's (or the 汇总) row of one money table."""

    row: int  # 1-based sheet row
    label: Val = Field(default_factory=empty)
    unit: str  # the unit's name without its numbering (1、局机关 -> 局机关)
    values: dict[str, Val] = Field(default_factory=dict)

    def amount(self, key: str) -> Decimal:
        """The amount of a column; a blank cell is 0 (the seed's practice), unreadable too."""
        val = self.values.get(key)
        return val.number if val is not None and val.number is not None else Decimal(0)

    def cell(self, key: str) -> str | None:
        val = self.values.get(key)
        return val.cell if val is not None else None


class MoneyTable(BaseModel):
    """One money table as read: which columns it has, its 汇总 row and its unit rows."""

    sheet: str
    kind: str
    header_row: int  # 1-based, the 机构名称 row
    columns: dict[str, int] = Field(default_factory=dict)  # key -> 0-based column
    total: MoneyRow | None = None
    units: list[MoneyRow] = Field(default_factory=list)

    @property
    def spec(self) -> TableSpec:
        return SPECS[self.kind]

    @property
    def title(self) -> str:
        return self.spec.title


class MoneyBook(BaseModel):
    path: str
    tables: list[MoneyTable] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)


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


def read_money_tables(grid: Grid, problems: list[Problem]) -> list[MoneyTable]:
    """Every money table of a sheet: each starts at a 机构名称 header cell."""
    tables = []
    for r in range(grid.n_rows):
        for c, value in grid.row_cells(r):
            if grid.is_covered(r, c) or label_key(value) not in ANCHORS:
                continue
            table = _read_table(grid, r, c, problems)
            if table is not None:
                tables.append(table)
    return tables


def _header_keys(grid: Grid, r0: int, r1: int, col: int) -> list[str]:
    """Folded labels over a column's header rows, merged cells read through their top-left."""
    keys = []
    for r in range(r0, r1):
        box = grid.merge_box(r, col)
        rr, cc = (box[0], box[1]) if box else (r, col)
        key = grid.key(rr, cc)
        if key and key not in ("其中",) and (not keys or keys[-1] != key):
            keys.append(key)
    return keys


def _read_table(grid: Grid, r0: int, c0: int, problems: list[Problem]) -> MoneyTable | None:
    box = grid.merge_box(r0, c0)
    first_data = box[2] + 1 if box else r0 + 1
    while (
        first_data < min(grid.n_rows, r0 + _MAX_HEADER_ROWS)
        and not grid.key(first_data, c0)
        and not grid.is_covered(first_data, c0)
    ):
        first_data += 1
    headers: dict[int, list[str]] = {}
    for c in range(c0 + 1, grid.n_cols):
        keys = _header_keys(grid, r0, first_data, c)
        if keys:
            headers[c] = keys
    best: tuple[int, TableSpec, dict[str, int]] | None = None
    for spec in TABLES:
        columns: dict[str, int] = {}
        for c, keys in headers.items():
            key = classify_column(spec, keys[-1]) or classify_column(spec, "".join(keys))
            if key and key not in columns:
                columns[key] = c
        if "total" in columns and len(columns) >= 2 and (best is None or len(columns) > best[0]):
            best = (len(columns), spec, columns)
    if best is None:
        return None
    _, spec, columns = best
    table = MoneyTable(sheet=grid.sheet, kind=spec.kind, header_row=r0 + 1, columns=columns)
    reader = CellReader(grid, problems)
    for r in range(first_data, grid.n_rows):
        key = grid.key(r, c0)
        if not key or key in ANCHORS or _SECTION.match(key) or "情况" in key or "万元" in key:
            break
        row = MoneyRow(row=r + 1, label=reader.text(r, c0), unit=unit_name(key))
        for name, c in columns.items():
            what = f"{spec.title}·{row.unit}·{spec.column(name).label}（万元）"
            row.values[name] = reader.number(r, c, what)
        if is_total_label(key) and table.total is None:
            table.total = row  # first or last, wherever the form puts it
        else:
            table.units.append(row)
    return table


def read_money_grids(grids: list[Grid], path: str) -> MoneyBook:
    book = MoneyBook(path=path)
    for grid in grids:
        book.tables.extend(read_money_tables(grid, book.problems))
    return book


def read_money_workbook(path: Path) -> MoneyBook:
    return read_money_grids(load_grids(path), str(path))


def cell_of(table: MoneyTable, row: MoneyRow, key: str) -> str:
    """Address of a column's cell in a row, even when the row did not read it."""
    return row.cell(key) or address(row.row - 1, table.columns[key])
