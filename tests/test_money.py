"""收支情况 money tables (seed 002 §二): reading, checks XD411–XD414, roll-up and the template.

The seed's four tables are transcribed in ``tests/data/seed002_money.json`` (blank cells as
null) and laid out here as the seed prints them. The seed's own 汇总 row and 合计 columns were
checked by hand against the unit rows; the cells where they disagree are asserted below.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from tests.conftest import REPO, soffice
from xlperf.checks import check_workbook
from xlperf.checks.money import check_money
from xlperf.forms.money import MoneyBook, MoneyTable
from xlperf.ops.money_rollup import rollup_money_books
from xlperf.ops.rollup_one import rollup_one_file
from xlperf.reader import read_workbook
from xlperf.reader.loader import load_grids
from xlperf.reader.money import read_money_grids
from xlperf.rules import DEFAULT_RULES
from xlperf.templates.money_sheet import MONEY_NAMES, add_money_sheet, layouts
from xlperf.vocabulary.money import TABLES

SEED = json.loads((REPO / "tests" / "data" / "seed002_money.json").read_text(encoding="utf-8"))
UNITS = ["局机关", "信息中心", "人服中心", "监察大队", "就业中心", "工伤", "社保", "仲裁院"]
SHEET = "收支情况"


def dec(x: str | None) -> Decimal:
    return Decimal(x) if x is not None else Decimal(0)


# --- the seed's layout -------------------------------------------------------------------


def seed_workbook(
    *,
    total_last: bool = False,
    numbered: bool = True,
    merged: bool = True,
    text_numbers: bool = False,
    at: tuple[int, int] = (1, 1),
) -> Workbook:
    """Seed 002 §二 as its tables print: a title over the first two, header rows with 其中 and
    merged cells, the 汇总 row first, blank cells where the seed has none."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    r, c0 = at
    ws.cell(r, c0, "二、部门（单位）收支情况")
    r += 1
    for spec in TABLES:
        table = SEED["tables"][spec.kind]
        if table["title"]:
            ws.cell(r, c0, table["title"])
            r += 1
        for i, line in enumerate(table["header_rows"]):
            for j, text in enumerate(line):
                if text is not None:
                    ws.cell(r + i, c0 + j, text)
        if merged:
            for a, b, y, z in table["merges"]:
                ws.merge_cells(
                    start_row=r + a, start_column=c0 + b, end_row=r + y, end_column=c0 + z
                )
        r += len(table["header_rows"])
        labels = SEED["units"] if numbered else UNITS
        rows = list(zip(labels, table["units"], strict=True))
        total = (SEED["total_label"], table["total"])
        for label, values in [*rows, total] if total_last else [total, *rows]:
            ws.cell(r, c0, label)
            for j, value in enumerate(values, 1):
                if value is not None:
                    ws.cell(r, c0 + j, f"{value}万元" if text_numbers else float(value))
            r += 1
    return wb


def save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def read(wb: Workbook, tmp_path: Path, name: str = "seed.xlsx") -> MoneyBook:
    path = save(wb, tmp_path / name)
    return read_money_grids(load_grids(path), str(path))


def figures(table: MoneyTable) -> dict[str, list[Decimal]]:
    keys = SEED["tables"][table.kind]["columns"]
    out = {u.unit: [u.amount(k) for k in keys] for u in table.units}
    assert table.total is not None
    out["汇总"] = [table.total.amount(k) for k in keys]
    return out


def seed_figures(kind: str) -> dict[str, list[Decimal]]:
    table = SEED["tables"][kind]
    out = {u: [dec(v) for v in row] for u, row in zip(UNITS, table["units"], strict=True)}
    out["汇总"] = [dec(v) for v in table["total"]]
    return out


# --- reading -------------------------------------------------------------------------------


def test_reads_the_seed_layout(tmp_path: Path) -> None:
    book = read(seed_workbook(), tmp_path)
    assert [t.kind for t in book.tables] == ["income", "expense", "three_public", "assets"]
    assert book.problems == []
    for table in book.tables:
        assert [u.unit for u in table.units] == UNITS
        assert list(table.columns) == SEED["tables"][table.kind]["columns"]
        assert figures(table) == seed_figures(table.kind)
    income, expense = book.tables[0], book.tables[1]
    assert income.total is not None and income.total.values["total"].cell == "B5"
    assert income.units[0].values["total"].cell == "B6"
    assert expense.header_row == 15 and expense.columns["personnel"] == 3  # D: under 其中/基本支出
    assert expense.units[-1].label.text == "8、仲裁院"


