"""汇总 of the example workbook and of units' files: every 汇总表 keeps its unit and its place,
states the scorer's figures (noting where they correct a form), counts each project once, and
writes text from a form as text."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from click.testing import CliRunner

from tests.builders import clean_project, write_project, write_summary
from tests.remote_client import payload
from xlperf import excel
from xlperf.checks import check_workbook
from xlperf.cli import main
from xlperf.forms.project import NO_UNIT
from xlperf.ops.files import fix_file
from xlperf.reader import read_workbook
from xlperf.report.blocks import Table
from xlperf.report.content import build_report
from xlperf.scoring.figures import name_key

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "新乡县人社局2021项目自评表.xlsx"
INJECTION = '=HYPERLINK("http://x","y")'


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "新乡县.xlsx"
    shutil.copy(EXAMPLE, path)
    return path


def _run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _notes(path: Path, sheet: str) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}


def _unit_reports(path: Path) -> int:
    content = build_report(read_workbook(path))
    return sum(r.title_lines[1] == "项目支出绩效自评总结报告" for r in content.reports)


def test_overwrite_keeps_every_summary_its_unit_and_place_with_the_right_figures(
    example: Path, tmp_path: Path
) -> None:
    before = read_workbook(example)
    out = tmp_path / "汇总后.xlsx"
    run = _run("rollup", str(example), "-o", str(out), "--overwrite")
    assert run.exit_code == 0, run.output
    assert f"汇总 {_unit_reports(example)} 个单位、11 个项目" in run.stdout  # as report counts
    assert _unit_reports(example) == 4
    after = read_workbook(out)
    assert after.sheets == before.sheets  # no sheet moved, none added or removed
    assert [(s.sheet, s.unit_name.text) for s in after.summaries] == [
        (s.sheet, s.unit_name.text) for s in before.summaries
    ]
    for old, new in zip(before.summaries, after.summaries, strict=True):
        listed = {name_key(r.project_name.text) for r in old.rows}
        assert {name_key(r.project_name.text) for r in new.rows} == listed, new.sheet
        assert new.total is not None
    rows = {(s.sheet, r.project_name.text): r for s in after.summaries for r in s.rows}
    for sheet in ("汇总表", "汇总表5"):
        row = rows[(sheet, "建档立卡优秀务工人员奖补")]
        assert row.rate.rate_fraction() == 1 and row.score.number == Decimal("87.97")
        notes = _notes(out, sheet)
        assert "80.3%（建档立卡优秀务工人员奖补!H5）" in notes[row.rate.cell]
        assert "96.97（建档立卡优秀务工人员奖补!H30）" in notes[row.score.cell]
        assert "87.97" in notes[row.score.cell]
    assert rows[("汇总表4", "劳动监察执法服装")].rate.rate_fraction() == 1  # not 71.4%
    assert rows[("汇总表5", "其他普惠发展支出")].annual_budget.number == Decimal("20.04")
    assert rows[("汇总表3", "社会保险经办工作经费")].score.number == Decimal("97.94")
    check = _run("check", "--select", "XS", str(out))
    assert check.exit_code == 0 and check.stdout == "", check.stdout
    # The workbook's forms are untouched: the same XP findings before and after.
    xp = [(f.sheet, f.cell, f.code) for f in check_workbook(before) if f.code.startswith("XP")]
    assert [(f.sheet, f.cell, f.code) for f in check_workbook(after) if f.code[:2] == "XP"] == xp


def test_compare_only_writes_the_marked_copy_and_says_so(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "比对.xlsx"
    run = _run("rollup", str(example), "-o", str(out))
    assert run.exit_code == 1  # the 汇总表 disagree with the forms
    assert "未覆盖" in run.stderr and str(out) in run.stderr and "--overwrite" in run.stderr
    findings = [line for line in run.stdout.splitlines() if ": XS" in line]
    check = _run("check", "--select", "XS", "--exit-zero", str(example))
    assert findings == check.stdout.splitlines()  # the same as xlperf check finds
    assert not [line for line in findings if "XS302" in line]  # 汇总表2–4 list the rest
    marked = openpyxl.load_workbook(out)
    assert "检查结果" in marked.sheetnames
    assert "80.3%" in marked["汇总表5"]["E5"].comment.text  # the cell copied the wrong rate
    assert marked["汇总表5"]["E5"].value == pytest.approx(0.803)  # compared, not overwritten
    line = next(x for x in findings if "汇总表5!E5" in x)
    assert "应为 100%（全年执行数 16.06 ÷ 全年预算数 16.06）" in line
    assert "项目自评表所填 80.3%（建档立卡优秀务工人员奖补!H5）亦不符合评分规则" in line
    original = example.read_bytes()
    run = _run("rollup", str(example), "-o", str(example))
    assert "未写入文件" in run.stderr and example.read_bytes() == original


def test_the_same_workbook_twice_is_summed_once(example: Path, tmp_path: Path) -> None:
    twice = tmp_path / "两次.xlsx"
    run = _run("rollup", str(example), str(example), "-o", str(twice))
    assert run.exit_code == 0, run.output
    assert "同一文件重复给出，只汇总一次" in run.stderr
    assert "4 个单位、11 个项目" in run.stdout
    copy = tmp_path / "副本.xlsx"
    openpyxl.load_workbook(example).save(copy)  # the same forms, other bytes
    run = _run("rollup", str(example), str(copy), "-o", str(twice))
    assert "11 个项目与" in run.stderr and "重复" in run.stderr
    department = read_workbook(twice).summaries[-1]
    assert len(department.rows) == 11
    assert department.total.annual_budget.number == Decimal("1011.6")
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(example, folder / "a.xlsx")
    shutil.copy(example, folder / "b.xlsx")
    run = _run("rollup", str(folder), "-o", str(twice))
    assert "与" in run.stderr and "内容完全相同（重复文件）" in run.stderr
    assert "4 个单位、11 个项目" in run.stdout


def test_earlier_outputs_in_a_folder_are_skipped(example: Path, tmp_path: Path) -> None:
    folder = tmp_path / "单位"
    folder.mkdir()
    source = folder / "自评.xlsx"
    shutil.copy(example, source)
    fix_file(source, folder / "自评_已检查.xlsx")
    alone = _run("check", "--exit-zero", str(source)).stdout.splitlines()
    run = _run("check", "--exit-zero", str(folder))
    assert "自评_已检查.xlsx: xlperf 先前生成的文件" in run.stderr
    assert run.stdout.splitlines() == alone  # not every finding twice
    out = tmp_path / "部门.xlsx"
    run = _run("rollup", str(folder), "-o", str(out))
    assert "已跳过" in run.stderr and "4 个单位、11 个项目" in run.stdout
    # Named on its own, a file is the user's choice and is read.
    named = _run("check", "--exit-zero", str(folder / "自评_已检查.xlsx"))
    assert named.stdout


def test_units_agree_with_the_report_across_files(example: Path, tmp_path: Path) -> None:
    folder, out = tmp_path / "单位", tmp_path / "部门.xlsx"
    folder.mkdir()
    shutil.copy(example, folder / "新乡县.xlsx")
    run = _run("rollup", str(folder), "-o", str(out))
    assert run.exit_code == 0, run.output
    assert f"汇总 {_unit_reports(example)} 个单位" in run.stdout
    names = [s.unit_name.text for s in read_workbook(out).summaries]
    assert NO_UNIT not in names and len(names) == 5  # 4 units, then the department
    assert not [f for f in check_workbook(read_workbook(out)) if f.code.startswith("XS")]


def _injection_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    write_summary(wb.active, 1, "某县就业服务中心", [], total=False)
    wb.active.title = "汇总表"
    data = clean_project(INJECTION)
    data["indicators"][1] = (*data["indicators"][1][:8], "+cmd|' /C calc'!A0")
    write_project(wb.create_sheet("项目"), 1, data)
    write_project(wb.create_sheet("乙"), 1, clean_project("乙"))
    for ws in wb.worksheets:  # the builders write strings; make these text, as a unit typed them
        for row in ws.iter_rows():
            for c in row:
                if c.value in (INJECTION, "+cmd|' /C calc'!A0"):
                    c.data_type = "s"
    wb.save(path)


def test_a_project_named_like_a_formula_rolls_up_as_text(tmp_path: Path) -> None:
    src, out = tmp_path / "注入.xlsx", tmp_path / "汇总.xlsx"
    _injection_workbook(src)
    assert read_workbook(src).projects[0].project_name.text == INJECTION
    run = _run("rollup", str(src), "-o", str(out))
    assert run.exit_code == 0, run.output
    ws = openpyxl.load_workbook(out)["汇总表"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    name = cells[INJECTION]
    assert name.data_type == "s" and name.quotePrefix
    reason = next(c for v, c in cells.items() if v.startswith("+cmd"))
    assert reason.data_type == "s"
    # LibreOffice opens the 汇总表 and shows the text, not a formula's result ("y").
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    csv = (tmp_path / "汇总.csv").read_text(encoding="utf-8", errors="replace")
    assert "HYPERLINK" in csv and "calc" in csv
    # The add-in's 汇总到汇总表 writes it with Excel's text prefix.
    book = xw.Book(json=payload(src))
    message = excel.rollup_live(book, io=excel.ExcelIO(book))
    assert "已汇总 2 个项目" in message
    written = [
        v
        for a in book.json()["actions"]
        if a["func"] == "setValues"
        for row in a["values"]
        for v in row
        if isinstance(v, str)
    ]
    assert "'" + INJECTION in written and INJECTION not in written
    assert any(v.startswith("'+cmd") for v in written)


def _units_workbook(path: Path) -> None:
    """Unit 甲's form and 汇总表, unit 乙's two forms (one given twice) with no 汇总表 of their
    own, and the department 汇总表 listing 甲's project only (stale)."""
    wb = openpyxl.Workbook()
    a = clean_project("甲项目")
    a["implementer"] = "甲单位"
    write_project(wb.active, 1, a)
    wb.active.title = "甲项目"
    write_summary(wb.create_sheet("甲汇总"), 1, "甲单位", [["甲项目", 50, 45, 0.9, 1, 1, 1, 98]])
    for title in ("乙项目", "乙项目（副本）"):
        b = clean_project("乙项目", budget=30, executed=24)
        b["implementer"] = "乙单位"
        write_project(wb.create_sheet(title), 1, b)
    c = clean_project("乙二项目", budget=10, executed=10)
    c["implementer"] = "乙单位"
    write_project(wb.create_sheet("乙二项目"), 1, c)
    rows = [["甲项目", 50, 45, 0.9, 1, 1, 1, 98], ["不存在的项目", 1, 1, 1, 1, 1, 1, 100]]
    write_summary(wb.create_sheet("部门汇总"), 1, "某县人社局", rows)
    wb.save(path)


