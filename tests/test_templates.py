"""The template workbooks: committed = generated, formulas = the engine (by LibreOffice), one page per form.

The LibreOffice tests fill the templates with sample data full of mistakes, let LibreOffice
recalculate them (two soffice calls for the whole module: to .xlsx and to .pdf), and compare every
formula result and every conditional format with what the Python engine computes and reports.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import range_boundaries

from tests.conftest import FIXTURES, REPO, fixture_path, soffice
from tests.template_fill import fill_project, fill_summary, link_summary, set_year
from tests.test_department import _mistakes_workbook, _seed004_workbook, _structure004
from xlperf.checks import check_workbook
from xlperf.forms.base import Val
from xlperf.forms.project import FUND_ROWS, ProjectForm
from xlperf.forms.workbook import WorkbookForms
from xlperf.reader import read_workbook
from xlperf.reader.grid import grid_from_openpyxl
from xlperf.reader.loader import load_grids
from xlperf.reader.rules_sheet import RulesSheetError, read_rules_sheet, rules_for
from xlperf.rules import DEFAULT_RULES, GradeBand, RateTier, RuleSet
from xlperf.scoring.project import ZERO, execution_rate, level_rate, weight_sum
from xlperf.templates import build_templates
from xlperf.templates.build import (
    DEPARTMENT_FILE,
    OVERALL_FILE,
    PROJECT_FILE,
    PROJECT_SHEET,
    SUMMARY_FILE,
    SUMMARY_SHEET,
    TEMPLATES,
    _new_workbook,
    department_workbook,
    project_workbook,
    save_reproducibly,
    summary_workbook,
)
from xlperf.templates.department_sheet import (
    CONTINUED,
    DEPARTMENT_SHEET,
    IND_FIRST,
    IND_HEADER,
    add_department_sheet,
)
from xlperf.templates.department_structure import SEED000_STRUCTURE, Level1
from xlperf.templates.money_sheet import add_money_sheet
from xlperf.templates.names import PROJECT_NAMES, SUMMARY_NAMES
from xlperf.templates.params_sheet import HINT, add_params_sheet
from xlperf.templates.project_sheet import CheckFormat, project_layout
from xlperf.templates.project_sheet import check_formats as project_checks
from xlperf.templates.summary_sheet import check_formats as summary_checks
from xlperf.values import fold
from xlperf.vocabulary.params import NAMES as RULE_NAMES
from xlperf.vocabulary.words import split_declared_weight

COMMITTED = REPO / "workbook_templates"
PROBE_COLUMN = 40  # AN: far right of every sheet

# ---------------------------------------------------------------------------------------------
# Sample data (the `xlperf extract` shape), with mistakes


def _ind(
    level1: str,
    level2: str,
    name: str,
    target: Any,
    actual: Any,
    weight: Any,
    score: Any,
    note: Any = None,
) -> dict:
    return {
        "level1": level1,
        "level2": level2,
        "name": name,
        "target": target,
        "actual": actual,
        "weight": weight,
        "score": score,
        "note": note,
    }


def _funds(total: list, parts: list[list]) -> dict:
    cols = ("initial_budget", "annual_budget", "executed")
    rows = {"total": dict(zip(cols, total, strict=True))}
    for name, values in zip(FUND_ROWS[1:], parts, strict=True):
        rows[name] = dict(zip(cols, values, strict=True))
    return rows


# 执行数 > 预算数 (XP103); parts ≠ whole in every column (XP104); a score above its weight (XP201);
# weights 95 (XP202); 效益 holds 25 of its declared 30 (XP203); an indicator without 完成值 (XP206);
# a deduction without reason (XP207).
PROJECT_A = {
    "project_name": "就业技能培训补贴",
    "department": "某县人力资源和社会保障局",
    "implementer": "某县就业服务中心",
    "funds": _funds([50, 50, 55.5], [[30, 30, 35.5], [10, 10, 10], [None, None, None]]),
    "goal_expected": "完成年度职业技能培训任务，提升劳动者就业能力。",
    "goal_actual": "完成培训 120 人，就业能力明显提升。",
    "indicators": [
        _ind("产出指标", "数量指标", "指标1：培训人数", "≥100人", "120人", 20, 22),
        _ind(
            "产出指标",
            "数量指标",
            "指标2：培训批次",
            "4期",
            "3期",
            10,
            7.5,
            "一期培训因场地原因推迟至次年",
        ),
        _ind("产出指标", "质量指标", "指标1：培训合格率", "≥95%", "90%", 10, 9.47),
        _ind("产出指标", "时效指标", "指标1：完成时间", "12月31日前", "12月20日前", 5, 5),
        _ind("产出指标", "成本指标", "指标1：人均培训成本", "≤500元/人", "450元/人", 5, 5),
        _ind(
            "效益指标",
            "社会效益指标",
            "指标1：学员就业能力",
            "提高",
            "提高",
            20,
            18,
            "个别学员就业不稳定，加强跟踪服务",
        ),
        _ind("效益指标", "可持续影响指标", "指标1：培训长效机制", "建立", None, 5, 5),
        _ind("满意度指标", "服务对象满意度指标", "指标1：学员满意度", "≥90%", "95%", 10, 10),
    ],
}

# Clean, with long text: 3.97 ÷ 5 = 79.4%.
PROJECT_B = {
    "project_name": "城乡居民基本养老保险经办服务工作经费（含信息系统运行维护及宣传培训）",
    "department": "某县人力资源和社会保障局",
    "implementer": "某县农村社会养老保险管理中心",
    "funds": _funds([5, 5, 3.97], [[5, 5, 3.97], [None, None, None], [None, None, None]]),
    "goal_expected": "保障城乡居民基本养老保险经办工作正常运转，按时足额发放养老金，提高参保缴费率，"
    "做好政策宣传和信息系统运行维护，提升经办服务水平和群众满意度。",
    "goal_actual": "经办工作正常运转，养老金按时足额发放，参保缴费率较上年提高 2 个百分点。",
    "indicators": [
        _ind(
            "产出指标",
            "数量指标",
            "指标1：城乡居民养老保险参保人数（含新增参保及续保人员）",
            "≥8.5万人",
            "8.7万人",
            10,
            10,
        ),
        _ind("产出指标", "数量指标", "指标2：宣传活动场次", "≥12场", "12场", 10, 10),
        _ind("产出指标", "质量指标", "指标1：养老金足额发放率", "100%", "100%", 10, 10),
        _ind("产出指标", "时效指标", "指标1：养老金按月发放及时率", "100%", "100%", 10, 10),
        _ind("产出指标", "成本指标", "指标1：办公耗材支出", "<10 万元", "7.14 万元", 10, 10),
        _ind(
            "效益指标",
            "社会效益指标",
            "指标1：参保缴费率",
            "较上年提高",
            "提高2个百分点",
            20,
            18,
            "部分外出务工人员未能按时缴费，下年度加强宣传和上门服务，推广线上缴费渠道",
        ),
        _ind("效益指标", "可持续影响指标", "指标1：经办服务长效机制", "健全", "健全", 10, 10),
        _ind("满意度指标", "服务对象满意度指标", "指标1：参保群众满意度", "≥95%", "96.5%", 10, 10),
    ],
}

# 17 ÷ 20 = 85%: 60% of the 执行率 分值 under the tiered rule below.
PROJECT_C = {
    "project_name": "劳动保障监察执法经费",
    "department": "某县人力资源和社会保障局",
    "implementer": "某县劳动保障监察大队",
    "funds": _funds([20, 20, 17], [[20, 20, 17], [None, None, None], [None, None, None]]),
    "goal_expected": "开展劳动保障监察执法。",
    "goal_actual": "完成年度执法检查。",
    "indicators": [
        _ind("产出指标", "数量指标", "指标1：检查用人单位数", "≥300户", "320户", 50, 50),
        _ind(
            "效益指标",
            "社会效益指标",
            "指标1：欠薪案件结案率",
            "≥95%",
            "92%",
            30,
            29.05,
            "个别案件进入诉讼程序",
        ),
        _ind("满意度指标", "服务对象满意度指标", "指标1：劳动者满意度", "≥90%", "93%", 10, 10),
    ],
}

# The department workbook's 参数: 执行率 by tiers, 良 from 75.
TIERED = RuleSet(
    name="某省项目支出绩效自评规则",
    rate_scoring="tiers",
    rate_tiers=[
        RateTier(min_rate=Decimal("0.95"), fraction=Decimal(1)),
        RateTier(min_rate=Decimal("0.8"), fraction=Decimal("0.6")),
    ],
    grade_bands=[
        GradeBand(grade="优", min_score=Decimal(90)),
        GradeBand(grade="良", min_score=Decimal(75)),
        GradeBand(grade="中", min_score=Decimal(60)),
        GradeBand(grade="差", min_score=Decimal(0)),
    ],
)

# A typed 汇总表: 执行数 > 预算数 on row 1 (highlighted), and a 合计 typed over its formula (XS303).
SUMMARY = {
    "unit_name": "某县人力资源和社会保障局",
    "date": "2025年3月1日",
    "rows": [
        {
            "project_name": "就业技能培训补贴",
            "annual_budget": 50,
            "executed": 55.5,
            "output_rate": 0.9794,
            "benefit_rate": 0.92,
            "satisfaction_rate": 1,
            "score": 94.97,
        },
        {
            "project_name": "城乡居民基本养老保险经办服务工作经费",
            "annual_budget": 5,
            "executed": 3.97,
            "output_rate": 1,
            "benefit_rate": 0.9333,
            "satisfaction_rate": 1,
            "score": 95.94,
        },
        {
            "project_name": "劳动保障监察执法经费",
            "annual_budget": 20,
            "executed": 17,
            "output_rate": 1,
            "benefit_rate": 0.9683,
            "satisfaction_rate": 1,
            "score": 95.05,
            "reason": "个别案件进入诉讼程序",
        },
    ],
}
SUMMARY_TYPED_TOTAL = ("C5", 74)

# Rows inserted into a filled form (0-based positions, bottom first): above 总分 (row 30), above
# the first 效益指标 row (20), and inside 数量指标 (13). Afterwards they are rows 32, 21 and 13.
INSERTED = (
    [29, 19, 12],
    {
        "D13": "new-count",
        "E13": ">=5",
        "F13": "6",
        "G13": 5,
        "H13": 5,
        "D21": "new-cost",
        "E21": "<=10",
        "F21": "8",
        "G21": 5,
        "H21": 5,
        "D32": "new-satisfaction",
        "E32": ">=90",
        "F32": "92",
        "G32": 5,
        "H32": 4,
        "I32": "note",
    },
)

# Seed 000 forms for the comparison with the fixture workbook.
SEED_FORMS = ("p01", "p02")


def _truth(name: str) -> dict:
    return json.loads((FIXTURES / "truth" / "000" / f"{name}.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Committed templates


def _digest(path: Path) -> dict[str, Any]:
    """Everything of a workbook an accountant or a formula could notice, as comparable data."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, Any] = {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
        "props": (
            wb.properties.creator,
            wb.properties.created,
            wb.properties.modified,
            wb.properties.title,
        ),
    }
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                f, a, b = c.font, c.alignment, c.border
                cells[c.coordinate] = (
                    c.value,
                    c.number_format,
                    (f.name, f.sz, f.b, f.color.rgb if f.color else None),
                    c.fill.fgColor.rgb if c.fill and c.fill.fill_type else None,
                    tuple(
                        getattr(getattr(b, s), "style", None)
                        for s in ("left", "right", "top", "bottom")
                    ),
                    (a.horizontal, a.vertical, a.wrap_text, a.indent),
                    c.protection.locked,
                    c.comment.text if c.comment else None,
                )
        ps = ws.page_setup
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "widths": sorted((k, v.width) for k, v in ws.column_dimensions.items()),
            "heights": sorted((k, v.height) for k, v in ws.row_dimensions.items() if v.height),
            "view": (ws.freeze_panes, ws.sheet_view.showGridLines),
            "page": (
                ps.orientation,
                ps.paperSize,
                ps.fitToWidth,
                ps.fitToHeight,
                ws.sheet_properties.pageSetUpPr.fitToPage,
                ws.print_area,
                ws.print_title_rows,
                ps.scale,
                tuple(b.id for b in ws.row_breaks.brk),
                ws.oddFooter.center.text,
                tuple(getattr(ws.page_margins, m) for m in ("left", "right", "top", "bottom")),
            ),
            "protection": (ws.protection.sheet, ws.protection.password, ws.protection.insertRows),
            "names": sorted((n, d.attr_text) for n, d in ws.defined_names.items()),
            "validations": sorted(
                (
                    str(dv.sqref),
                    dv.type,
                    dv.operator,
                    dv.formula1,
                    dv.formula2,
                    dv.error,
                    dv.allow_blank,
                )
                for dv in ws.data_validations.dataValidation
            ),
            "conditional": sorted(
                (
                    str(cf.sqref),
                    r.type,
                    tuple(r.formula),
                    r.dxf.fill.fgColor.rgb if r.dxf and r.dxf.fill else None,
                )
                for cf in ws.conditional_formatting
                for r in cf.rules
            ),
        }
    return out


