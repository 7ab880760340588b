"""重新计算并检查 / 清除标记 / 汇总 on files: nothing typed changes, clear restores exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import Layout, clean_project, write_project
from tests.conftest import fixture_map, fixture_path, truth
from xlperf.checks import check_workbook
from xlperf.cli import main
from xlperf.errors import InputError
from xlperf.ops.files import clear_file, fix_file
from xlperf.ops.journal import JOURNAL_SHEET
from xlperf.ops.plan import COMPUTED_COLOR, COMPUTED_NOTE
from xlperf.ops.rollup import rollup_records
from xlperf.ops.rollup_figures import book_records
from xlperf.ops.rollup_one import rollup_one_file
from xlperf.reader import read_workbook
from xlperf.vocabulary.sheets import RESULTS_SHEET

STYLE_ATTRS = ("font", "fill", "border", "number_format", "alignment", "protection")


def _cells(path: Path) -> dict[tuple[str, str], tuple]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                style = tuple(repr(getattr(c, a)) for a in STYLE_ATTRS)
                comment = (c.comment.text, c.comment.author) if c.comment else None
                out[(ws.title, c.coordinate)] = (c.value, style, comment)
    return out


@pytest.fixture
def fixture_copy(tmp_path: Path, variant: str) -> Path:
    path = tmp_path / f"{variant}.xlsx"
    shutil.copy(fixture_path(variant), path)
    return path


def test_fix_keeps_typed_cells_and_flags_every_finding(fixture_copy: Path, tmp_path: Path) -> None:
    before = _cells(fixture_copy)
    out = tmp_path / "fixed.xlsx"
    result = fix_file(fixture_copy, out)
    expected = check_workbook(read_workbook(fixture_copy))
    assert [(f.sheet, f.cell, f.code) for f in result.findings] == [
        (f.sheet, f.cell, f.code) for f in expected
    ]
    after = openpyxl.load_workbook(out)
    # Every typed value is unchanged; only cells that were empty received a computed value.
    filled = 0
    for (sheet, cell), (value, _, _) in before.items():
        now = after[sheet][cell].value
        if value is not None:
            assert now == value, (sheet, cell)
        elif now is not None:
            filled += 1
    assert filled == result.filled > 0
    # Every finding is flagged at its cell and listed in 检查结果 with a link to it.
    for f in expected:
        cell = after[f.sheet][f.cell]
        assert cell.fill.fgColor.rgb.endswith(
            "FFC7CE" if f.severity == "error" else ("FFEB9C", "FFC7CE")
        )
        assert f.code in cell.comment.text and f.message in cell.comment.text
    results = list(after[RESULTS_SHEET].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3], r[4]) for r in results] == [(f.code, f.sheet, f.cell) for f in expected]
    links = [c.hyperlink.location for c in after[RESULTS_SHEET]["E"][1:]]
    assert links[0] == f"'{expected[0].sheet}'!{expected[0].cell}"
    assert after[JOURNAL_SHEET].sheet_state == "veryHidden"


def test_fix_twice_equals_fix_once(fixture_copy: Path, tmp_path: Path) -> None:
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    fix_file(fixture_copy, once)
    fix_file(once, twice)
    assert _cells(once) == _cells(twice)


def test_clear_restores_values_and_every_style(fixture_copy: Path, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(fixture_copy)
    first = ws.worksheets[0]
    first["H5"].fill = openpyxl.styles.PatternFill(
        fill_type="solid", fgColor="00B0F0"
    )  # a user's own fill
    first["H5"].comment = openpyxl.comments.Comment("原有批注：请核对", "会计")
    ws.save(fixture_copy)
    before = _cells(fixture_copy)
    fixed = tmp_path / "fixed.xlsx"
    fix_file(fixture_copy, fixed)
    assert "原有批注：请核对" in openpyxl.load_workbook(fixed).worksheets[0]["H5"].comment.text
    clear_file(fixed)
    cleared = openpyxl.load_workbook(fixed)
    assert RESULTS_SHEET not in cleared.sheetnames and JOURNAL_SHEET not in cleared.sheetnames
    assert _cells(fixed) == before


def test_fix_in_place_and_clear_from_the_command_line(fixture_copy: Path) -> None:
    before = _cells(fixture_copy)
    runner = CliRunner()
    result = runner.invoke(main, ["fix", str(fixture_copy), "--in-place"])
    assert result.exit_code == 0, result.output
    assert "标记单元格" in result.output
    assert RESULTS_SHEET in openpyxl.load_workbook(fixture_copy).sheetnames
    result = runner.invoke(main, ["clear", str(fixture_copy)])
    assert result.exit_code == 0, result.output
    assert _cells(fixture_copy) == before


def test_fix_fills_empty_computed_fields_and_never_formulas(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目"
    data = clean_project()
    data["funds"]["total"][4] = None  # 执行率 left empty
    data["funds"]["total"][5] = None  # 预算执行率得分 left empty
    write_project(ws, 1, data, Layout(merged=False))
    total_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    ws.cell(total_row, 7).value = None  # 总分 empty
    ws.cell(total_row, 6).value = "=SUM(F11:F16)+F5"  # 分值合计 is a formula: never touched
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    out = tmp_path / "out.xlsx"
    result = fix_file(path, out)
    done = openpyxl.load_workbook(out)["项目"]
    assert done["G5"].value == pytest.approx(0.9) and done["G5"].number_format == "0.00%"
    assert done["H5"].value == pytest.approx(9)
    assert done.cell(total_row, 7).value == pytest.approx(data["total_score"])
    assert done.cell(total_row, 6).value == "=SUM(F11:F16)+F5"
    assert result.filled == 3


def test_refuses_to_write_a_workbook_open_in_excel(fixture_copy: Path, tmp_path: Path) -> None:
    """Only the file to be written must be closed: reading one open in Excel is fine."""
    (fixture_copy.parent / f"~${fixture_copy.name}").write_bytes(b"lock")
    out = tmp_path / "out.xlsx"
    fix_file(fixture_copy, out)  # the source is open, the output is not: done
    with pytest.raises(InputError, match="正在被 Excel/WPS 打开"):
        fix_file(fixture_copy, fixture_copy)  # --in-place
    result = CliRunner().invoke(main, ["clear", str(fixture_copy)])
    assert result.exit_code == 2 and "正在被" in result.output
    result = CliRunner().invoke(main, ["fix", str(fixture_copy), "-o", str(out)])
    assert result.exit_code == 0, result.output
    (tmp_path / f"~${out.name}").write_bytes(b"lock")
    before = out.read_bytes()
    result = CliRunner().invoke(main, ["fix", str(fixture_copy), "-o", str(out)])
    assert result.exit_code == 2 and "正在被" in result.output
    assert out.read_bytes() == before


def test_failed_write_leaves_no_partial_file(
    fixture_copy: Path, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous")

    def boom(self, filename):
        Path(filename).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises(OSError):
        fix_file(fixture_copy, out)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".xlperf-")] == []


def _agrees(ours: float | None, seed: float | None, places: int) -> bool:
    return ours is not None and seed is not None and round(ours, places) == round(seed, places)


def test_rollup_reproduces_the_seed_summary_where_it_agrees_with_the_forms(
    tmp_path: Path, variant: str
) -> None:
    out = tmp_path / "dept.xlsx"
    book = read_workbook(fixture_path(variant))
    result = rollup_records(book_records(book, None), out)  # as ``xlperf rollup``
    assert result is not None and result.projects == 11
    department = read_workbook(out).summaries[-1]
    ours = {r.project_name.text: r for r in department.rows}
    sheet = openpyxl.load_workbook(out)[department.sheet]
    notes = {c.coordinate: c.comment.text for row in sheet.iter_rows() for c in row if c.comment}
    seed_department = next(f for f in fixture_map(variant)["forms"] if f["sheet"] == "汇总表5")
    forms = {
        truth(f)["project_name"]: truth(f) | {"sheet": f["sheet"]}
        for f in fixture_map(variant)["forms"]
        if f["kind"] == "project"
    }
    compared = 0
    for row in truth(seed_department)["rows"]:
        name = row["project_name"].replace("”三支一扶”", "“三支一扶”")
        form = forms[name]
        mine = ours[name]
        if row["annual_budget"] == form["funds"]["total"]["annual_budget"]:
            assert float(mine.annual_budget.number) == row["annual_budget"]
            compared += 1
        if row["score"] == form["total_score"]:  # the form's own 总分, unless the rules differ
            note = notes.get(mine.score.cell, "")
            assert float(mine.score.number) == row["score"] or (
                f"项目自评表所填总分为 {row['score']:g}（{form['sheet']}!" in note
            )
            compared += 1
        if _agrees(row["satisfaction_rate"], _level_rate(form, "满意度"), 4):
            assert _agrees(float(mine.satisfaction_rate.number), row["satisfaction_rate"], 4)
            compared += 1
    assert compared >= 25
    findings = check_workbook(read_workbook(out))
    assert [f for f in findings if f.code.startswith("XS") and f.severity == "error"] == []


def _level_rate(form: dict, prefix: str) -> float | None:
    inds = [
        i
        for i in form["indicators"]
        if not i["placeholder"] and (i["level1"] or "").startswith(prefix)
    ]
    weight = sum(i["weight"] or 0 for i in inds)
    return sum(i["score"] or 0 for i in inds) / weight if weight else None


def test_rollup_into_the_workbook_compares_a_hand_filled_summary(
    fixture_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.xlsx"
    result = rollup_one_file(fixture_copy, out, money=False).result
    assert not result.written and result.flagged  # compared; the marked copy is the output
    assert {f.code for f in result.findings} >= {"XS301"}
    marked = openpyxl.load_workbook(out)
    assert "检查结果" in marked.sheetnames
    assert all(marked[f.sheet][f.cell].comment is not None for f in result.findings)
    result = rollup_one_file(fixture_copy, out, overwrite=True, money=False).result
    assert result.written
    book = read_workbook(out)
    summary = next(s for s in book.summaries if s.sheet == "汇总表")
    assert len(summary.rows) == 4 and summary.total is not None  # the unit's own projects
    assert not [f for f in check_workbook(book) if f.code in ("XS301", "XS303")]


def test_rollup_creates_the_summary_sheet_when_missing(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    write_project(wb.active, 1, clean_project("甲"))
    write_project(wb.create_sheet("乙"), 1, clean_project("乙", budget=30, executed=24))
    path = tmp_path / "units.xlsx"
    wb.save(path)
    out = tmp_path / "with_summary.xlsx"
    result = CliRunner().invoke(main, ["rollup", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = read_workbook(out)
    rows = book.summaries[0].rows
    assert [r.project_name.text for r in rows] == ["甲", "乙"]
    assert float(rows[1].rate.number) == pytest.approx(0.8)
    assert check_workbook(book) == [] or all(f.severity == "warning" for f in check_workbook(book))


def test_rollup_across_unit_folders(tmp_path: Path) -> None:
    units = tmp_path / "units"
    for u in range(3):
        folder = units / f"单位{u}"
        folder.mkdir(parents=True)
        wb = openpyxl.Workbook()
        for p in range(2):
            ws = wb.active if p == 0 else wb.create_sheet()
            data = clean_project(f"单位{u}项目{p}", budget=10 + p, executed=9)
            data["implementer"] = f"单位{u}"
            write_project(ws, 1, data)
        wb.save(folder / "自评.xlsx")
    (units / "单位0" / "~$自评.xlsx").write_bytes(b"lock file of an open workbook")
    out = tmp_path / "部门汇总.xlsx"
    result = CliRunner().invoke(
        main, ["rollup", str(units), "-o", str(out), "--name", "某县人社局"]
    )
    assert result.exit_code == 0, result.output
    summaries = read_workbook(out).summaries
    assert [s.unit_name.text for s in summaries] == ["单位0", "单位1", "单位2", "某县人社局"]
    assert len(summaries[-1].rows) == 6
    assert float(summaries[-1].total.annual_budget.number) == pytest.approx(63)


def test_fix_fills_no_rate_from_part_rows_that_do_not_add_up(
    fixture_copy: Path, tmp_path: Path
) -> None:
    """其他普惠发展支出: the parts exceed the whole (XP104); 4554.55% is not written in H6."""
    forms = {f.sheet: f for f in read_workbook(fixture_copy).projects}
    out = tmp_path / "out.xlsx"
    result = fix_file(fixture_copy, out)
    flagged = {(f.sheet, f.code) for f in result.findings}
    after = openpyxl.load_workbook(out)
    for sheet in ("其他普惠发展支出", "其他就业补助经费支出", "创业贷款贴息经费支出"):
        assert (sheet, "XP104") in flagged
        for part in forms[sheet].funds.parts():
            if part.rate.cell and forms[sheet].funds.total.rate.cell:
                assert after[sheet][part.rate.cell].value is None, (sheet, part.rate.cell)
    filled = after["社会保险经办工作经费"][
        forms["社会保险经办工作经费"].funds.current_appropriation.rate.cell
    ]
    assert filled.value == pytest.approx(0.794)
    assert filled.fill.fgColor.rgb.endswith(COMPUTED_COLOR)
    assert (
        filled.comment.text
        == f"{COMPUTED_NOTE}当年财政拨款执行率 = 全年执行数 3.97 ÷ 全年预算数 5 = 79.4%"
    )