def test_a_unit_without_its_own_summary_gets_one_before_the_department(tmp_path: Path) -> None:
    src, out = tmp_path / "units.xlsx", tmp_path / "out.xlsx"
    _units_workbook(src)
    run = _run("rollup", str(src), "-o", str(out), "--overwrite")
    assert run.exit_code == 0, run.output
    assert "1 个项目与 本工作簿中的另一张项目表 重复" in run.stderr
    assert "汇总 2 个单位、3 个项目" in run.stdout
    book = read_workbook(out)
    assert book.sheets == [
        "甲项目",
        "甲汇总",
        "乙项目",
        "乙项目（副本）",
        "乙二项目",
        "汇总表",
        "部门汇总",
    ]
    by_sheet = {s.sheet: s for s in book.summaries}
    assert by_sheet["甲汇总"].unit_name.text == "甲单位"
    assert [r.project_name.text for r in by_sheet["甲汇总"].rows] == ["甲项目"]
    assert by_sheet["汇总表"].unit_name.text == "乙单位"
    assert [r.project_name.text for r in by_sheet["汇总表"].rows] == ["乙项目", "乙二项目"]
    department = by_sheet["部门汇总"]
    assert department.unit_name.text == "某县人社局"
    assert [r.project_name.text for r in department.rows] == ["甲项目", "乙项目", "乙二项目"]
    assert department.total.annual_budget.number == Decimal(90)  # 乙项目 counted once
    assert not [f for f in check_workbook(book) if f.code.startswith("XS")]