def score_sum(form: ProjectForm) -> Decimal:
    """预算执行率得分 plus every indicator's 得分, as the form states them (what the template's
    总分 formula adds)."""
    scores = (i.score.number or ZERO for i in form.scored_indicators())
    return (form.funds.total.score.number or ZERO) + sum(scores, ZERO)


def test_committed_templates_are_what_the_code_generates(tmp_path: Path) -> None:
    built = build_templates(tmp_path)
    assert sorted(p.name for p in built) == sorted(TEMPLATES)
    for path in built:
        committed = COMMITTED / path.name
        assert committed.exists(), (
            f"{committed} 缺失：运行 xlperf template build workbook_templates"
        )
        assert _digest(committed) == _digest(path), (
            f"{committed.name} 与生成结果不同：请重新生成并提交"
        )


def test_build_is_reproducible_byte_for_byte(tmp_path: Path) -> None:
    first = build_templates(tmp_path / "a")
    second = build_templates(tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_every_region_has_a_defined_name() -> None:
    wb = department_workbook()
    assert set(RULE_NAMES) <= set(wb.defined_names)
    assert set(PROJECT_NAMES) <= set(wb["项目1"].defined_names)
    assert set(SUMMARY_NAMES) <= set(wb[SUMMARY_SHEET].defined_names)
    assert set(SUMMARY_NAMES) - {"xs_sheet_names"} <= set(
        summary_workbook()[SUMMARY_SHEET].defined_names
    )


def test_templates_carry_their_conditional_formats() -> None:
    def rules(ws) -> set[tuple[str, str]]:
        return {(str(cf.sqref), r.formula[0]) for cf in ws.conditional_formatting for r in cf.rules}

    def expected(checks: list[CheckFormat]) -> set[tuple[str, str]]:
        return {(c.sqref, c.formula) for c in checks}

    assert rules(project_workbook()[PROJECT_SHEET]) == expected(project_checks())
    assert rules(summary_workbook()[SUMMARY_SHEET]) == expected(summary_checks(False))
    assert rules(department_workbook()[SUMMARY_SHEET]) == expected(summary_checks(True))


def test_input_cells_are_unlocked_and_formulas_locked() -> None:
    ws = project_workbook()[PROJECT_SHEET]
    assert ws.protection.sheet and not ws.protection.password
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("="):
                assert c.protection.locked, c.coordinate
    for name in ("xp_project_name", "xp_goal_expected"):
        ref = ws.defined_names[name].attr_text.split("!")[1].replace("$", "")
        assert not ws[ref].protection.locked
    lay = project_layout()
    assert not ws[f"D{lay.blocks[0].first}"].protection.locked
    assert not ws["E5"].protection.locked and ws["H5"].protection.locked


# ---------------------------------------------------------------------------------------------
# The 参数 sheet


def test_rules_sheet_round_trips_the_rule_set() -> None:
    for rules in (DEFAULT_RULES, TIERED):
        grid = grid_from_openpyxl(project_workbook(rules)["参数"])
        assert read_rules_sheet(grid) == rules
    assert read_rules_sheet(grid_from_openpyxl(project_workbook()[PROJECT_SHEET])) is None


def test_rules_sheet_edited_by_hand(tmp_path: Path) -> None:
    wb = project_workbook()
    ws = wb["参数"]
    cells = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    ws.cell(cells["执行率计分方式"], 2).value = "按档次"
    first = cells["执行率不低于"] + 1
    ws.cell(first, 1).value, ws.cell(first, 2).value = (
        "90%",
        1,
    )  # typed as text, and as a plain number
    ws.cell(first + 1, 1).value, ws.cell(first + 1, 2).value = 60, 0.5
    ws.cell(first + 1, 1).number_format = "General"  # 60 typed without %: percentage points
    rules = read_rules_sheet(grid_from_openpyxl(ws))
    assert rules is not None and rules.rate_scoring == "tiers"
    assert [(t.min_rate, t.fraction) for t in rules.rate_tiers] == [
        (Decimal("0.9"), 1),
        (Decimal("0.6"), Decimal("0.5")),
    ]
    grades = cells["等次"] + 1
    ws.cell(grades + 2, 1).value = ws.cell(grades + 2, 2).value = None  # 中 cleared, 差 below kept
    rules = read_rules_sheet(grid_from_openpyxl(ws))
    assert rules is not None and [b.grade for b in rules.grade_bands] == ["优", "良", "差"]
    ws.cell(cells["分值合计"], 2).value = "一百"
    with pytest.raises(RulesSheetError, match="分值合计"):
        read_rules_sheet(grid_from_openpyxl(ws))


def test_params_sheet_is_hidden_and_says_where_it_is() -> None:
    """Hidden (Excel, WPS and LibreOffice print no hidden sheet) and without a print area
    (LibreOffice prints a hidden sheet that has one); the forms say how to show it."""
    for name, make in TEMPLATES.items():
        wb = make()
        params = wb["参数"]
        assert params.sheet_state == "hidden" and not params.print_area, name
        assert wb.active.sheet_state == "visible", name
        if name == DEPARTMENT_FILE:
            guide = " ".join(str(c.value) for c in wb["填表说明"]["A"] if c.value)
            assert "“参数”表已隐藏" in guide and "取消隐藏" in guide
        else:
            first = next(ws for ws in wb.worksheets if ws.sheet_state == "visible")
            assert first["A1"].comment is not None and first["A1"].comment.text == HINT


@pytest.mark.parametrize("state", ["hidden", "veryHidden", "visible"])
def test_engine_reads_the_params_sheet_whatever_its_state_and_place(
    tmp_path: Path, state: str
) -> None:
    wb = project_workbook(TIERED)
    params = wb["参数"]
    params.sheet_state = state
    wb.move_sheet(params, -wb.sheetnames.index("参数"))  # first, before the form
    wb.active = 1
    path = save_reproducibly(wb, tmp_path / f"{state}.xlsx")
    assert openpyxl.load_workbook(path).sheetnames[0] == "参数"
    book = read_workbook(path)
    assert not book.problems and len(book.projects) == 1
    assert book.rules == TIERED and _rules_of(path) == TIERED


def test_live_excel_reads_the_hidden_params_sheet(tmp_path: Path) -> None:
    """Through xlwings (its remote engine, fed as its VBA client feeds it: every sheet, hidden
    ones included), the workbook's own hidden 参数 sheet still sets the rules."""
    import xlwings as xw

    from tests.remote_client import payload
    from xlperf.excel import ExcelIO, read_live
    from xlperf.reader import read_grids

    wb = project_workbook(TIERED)
    assert wb["参数"].sheet_state == "hidden"
    path = save_reproducibly(wb, tmp_path / "hidden.xlsx")
    grids, _journal, names, _ = read_live(ExcelIO(xw.Book(json=payload(path))))
    assert "参数" in names
    assert read_grids(grids, path.name).rules == TIERED != DEFAULT_RULES


STRUCTURES = {"seed000": SEED000_STRUCTURE, "seed004": _structure004()}


def _overall(structure: tuple[Level1, ...]) -> openpyxl.Workbook:
    wb = _new_workbook()
    add_department_sheet(wb, DEPARTMENT_SHEET, structure)
    add_money_sheet(wb)
    add_params_sheet(wb, DEFAULT_RULES)
    return wb


def _page_starts(ws) -> list[int]:
    return sorted(b.id + 1 for b in ws.row_breaks.brk)


@pytest.mark.parametrize("key", list(STRUCTURES))
def test_department_form_breaks_pages_between_groups(tmp_path: Path, key: str) -> None:
    structure = STRUCTURES[key]
    ws = _overall(structure)[DEPARTMENT_SHEET]
    starts = _page_starts(ws)
    assert starts and all(s >= IND_HEADER for s in starts)
    # Excel ignores manual page breaks under "fit to": a fixed scale instead, header repeated
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale == 70
    assert ws.print_title_rows == f"${IND_HEADER}:${IND_HEADER}"
    labels = [
        m
        for m in ws.merged_cells.ranges
        if m.min_col == m.max_col and m.min_col in (1, 2) and m.min_row >= IND_FIRST
    ]
    for m in labels:  # no merged label crosses a break, and every one is labelled
        assert not any(m.min_row < s <= m.max_row for s in starts), (str(m), starts)
        assert ws.cell(m.min_row, m.min_col).value, str(m)
    level1_rows, r = [], IND_FIRST
    for level1 in structure:
        level1_rows.append(r)
        r += sum(len(l2.items) for l2 in level1.level2s)
    if key == "seed000":  # every 一级指标 group fits a page: breaks only between them
        assert set(starts) <= set(level1_rows)
        assert not any(str(ws.cell(m.min_row, 1).value).endswith(CONTINUED) for m in labels)
    else:  # seed 004's groups are longer than a page: continued below the break, as “…（续）”
        continued = [ws.cell(s, 1).value for s in starts if s not in level1_rows]
        assert continued and all(str(v).endswith(CONTINUED) for v in continued)
    # the reader takes a “（续）” label as the group above it: the same 一级指标, no XD403
    path = save_reproducibly(ws.parent, tmp_path / "overall.xlsx")
    book = read_workbook(path, require_forms=False)
    assert not book.problems
    (form,) = book.departments
    expected = [
        (level1.name, level2.name, item.name)
        for level1 in structure
        for level2 in level1.level2s
        for item in level2.items
    ]
    assert [(i.level1.text, i.level2.text, i.name.text) for i in form.indicators] == [
        (fold(a), fold(b), c) for a, b, c in expected
    ]
    assert {i.level1_weight.number for i in form.indicators} == {
        level1.weight for level1 in structure
    }
    assert check_workbook(book) == []


def test_blank_templates_read_as_official_forms(tmp_path: Path) -> None:
    for path in build_templates(tmp_path):
        book = read_workbook(path, require_forms=False)
        assert not book.problems, book.problems
        assert check_workbook(book) == [], path.name  # a blank form is no mistake
        overall = path.name == OVERALL_FILE
        assert len(book.departments) == (1 if overall else 0)
        assert len(book.projects) == (0 if path.name == SUMMARY_FILE or overall else 1)
        assert len(book.summaries) == (0 if path.name == PROJECT_FILE or overall else 1)
        for form in book.projects:
            assert not form.scored_indicators() and form.total_label_cell
            assert form.funds.total.label_cell and form.grade.cell


# ---------------------------------------------------------------------------------------------
# LibreOffice: recalculation, conditional formats, PDF


def _profile(base: Path) -> Path:
    """A LibreOffice profile that recalculates every OOXML file on load."""
    user = base / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
        "<value>0</value></prop></item>\n</oor:items>\n",
        encoding="utf-8",
    )
    return base