@pytest.mark.parametrize(
    "variant",
    [
        {"total_last": True},
        {"numbered": False},
        {"merged": False},
        {"text_numbers": True},
        {"at": (4, 3)},
    ],
    ids=["total-last", "unnumbered", "unmerged", "text-numbers", "moved"],
)
def test_reads_layout_variants(tmp_path: Path, variant: dict[str, Any]) -> None:
    book = read(seed_workbook(**variant), tmp_path)
    assert [t.kind for t in book.tables] == ["income", "expense", "three_public", "assets"]
    assert book.problems == []
    for table in book.tables:
        assert figures(table) == seed_figures(table.kind)


def test_blank_is_zero_and_text_is_reported(tmp_path: Path) -> None:
    wb = seed_workbook()
    wb[SHEET]["C12"] = "见附表"  # 社保 上年结转: text, not a number
    book = read(wb, tmp_path)
    assert [(p.sheet, p.cell) for p in book.problems] == [(SHEET, "C12")]
    assert "年度收入情况·社保·上年结转（万元）" in book.problems[0].message
    social = book.tables[0].units[6]
    assert social.values["carryover"].value is None and social.amount("carryover") == 0
    assert social.amount("fund") == 0 and not social.values["fund"].typed  # blank in the seed
    found = check_money(book, DEFAULT_RULES)
    assert ("XP000", "C12") in {(f.code, f.cell) for f in found}


# --- checks --------------------------------------------------------------------------------

# Worked out by hand from the seed (see the module docstring of money_checks):
#   收入 汇总 收入合计 3485.75, the units add up to 3485.76;
#   局机关 收入合计 1115.55 but 118.68 + 914.49 + 82.37 = 1115.54;
#   支出 汇总 支出合计 3434.96 but 基本 2732.45 + 项目 683.11 = 3415.56;
#   支出 汇总 基本支出 2732.45 but 人员 2310.87 + 公用 421.48 = 2732.35;
#   局机关 支出合计 1096.25 but 981.95 + 95 = 1076.95 (the gap is its 当年结余 19.3);
#   人服中心 基本支出 148.2 but 131.8 + 16.3 = 148.1;
#   社保 支出合计 665.58 but 573.48 + 92 = 665.48;
#   汇总 当年结余 50.8 but 3485.75 − 3434.96 = 50.79 (every unit's 结余 = 收入 − 支出 exactly).
SEED_FINDINGS = {
    ("XD411", "B5", Decimal("3485.76"), Decimal("3485.75")),
    ("XD412", "B6", Decimal("1115.54"), Decimal("1115.55")),
    ("XD412", "B18", Decimal("3415.56"), Decimal("3434.96")),
    ("XD412", "C18", Decimal("2732.35"), Decimal("2732.45")),
    ("XD412", "B19", Decimal("1076.95"), Decimal("1096.25")),
    ("XD412", "C21", Decimal("148.1"), Decimal("148.2")),
    ("XD412", "B25", Decimal("665.48"), Decimal("665.58")),
    ("XD413", "G18", Decimal("50.79"), Decimal("50.8")),
}


def test_seed_checks_name_the_cells_where_the_seed_disagrees(tmp_path: Path) -> None:
    found = check_money(read(seed_workbook(), tmp_path), DEFAULT_RULES)
    assert {(f.code, f.cell, f.expected, f.actual) for f in found} == SEED_FINDINGS
    assert all(f.sheet == SHEET for f in found)
    xd411 = next(f for f in found if f.code == "XD411")
    assert xd411.severity == "error"
    assert "收入合计" in xd411.message and "3485.75" in xd411.message
    assert "3485.76" in xd411.message
    assert next(f for f in found if f.code == "XD413").severity == "warning"


