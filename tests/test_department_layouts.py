"""The 部门整体 score table in the layouts units type (issue 15): read right, no false error.

Each layout of :data:`LAYOUTS` types one of the seeds' three department tables (seed 000's
部门（单位）整体绩效自评表, seed 002's 评分表, seed 004's 指标体系及得分) the way an office would:
merged, first-row-only or repeated groups; 分值 before or after 评分标准, or one per level; a shared
分值 typed once or merged; no 评分标准 column; a total labelled 合计 / 总分 / 综合得分 or not at
all; 等次 / 评价等级 / 评价结论 rows; several titles, or none. Each is read in full and checked
clean (no finding at all), then with planted mistakes, each found at its cell and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.department_layouts import (
    Layout,
    Table,
    Written,
    seed000,
    seed002,
    seed004,
    with_budget,
    with_group_weight,
    with_item,
    write_table,
)
from xlperf.checks import check_workbook
from xlperf.extract import workbook_dict
from xlperf.forms.department import DepartmentForm
from xlperf.forms.workbook import WorkbookForms
from xlperf.reader import read_workbook
from xlperf.rules import DEFAULT_RULES
from xlperf.scoring.department import score_department
from xlperf.values import fold, label_key
from xlperf.vocabulary.department import is_title

SEED000_COLUMNS = ("l1", "l2", "name", "target", "actual", "w", "score")
SEED004_COLUMNS = ("l1", "l1w", "l2", "l2w", "name", "w", "expl", "crit", "score")

LAYOUTS: dict[str, tuple[Layout, Callable[[], Table]]] = {
    # seed 000 as printed: no 评分标准, “投入指标 (15分)” on the group's first row, header block
    "seed000": (
        Layout(
            "seed000",
            SEED000_COLUMNS,
            groups="first",
            label_fmt="{name} ({w}分)",
            title=("部门（单位）整体绩效自评表", "（2021年度）"),
            head=True,
            total_label="总分",
            grade_label="等次",
        ),
        seed000,
    ),
    # seed 002 typed without merges: labels with their weights repeated on every row, the shared
    # 分值 typed once, the header repeated after a page break, 分值 after 评分标准
    "seed002": (
        Layout(
            "seed002",
            ("l1", "l2", "name", "crit", "w", "score", "note"),
            header={"score": "自评得分", "note": "扣分原因和其他说明"},
            groups="repeated",
            declare=("l1", "l2"),
            label_fmt="{name}\n（{w}分）",
            title=("附件3-2", "部门整体支出绩效评价评分表"),
            page_break_before="资产管理安全性",
            total_label="总 分",
        ),
        seed002,
    ),
    # seed 004 as printed: a 分值 per level, labels and their 分值 on the first row only, an
    # unlabelled total 100 | 100 | 100 | 88.93
    "seed004": (
        Layout(
            "seed004",
            SEED004_COLUMNS,
            header={"crit": "评价标准"},
            groups="first",
            declare=(),
            title=("附件2：                           部门整体支出项目绩效评价指标体系及得分",),
            total_label=None,
        ),
        seed004,
    ),
    "seed004_merged": (
        Layout(
            "seed004_merged",
            SEED004_COLUMNS,
            groups="merged",
            declare=(),
            title=("运城市人力资源和社会保障局2021年度部门整体支出绩效评价指标体系及得分",),
            grade_label="评价等级",
        ),
        seed004,
    ),
    # no title; 分值 before 评分标准; groups and the shared 分值 merged; 评价结论：优 in one cell
    "seed002_untitled": (
        Layout(
            "seed002_untitled",
            ("l1", "l2", "name", "w", "crit", "score", "note"),
            groups="merged",
            declare=("l1", "l2"),
            shared="merged",
            grade_label="评价结论",
            grade_inline=True,
        ),
        seed002,
    ),
    # other column names, groups repeated, 综合得分, a blank row above 评价等级, not at A1
    "seed000_repeated": (
        Layout(
            "seed000_repeated",
            SEED000_COLUMNS,
            header={
                "name": "指标名称",
                "target": "年度指标值",
                "actual": "实际完成值",
                "w": "权重",
                "score": "自评得分",
            },
            groups="repeated",
            title=("部门整体支出绩效自评表（2021年度）",),
            total_label="综合得分",
            grade_label="评价等级",
            grade_gap=True,
            origin=(3, 2),
        ),
        seed000,
    ),
    # weights only in the labels of both levels, first-row-only groups continued “（续）” after a
    # page break, 分值 after 评分标准, an unlabelled total
    "seed004_labels": (
        Layout(
            "seed004_labels",
            ("l1", "l2", "name", "crit", "w", "score"),
            groups="first",
            declare=("l1", "l2"),
            title=("整体支出绩效评价评分表",),
            page_break_before="预算编制管理",
            continued=True,
            total_label=None,
            grade_label="等次",
        ),
        seed004,
    ),
    # no group weight anywhere (each group's is the sum of its 分值), other column names
    "seed004_undeclared": (
        Layout(
            "seed004_undeclared",
            ("l1", "l2", "name", "w", "crit", "score"),
            header={"name": "具体指标", "w": "标准分值", "crit": "评分细则", "score": "评价得分"},
            declare=(),
            title=("部门整体支出绩效评价表",),
        ),
        seed004,
    ),
    # a two-row header (绩效指标 over the levels), repeated below a page break; merged groups
    "seed000_two_rows": (
        Layout(
            "seed000_two_rows",
            ("l1", "l2", "name", "target", "actual", "w", "score", "note"),
            header={"note": "偏差原因分析及改进措施"},
            title=("新乡县人力资源和社会保障局部门整体支出绩效自评表",),
            header_rows=2,
            page_break_before="重点工作 6 计划完成率",
            total_label="合计",
            grade_label="等次",
        ),
        seed000,
    ),
    # a 分值 column per level repeated on every row with its label; no 评分标准; shared typed once
    "seed002_level_columns": (
        Layout(
            "seed002_level_columns",
            ("l1", "l1w", "l2", "l2w", "name", "w", "score", "note"),
            groups="repeated",
            declare=(),
            title=("部门整体支出绩效评价指标体系",),
            total_label="总分",
            grade_label="等次",
        ),
        seed002,
    ),
}


def _save(tmp_path: Path, name: str, *tables: tuple[Table, Layout]) -> tuple[Path, list[Written]]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "部门整体"
    written: list[Written] = []
    row = None
    for table, layout in tables:
        written.append(write_table(ws, table, layout, row))
        row = written[-1].last_row + 3
    path = tmp_path / f"{name}.xlsx"
    wb.save(path)
    return path, written


def _read(path: Path) -> tuple[WorkbookForms, list[DepartmentForm]]:
    book = read_workbook(path)
    return book, book.departments


def _declares(layout: Layout, level: str) -> bool:
    return level in layout.declare or f"{level}w" in layout.columns


def _found(book: WorkbookForms) -> set[tuple[str, str | None]]:
    return {(f.code, f.cell) for f in check_workbook(book)}


def assert_read(form: DepartmentForm, table: Table, layout: Layout, out: Written) -> None:
    """Every indicator's 分值 and 得分 at its cell, its groups, the total and the grade."""
    want = [(idx, g1, g2, ind) for idx, (g1, g2, ind) in enumerate(table.flat()) if not ind.bare()]
    got = form.indicators
    assert [fold(i.name.text or "") for i in got] == [fold(ind.name) for *_, ind in want]
    for ind, (idx, g1, g2, item) in zip(got, want, strict=True):
        assert ind.name.cell == out.cells[("name", idx)]
        assert (ind.weight.number, ind.score.number) == (item.weight, item.score), item.name
        assert ind.score.cell == out.cells[("score", idx)]
        if item.weight is not None:
            assert ind.weight.cell == out.cells[("w", idx)]
        assert (ind.weight_from is not None) == item.shared, item.name
        assert ind.level1.text == fold(g1.name) and ind.level2.text == fold(g2.name)
        l1 = g1.weight if _declares(layout, "l1") else None
        l2 = g2.weight if _declares(layout, "l2") else None
        assert (ind.level1_weight.number, ind.level2_weight.number) == (l1, l2), item.name
    assert form.total_score.number == table.typed_total()
    assert form.total_score.cell == out.cells[("total_score", "")]
    assert form.total_weight.number == table.weight_sum() == 100
    assert form.total_weight.cell == out.cells[("total_weight", "")]
    if layout.grade_label is not None:
        assert (form.grade.text, form.grade.cell) == (table.typed_grade(), out.cells[("grade", "")])
    else:
        assert form.grade.value is None
    titles = [t.strip() for t in layout.title if is_title(label_key(t))]
    assert form.title.text == (titles[-1] if titles else None)