def _convert(exe: str, profile: Path, files: list[Path], fmt: str, outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [
        exe,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
    ]
    result = subprocess.run([*cmd, *map(str, files)], capture_output=True, text=True, timeout=300)
    out = [outdir / f"{f.stem}.{fmt}" for f in files]
    missing = [p.name for p in out if not p.exists()]
    assert not missing, (missing, result.stdout, result.stderr)
    return out


INSERT_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub InsertRows(src As String, dst As String, rows As String, cells As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = &quot;Hidden&quot;
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(src), &quot;_blank&quot;, 0, args())
  sheet = doc.Sheets.getByIndex(0)
  sheet.unprotect(&quot;&quot;)
  positions = Split(rows, &quot; &quot;)
  For i = LBound(positions) To UBound(positions)
    sheet.Rows.insertByIndex(CLng(positions(i)), 1)
  Next i
  entries = Split(cells, &quot;;&quot;)
  For i = LBound(entries) To UBound(entries)
    kv = Split(entries(i), &quot;|&quot;)
    cell = sheet.getCellRangeByName(kv(0))
    If IsNumeric(kv(1)) Then
      cell.Value = CLng(kv(1))
    Else
      cell.String = kv(1)
    End If
  Next i
  doc.calculateAll()
  Dim out(0) As New com.sun.star.beans.PropertyValue
  out(0).Name = &quot;FilterName&quot;
  out(0).Value = &quot;Calc Office Open XML&quot;
  doc.storeToURL(ConvertToURL(dst), out())
  doc.close(True)
End Sub
</script:module>
"""


def _insert_rows(
    exe: str, profile: Path, src: Path, dst: Path, rows: list[int], cells: dict[str, Any]
) -> Path:
    """Insert whole rows (0-based positions, bottom first) and type values, as an accountant would
    in LibreOffice, which then recalculates and saves (a Basic macro in the test's profile)."""
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    assert module.parent.exists(), "the profile is initialised by a first soffice run"
    module.write_text(INSERT_MACRO, encoding="utf-8")
    typed = ";".join(f"{k}|{v}" for k, v in cells.items())
    positions = " ".join(map(str, rows))
    url = f'macro:///Standard.Module1.InsertRows("{src}","{dst}","{positions}","{typed}")'
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", url]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert dst.exists(), (result.stdout, result.stderr)
    return dst


def _probe(
    path: Path, checks: dict[str, list[CheckFormat]], target: Path
) -> dict[tuple[str, int], tuple[CheckFormat, str]]:
    """A copy of ``path`` where every conditional format's formula, at every cell it covers, is also a
    scratch formula (column AN of the same sheet) for LibreOffice to evaluate.

    Returns (sheet, scratch row) -> (the format, the cell it stands for).
    """
    wb = openpyxl.load_workbook(path)
    where: dict[tuple[str, int], tuple[CheckFormat, str]] = {}
    for sheet, formats in checks.items():
        ws = wb[sheet]
        row = 1
        for check in formats:
            min_col, min_row, max_col, max_row = range_boundaries(check.sqref)
            origin = ws.cell(min_row, min_col).coordinate
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    cell = ws.cell(r, c).coordinate
                    formula = Translator("=" + check.formula, origin=origin).translate_formula(cell)
                    ws.cell(row, PROBE_COLUMN).value = f"=IF({formula[1:]},1,0)"
                    where[(sheet, row)] = (check, cell)
                    row += 1
    wb.save(target)
    return where


def _fired(
    recalculated: Path, where: dict[tuple[str, int], tuple[CheckFormat, str]]
) -> dict[tuple[str, str, str], set[str]]:
    """(sheet, code, sqref) -> cells where LibreOffice found the conditional format's formula true."""
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    fired: dict[tuple[str, str, str], set[str]] = {}
    for (sheet, row), (check, cell) in where.items():
        value = wb[sheet].cell(row, PROBE_COLUMN).value
        assert value in (0, 1), (sheet, check, cell, value)  # really evaluated
        cells = fired.setdefault((sheet, check.code, check.sqref), set())
        if value == 1:
            cells.add(cell)
    return fired


def _department(
    projects: list[tuple[str, dict]],
    rules: RuleSet = DEFAULT_RULES,
    *,
    typed: bool = False,
    year: int = 2024,
    extra_sheet_names: tuple[str, ...] = (),
) -> openpyxl.Workbook:
    wb = department_workbook(rules, project_sheets=[s for s, _ in projects])
    set_year(wb, year)
    for sheet, data in projects:
        fill_project(wb, sheet, data, typed=typed)
    link_summary(
        wb,
        SUMMARY_SHEET,
        [s for s, _ in projects] + list(extra_sheet_names),
        unit_name="某县人力资源和社会保障局",
        date="2025年3月1日",
    )
    return wb


@pytest.fixture(scope="module")
def lo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every workbook the LibreOffice tests need, filled, then recalculated and exported in one go."""
    exe = soffice()
    base = tmp_path_factory.mktemp("templates")
    src = base / "src"
    src.mkdir()
    blank = build_templates(base / "blank")

    wb = project_workbook()
    set_year(wb, 2024)
    fill_project(wb, PROJECT_SHEET, PROJECT_A)
    project = save_reproducibly(wb, src / "project.xlsx")

    wb = summary_workbook()
    fill_summary(wb, SUMMARY_SHEET, SUMMARY)
    wb[SUMMARY_SHEET][SUMMARY_TYPED_TOTAL[0]] = SUMMARY_TYPED_TOTAL[1]
    summary = save_reproducibly(wb, src / "summary.xlsx")

    dept_projects = [("项目A", PROJECT_A), ("项目B", PROJECT_B), ("项目C", PROJECT_C)]
    dept = save_reproducibly(
        _department(dept_projects, TIERED, extra_sheet_names=("不存在的表",)), src / "dept.xlsx"
    )

    wb = project_workbook()
    set_year(wb, 2024)
    fill_project(wb, PROJECT_SHEET, PROJECT_C)
    inserted_src = save_reproducibly(wb, src / "inserted_src.xlsx")

    seeds = [(t["project_name"], t) for t in map(_truth, SEED_FORMS)]
    seed_formulas = save_reproducibly(_department(seeds, year=2021), src / "seed_formulas.xlsx")
    seed_typed = save_reproducibly(
        _department(seeds, year=2021, typed=True), src / "seed_typed.xlsx"
    )

    proj_checks = project_checks()
    probes = {
        "project": _probe(project, {PROJECT_SHEET: proj_checks}, src / "probe_project.xlsx"),
        "summary": _probe(
            summary, {SUMMARY_SHEET: summary_checks(False)}, src / "probe_summary.xlsx"
        ),
        "dept": _probe(
            dept,
            {SUMMARY_SHEET: summary_checks(True)} | {s: proj_checks for s, _ in dept_projects},
            src / "probe_dept.xlsx",
        ),
    }
    overall = {  # the 部门整体 form in both structures, blank and filled
        "blank000": next(p for p in blank if p.name == OVERALL_FILE),
        "filled000": _mistakes_workbook(src / "filled000.xlsx"),
        "blank004": save_reproducibly(_overall(STRUCTURES["seed004"]), src / "blank004.xlsx"),
        "filled004": _seed004_workbook(src / "filled004.xlsx"),
    }
    filled = [project, summary, dept, seed_formulas, seed_typed]
    profile = _profile(base / "profile")
    xlsx = _convert(
        exe, profile, filled + [src / f"probe_{k}.xlsx" for k in probes], "xlsx", base / "recalc"
    )
    printed = [*blank, dept, *list(overall.values())[1:]]
    pdf = _convert(exe, profile, printed, "pdf", base / "pdf")
    recalc = dict(
        zip(["project", "summary", "dept", "seed_formulas", "seed_typed"], xlsx, strict=False)
    )
    recalc["inserted"] = _insert_rows(
        exe, profile, inserted_src, base / "recalc" / "inserted.xlsx", *INSERTED
    )
    return {
        "source": dict(zip(recalc, filled, strict=False)),
        "recalc": recalc,
        "probe": {k: (where, xlsx[len(filled) + i]) for i, (k, where) in enumerate(probes.items())},
        "pdf": dict(zip([p.name for p in blank] + ["dept"], pdf, strict=False)),
        "overall": {k: (path, base / "pdf" / f"{path.stem}.pdf") for k, path in overall.items()},
        "printed": dict(zip(printed, pdf, strict=True)),
        "blank": blank,
    }


def _rules_of(path: Path) -> RuleSet:
    """The rule set the workbook's own 参数 sheet states (as the engine finds it)."""
    return rules_for(load_grids(path))


def _read(path: Path) -> tuple[WorkbookForms, RuleSet]:
    book = read_workbook(path)
    assert not book.problems, book.problems
    return book, _rules_of(path)


def _num(val: Val) -> Decimal:
    assert val.number is not None, val
    return val.number


def _same_rate(shown: Decimal, exact: Decimal | None) -> None:
    assert exact is not None and abs(shown - exact) < Decimal("1e-12"), (shown, exact)


def _check_project_formulas(form: ProjectForm, rules: RuleSet, year: int) -> None:
    """Every computed cell of one recalculated project sheet against the engine, to the cent."""
    assert form.title.value == "项目支出绩效自评表" and form.year.value == str(year)
    for name in FUND_ROWS:
        row = getattr(form.funds, name)
        exact = execution_rate(row)
        if exact is None:
            assert row.rate.value is None
        else:
            _same_rate(_num(row.rate), exact)
    total = form.funds.total
    assert _num(total.weight) == 10
    assert _num(total.score) == rules.round_score(
        rules.rate_score(execution_rate(total), _num(total.weight))
    )
    assert _num(form.total_weight) == weight_sum(form)
    assert _num(form.total_score) == rules.round_score(score_sum(form))
    assert form.grade.value == rules.grade(_num(form.total_score))
    for ind in form.scored_indicators():
        declared = {"产出": 50, "效益": 30, "满意": 10}[
            next(k for k in ("产出", "效益", "满意") if k in ind.level1.text)
        ]
        assert ind.level1_declared_weight == declared


def _helper_values(path: Path, sheet: str) -> list[Any]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return [wb[sheet][f"L{r}"].value for r in range(5, 9)]


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)


def _formula_results(path: Path) -> list[tuple[str, bytes, bytes | None]]:
    """(part, attributes, cached value) of every formula cell, straight from the sheet XML."""
    out = []
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if part.startswith("xl/worksheets/sheet"):
                for attrs, body in _CELL.findall(z.read(part)):
                    if b"<f" in body:
                        value = re.search(rb"<v>(.*?)</v>", body, re.S)
                        out.append((part, attrs, value.group(1) if value else None))
    return out


def test_libreoffice_recalculated_every_formula(lo: dict[str, Any]) -> None:
    for key, source in lo["source"].items():
        before = _formula_results(source)
        assert before and all(
            not v and b't="' not in a for _, a, v in before
        )  # openpyxl writes no results
        after = _formula_results(lo["recalc"][key])
        assert len(after) >= len(before)
        # every formula now has its result: a number, or a string (t="str", possibly empty)
        missing = [(p, a) for p, a, v in after if not v and b't="str"' not in a]
        assert not missing, (key, missing[:5])
        errors = [(p, a, v) for p, a, v in after if b't="e"' in a]
        assert not errors, (key, errors[:5])


def test_project_formulas_equal_the_engine(lo: dict[str, Any]) -> None:
    book, rules = _read(lo["recalc"]["project"])
    assert rules == DEFAULT_RULES
    (form,) = book.projects
    _check_project_formulas(form, rules, 2024)
    assert _num(form.funds.total.score) == 10  # 111% capped at 100%
    helpers = _helper_values(lo["recalc"]["project"], PROJECT_SHEET)
    for value, kind in zip(helpers[:3], ("output", "benefit", "satisfaction"), strict=True):
        _same_rate(Decimal(repr(value)), level_rate(form, kind))
    assert Decimal(repr(helpers[3])) == _num(form.total_score)


def test_department_formulas_follow_its_own_rules_sheet(lo: dict[str, Any]) -> None:
    book, rules = _read(lo["recalc"]["dept"])
    assert rules == TIERED
    forms = {f.sheet: f for f in book.projects}
    for form in forms.values():
        _check_project_formulas(form, rules, 2024)
    assert [_num(forms[s].funds.total.score) for s in ("项目A", "项目B", "项目C")] == [10, 0, 6]
    (summary,) = book.summaries
    assert [r.project_name.value for r in summary.rows] == [
        forms[s].project_name.value for s in ("项目A", "项目B", "项目C")
    ]
    for seq, (row, sheet) in enumerate(
        zip(summary.rows, ("项目A", "项目B", "项目C"), strict=True), 1
    ):
        form = forms[sheet]
        assert row.seq.number == seq
        assert _num(row.annual_budget) == _num(form.funds.total.annual_budget)
        assert _num(row.executed) == _num(form.funds.total.executed)
        _same_rate(_num(row.rate), execution_rate(form.funds.total))
        for field_name, kind in (
            ("output_rate", "output"),
            ("benefit_rate", "benefit"),
            ("satisfaction_rate", "satisfaction"),
        ):
            _same_rate(_num(getattr(row, field_name)), level_rate(form, kind))
        assert _num(row.score) == _num(form.total_score)
    assert summary.total is not None
    assert _num(summary.total.annual_budget) == sum(_num(r.annual_budget) for r in summary.rows)
    assert _num(summary.total.executed) == sum(_num(r.executed) for r in summary.rows)
    _same_rate(
        _num(summary.total.rate), _num(summary.total.executed) / _num(summary.total.annual_budget)
    )
    codes = {f.code for f in check_workbook(book, rules) if f.sheet == SUMMARY_SHEET}
    assert not codes & {"XS301", "XS302", "XS303"}  # linked rows cannot disagree with their forms


def test_inserted_rows_are_counted_as_the_reader_sees_them(lo: dict[str, Any]) -> None:
    book, rules = _read(lo["recalc"]["inserted"])
    (form,) = book.projects
    names = [i.name.text for i in form.scored_indicators()]
    assert len(names) == len(PROJECT_C["indicators"]) + 3
    kinds = {i.name.text: i.level1.text for i in form.scored_indicators()}
    assert (kinds["new-count"], kinds["new-cost"], kinds["new-satisfaction"]) == (
        "产出指标",
        "产出指标",
        "满意度指标",
    )
    _check_project_formulas(form, rules, 2024)
    assert _num(form.total_weight) == 100 + 15
    helpers = _helper_values(lo["recalc"]["inserted"], PROJECT_SHEET)
    for value, kind in zip(helpers[:3], ("output", "benefit", "satisfaction"), strict=True):
        _same_rate(Decimal(repr(value)), level_rate(form, kind))
    assert Decimal(repr(helpers[3])) == _num(form.total_score)


def test_summary_formulas_equal_the_engine(lo: dict[str, Any]) -> None:
    book, _rules = _read(lo["recalc"]["summary"])
    (summary,) = book.summaries
    assert [r.seq.number for r in summary.rows] == [1, 2, 3]
    for row in summary.rows:
        _same_rate(_num(row.rate), _num(row.executed) / _num(row.annual_budget))
    assert summary.total is not None and _num(summary.total.annual_budget) == SUMMARY_TYPED_TOTAL[1]
    assert _num(summary.total.executed) == sum(_num(r.executed) for r in summary.rows)
    _same_rate(
        _num(summary.total.rate), _num(summary.total.executed) / _num(summary.total.annual_budget)
    )


def _engine_cells(path: Path) -> dict[tuple[str, str], set[str]]:
    book, rules = _read(path)
    found: dict[tuple[str, str], set[str]] = {}
    for f in check_workbook(book, rules):
        found.setdefault((f.sheet, f.code), set()).add(f.cell)
    return found


def _row(cell: str) -> int:
    return int("".join(ch for ch in cell if ch.isdigit()))


def _plain_check(ws, sqref: str) -> set[str]:
    """Where the formats without an engine code should fire, recomputed here."""
    if sqref.startswith("K"):
        return {f"K{r}" for r in range(6, 26) if ws[f"K{r}"].value == "不存在的表"}
    numbers = (int, float)
    return {
        f"D{r}"
        for r in range(6, 26)
        if isinstance(ws[f"D{r}"].value, numbers)
        and isinstance(ws[f"C{r}"].value, numbers)
        and ws[f"D{r}"].value > ws[f"C{r}"].value + 0.005
    }


@pytest.mark.parametrize("key", ["project", "summary", "dept"])
def test_conditional_formats_fire_where_the_engine_reports(lo: dict[str, Any], key: str) -> None:
    where, probe = lo["probe"][key]
    fired = _fired(probe, where)
    engine = _engine_cells(lo["recalc"][key])
    values = openpyxl.load_workbook(lo["recalc"][key], data_only=True)
    by_code: dict[tuple[str, str], set[str]] = {}
    for (sheet, code, sqref), cells in fired.items():
        if code:
            by_code.setdefault((sheet, code), set()).update(cells)
        else:
            assert cells == _plain_check(values[sheet], sqref), (sheet, sqref, cells)
            assert cells  # the sample data makes it fire
    for (sheet, code), cells in by_code.items():
        reported = engine.get((sheet, code), set())
        if code == "XP206":  # the engine names the first missing cell; the format marks every one
            assert reported <= cells and {_row(c) for c in cells} == {_row(c) for c in reported}, (
                sheet,
                cells,
                reported,
            )
        else:
            assert cells == reported, (sheet, code, cells, reported)
    seen = {code for (_, code), cells in by_code.items() if cells}
    wanted = {"summary": {"XS303"}}.get(
        key, {"XP103", "XP104", "XP201", "XP202", "XP203", "XP206", "XP207"}
    )
    assert seen == wanted  # the sample data makes every format fire somewhere


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def _page_texts(pdf: Path) -> list[str]:
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, _pages(pdf) + 1)
    ]


