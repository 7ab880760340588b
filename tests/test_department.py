"""部门整体支出绩效自评表: template, reader, scoring, checks XD401–XD409, and seed 004.

The LibreOffice tests fill the template (seed 000's structure with mistakes, and seed 004's
指标体系 with the report's own inputs), recalculate them in one soffice run, and compare the
formulas' results with the engine's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import REPO, soffice
from xlperf.checks import check_workbook
from xlperf.extract import workbook_dict
from xlperf.findings import CODES
from xlperf.reader import read_workbook
from xlperf.rules import DEFAULT_RULES
from xlperf.scoring.department import score_department
from xlperf.templates.build import OVERALL_FILE, _new_workbook, overall_workbook
from xlperf.templates.department_sheet import (
    DEPARTMENT_NAMES,
    DEPARTMENT_SHEET,
    FIG_FIRST,
    IND_FIRST,
    MONEY_FIRST,
    add_department_sheet,
    department_checks,
    figure_rows,
)
from xlperf.templates.department_structure import Item, Level1, Level2
from xlperf.templates.params_sheet import SheetSettings, add_params_sheet

DATA = REPO / "tests" / "data"
CRITERIA = {i["id"]: i for i in json.loads((DATA / "criteria_seed004.json").read_text())["items"]}
SEED = json.loads((DATA / "seed004_department.json").read_text())
MONEY_KEYS = ("total", "appropriation", "other", "basic", "project")


def _structure004() -> tuple[Level1, ...]:
    return tuple(
        Level1(
            name,
            tuple(
                Level2(
                    name2,
                    tuple(
                        Item(
                            CRITERIA[i]["indicator"],
                            Decimal(CRITERIA[i]["weight"]),
                            CRITERIA[i]["text"],
                        )
                        for i in ids
                    ),
                )
                for name2, ids in level2s
            ),
        )
        for name, level2s in SEED["structure"]
    )


def _ids004() -> list[str]:
    return [i for _, level2s in SEED["structure"] for _, ids in level2s for i in ids]


def _typed(text: str) -> Any:
    """What Excel stores when the accountant types ``text``: a percentage becomes a number."""
    if text.endswith("%") and text[:-1].replace(".", "", 1).lstrip("-").isdigit():
        return float(Decimal(text[:-1]) / 100)
    return text


def _seed004_workbook(path: Path) -> Path:
    wb = _new_workbook()
    ws = add_department_sheet(wb, DEPARTMENT_SHEET, _structure004())
    add_params_sheet(wb, DEFAULT_RULES, SheetSettings(year=SEED["year"]))
    ws["C2"] = SEED["unit_name"]
    for i, key in enumerate(MONEY_KEYS):
        for col, v in zip("CDE", SEED["money"][key], strict=True):
            if v is not None:
                ws[f"{col}{MONEY_FIRST + i}"] = float(v)
    rows = figure_rows()
    for name, pair in SEED["figures"].items():
        if name != "note":
            ws[f"D{rows[name]}"], ws[f"F{rows[name]}"] = (float(v) for v in pair)
    for r, item_id in enumerate(_ids004(), IND_FIRST):
        if item_id in SEED["inputs"]:
            ws[f"F{r}"] = _typed(SEED["inputs"][item_id])
        if ws[f"G{r}"].value is None:  # no 得分 formula: the published score is typed
            ws[f"G{r}"] = float(CRITERIA[item_id]["seed_score"])
    wb.save(path)
    return path


# Seed 000's structure filled with figures and mistakes: name -> (input, typed score or None).
MISTAKES_INPUTS = {
    "年度履职目标相关性": (None, 3),
    "工作任务科学性": (None, 3),
    "绩效指标合理性": (None, 4),  # XD401: 4 of 3
    "预算编制完整性": (None, 3),
    "专项资金细化率": (None, 3),
    "政府采购执行率": (0.95, None),  # XD405: typed 95% over the formula, data say 100%
    "决算真实性": (None, 1),
    "资金使用合规性": (None, 1),
    "管理制度健全性": (None, 1),
    "预决算信息公开性": (None, 2),
    "资产管理规范性": (None, 2),
    "绩效监控完成率": (None, 2),
    "绩效自评完成率": (None, 2),
    "部门绩效评价完成率": (None, 2),
    "评价结果应用率": (None, 2),
    "重点工作任务完成情况": (None, 10),
    "履职目标实现情况": (None, 9),
    "工作质量达标情况": (None, 10),
    "社会效益实现程度": (None, 9),
    "长效管理机制健全性": (None, 10),
    "服务对象满意度": (0.968, None),
}
# seed 000's department money (1693.24 = 690.71 + 1002.53; spent 1687.4), with 基本支出 typed
# as 690.17 (XD408) and the 三公经费/采购 figures of its narrative.
MISTAKES_MONEY = {
    "total": (1693.24, 1693.24, 1687.4),
    "basic": (None, 690.17, None),
    "project": (None, 1002.53, None),
}
MISTAKES_FIGURES = {
    "结转结余率": (5.84, None),
    "三公经费控制率": (1.46, 2.4),
    "政府采购执行率": (1.35, 1.35),
}


def _mistakes_workbook(path: Path) -> Path:
    wb = overall_workbook(DEFAULT_RULES, SheetSettings(year=2021))
    ws = wb[DEPARTMENT_SHEET]
    ws["C2"] = "新乡县人力资源和社会保障局"
    for key, values in MISTAKES_MONEY.items():
        r = MONEY_FIRST + MONEY_KEYS.index(key)
        for col, v in zip("CDE", values, strict=True):
            if v is not None:
                ws[f"{col}{r}"] = v
    rows = figure_rows()
    for name, (num, den) in MISTAKES_FIGURES.items():
        ws[f"D{rows[name]}"] = num
        if den is not None:
            ws[f"F{rows[name]}"] = den
    r = IND_FIRST
    while ws[f"C{r}"].value:
        value, score = MISTAKES_INPUTS.get(ws[f"C{r}"].value, (None, None))
        if value is not None:
            ws[f"F{r}"] = value
        if score is not None:
            ws[f"G{r}"] = score
        if ws[f"C{r}"].value == "预算调整率":
            ws[f"D{r}"] = 3  # 分值 3: the 过程 block adds up to 26 (XD403), the form to 101 (XD402)
        r += 1
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def lo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    exe = soffice()
    base = tmp_path_factory.mktemp("department")
    user = base / "profile" / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        "</oor:items>\n",
        encoding="utf-8",
    )
    src = base / "src"
    src.mkdir()
    files = [
        _seed004_workbook(src / "seed004.xlsx"),
        _mistakes_workbook(src / "mistakes.xlsx"),
    ]
    out = base / "recalc"
    cmd = [
        exe,
        f"-env:UserInstallation={(base / 'profile').as_uri()}",
        "--headless",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        *map(str, files),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    done = {f.stem: out / f.name for f in files}
    assert all(p.exists() for p in done.values()), result.stderr
    return done


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


# ------------------------------------------------------------------------------- seed 004


def test_seed004_reproduces_the_published_scores(lo: dict[str, Path]) -> None:
    book = read_workbook(lo["seed004"])
    assert not book.problems
    (form,) = book.departments
    assert form.unit_name.value == SEED["unit_name"]
    assert form.year.value == SEED["year"]
    result = score_department(form, book.rule_set())
    ids = _ids004()
    assert len(result.items) == len(ids) == 30
    recomputed = {"reproduced", "judgement"}
    for item_id, item in zip(ids, result.items, strict=True):
        seed = CRITERIA[item_id]
        assert item.indicator.name.text == seed["indicator"]
        if seed["reproduction"]["status"] in recomputed:
            assert item.score == Decimal(seed["seed_score"]), item_id
        else:
            assert item.score is None, item_id
            assert item.used == Decimal(seed["seed_score"]), item_id
    # the engine names exactly the indicators it keeps as stated: manual rules and no-input ones
    kept = [
        CRITERIA[i]["indicator"]
        for i in ids
        if CRITERIA[i]["reproduction"]["status"] not in recomputed
    ]
    assert result.kept_names() == kept
    assert {k.status for k in result.kept} == {"manual", "no-input"}
    published = SEED["published"]
    assert {s.name: s.score for s in result.level1} == {
        k: Decimal(v) for k, v in published["level1"].items()
    }
    assert {s.name: s.weight for s in result.level1} == {s.name: s.declared for s in result.level1}
    assert result.total == Decimal(published["total"]) == Decimal("88.93")
    assert result.grade == published["grade"] == "良"
    # the money-derived rates the report states, from the figures, not typed
    assert round(result.rates["预算执行率"], 4) == Decimal("0.9143")
    assert round(result.rates["预算调整率"], 4) == Decimal("0.8372")
    assert round(result.rates["政府采购执行率"], 4) == Decimal("0.8726")
    assert round(result.rates["重点支出安排率"], 4) == Decimal("0.8909")
    # the sheet's own formulas (LibreOffice) agree: 合计 and 等次 as the report publishes them
    assert form.total_score.number == Decimal("88.93")
    assert form.grade.value == "良"
    assert check_workbook(book) == []


def test_seed004_formulas_equal_the_engine(lo: dict[str, Path]) -> None:
    book = read_workbook(lo["seed004"])
    (form,) = book.departments
    result = score_department(form, book.rule_set())
    ws = openpyxl.load_workbook(lo["seed004"], data_only=True)[DEPARTMENT_SHEET]
    formulas = openpyxl.load_workbook(lo["seed004"])[DEPARTMENT_SHEET]
    compared = 0
    for item in result.items:
        cell = item.indicator.score.cell
        if str(formulas[cell].value).startswith("=") and item.score is not None:
            assert _dec(ws[cell].value) == item.score, cell
            compared += 1
    assert compared == 4  # 固定资产利用率 (linear), 政府采购管理 (bands), the two surveys
    for name, row in figure_rows().items():
        rate = result.rates[name]
        shown = ws[f"G{row}"].value
        if rate is None:
            assert shown in (None, ""), name
        else:
            assert abs(_dec(shown) - rate) < Decimal("1e-12"), name


# ------------------------------------------------------------------------------- mistakes


def test_template_with_mistakes_reports_each_check(lo: dict[str, Path]) -> None:
    book = read_workbook(lo["mistakes"])
    (form,) = book.departments
    assert form.has_money and len(form.indicators) == 25
    found = check_workbook(book)
    by_code: dict[str, list] = {}
    for f in found:
        by_code.setdefault(f.code, []).append(f)
    assert set(by_code) == {"XD401", "XD402", "XD403", "XD404", "XD405", "XD406", "XD408"}, found
    rows = {i.name.text: i.row for i in form.indicators}
    (f401,) = by_code["XD401"]
    assert (f401.cell, f401.expected, f401.actual) == (f"G{rows['绩效指标合理性']}", 3, 4)
    (f402,) = by_code["XD402"]
    assert (f402.expected, f402.actual) == (100, 101)
    assert f402.cell == form.total_weight.cell
    (f403,) = by_code["XD403"]
    assert "过程" in f403.message and (f403.expected, f403.actual) == (26, 25)
    (f405,) = by_code["XD405"]
    assert f405.cell == f"F{rows['政府采购执行率']}"
    assert (f405.expected, f405.actual) == (1, Decimal("0.95"))
    # the formula scored the typed 95% (2 − 5 × 0.2); on the data's 100% the rule gives 2
    (f406,) = by_code["XD406"]
    assert (f406.cell, f406.expected, f406.actual) == (
        f"G{rows['政府采购执行率']}",
        2,
        Decimal("1"),
    )
    # the 总分 formula adds the typed scores: XD404 asks for the sum as XD406 re-scores it
    (f404,) = by_code["XD404"]
    assert (f404.cell, f404.actual) == (form.total_score.cell, form.total_score.number)
    assert f404.expected == score_department(form, book.rule_set()).total == f404.actual + 1
    assert "按评分标准复核后" in f404.message
    figure = form.figure("结转结余率")
    assert figure is not None and figure.numerator.cell == f"D{figure_rows()['结转结余率']}"
    assert (figure.numerator.number, figure.denominator.number) == (
        Decimal("5.84"),
        Decimal("1693.24"),
    )
    (f408,) = by_code["XD408"]
    assert f408.cell == f"D{MONEY_FIRST}" and "基本支出+项目支出" in f408.message
    assert _dec(f408.expected) == Decimal("1692.70")
    assert all(f.message and f.severity == CODES[f.code][0] for f in found)


def test_template_formulas_equal_the_engine(lo: dict[str, Path]) -> None:
    book = read_workbook(lo["mistakes"])
    (form,) = book.departments
    result = score_department(form, book.rule_set())
    ws = openpyxl.load_workbook(lo["mistakes"], data_only=True)[DEPARTMENT_SHEET]
    expected = {
        "预算执行率": Decimal("2.00"),  # 1687.4 / 1693.24 = 99.66%
        "预算调整率": Decimal("3.00"),  # 调整后 = 年初: 0
        "结转结余率": Decimal("2.00"),  # 5.84 / 1693.24 = 0.34%
        "“三公经费”控制率": Decimal("2.00"),  # 1.46 / 2.4 = 60.83%
        "政府采购执行率": Decimal("1.00"),  # the typed 95%: 2 − 5 × 0.2 (formula) …
        "服务对象满意度": Decimal("9.68"),
    }
    scored = {i.indicator.name.text: i for i in result.items}
    for name, score in expected.items():
        cell = scored[name].indicator.score.cell
        assert _dec(ws[cell].value) == score, name
    # … while the engine scores 政府采购执行率 on the 100% its figures give (XD405 + XD406)
    assert scored["政府采购执行率"].score == Decimal("2.00")
    assert scored["预算执行率"].score == Decimal("2.00")
    assert scored["服务对象满意度"].score == Decimal("9.68")
    assert form.money.total.rate.number is not None
    assert abs(form.money.total.rate.number - Decimal("1687.4") / Decimal("1693.24")) < Decimal(
        "1e-12"
    )
    total = sum((i.used for i in result.items), Decimal(0))
    assert result.total == total
    assert form.total_score.number == sum(
        (i.indicator.score.number or Decimal(0) for i in result.items), Decimal(0)
    )
    assert form.grade.value == DEFAULT_RULES.grade(form.total_score.number)


def test_cli_check_reports_department_codes(lo: dict[str, Path]) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "xlperf", "check", "--format", "json", str(lo["mistakes"])],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    codes = (
        {f["code"] for f in json.loads(run.stdout)["findings"]}
        if run.stdout.startswith("{")
        else {f["code"] for f in json.loads(run.stdout)}
    )
    assert {"XD401", "XD402", "XD403", "XD405", "XD408"} <= codes


# ------------------------------------------------------------------------------- plain layout


def _plain_sheet(path: Path) -> Path:
    """A hand-made 评分表 in seed 004's column order, with the totals typed (and wrong)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "评分表"
    ws.append(["某局2021年度部门整体支出绩效评价指标体系及得分"])
    ws.append(["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "评价标准", "得分"])
    rate = "预算执行率大于或等于95%的得2分，小于或等于90%的得0分，在90%-95%之间的、在0分和2分之间按比例计算确定。"
    ws.append(["管理效率", 60, "预算管理", 30, "预算执行率", 20, rate.replace("2分", "20分"), 12])
    ws.append([None, None, None, None, "预算信息公开", 10, "按规定公开得10分，否则不得分。", 10])
    ws.append([None, None, "财务管理", 30, "财务管理规范性", 30, "酌情扣分", 25])
    ws.append(["可持续性", 40, "干部队伍", 40, "人力资源建设", 40, "酌情扣分", 35])
    ws.append([None, None, None, None, "廉政建设", None, "酌情扣分", None])
    ws.append(["合计", 100, None, None, None, 100, None, 80])
    ws.append(["等次", "优"])
    wb.save(path)
    return path


def test_plain_layout_is_read_by_labels(tmp_path: Path) -> None:
    book = read_workbook(_plain_sheet(tmp_path / "plain.xlsx"))
    (form,) = book.departments
    assert [i.name.text for i in form.indicators] == [
        "预算执行率",
        "预算信息公开",
        "财务管理规范性",
        "人力资源建设",
        "廉政建设",
    ]
    first = form.indicators[0]
    assert (first.level1.text, first.level1_weight.number, first.level1_weight.cell) == (
        "管理效率",
        60,
        "B3",
    )
    assert form.indicators[1].level2.text == "预算管理"
    assert form.indicators[1].level2_weight.number == 30
    assert first.rule.kind == "linear" and form.indicators[2].rule.kind == "manual"
    found = {(f.code, f.cell): f for f in check_workbook(book)}
    # 预算管理 declares 30 and holds 30; 管理效率 declares 60 and holds 60
    assert not [k for k in found if k[0] == "XD403"]
    assert set(code for code, _ in found) == {"XD404", "XD407", "XD409"}
    f404 = found[("XD404", "H8")]
    assert (f404.expected, f404.actual) == (82, 80)
    f407 = found[("XD407", "B9")]
    assert (f407.expected, f407.actual) == ("良", "优")
    assert "没有分值" in found[("XD409", "E7")].message
    data = workbook_dict(book)
    (dept,) = [f for f in data["forms"] if f["kind"] == "department"]
    assert dept["indicators"][0]["rule"]["kind"] == "linear"
    assert dept["indicators"][0]["weight"] == 20 and dept["total_score"] == 80


def test_figures_typed_in_a_row_and_unreadable_cells(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某局部门整体支出绩效评分表"])
    ws.append(["预算执行率", "实际支出", 94, "可支配资金", 100, "95.00%"])
    ws.append(["一级指标", "三级指标", "分值", "评分标准", "得分"])
    rate = "预算执行率大于或等于95%的得100分，小于或等于90%的得0分，在90%-95%之间的按比例计算确定。"
    ws.append(["管理效率（100分）", "预算执行率", 100, rate, "八十"])
    ws.append(["合计", None, 100, None, 80])
    wb.save(tmp_path / "f.xlsx")
    book = read_workbook(tmp_path / "f.xlsx")
    (form,) = book.departments
    (figure,) = form.figures
    assert (figure.numerator.number, figure.denominator.number) == (94, 100)
    assert figure.value.number == Decimal("0.95") and figure.value.cell == "F2"
    result = score_department(form, book.rule_set())
    assert result.items[0].score == Decimal("80.00")  # 94%: 100 × (94 − 90) ÷ (95 − 90)
    found = {(f.code, f.cell): f for f in check_workbook(book)}
    assert set(found) == {("XD405", "F2"), ("XP000", "E4")}
    assert found[("XD405", "F2")].expected == Decimal("0.94")
    assert "八十" in found[("XP000", "E4")].message


def test_rates_without_figures_come_from_the_money_block(tmp_path: Path) -> None:
    wb = _new_workbook()
    ws = add_department_sheet(wb)
    add_params_sheet(wb, DEFAULT_RULES)
    ws[f"C{MONEY_FIRST}"], ws[f"D{MONEY_FIRST}"], ws[f"E{MONEY_FIRST}"] = 100, 110, 103.4
    for r in (FIG_FIRST, FIG_FIRST + 1):  # clear the default formulas: the block is the fallback
        ws[f"D{r}"] = ws[f"F{r}"] = None
    wb.save(tmp_path / "m.xlsx")
    (form,) = read_workbook(tmp_path / "m.xlsx").departments
    result = score_department(form, DEFAULT_RULES)
    assert result.rates["预算执行率"] == Decimal("0.94")
    assert result.rates["预算调整率"] == Decimal("0.1")
    scored = {i.indicator.name.text: i.score for i in result.items}
    assert scored["预算执行率"] == Decimal("1.60")  # 94%: 2 × (94% − 90%) ÷ (95% − 90%)
    assert scored["预算调整率"] == Decimal("0.00")


# ------------------------------------------------------------------------------- template


def test_committed_template_has_department_names_and_money_sheet() -> None:
    path = REPO / "workbook_templates" / OVERALL_FILE
    wb = openpyxl.load_workbook(path)
    ws = wb[DEPARTMENT_SHEET]
    assert set(DEPARTMENT_NAMES) <= set(ws.defined_names)
    assert "收支情况" in wb.sheetnames and "参数" in wb.sheetnames
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws[f"D{IND_FIRST}"].protection.locked is False
    book = read_workbook(path)
    (form,) = book.departments
    assert [i.level1.text for i in form.indicators[:1]] == ["投入"]
    assert {i.level1.text for i in form.indicators} == {"投入", "过程", "产出", "效益"}
    assert sum((i.weight.number for i in form.indicators), Decimal(0)) == 100
    total_row = int(form.total_weight.cell[1:])
    shown = {(str(cf.sqref), r.formula[0]) for cf in ws.conditional_formatting for r in cf.rules}
    assert shown == {
        (sqref, formula)
        for _, sqref, formula in department_checks(form.indicators[-1].row, total_row)
    }
    # 得分 formulas exactly where the 评分标准 is linear, banded, survey or a per-unit deduction
    with_formula = {
        i.name.text for i in form.indicators if str(ws[i.score.cell].value).startswith("=")
    }
    assert with_formula == {
        "预算执行率",
        "预算调整率",
        "结转结余率",
        "“三公经费”控制率",
        "政府采购执行率",
        "服务对象满意度",
    }