@pytest.mark.parametrize("key", sorted(LAYOUTS))
def test_clean_layout_is_read_in_full_without_finding(key: str, tmp_path: Path) -> None:
    layout, make = LAYOUTS[key]
    table = make()
    path, (out,) = _save(tmp_path, key, (table, layout))
    book, (form,) = _read(path)
    assert book.problems == []
    assert_read(form, table, layout, out)
    assert check_workbook(book) == []
    result = score_department(form, book.rule_set())
    assert result.total == table.score_sum()
    assert sum((s.weight for s in result.level1), Decimal(0)) == 100


def _first_plain(table: Table, level1: int) -> int:
    """Flat index of the first indicator of a 一级 group with its own 分值, sharing none."""
    flat = table.flat()
    group = table.groups[level1]
    for idx, (g1, _, ind) in enumerate(flat):
        after = flat[idx + 1][2] if idx + 1 < len(flat) else None
        if g1 is group and ind.weight is not None and not (after and after.shared):
            return idx
    raise AssertionError("no plain indicator")


def planted(table: Table, layout: Layout) -> tuple[Table, Callable[[Written], set]]:
    """Mistakes: a score over its 分值, declared weights off, the total, the grade, a shared 分值
    exceeded, the 预算情况 parts; each expected at its cell."""
    expected: list[Callable[[Written], tuple[str, str]]] = []
    idx = _first_plain(table, 1)
    table = with_item(table, idx, score=table.flat()[idx][2].weight + 1)
    expected.append(lambda out: ("XD401", out.cells[("score", idx)]))
    if _declares(layout, "l1"):
        name1 = table.groups[0].name
        table = with_group_weight(table, "l1", name1, Decimal(1))
        expected.append(lambda out: ("XD403", out.cells[("l1w", name1)]))
    if _declares(layout, "l2"):
        name2 = table.groups[0].groups[0].name
        table = with_group_weight(table, "l2", name2, Decimal(-1))
        expected.append(lambda out: ("XD403", out.cells[("l2w", name2)]))
    follower = next((i for i, (*_, ind) in enumerate(table.flat()) if ind.shared), None)
    if follower is not None:
        leader = max(i for i in range(follower) if table.flat()[i][2].weight is not None)
        table = with_item(table, follower, score=table.flat()[follower][2].score + 1)
        expected.append(lambda out: ("XD401", out.cells[("w", leader)]))
    if table.head is not None and layout.head:
        table = with_budget(table, 3, Decimal("782.96"))  # 基本支出 782.69 typed 782.96
        expected.append(lambda out: ("XD408", out.cells[("budget", 0)]))
    table = Table(table.groups, table.head, total=table.score_sum() + 1, grade=table.grade)
    expected.append(lambda out: ("XD404", out.cells[("total_score", "")]))
    if layout.grade_label is not None:
        right = DEFAULT_RULES.grade(table.typed_total())
        table = Table(table.groups, table.head, table.total, "差" if right != "差" else "优")
        expected.append(lambda out: ("XD407", out.cells[("grade", "")]))
    return table, lambda out: {e(out) for e in expected}