def test_every_form_prints_on_one_a4_landscape_page(lo: dict[str, Any]) -> None:
    for path in [*lo["blank"], lo["source"]["dept"]]:
        pdf = lo["pdf"]["dept" if path == lo["source"]["dept"] else path.name]
        sheets = openpyxl.load_workbook(path).sheetnames
        if path.name == OVERALL_FILE:
            # the 部门整体支出绩效自评表 prints one page wide over as many pages as its indicators
            # need (on one page it would be too small to read), then the 收支情况 tables
            pages = _page_texts(pdf)
            ends = next(i for i, text in enumerate(pages) if "等次" in text)
            assert "部门预算总额" in pages[0] and 0 < ends < len(pages) - 1
            assert all("评分标准" not in text for text in pages[ends + 1 :])
        else:
            shown = [ws.title for ws in openpyxl.load_workbook(path) if ws.sheet_state == "visible"]
            assert "参数" not in shown
            assert _pages(pdf) == len(shown), (path.name, shown)  # every printed sheet on one page
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
        landscape = [float(w) > float(h) for w, h in boxes]
        assert landscape.count(True) >= len(sheets) - 1  # all but the portrait 参数 sheet
        if shutil.which("pdftotext"):
            text = subprocess.run(
                ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
            ).stdout
            assert (
                "###" not in text
                and "#VALUE" not in text
                and "#REF" not in text
                and "Err:" not in text
            )