def test_a_unit_named_like_a_formula_stays_text_in_the_money_rollup(tmp_path: Path) -> None:
    from tests.test_money import unit_files
    from xlperf.ops.money_rollup import rollup_money_books

    paths = unit_files(tmp_path)
    hostile = paths[0].with_name("=1+1.xlsx")  # a unit's file: its name is the unit's
    paths[0].rename(hostile)
    out = tmp_path / "dept.xlsx"
    books = [read_workbook(p).money_book() for p in [hostile, *paths[1:]]]
    assert rollup_money_books(books, out, name="@某区") is not None
    cells = [
        c
        for ws in openpyxl.load_workbook(out)
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value[:1] in "=@"
    ]
    assert {c.value for c in cells} >= {"=1+1", "@某区汇总"}
    assert all(c.data_type == "s" for c in cells)


def test_what_stands_below_a_summary_moves_down_whole(tmp_path: Path) -> None:
    src, out = tmp_path / "below.xlsx", tmp_path / "out.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总表"
    write_summary(ws, 1, "某县就业服务中心", [["甲", 50, 45, 0.9, 1, 1, 1, 98]], total=False)
    ws["A8"], ws["L2"] = "填表说明：本表由财务股填写", "旁注"
    ws.merge_cells("A8:J8")
    for name in ("甲", "乙", "丙"):
        write_project(wb.create_sheet(name), 1, clean_project(name))
    wb.save(src)
    assert _run("rollup", str(src), "-o", str(out), "--overwrite").exit_code == 0
    ws = openpyxl.load_workbook(out)["汇总表"]
    summary = next(s for s in read_workbook(out).summaries if s.sheet == "汇总表")
    assert [r.project_name.text for r in summary.rows] == ["甲", "乙", "丙"]
    note = next(c for row in ws.iter_rows() for c in row if c.value == "填表说明：本表由财务股填写")
    assert note.row > summary.last_row
    assert f"A{note.row}:J{note.row}" in {str(m) for m in ws.merged_cells.ranges}
    assert ws["L2"].value == "旁注"  # beside the 汇总表: not ours to clear