def test_seed_checks_total_last(tmp_path: Path) -> None:
    """The same disagreements, the 汇总 row now below the units (one row lower for units)."""
    found = check_money(read(seed_workbook(total_last=True), tmp_path), DEFAULT_RULES)
    cells = {(f.code, f.cell) for f in found}
    assert ("XD411", "B13") in cells and ("XD412", "B5") in cells
    assert len(found) == len(SEED_FINDINGS)


def test_missing_unit_and_untyped_total(tmp_path: Path) -> None:
    wb = seed_workbook()
    ws = wb[SHEET]
    ws["A37"] = "9、新单位"  # 三公经费: 8、仲裁院 renamed
    ws["B29"] = None  # 三公经费 汇总 合计 left blank
    found = check_money(read(wb, tmp_path), DEFAULT_RULES)
    by_code = {(f.code, f.cell): f for f in found}
    assert "未填写" in by_code[("XD411", "B29")].message
    assert by_code[("XD411", "B29")].expected == Decimal("18.11")
    listed = [f for f in found if f.code == "XD414"]
    assert {f.cell for f in listed} == {"A5", "A18", "A29", "A40"}
    assert "仲裁院" in by_code[("XD414", "A29")].message


def test_check_workbook_runs_money_checks(tmp_path: Path) -> None:
    path = save(seed_workbook(), tmp_path / "seed.xlsx")
    book = read_workbook(path, require_forms=False)
    found = [f for f in check_workbook(book) if f.code.startswith("XD41")]
    assert {(f.code, f.cell) for f in found} == {(c, cell) for c, cell, _, _ in SEED_FINDINGS}


# --- roll-up -------------------------------------------------------------------------------


def test_rollup_reproduces_the_seed_total_row_but_one_cell(tmp_path: Path) -> None:
    book = read(seed_workbook(), tmp_path)
    for table in book.tables:
        sums = table.unit_sums()
        keys = SEED["tables"][table.kind]["columns"]
        seed = dict(zip(keys, seed_figures(table.kind)["汇总"], strict=True))
        differ = {k: (sums[k], seed[k]) for k in sums if sums[k] != seed[k]}
        if table.kind == "income":
            assert differ == {"total": (Decimal("3485.76"), Decimal("3485.75"))}
        else:
            assert differ == {}, table.kind
    expense = book.tables[1].unit_sums()
    assert expense["total"] == Decimal("3434.96") and expense["balance"] == Decimal("50.8")


def test_rollup_workbook_compares_then_overwrites(tmp_path: Path) -> None:
    src = save(seed_workbook(), tmp_path / "seed.xlsx")
    out = tmp_path / "out.xlsx"
    result = rollup_one_file(src, out, projects=False).money
    assert result is not None and not result.written and not out.exists()
    assert [(f.code, f.cell, f.expected) for f in result.findings] == [
        ("XD411", "B5", Decimal("3485.76"))
    ]
    result = rollup_one_file(src, out, overwrite=True, projects=False).money
    assert result is not None and result.written and result.units == 8
    before, after = load_workbook(src)[SHEET], load_workbook(out)[SHEET]
    changed = {
        c.coordinate
        for row in after.iter_rows()
        for c in row
        if c.value != before[c.coordinate].value
    }
    assert changed == {"B5"} and after["B5"].value == pytest.approx(3485.76)
    found = check_money(read_workbook(out).money_book(), DEFAULT_RULES)
    assert not [f for f in found if f.code == "XD411"]


def unit_files(tmp_path: Path) -> list[Path]:
    """One workbook per unit: its four tables, each with the unit's single 汇总 row."""
    paths = []
    for i, unit in enumerate(UNITS):
        wb = Workbook()
        ws = wb.active
        ws.title = "本单位收支"
        r = 1
        for spec in TABLES:
            table = SEED["tables"][spec.kind]
            for j, text in enumerate(["单位名称", *(c.label for c in spec.columns)], 1):
                ws.cell(r, j, text)  # one flat header row
            for j, value in enumerate(table["units"][i], 2):
                if value is not None:
                    ws.cell(r + 1, j, float(value))
            ws.cell(r + 1, 1, "合计")
            r += 3
        paths.append(save(wb, tmp_path / f"{unit}.xlsx"))
    return paths


