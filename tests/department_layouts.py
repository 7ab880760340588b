"""部门整体 score tables typed as units type them, from the seeds' three department tables.

A :class:`Table` is the content (seed 000's 部门（单位）整体绩效自评表, seed 002's 评分表, seed 004's
指标体系及得分); a :class:`Layout` is how an office typed it: which columns in which order, groups
merged / written once / repeated on every row, weights in the labels (“投入（15分）”) or in a 分值
column per level, a shared 分值 typed once or merged, the total labelled or not, a grade row,
a title or none. :func:`write_table` puts one on a sheet and returns where each value went.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import REPO
from xlperf.rules import DEFAULT_RULES
from xlperf.vocabulary.words import split_declared_weight

DATA = REPO / "tests" / "data"


@dataclass(frozen=True)
class Ind:
    name: str
    weight: Decimal | None
    score: Decimal | None
    criterion: str | None = None
    target: str | None = None
    actual: str | None = None
    note: str | None = None
    explanation: str | None = None
    shared: bool = False  # shares the 分值 of the indicator above (typed once, or merged)

    def bare(self) -> bool:
        """A name and nothing else (seed 000's 生态效益)."""
        return self.weight is None and self.score is None and not self.criterion


@dataclass(frozen=True)
class G2:
    name: str
    weight: Decimal
    items: tuple[Ind, ...]


@dataclass(frozen=True)
class G1:
    name: str
    weight: Decimal
    groups: tuple[G2, ...]


@dataclass(frozen=True)
class Head:
    """The block above seed 000's table: 名称, 年度履职目标, 年度主要任务, 预算情况."""

    unit_name: str
    goals: str
    task_header: tuple[str, str]
    tasks: tuple[tuple[str, str], ...]
    budget: tuple[tuple[str, Decimal | None], ...]


@dataclass(frozen=True)
class Table:
    groups: tuple[G1, ...]
    head: Head | None = None
    total: Decimal | None = None  # the total as typed; None: the sum of the scores
    grade: str | None = None  # as typed; None: the total's grade

    def flat(self) -> list[tuple[G1, G2, Ind]]:
        return [(g1, g2, i) for g1 in self.groups for g2 in g1.groups for i in g2.items]

    def score_sum(self) -> Decimal:
        return sum((i.score or Decimal(0) for _, _, i in self.flat()), Decimal(0))

    def weight_sum(self) -> Decimal:
        return sum((i.weight or Decimal(0) for _, _, i in self.flat()), Decimal(0))

    def typed_total(self) -> Decimal:
        return self.score_sum() if self.total is None else self.total

    def typed_grade(self) -> str:
        return self.grade or DEFAULT_RULES.grade(self.typed_total())


HEADERS = {
    "l1": "一级指标",
    "l1w": "分值",
    "l2": "二级指标",
    "l2w": "分值",
    "name": "三级指标",
    "w": "分值",
    "crit": "评分标准",
    "expl": "指标解释",
    "target": "指标值",
    "actual": "完成值",
    "score": "得分",
    "note": "扣分原因",
}


@dataclass(frozen=True)
class Layout:
    key: str
    columns: tuple[str, ...]
    header: dict[str, str] = field(default_factory=dict)
    groups: str = "merged"  # merged | first | repeated
    declare: tuple[str, ...] = ("l1",)  # levels whose label states the weight
    label_fmt: str = "{name}（{w}分）"
    shared: str = "typed"  # typed | merged
    title: tuple[str, ...] = ()
    head: bool = False
    total_label: str | None = "合计"
    grade_label: str | None = None
    grade_inline: bool = False
    grade_gap: bool = False
    page_break_before: str | None = None  # the header repeated (after a blank row) above it
    continued: bool = False  # labels after the page break written “名称（续）”
    origin: tuple[int, int] = (1, 1)
    header_rows: int = 1  # 2: 绩效指标 over the level columns, the others merged down both rows


# ------------------------------------------------------------------------------ the seeds


def _d(text: Any) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def _name(label: str) -> tuple[str, Decimal | None]:
    name, weight = split_declared_weight(label)
    return name, weight


def seed000() -> Table:
    doc = json.loads((DATA / "seed000_department.json").read_text(encoding="utf-8"))
    groups = []
    for label1, level2s in doc["structure"]:
        name1, w1 = _name(label1)
        g2s = []
        for name2, items in level2s:
            inds = tuple(
                Ind(
                    i["name"],
                    _d(i["weight"]),
                    _d(i["score"]),
                    target=i["target"],
                    actual=i["actual"],
                )
                for i in items
            )
            g2s.append(G2(name2, sum((i.weight or 0 for i in inds), Decimal(0)), inds))
        groups.append(G1(name1, w1 or Decimal(0), tuple(g2s)))
    head = Head(
        doc["unit_name"],
        doc["goals"],
        tuple(doc["task_header"]),
        tuple((a, b) for a, b in doc["tasks"]),
        tuple((label, _d(v)) for label, v in doc["budget"]),
    )
    return Table(tuple(groups), head=head, grade=doc["published"]["grade"])


def seed002() -> Table:
    doc = json.loads((DATA / "seed002_department.json").read_text(encoding="utf-8"))
    groups = []
    for label1, level2s in doc["structure"]:
        name1, w1 = _name(label1)
        g2s = []
        for label2, items in level2s:
            name2, w2 = _name(label2)
            inds = tuple(
                Ind(
                    i["name"],
                    _d(i["weight"]),
                    _d(i["score"]),
                    criterion=i["criterion"],
                    note=i["note"],
                    shared=i["weight"] is None,
                )
                for i in items
            )
            g2s.append(G2(name2, w2 or Decimal(0), inds))
        groups.append(G1(name1, w1 or Decimal(0), tuple(g2s)))
    return Table(tuple(groups))


def seed004() -> Table:
    criteria = {
        i["id"]: i
        for i in json.loads((DATA / "criteria_seed004.json").read_text(encoding="utf-8"))["items"]
    }
    seed = json.loads((DATA / "seed004_department.json").read_text(encoding="utf-8"))
    groups = []
    for name1, level2s in seed["structure"]:
        g2s = []
        for name2, ids in level2s:
            inds = tuple(
                Ind(
                    criteria[i]["indicator"],
                    Decimal(criteria[i]["weight"]),
                    Decimal(criteria[i]["seed_score"]),
                    criterion=criteria[i]["text"],
                    explanation=f"评价{criteria[i]['indicator']}。",
                )
                for i in ids
            )
            g2s.append(G2(name2, sum((i.weight or 0 for i in inds), Decimal(0)), inds))
        groups.append(G1(name1, sum((g.weight for g in g2s), Decimal(0)), tuple(g2s)))
    return Table(tuple(groups))


# ------------------------------------------------------------------------------ writing


@dataclass
class Written:
    """Where each value went: ``cells[(what, index)]`` (index into :meth:`Table.flat`, or a
    group's name for 'l1'/'l1w'/'l2'/'l2w', '' for the form's own figures)."""

    cells: dict[tuple[str, Any], str] = field(default_factory=dict)
    first_row: int = 0
    last_row: int = 0


def _typed(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _addr(r: int, c: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(c)}{r}"


def write_table(ws: Worksheet, table: Table, layout: Layout, row: int | None = None) -> Written:
    """Write ``table`` as ``layout`` types it, from ``row`` (default: the layout's origin)."""
    out = Written()
    r, c0 = (row or layout.origin[0]), layout.origin[1]
    out.first_row = r
    col = {kind: c0 + i for i, kind in enumerate(layout.columns)}
    width = len(layout.columns)
    for line in layout.title:
        ws.cell(r, c0, line)
        r += 1
    if layout.head and table.head is not None:
        r = _write_head(ws, table.head, r, c0, width, out)
    r = _header(ws, layout, col, r)
    spans: dict[tuple[str, str], list[list[int]]] = {}
    set_rows: dict[int, list[int]] = {}  # leader index -> rows of its set
    leader: int | None = None
    for index, (g1, g2, ind) in enumerate(table.flat()):
        if layout.page_break_before == ind.name:
            r = _header(ws, layout, col, r + 1)  # a blank line where the page breaks
            for key in (("l1", g1.name), ("l2", g2.name)):
                spans.setdefault(key, []).append([])
        for key in (("l1", g1.name), ("l2", g2.name)):
            segments = spans.setdefault(key, [[]])
            segments[-1].append(r)
        for kind, value in (
            ("name", ind.name),
            ("w", ind.weight),
            ("crit", ind.criterion),
            ("expl", ind.explanation),
            ("target", ind.target),
            ("actual", ind.actual),
            ("score", ind.score),
            ("note", ind.note),
        ):
            if kind in col and value is not None:
                ws.cell(r, col[kind], _typed(value))
        for kind in ("name", "w", "score"):
            if kind in col:
                out.cells[(kind, index)] = _addr(r, col[kind])
        if ind.weight is not None:
            leader = index
            set_rows[index] = [r]
        elif ind.shared and leader is not None:
            set_rows[leader].append(r)
        out.cells[("row", index)] = r
        r += 1
    if layout.shared == "merged" and "w" in col:
        for rows in set_rows.values():
            if len(rows) > 1:
                ws.merge_cells(
                    start_row=rows[0], start_column=col["w"], end_row=rows[-1], end_column=col["w"]
                )
    _labels(ws, table, layout, col, spans, out)
    out.last_row = _total(ws, table, layout, col, r, out)
    return out


LEVEL_COLUMNS = ("l1", "l1w", "l2", "l2w", "name")


def _header(ws: Worksheet, layout: Layout, col: dict[str, int], r: int) -> int:
    """The header (one or two rows); returns the row below it."""
    two = layout.header_rows == 2
    levels = [c for kind, c in col.items() if kind in LEVEL_COLUMNS]
    for kind, c in col.items():
        below = two and kind in LEVEL_COLUMNS
        ws.cell(r + 1 if below else r, c, layout.header.get(kind, HEADERS[kind]))
        if two and not below:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
    if two:
        ws.cell(r, levels[0], "绩效指标")
        ws.merge_cells(start_row=r, start_column=levels[0], end_row=r, end_column=levels[-1])
    return r + layout.header_rows


def _label_text(layout: Layout, level: str, name: str, weight: Decimal, later: bool) -> str:
    if later and layout.continued:
        return f"{name}（续）"
    if level in layout.declare:
        return layout.label_fmt.format(name=name, w=_typed(weight))
    return name


def _labels(ws, table: Table, layout: Layout, col, spans, out: Written) -> None:
    weights = {("l1", g1.name): g1.weight for g1 in table.groups}
    weights |= {("l2", g2.name): g2.weight for g1 in table.groups for g2 in g1.groups}
    for (level, name), segments in spans.items():
        if level not in col:
            continue
        segments = [s for s in segments if s]
        for n, rows in enumerate(segments):
            later = n > 0
            if later and layout.groups == "first" and not layout.continued:
                continue
            label = _label_text(layout, level, name, weights[(level, name)], later)
            targets = rows if layout.groups == "repeated" else rows[:1]
            for rr in targets:
                ws.cell(rr, col[level], label)
                wkind = f"{level}w"
                if wkind in col and not (later and layout.continued):
                    ws.cell(rr, col[wkind], _typed(weights[(level, name)]))
            if layout.groups == "merged" and len(rows) > 1:
                for kind in (level, f"{level}w"):
                    if kind in col:
                        ws.merge_cells(
                            start_row=rows[0],
                            start_column=col[kind],
                            end_row=rows[-1],
                            end_column=col[kind],
                        )
            if n == 0:
                out.cells[(level, name)] = _addr(rows[0], col[level])
                wkind = f"{level}w"
                declared_at = col[wkind] if wkind in col else col[level]
                out.cells[(wkind, name)] = _addr(rows[0], declared_at)


def _total(ws, table: Table, layout: Layout, col, r: int, out: Written) -> int:
    first = min(col.values())
    if layout.total_label is not None:
        ws.cell(r, first, layout.total_label)
    out.cells[("total_label", "")] = _addr(r, first)
    total_weight = table.weight_sum()
    for kind in ("l1w", "l2w", "w"):
        if kind in col:
            ws.cell(r, col[kind], _typed(total_weight))
    if "w" in col:
        out.cells[("total_weight", "")] = _addr(r, col["w"])
    ws.cell(r, col["score"], _typed(table.typed_total()))
    out.cells[("total_score", "")] = _addr(r, col["score"])
    last = r
    if layout.grade_label is not None:
        r += 2 if layout.grade_gap else 1
        if layout.grade_inline:
            ws.cell(r, first, f"{layout.grade_label}：{table.typed_grade()}")
            out.cells[("grade", "")] = _addr(r, first)
        else:
            ws.cell(r, first, layout.grade_label)
            ws.cell(r, first + 1, table.typed_grade())
            out.cells[("grade", "")] = _addr(r, first + 1)
        last = r
    return last


def _write_head(ws, head: Head, r: int, c0: int, width: int, out: Written) -> int:
    end = c0 + width - 1
    ws.cell(r, c0, "部门（单位）名称")
    ws.cell(r, c0 + 1, head.unit_name)
    ws.merge_cells(start_row=r, start_column=c0 + 1, end_row=r, end_column=end)
    out.cells[("unit_name", "")] = _addr(r, c0 + 1)
    r += 1
    ws.cell(r, c0, "年度履职目标")
    ws.cell(r, c0 + 1, head.goals)
    ws.merge_cells(start_row=r, start_column=c0 + 1, end_row=r, end_column=end)
    out.cells[("goals", "")] = _addr(r, c0 + 1)
    r += 1
    ws.cell(r, c0, "年度主要任务")
    ws.merge_cells(start_row=r, start_column=c0, end_row=r + len(head.tasks), end_column=c0)
    for i, (name, content) in enumerate((head.task_header, *head.tasks)):
        ws.cell(r + i, c0 + 1, name)
        ws.cell(r + i, c0 + 2, content)
        ws.merge_cells(start_row=r + i, start_column=c0 + 2, end_row=r + i, end_column=end)
        if i:
            out.cells[("task", i - 1)] = _addr(r + i, c0 + 1)
    r += len(head.tasks) + 1
    ws.cell(r, c0, "预算情况")
    ws.merge_cells(start_row=r, start_column=c0, end_row=r + len(head.budget) - 1, end_column=c0)
    for i, (label, amount) in enumerate(head.budget):
        ws.cell(r + i, c0 + 1, label)
        ws.merge_cells(start_row=r + i, start_column=c0 + 1, end_row=r + i, end_column=c0 + 2)
        if amount is not None:
            ws.cell(r + i, c0 + 3, _typed(amount))
        out.cells[("budget", i)] = _addr(r + i, c0 + 3)
    return r + len(head.budget)


# ------------------------------------------------------------------------------ mistakes


def with_item(table: Table, index: int, **changes: Any) -> Table:
    """``table`` with the indicator at flat ``index`` changed."""
    groups = []
    n = 0
    for g1 in table.groups:
        g2s = []
        for g2 in g1.groups:
            items = []
            for ind in g2.items:
                items.append(replace(ind, **changes) if n == index else ind)
                n += 1
            g2s.append(replace(g2, items=tuple(items)))
        groups.append(replace(g1, groups=tuple(g2s)))
    return replace(table, groups=tuple(groups))


def with_group_weight(table: Table, level: str, name: str, delta: Decimal) -> Table:
    """``table`` with a 一级 ('l1') or 二级 ('l2') group's stated weight off by ``delta``."""
    groups = []
    for g1 in table.groups:
        g2s = tuple(
            replace(g2, weight=g2.weight + delta) if level == "l2" and g2.name == name else g2
            for g2 in g1.groups
        )
        w1 = g1.weight + delta if level == "l1" and g1.name == name else g1.weight
        groups.append(replace(g1, weight=w1, groups=g2s))
    return replace(table, groups=tuple(groups))


def with_budget(table: Table, index: int, amount: Decimal) -> Table:
    assert table.head is not None
    budget = list(table.head.budget)
    budget[index] = (budget[index][0], amount)
    return replace(table, head=replace(table.head, budget=tuple(budget)))
