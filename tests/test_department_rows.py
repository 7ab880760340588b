"""Rows of a department table the layouts of test_department_layouts do not type: a total with
its figures right of the label or its grade in the same row, a grade in the name column, empty
rows in a group short of its weight, and a project form's table that is not a department's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from tests.department_layouts import seed000, with_item, write_table
from tests.test_department_layouts import LAYOUTS
from xlperf.checks import check_workbook
from xlperf.reader import read_workbook

HEADER = ["一级指标", "二级指标", "三级指标", "分值", "得分"]
ROWS = [
    ["投入（40分）", "预算", "预算编制", 20, 20],
    [None, None, "预算执行", 20, 18],
    ["产出（60分）", "任务", "任务完成", 60, 55],
]


def _book(tmp_path: Path, rows: list[list], name: str = "t.xlsx"):
    wb = openpyxl.Workbook()
    for line in rows:
        wb.active.append(line)
    wb.save(tmp_path / name)
    return read_workbook(tmp_path / name, require_forms=False)


def test_total_with_its_grade_in_the_same_row(tmp_path: Path) -> None:
    book = _book(tmp_path, [HEADER, *ROWS, ["综合得分", None, None, 100, 93, "评价等级：优"]])
    (form,) = book.departments
    assert form.title.value is None  # no title: found by the header's columns
    assert (form.total_weight.cell, form.total_score.cell) == ("D5", "E5")
    assert (form.grade.text, form.grade.cell) == ("优", "F5")
    assert book.problems == [] and check_workbook(book) == []


def test_total_typed_right_of_its_label(tmp_path: Path) -> None:
    book = _book(tmp_path, [HEADER, *ROWS, ["总分", 100, 92], [None, "等次", "良"]])
    (form,) = book.departments
    assert (form.total_weight.number, form.total_weight.cell) == (100, "B5")
    assert (form.total_score.number, form.total_score.cell) == (92, "C5")
    assert (form.grade.text, form.grade.cell) == ("良", "C6")
    found = {(f.code, f.cell) for f in check_workbook(book)}
    assert found == {("XD404", "C5"), ("XD407", "C6")}  # the scores add to 93: 优


def test_grade_in_the_name_column(tmp_path: Path) -> None:
    book = _book(
        tmp_path, [HEADER, *ROWS, ["合计", None, None, 100, 93], [None, None, "等次", "优"]]
    )
    (form,) = book.departments
    assert [i.name.text for i in form.indicators] == ["预算编制", "预算执行", "任务完成"]
    assert (form.grade.text, form.grade.cell) == ("优", "D6")
    assert check_workbook(book) == []


def test_empty_rows_in_a_group_short_of_its_weight_are_reported(tmp_path: Path) -> None:
    """生态效益 is no indicator while 效益 holds its 30; emptied 可持续影响 leaves it short."""
    layout, _ = LAYOUTS["seed000"]
    table = seed000()
    index = next(i for i, (*_, ind) in enumerate(table.flat()) if ind.name == "可持续影响")
    table = with_item(table, index, weight=None, score=None, target=None, actual=None)
    wb = openpyxl.Workbook()
    out = write_table(wb.active, table, layout)
    wb.save(tmp_path / "short.xlsx")
    book = read_workbook(tmp_path / "short.xlsx")
    (form,) = book.departments
    names = [i.name.text for i in form.indicators if i.level2.text == "履职效益"]
    assert names[2:] == ["生态效益", "可持续影响"]
    found = {(f.code, f.cell) for f in check_workbook(book)}
    assert found == {
        ("XD409", out.cells[("name", index - 1)]),
        ("XD409", out.cells[("name", index)]),
        ("XD402", out.cells[("total_weight", "")]),
        ("XD403", out.cells[("l1w", "效益指标")]),
    }


def test_a_project_forms_table_is_not_a_department_table(tmp_path: Path) -> None:
    """A project form whose money block the project reader could not find stays unread here."""
    rows = [
        ["项目支出绩效自评表"],
        ["项目名称", "某项目"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标（50分）", "数量指标", "培训人数", "100人", "100人", 50, 50],
        ["总分", None, None, None, None, 100, 50],
    ]
    book = _book(tmp_path, rows)
    assert book.departments == []


def test_budget_section_with_money_columns_is_read_by_its_columns(tmp_path: Path) -> None:
    rows = [
        ["某局部门整体绩效自评表"],
        ["预算情况", "项目", "全年预算数", "全年执行数"],
        [None, "部门预算总额", 110, 103.4],
        [None, "基本支出", 60, 58],
        [None, "项目支出", 50, 45.4],
        HEADER,
        *ROWS,
        ["合计", None, None, 100, 93],
    ]
    book = _book(tmp_path, rows)
    (form,) = book.departments
    total = form.money.total
    assert (total.annual_budget.cell, total.executed.cell) == ("C3", "D3")
    assert (total.annual_budget.number, total.executed.number) == (110, Decimal("103.4"))
    assert form.money.project.executed.number == Decimal("45.4")
    assert form.first_row == 1 and check_workbook(book) == []