def test_a_missing_amount_leaves_the_total_missing_in_rollup_and_report(tmp_path: Path) -> None:
    """One project's 全年预算数 is not filled: the report's 合计 says （未填）, and the roll-up's
    合计 stays empty with a note naming the project, instead of the other project's 50."""
    src, out = tmp_path / "missing.xlsx", tmp_path / "out.xlsx"
    wb = openpyxl.Workbook()
    write_project(wb.active, 1, clean_project("甲项目"))
    wb.active.title = "甲项目"
    b = clean_project("乙项目", budget=30, executed=24)
    b["funds"]["total"][1] = None
    write_project(wb.create_sheet("乙项目"), 1, b)
    wb.save(src)
    tables = [
        blk
        for r in build_report(read_workbook(src)).reports
        for blk in r.blocks
        if isinstance(blk, Table) and blk.total_row
    ]
    assert tables and all(t.rows[-1][1:4] == ("合计", "（未填）", "69.00") for t in tables)
    assert _run("rollup", str(src), "-o", str(out)).exit_code == 0
    (summary,) = read_workbook(out).summaries
    assert summary.total.annual_budget.value is None
    assert summary.total.executed.number == Decimal(69)
    notes = _notes(out, summary.sheet)
    note = notes[summary.total.annual_budget.cell]
    assert "“乙项目”（乙项目）未填全年预算数" in note and "合计无法计算" in note
    assert summary.total.executed.cell not in notes