@pytest.mark.parametrize("key", sorted(LAYOUTS))
def test_planted_mistakes_are_found_at_their_cells(key: str, tmp_path: Path) -> None:
    layout, make = LAYOUTS[key]
    table, expect = planted(make(), layout)
    path, (out,) = _save(tmp_path, key, (table, layout))
    book, (form,) = _read(path)
    assert book.problems == []
    assert_read(form, table, layout, out)
    assert _found(book) == expect(out)


@pytest.mark.parametrize("key", sorted(LAYOUTS))
def test_missing_score_and_weight_are_found(key: str, tmp_path: Path) -> None:
    """XD409 where a 得分 or a 分值 is missing; the missing 分值 also unbalances its groups."""
    layout, make = LAYOUTS[key]
    table = make()
    no_score, no_weight = _first_plain(table, 0), _first_plain(table, 2)
    g1, g2, _ = table.flat()[no_weight]
    table = with_item(table, no_score, score=None)
    table = with_item(table, no_weight, weight=None)
    path, (out,) = _save(tmp_path, key, (table, layout))
    book, (form,) = _read(path)
    names = {i.name.cell: i for i in form.indicators}
    assert names[out.cells[("name", no_weight)]].weight_from is None
    want = {
        ("XD409", out.cells[("name", no_score)]),
        ("XD409", out.cells[("name", no_weight)]),
        ("XD402", out.cells[("total_weight", "")]),
    }
    if _declares(layout, "l1"):
        want.add(("XD403", out.cells[("l1w", g1.name)]))
    if _declares(layout, "l2"):
        want.add(("XD403", out.cells[("l2w", g2.name)]))
    assert _found(book) == want


# ------------------------------------------------------------------------------ the seeds