def test_rollup_of_units_files(tmp_path: Path) -> None:
    out = tmp_path / "dept.xlsx"
    books = [read_workbook(p).money_book() for p in unit_files(tmp_path)]
    result = rollup_money_books(books, out, name="某区人社局")
    assert result is not None and result.written and (result.tables, result.units) == (4, 8)
    book = read_workbook(out).money_book()
    assert [t.kind for t in book.tables] == ["income", "expense", "three_public", "assets"]
    for table in book.tables:
        assert [u.unit for u in table.units] == UNITS
        assert table.total is not None and table.total.label.text == "某区人社局汇总"
        got = figures(table)
        seed = seed_figures(table.kind)
        assert {u: got[u] for u in UNITS} == {u: seed[u] for u in UNITS}
        assert got["汇总"] == [
            sum(col, Decimal(0)) for col in zip(*(seed[u] for u in UNITS), strict=True)
        ]
    found = check_money(book, DEFAULT_RULES)
    assert not [f for f in found if f.code in ("XD411", "XD413", "XD414")]
    # the units' own inconsistencies travel with their figures
    assert {(f.code, f.expected) for f in found if f.code == "XD412"} >= {
        ("XD412", Decimal("1115.54")),
        ("XD412", Decimal("148.1")),
    }


def test_cli_rollup_money_only_workbook(tmp_path: Path) -> None:
    src = save(seed_workbook(), tmp_path / "seed.xlsx")
    out = tmp_path / "out.xlsx"
    cmd = [sys.executable, "-m", "xlperf", "rollup", str(src), "-o", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 1, run.stderr
    assert "XD411" in run.stdout and "B5" in run.stdout and not out.exists()
    run = subprocess.run([*cmd, "--overwrite"], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert "收支情况汇总 4 张表、8 个单位（覆盖人工填写的汇总数 1 处）" in run.stdout
    assert load_workbook(out)[SHEET]["B5"].value == pytest.approx(3485.76)


def test_fix_flags_the_money_cells_and_clear_restores_them(tmp_path: Path) -> None:
    from xlperf.ops.files import clear_file, fix_file

    src = save(seed_workbook(), tmp_path / "seed.xlsx")
    fixed, cleared = tmp_path / "fixed.xlsx", tmp_path / "cleared.xlsx"
    result = fix_file(src, fixed)
    codes = sorted((f.code, f.cell) for f in result.findings)
    assert codes == sorted((f.code, f.cell) for f in check_workbook(read_workbook(src)))
    assert ("XD411", "B5") in codes and result.flagged == len(codes) == 8
    ws = load_workbook(fixed)[SHEET]
    assert ws["B5"].comment is not None and "XD411" in ws["B5"].comment.text
    assert clear_file(fixed, cleared) == 8
    before, after = load_workbook(src)[SHEET], load_workbook(cleared)[SHEET]
    for row in before.iter_rows():
        for c in row:
            other = after[c.coordinate]
            assert (c.value, repr(c.fill), c.comment) == (
                other.value,
                repr(other.fill),
                other.comment,
            )


def test_cli_rollup_folder_of_units(tmp_path: Path) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    unit_files(folder)
    out = tmp_path / "dept.xlsx"
    cmd = [sys.executable, "-m", "xlperf", "rollup", str(folder), "-o", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert "未找到" not in run.stderr  # money-only units' files are not reported as failures
    income = read_workbook(out).money[0]
    assert income.total is not None and income.total.amount("total") == Decimal("3485.76")


# --- template ------------------------------------------------------------------------------


def test_template_sheet_structure() -> None:
    wb = Workbook()
    wb.remove(wb.active)
    ws = add_money_sheet(wb, units=3)
    assert ws.title == SHEET and set(ws.defined_names) == set(MONEY_NAMES)
    at = layouts(3)
    expense = at["expense"]
    assert ws.defined_names["xm_expense_total"].attr_text == (
        f"'收支情况'!$A${expense.total_row}:$H${expense.total_row}"
    )
    first, last = expense.first_unit_row, expense.last_unit_row
    assert (
        ws[f"B{expense.total_row}"].value
        == f'=IF(COUNT(B{first}:B{last})=0,"",SUM(B{first}:B{last}))'
    )
    assert ws[f"B{first}"].value == f'=IF(COUNT(C{first},F{first})=0,"",SUM(C{first},F{first}))'
    assert ws[f"C{first}"].value == f'=IF(COUNT(D{first},E{first})=0,"",SUM(D{first},E{first}))'
    assert ws[f"D{first}"].protection.locked is False and ws[f"B{first}"].protection.locked
    assert ws[f"D{first}"].number_format == "0.00"

    def validation(ref: str) -> tuple[str | None, str | None]:
        dv = next(v for v in ws.data_validations.dataValidation if ref in v.sqref)
        return dv.operator, dv.formula1

    assert validation(f"D{first}") == ("greaterThanOrEqual", "0")  # 人员支出 ≥ 0
    assert validation(f"G{first}")[0] == "between"  # 当年结余 may be negative
    assert not [v for v in ws.data_validations.dataValidation if f"B{first}" in v.sqref]
    assert ws.page_setup.orientation == "landscape" and ws.protection.sheet
    # the blank template reads as four tables with a 汇总 row and no units
    book = read_money_grids(load_grids(_saved(wb)), "blank")
    assert [(t.kind, len(t.units), t.total is not None) for t in book.tables] == [
        (spec.kind, 0, True) for spec in TABLES
    ]


def _saved(wb: Workbook) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "t.xlsx"
    wb.save(path)
    return path


def filled_template(tmp_path: Path) -> Path:
    """The template with seed 002's unit figures typed into its input cells (合计 by formula)."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = add_money_sheet(wb, units=8)
    for spec in TABLES:
        at = layouts(8)[spec.kind]
        table = SEED["tables"][spec.kind]
        sums = dict(spec.identities)
        for i, (label, values) in enumerate(zip(SEED["units"], table["units"], strict=True)):
            r = at.first_unit_row + i
            ws[f"A{r}"] = label
            for key, value in zip(table["columns"], values, strict=True):
                if key not in sums and value is not None:
                    ws[f"{at.columns[key]}{r}"] = float(value)
    return save(wb, tmp_path / "filled.xlsx")


def test_template_recalculated_in_libreoffice(tmp_path: Path) -> None:
    exe = soffice()
    src = filled_template(tmp_path)
    outdir = tmp_path / "recalc"
    profile = (tmp_path / "profile").as_uri()
    cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx"]
    run = subprocess.run(
        [*cmd, "--outdir", str(outdir), str(src)], capture_output=True, text=True, timeout=300
    )
    recalc = outdir / "filled.xlsx"
    assert recalc.exists(), run.stderr
    forms = read_workbook(recalc)
    assert forms.problems == []
    book = forms.money_book()
    assert [t.kind for t in book.tables] == ["income", "expense", "three_public", "assets"]
    for table in book.tables:
        assert [u.unit for u in table.units] == UNITS
        assert table.total is not None
        engine = table.unit_sums()
        assert {k: table.total.amount(k) for k in table.columns} == engine
    income, expense = book.tables[0], book.tables[1]
    # 合计 by formula: the parts, not the seed's typed 1115.55 / 1096.25
    assert income.units[0].amount("total") == Decimal("1115.54")
    assert expense.units[0].amount("total") == Decimal("1076.95")
    assert income.total.amount("total") == Decimal("3485.75")  # 305.98 + 2815.23 + 364.54
    assert expense.total.amount("basic") == Decimal("2732.35")
    found = check_money(book, DEFAULT_RULES)
    assert not [f for f in found if f.code in ("XD411", "XD412")]
    # 合计 by formula, the typed 当年结余 no longer equals 收入 − 支出 where the seed's typed 合计
    # differed from its parts: 局机关 (38.59 ≠ 19.3), 人服中心 (27.9 ≠ 27.8), 社保 (0.1 ≠ 0), 汇总
    balance = [expense.units[i].values["balance"].cell for i in (0, 2, 6)]
    expected = {*balance, expense.total.values["balance"].cell}
    assert {f.cell for f in found} == expected and {f.code for f in found} == {"XD413"}
    local = next(f for f in found if f.cell == balance[0])
    assert local.expected == Decimal("38.59")


def test_template_column_letters_match_reader() -> None:
    for spec in TABLES:
        at = layouts()[spec.kind]
        assert list(at.columns) == [c.key for c in spec.columns]
        assert at.columns["total"] == "B"
        assert at.last_column == get_column_letter(len(spec.columns) + 1)
