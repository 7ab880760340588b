"""Layouts the fixtures do not have, built by the tests: the reader finds every form by its labels."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.builders import Layout, clean_project, write_project, write_summary
from xlperf.checks import check_workbook
from xlperf.reader import read_workbook

LAYOUTS = {
    "merged": Layout(),
    "name_two_merged_columns": Layout(name_columns=2),
    "no_merges_levels_every_row": Layout(merged=False, level_every_row=True),
    "no_merges_levels_once_shifted": Layout(merged=False, first_col=3, spacer_rows=True),
}


def _summary_rows(projects: list[dict]) -> list[list]:
    rows = []
    for p in projects:
        total = p["funds"]["total"]
        inds = p["indicators"]
        rates = []
        for kind in ("产出", "效益", "满意度"):
            sel = [i for i in inds if i[0].startswith(kind)]
            rates.append(round(sum(i[7] for i in sel) / sum(i[6] for i in sel), 4))
        rows.append(
            [p["project_name"], total[1], total[2], total[4], *rates, p["total_score"], None]
        )
    return rows


def _stacked_book(tmp_path: Path, layout: Layout, n: int = 3) -> tuple[Path, list[dict]]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目表"
    projects = [clean_project(f"项目{i}", budget=40 + i, executed=30 + i) for i in range(n)]
    row = 1
    for p in projects:
        row = write_project(ws, row, p, layout) + 1
    write_summary(wb.create_sheet("汇总"), 1, "某县人力资源和社会保障局", _summary_rows(projects))
    path = tmp_path / "stacked.xlsx"
    wb.save(path)
    return path, projects


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_stacked_forms_are_all_read(tmp_path: Path, name: str) -> None:
    path, projects = _stacked_book(tmp_path, LAYOUTS[name])
    book = read_workbook(path)
    assert not book.problems
    assert [f.project_name.value for f in book.projects] == [p["project_name"] for p in projects]
    for form, data in zip(book.projects, projects, strict=True):
        assert form.funds.total.annual_budget.number == Decimal(str(data["funds"]["total"][1]))
        assert form.funds.total.rate.percent
        assert form.year.value == "2024"
        assert form.implementer.value == "某县就业服务中心"
        assert [i.name.value for i in form.indicators] == [i[3] for i in data["indicators"]]
        assert [i.level1.value for i in form.indicators] == [i[0] for i in data["indicators"]]
        assert [i.level2.value for i in form.indicators] == [i[2] for i in data["indicators"]]
        assert form.indicators[0].level1_declared_weight == Decimal(50)
        assert form.total_score.number == Decimal(str(data["total_score"]))
    assert len(book.summaries) == 1 and len(book.summaries[0].rows) == len(projects)


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_clean_forms_have_no_error(tmp_path: Path, name: str) -> None:
    path, _ = _stacked_book(tmp_path, LAYOUTS[name])
    findings = check_workbook(read_workbook(path))
    assert [f for f in findings if f.severity == "error"] == []


def test_mistakes_in_a_stacked_form_point_at_that_form(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    good = clean_project("甲项目")
    bad = clean_project("乙项目", budget=20, executed=10)
    bad["funds"]["total"][4] = 0.6  # 执行率 should be 50%
    bad["total_score"] = 99  # not the sum
    next_row = write_project(ws, 1, good, Layout(merged=False))
    write_project(ws, next_row + 2, bad, Layout(merged=False))
    path = tmp_path / "two.xlsx"
    wb.save(path)
    book = read_workbook(path)
    findings = check_workbook(book)
    second = book.projects[1]
    by_code = {f.code: f for f in findings}
    assert by_code["XP101"].cell == second.funds.total.rate.cell
    assert by_code["XP204"].cell == second.total_score.cell
    assert int(second.funds.total.rate.cell[1:]) > next_row


def test_summary_total_row_is_checked(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    projects = [clean_project("甲"), clean_project("乙", budget=30, executed=30)]
    rows = _summary_rows(projects)
    write_project(wb.active, 1, projects[0])
    write_project(wb.create_sheet("乙"), 1, projects[1])
    ws = wb.create_sheet("汇总表")
    write_summary(ws, 1, "某局", rows)
    ws.cell(6, 3, 81)  # 合计 全年预算数: rows add up to 80
    path = tmp_path / "total.xlsx"
    wb.save(path)
    findings = check_workbook(read_workbook(path))
    assert [(f.code, f.cell) for f in findings if f.code == "XS303"] == [("XS303", "C6")]


def test_old_binary_xls_reads_like_xlsx(tmp_path: Path) -> None:
    import subprocess

    from tests.conftest import soffice

    exe = soffice()
    path, projects = _stacked_book(tmp_path, LAYOUTS["merged"], n=2)
    subprocess.run(
        [exe, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "xls"), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xls = tmp_path / "xls" / "stacked.xls"
    from_xls, from_xlsx = read_workbook(xls), read_workbook(path)
    assert [f.project_name.value for f in from_xls.projects] == [
        p["project_name"] for p in projects
    ]
    assert from_xls.model_dump(exclude={"path"}) == from_xlsx.model_dump(exclude={"path"})