def test_seed000_real_total_mistake(tmp_path: Path) -> None:
    """Seed 000 states 94.99 where its scores add to 95.5: XD404 at the total, nothing else."""
    layout, make = LAYOUTS["seed000"]
    table = make()
    table = Table(table.groups, table.head, total=Decimal("94.99"), grade="优")
    path, (out,) = _save(tmp_path, "seed000_real", (table, layout))
    book, (form,) = _read(path)
    (finding,) = check_workbook(book)
    assert (finding.code, finding.cell) == ("XD404", out.cells[("total_score", "")])
    assert (finding.expected, finding.actual) == (Decimal("95.5"), Decimal("94.99"))
    assert [i.name.text for i in form.indicators if i.level2.text == "履职效益"] == [
        "经济效益：确保各项待遇正常足额发放",
        "社会效益：促进劳动关系的和谐稳定、仲裁信访服务更高效",
        "可持续影响",
    ]  # the empty 生态效益 row is no indicator
    assert form.unit_name.text == "新乡县人力资源和社会保障局"
    assert form.unit_name.cell == out.cells[("unit_name", "")]
    assert form.year.number == 2021
    assert form.goals.text and form.goals.text.startswith("目标 1：深入贯彻落实各项社保政策")
    assert len(form.tasks) == 11 and form.tasks[0].name.cell == out.cells[("task", 0)]
    assert form.tasks[4].name.text.startswith("任务 5: 负责全县就业")
    assert form.tasks[4].content.text.endswith("保持就业形势稳定和社会保险基金总体收支平衡。")
    money = form.money
    assert form.has_money and money.total.annual_budget.number == Decimal("1687.40")
    assert money.total.annual_budget.cell == out.cells[("budget", 0)]
    assert money.appropriation.annual_budget.number == Decimal("1687.40")
    assert money.other.label_cell and money.other.annual_budget.value is None
    assert (money.basic.annual_budget.number, money.project.annual_budget.number) == (
        Decimal("782.69"),
        Decimal("904.71"),
    )
    data = workbook_dict(book)
    (dept,) = data["forms"]
    assert dept["goals"] == form.goals.text and len(dept["tasks"]) == 11
    assert dept["indicators"][3]["target"] == "完整"


def test_seed002_shared_weight_belongs_to_its_set(tmp_path: Path) -> None:
    for key in ("seed002", "seed002_untitled"):
        layout, make = LAYOUTS[key]
        path, (out,) = _save(tmp_path, key, (make(), layout))
        book, (form,) = _read(path)
        effect = [i for i in form.indicators if i.level1.text == "效果"]
        assert [(i.name.text, i.weight.number, i.weight_from) for i in effect] == [
            ("经济效益", 15, None),
            ("社会效益", None, effect[0].row),
            ("生态效益", None, effect[0].row),
            ("社会公众或服务对象满意度", 5, None),
        ]
        assert {i.level1.cell for i in form.indicators if i.level1.text == "过程"} == {
            out.cells[("l1", "过程")]
        }  # one group, its label on every row (and again below the page break)
        assert form.total_score.number == 98 and check_workbook(book) == []
        (dept,) = workbook_dict(book)["forms"]
        social = next(i for i in dept["indicators"] if i["name"] == "社会效益")
        assert social["weight_from"] == effect[0].row and social["weight"] is None
        assert social["rule"]["reason"] == f"与第{effect[0].row}行共用分值"


def test_seed004_typed_reproduces_88_93_good(tmp_path: Path) -> None:
    for key in ("seed004", "seed004_merged", "seed004_labels", "seed004_undeclared"):
        layout, make = LAYOUTS[key]
        path, _ = _save(tmp_path, key, (make(), layout))
        book, (form,) = _read(path)
        assert len(form.indicators) == 30, key
        result = score_department(form, book.rule_set())
        assert result.total == Decimal("88.93") and result.grade == "良", key
        assert {s.name: s.score for s in result.level1} == {
            "履职效能": Decimal("39"),
            "管理效率": Decimal("20.07"),
            "社会效应": Decimal("19.86"),
            "可持续性": Decimal("10"),
        }
        assert form.total_score.number == Decimal("88.93")


def test_two_tables_with_different_titles_on_one_sheet(tmp_path: Path) -> None:
    first, second = LAYOUTS["seed000_repeated"], LAYOUTS["seed002"]
    path, outs = _save(tmp_path, "two", (first[1](), first[0]), (second[1](), second[0]))
    book, forms = _read(path)
    assert [len(f.indicators) for f in forms] == [39, 25]
    assert [f.title.text for f in forms] == [first[0].title[0], second[0].title[1]]
    for form, (layout, make), out in zip(forms, (first, second), outs, strict=True):
        assert_read(form, make(), layout, out)
    assert check_workbook(book) == []
