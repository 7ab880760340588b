"""A project form's extent: from its first row to its 等次 row, which may stand under 总分."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.builders import clean_project, write_project
from xlperf.checks import check_workbook
from xlperf.reader import read_workbook
from xlperf.rules import DEFAULT_RULES
from xlperf.scoring.figures import group_units, in_form, project_figures


def _two_forms_with_grades(path: Path) -> list[int]:
    """Two stacked forms of two units, each with a 自评等次 row under its 总分 row (the first
    one's wrong: 差 for a total in 优); the grade rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目"
    row, grades = 1, []
    for i, (unit, grade) in enumerate((("甲单位", "差"), ("乙单位", "优"))):
        data = clean_project(f"项目{i + 1}")
        data["implementer"] = unit
        row = write_project(ws, row, data)
        ws.cell(row, 1, "自评等次")
        ws.cell(row, 2, grade)
        grades.append(row)
        row += 2
    wb.save(path)
    return grades


def test_the_grade_row_under_the_total_belongs_to_its_form(tmp_path: Path) -> None:
    path = tmp_path / "grades.xlsx"
    grades = _two_forms_with_grades(path)
    book = read_workbook(path)
    first, second = book.projects
    assert first.grade.cell == f"B{grades[0]}" and first.grade.text == "差"
    assert first.last_row == grades[0] and second.last_row == grades[1]
    assert second.first_row > grades[0]  # the next form starts after it, not on it
    wrong = [f for f in check_workbook(book) if f.code == "XP208"]
    assert [f.cell for f in wrong] == [f"B{grades[0]}"]
    assert in_form(wrong[0], first.sheet, first.first_row, first.last_row)
    assert not in_form(wrong[0], second.sheet, second.first_row, second.last_row)
    units = group_units(book, [project_figures(f, DEFAULT_RULES) for f in book.projects])
    holding = [u.name for u in units if u.holds(wrong[0])]
    assert holding == ["甲单位"]