PARAMS_TEXT = ("评分规则参数", "规则名称", "执行率封顶", "金额容差")  # the 参数 sheet's own words


def test_no_printed_page_shows_the_params_sheet(lo: dict[str, Any]) -> None:
    assert len(lo["printed"]) == 8  # 4 blank templates, the filled department workbook, 3 forms
    for path, pdf in lo["printed"].items():
        assert "参数" in openpyxl.load_workbook(path).sheetnames, path.name
        for n, text in enumerate(_page_texts(pdf), 1):
            assert not [t for t in PARAMS_TEXT if t in text], (path.name, n)
    pages = {p.name: _pages(pdf) for p, pdf in lo["printed"].items() if p in lo["blank"]}
    # one page per form; the 部门整体 form on 3 (投入 | 过程 | 产出, 效益), 收支情况 on 2
    assert pages == {
        PROJECT_FILE: 1,
        SUMMARY_FILE: 1,
        DEPARTMENT_FILE: 3,
        OVERALL_FILE: 5,
    }


# form pages of the 部门整体支出绩效自评表 as LibreOffice prints it: one per manual break + 1
FORM_PAGES = {"blank000": 3, "filled000": 3, "blank004": 7, "filled004": 7}


@pytest.mark.parametrize("key", list(FORM_PAGES))
def test_department_form_pages_start_where_the_breaks_are(lo: dict[str, Any], key: str) -> None:
    """Each page of the printed form: the header row, the rows from its break on, and the label
    of every 一级指标 group with rows on it (at the page where the group's rows start, and as
    “…（续）” on the pages it goes on to)."""
    path, pdf = lo["overall"][key]
    ws = openpyxl.load_workbook(path)[DEPARTMENT_SHEET]
    starts = _page_starts(ws)
    pages = _page_texts(pdf)
    ends = next(i for i, text in enumerate(pages) if "等次" in text)
    assert ends + 1 == FORM_PAGES[key] == len(starts) + 1  # LibreOffice adds no break of its own
    last = next(r for r in range(IND_FIRST, ws.max_row + 1) if ws[f"A{r}"].value == "合计") - 1
    bounds = [IND_FIRST, *starts, last + 1]
    groups = [
        (m.min_row, m.max_row, split_declared_weight(str(ws.cell(m.min_row, 1).value))[0])
        for m in ws.merged_cells.ranges
        if m.min_col == m.max_col == 1 and m.min_row >= IND_FIRST
    ] + [
        (r, r, split_declared_weight(str(ws[f"A{r}"].value))[0])
        for r in range(IND_FIRST, last + 1)
        if ws[f"A{r}"].value and not any(f"A{r}" in m for m in ws.merged_cells.ranges)
    ]
    for n, (top, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        text = pages[n]
        assert "一级指标" in text and "评分标准" in text, (key, n)  # the header row repeats
        name = str(ws[f"C{top}"].value)
        assert name[:5] in text, (key, n, name)  # the page starts at its break
        for first, final, label in groups:
            if first < end and final >= top:
                name = label.removesuffix(fold(CONTINUED))
                # in column A: at the start of a line of the page's text
                assert re.search(rf"^\s{{0,8}}{re.escape(name)}", text, re.M), (key, n, label)
                assert top <= first and final < end, (key, n, label)  # the merge on one page
    for text in pages:
        assert "###" not in text and "Err:" not in text and "#VALUE" not in text


# ---------------------------------------------------------------------------------------------
# The seed-000 forms, in the template and in the fixture workbook

COMPUTED_CHECKS = {"XP101", "XP102", "XP204", "XP208", "XP209"}  # a computed figure vs its inputs


def _fields(form: ProjectForm) -> dict[str, tuple]:
    """cell -> logical field of a project form (indicators named by their 三级指标)."""
    out: dict[str, tuple] = {}

    def add(val: Val, *path: Any) -> None:
        if val.cell:
            out.setdefault(val.cell, path)

    for name in (
        "title",
        "year",
        "project_name",
        "department",
        "implementer",
        "goal_expected",
        "goal_actual",
        "total_weight",
        "total_score",
        "grade",
    ):
        add(getattr(form, name), name)
    for row_name in FUND_ROWS:
        row = getattr(form.funds, row_name)
        for col in ("initial_budget", "annual_budget", "executed", "weight", "rate", "score"):
            add(getattr(row, col), "funds", row_name, col)
    for ind in form.scored_indicators():
        key = fold(ind.name.text or "")
        for col in ("name", "target", "actual", "weight", "score", "note"):
            add(getattr(ind, col), "indicator", key, col)
        add(ind.level1, "level1", ind.level1.text)
        add(ind.level2, "level2", ind.level1.text, ind.level2.text)
    return out


def _findings_by_field(path: Path, sheets: set[str]) -> set[tuple[str, str, tuple]]:
    book = read_workbook(path)
    assert not book.problems
    forms = {f.sheet: f for f in book.projects}
    rules = _rules_of(path)
    out = set()
    for f in check_workbook(book, rules):
        if f.sheet in sheets and f.code.startswith("XP"):
            out.add((forms[f.sheet].project_name.text, f.code, _fields(forms[f.sheet])[f.cell]))
    return out


@pytest.fixture(scope="module")
def fixture_findings() -> set[tuple[str, str, tuple]]:
    names = {_truth(n)["project_name"] for n in SEED_FORMS}
    return _findings_by_field(fixture_path("std"), names)


def test_seed_forms_typed_into_the_template_give_the_fixture_findings(
    lo: dict[str, Any], fixture_findings
) -> None:
    names = {_truth(n)["project_name"] for n in SEED_FORMS}
    ours = _findings_by_field(lo["recalc"]["seed_typed"], names)
    assert {c for _, c, _ in fixture_findings} >= {
        "XP101",
        "XP102",
        "XP202",
        "XP203",
        "XP204",
        "XP205",
        "XP207",
    }
    # the template's 等次 formula follows the typed 总分; where that 总分 is wrong (XP204) the 等次
    # is judged by the correct one (XP208), a cell the fixture's forms do not have
    extra = {f for f in ours - fixture_findings if f[1] == "XP208"}
    assert all((f[0], "XP204", ("total_score",)) in fixture_findings for f in extra)
    assert ours - extra == fixture_findings


def test_template_formulas_leave_only_the_input_mistakes(
    lo: dict[str, Any], fixture_findings
) -> None:
    names = {_truth(n)["project_name"] for n in SEED_FORMS}
    ours = _findings_by_field(lo["recalc"]["seed_formulas"], names)
    assert ours == {f for f in fixture_findings if f[1] not in COMPUTED_CHECKS}
