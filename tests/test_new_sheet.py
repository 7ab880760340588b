"""新增项目表 on files (generated from the template) and in live Excel (a template sheet copied by
the add-in's macro, mirrored in tests/remote_client.py, then its inputs emptied)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from click.testing import CliRunner
from openpyxl.utils.cell import get_column_letter, range_boundaries

from tests.conftest import fixture_path
from tests.remote_client import apply_actions, payload
from tests.template_fill import fill_project, set_year
from tests.test_templates import PROJECT_A, PROJECT_B
from xlperf import excel
from xlperf.cli import main
from xlperf.errors import InputError
from xlperf.ops.new_sheet import add_project_file, input_ranges, project_title
from xlperf.reader import read_workbook
from xlperf.rules import DEFAULT_RULES
from xlperf.templates.build import department_workbook, project_workbook, save_reproducibly


def _cells(ws) -> dict[str, object]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _filled_department(path: Path) -> Path:
    wb = department_workbook(DEFAULT_RULES, project_sheets=["项目1"])
    set_year(wb, 2024)
    fill_project(wb, "项目1", PROJECT_A)
    return save_reproducibly(wb, path)


def _blank_form() -> dict[str, object]:
    return _cells(project_workbook().worksheets[0])


def test_project_title_takes_the_first_free_number_and_refuses_bad_names() -> None:
    assert project_title(["汇总表", "项目1", "项目3"], None, "f") == "项目2"
    assert project_title(["项目1"], " 培训补贴 ", "f") == "培训补贴"
    for bad in ("a/b", "x" * 32, "", "项目1", "项目１".replace("１", "1")):
        with pytest.raises(InputError):
            project_title(["项目1"], bad, "f")


def test_file_new_sheet_is_the_blank_template_form_and_leaves_the_rest(tmp_path: Path) -> None:
    src = _filled_department(tmp_path / "dept.xlsx")
    before = {ws.title: _cells(ws) for ws in openpyxl.load_workbook(src).worksheets}
    result = CliRunner().invoke(main, ["new-sheet", str(src)])
    assert result.exit_code == 0, result.output
    assert "项目2" in result.output
    wb = openpyxl.load_workbook(src)
    assert wb.sheetnames == ["填表说明", "汇总表", "项目1", "项目2", "参数"]
    assert {t: _cells(wb[t]) for t in before} == before
    assert _cells(wb["项目2"]).keys() == _blank_form().keys()
    assert "xp_indicators" in wb["项目2"].defined_names
    assert "项目2" in {f.sheet for f in read_workbook(src).projects}


def test_file_new_sheet_in_a_foreign_workbook_brings_the_rule_sheet(tmp_path: Path) -> None:
    src = tmp_path / "std.xlsx"
    shutil.copy(fixture_path("std"), src)
    out = tmp_path / "out.xlsx"
    forms = len(read_workbook(src).projects)
    assert add_project_file(src, out, "新项目") == "新项目"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[-2:] == ["新项目", "参数"] and "xr_grade_name" in wb.defined_names
    book = read_workbook(out)
    assert len(book.projects) == forms + 1
    assert book.rule_set(None) == DEFAULT_RULES


def test_live_new_sheet_copies_the_template_sheet_and_empties_its_inputs(tmp_path: Path) -> None:
    src = _filled_department(tmp_path / "dept.xlsx")
    book = xw.Book(json=payload(src))
    io = excel.ExcelIO(book)
    message = excel.new_project_live(book, io)
    assert "项目2" in message and io.calls <= 3
    wb = openpyxl.load_workbook(src)
    assert apply_actions(wb, book.json()["actions"]) == []
    assert wb.sheetnames == ["填表说明", "汇总表", "项目1", "项目2", "参数"]
    source, copy = _cells(wb["项目1"]), _cells(wb["项目2"])
    assert PROJECT_A["project_name"] in source.values()
    # the copy is the blank form: every value it keeps is one the template itself has
    assert copy == {k: v for k, v in _blank_form().items() if k in copy}
    assert copy.keys() == _blank_form().keys()
    regions = {
        n: d.attr_text.split("!")[1].replace("$", "") for n, d in wb["项目1"].defined_names.items()
    }
    assert input_ranges(regions)[:4] == ["C2", "C3", "G3", "D5:F8"]


def test_live_new_sheet_empties_exactly_the_input_ranges(tmp_path: Path) -> None:
    """Outside the input ranges the copy is the source, cell for cell; inside it is empty."""
    wb = department_workbook(DEFAULT_RULES, project_sheets=["项目1"])
    fill_project(wb, "项目1", PROJECT_B)
    src = save_reproducibly(wb, tmp_path / "b.xlsx")
    book = xw.Book(json=payload(src))
    excel.new_project_live(book)
    wb = openpyxl.load_workbook(src)
    apply_actions(wb, book.json()["actions"])
    source, copy = wb["项目1"], wb["项目2"]
    assert copy.max_row == source.max_row
    regions = {
        n: d.attr_text.split("!")[1].replace("$", "") for n, d in source.defined_names.items()
    }
    inputs = {
        f"{get_column_letter(col)}{row}"
        for ref in input_ranges(regions)
        for left, top, right, bottom in [range_boundaries(ref)]
        for row in range(top, bottom + 1)
        for col in range(left, right + 1)
    }
    for coordinate, value in _cells(source).items():
        kept = copy[coordinate].value
        if coordinate in inputs and not str(value).startswith("="):
            assert kept is None, coordinate
        else:
            assert kept == value, coordinate


def test_live_new_sheet_without_a_template_sheet_says_what_to_do(tmp_path: Path) -> None:
    src = tmp_path / "std.xlsx"
    shutil.copy(fixture_path("std"), src)
    book = xw.Book(json=payload(src))
    excel.new_project_sheet(book)
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1 and "xlperf new-sheet" in alerts[0]
    assert not any(a["func"] == "runMacro" for a in book.json()["actions"])
