"""One case per check code: a clean workbook changed in one place, and the code and cell expected.

Each base workbook (a project form with its 汇总表, a 部门整体 评分表 with its money block and
指标计算数据, the 收支情况 money tables) is built here from the tests' builders and gives no
error-level finding; each case changes one cell of it (an edit an accountant could make) and
must give its code at its cell. A code in the registry without a case fails the suite.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.builders import clean_project, write_project, write_summary
from tests.conftest import REPO
from tests.test_registry import emitted_codes
from xlperf.checks import check_workbook
from xlperf.findings import Finding
from xlperf.reader import read_workbook
from xlperf.registry import REGISTRY

PROJECT, SUMMARY, DEPARTMENT, MONEY = "项目1", "汇总表", "评分表", "收支情况"
MONEY_SEED = json.loads((REPO / "tests" / "data" / "seed002_money.json").read_text("utf-8"))


def project_book(path: Path) -> None:
    """clean_project() at A1 of 项目1 with a 等次 row, and its 汇总表 row, all correct:
    rows 5–8 the money block (C 年初, D 全年预算, E 全年执行, F 分值, G 执行率, H 得分),
    12–17 the indicators (A 一级, C 三级, D 指标值, E 完成值, F 分值, G 得分, H 偏差原因),
    18 总分 (F 分值, G 得分), 19 等次; 汇总表 row 4 the project, row 5 合计."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = PROJECT
    data = clean_project()
    below = write_project(ws, 1, data)
    ws.cell(below, 1, "等次")
    ws.cell(below, 2, "优")  # 95.21
    output = (20 + 14.21 + 5 + 10) / 50
    row = [data["project_name"], 50, 45, 0.9, output, 0.9, 1, data["total_score"], None]
    write_summary(wb.create_sheet(SUMMARY), 1, "某县就业服务中心", [row])
    wb.save(path)


RATE_RULE = (
    "预算执行率大于或等于95%的得20分，小于或等于90%的得0分，"
    "在90%-95%之间的、在0分和20分之间按比例计算确定。"
)


def department_book(path: Path) -> None:
    """A 评分表 in seed 004's column order: the money block (rows 3–7, B 年初预算数, C 全年预算数,
    D 全年执行数, E 执行率), one 指标计算数据 row (9: 94 ÷ 100 = 94.00% in F9), the indicators
    (rows 11–14: B/D 一级/二级分值, E 三级指标, F 分值, H 得分), 合计 (15) and 等次 (B16)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DEPARTMENT
    for line in (
        ["某局2024年度部门整体支出绩效评分表"],
        ["项目", "年初预算数", "全年预算数", "全年执行数", "执行率"],
        ["部门预算总额", 100, 100, 94, 0.94],
        ["财政拨款", 80, 80, 75],
        ["其他资金", 20, 20, 19],
        ["基本支出", 60, 60, 60],
        ["项目支出", 40, 40, 34],
        [],
        ["预算执行率", "实际支出", 94, "可支配资金", 100, 0.94],
        ["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "评价标准", "得分"],
        ["管理效率", 60, "预算管理", 30, "预算执行率", 20, RATE_RULE, 16],
        [None, None, None, None, "预算信息公开", 10, "按规定公开得10分，否则不得分。", 10],
        [None, None, "财务管理", 30, "财务管理规范性", 30, "酌情扣分", 25],
        ["可持续性", 40, "干部队伍", 40, "人力资源建设", 40, "酌情扣分", 35],
        ["合计", 100, None, None, None, 100, None, 86],
        ["等次", "良"],
    ):
        ws.append(line)
    ws["E3"].number_format = ws["F9"].number_format = "0.00%"
    wb.save(path)


# unit -> the table's columns in seed 002's order (see tests/data/seed002_money.json)
MONEY_UNITS: dict[str, dict[str, list[Any]]] = {
    "income": {
        "1、局机关": [100, 10, 80, None, None, 10],
        "2、信息中心": [50, 5, 40, None, None, 5],
    },
    "expense": {
        "1、局机关": [90, 70, 50, 20, 20, 10, None],
        "2、信息中心": [45, 40, 30, 10, 5, 5, None],
    },
    "three_public": {"1、局机关": [3, 1, 2, None, None], "2、信息中心": [1, 0.5, 0.5, None, None]},
    "assets": {"1、局机关": [100, 100, None, None], "2、信息中心": [60, 50, 10, None]},
}


def money_book(path: Path) -> None:
    """Seed 002's four 收支情况 tables with their headers and merges, two units whose figures
    add up, 汇总 row first: income rows 5–7, expense 12–14 (B 支出合计, G 当年结余),
    三公经费 17–19, 固定资产 22–24."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = MONEY
    ws.cell(1, 1, "二、部门（单位）收支情况")
    r = 2
    for kind, units in MONEY_UNITS.items():
        table = MONEY_SEED["tables"][kind]
        if table["title"]:
            ws.cell(r, 1, table["title"])
            r += 1
        for i, line in enumerate(table["header_rows"]):
            for j, text in enumerate(line):
                if text is not None:
                    ws.cell(r + i, 1 + j, text)
        for a, b, y, z in table["merges"]:
            ws.merge_cells(start_row=r + a, start_column=1 + b, end_row=r + y, end_column=1 + z)
        r += len(table["header_rows"])
        rows = list(units.values())
        total = [
            None if all(x[k] is None for x in rows) else sum(x[k] or 0 for x in rows)
            for k in range(len(rows[0]))
        ]
        for label, values in [(MONEY_SEED["total_label"], total), *units.items()]:
            ws.cell(r, 1, label)
            for j, value in enumerate(values, 1):
                if value is not None:
                    ws.cell(r, 1 + j, value)
            r += 1
    wb.save(path)


def project20_book(path: Path) -> None:
    """A correct form whose 执行率 is worth 20 ("得分(20分*执行率)", no 分值 column in the money
    block), indicators 80: it follows another accepted convention (XP200 at A18, the 总分 label;
    B19 the 等次)."""
    from tests.test_variants import VARIANTS
    from tests.variant_builder import variant_data, write_variant

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = PROJECT
    v = VARIANTS["rate_out_of_20"]
    built = write_variant(ws, v, variant_data(v))
    assert (built.cells["total_label"], built.cells["grade"]) == ("A18", "B19")
    wb.save(path)


BASES: dict[str, Callable[[Path], None]] = {
    "project": project_book,
    "project20": project20_book,
    "department": department_book,
    "money": money_book,
}


@dataclass(frozen=True)
class Case:
    code: str
    base: str
    sheet: str
    cell: str  # the one cell changed
    value: Any  # what is typed there (None: cleared)
    at: str | None = None  # the cell the finding names, when not the changed one

    @property
    def expected_cell(self) -> str:
        return self.at or self.cell


CASES = [
    Case("XP000", "project", PROJECT, "G12", "二十"),
    Case("XP101", "project", PROJECT, "G5", 0.8),
    Case("XP102", "project", PROJECT, "H5", 10),
    Case("XP103", "project", PROJECT, "E6", 55),
    Case("XP104", "project", PROJECT, "D6", 40, at="D5"),
    Case("XP200", "project20", PROJECT, "B19", "优秀", at="A18"),
    Case("XP201", "project", PROJECT, "G12", 25),
    Case("XP202", "project", PROJECT, "F12", 25, at="F18"),
    Case("XP203", "project", PROJECT, "A12", "产出指标（60分）"),
    Case("XP204", "project", PROJECT, "G18", 90),
    Case("XP205", "project", PROJECT, "G17", 9),
    Case("XP206", "project", PROJECT, "E12", None),
    Case("XP207", "project", PROJECT, "H13", None),
    Case("XP208", "project", PROJECT, "B19", "良"),
    Case("XP209", "project", PROJECT, "F18", 95),
    Case("XS301", "project", SUMMARY, "C4", 60),
    Case("XS302", "project", SUMMARY, "B4", "另一个项目"),
    Case("XS303", "project", SUMMARY, "C5", 70),
    Case("XD401", "department", DEPARTMENT, "H12", 12),
    Case("XD402", "department", DEPARTMENT, "F14", 30, at="F15"),
    Case("XD403", "department", DEPARTMENT, "B11", 50),
    Case("XD404", "department", DEPARTMENT, "H15", 80),
    Case("XD405", "department", DEPARTMENT, "F9", 0.9),
    Case("XD406", "department", DEPARTMENT, "H11", 18),
    Case("XD407", "department", DEPARTMENT, "B16", "优"),
    Case("XD408", "department", DEPARTMENT, "C5", 25, at="C3"),
    Case("XD409", "department", DEPARTMENT, "F14", None, at="E14"),
    Case("XD411", "money", MONEY, "B5", 140),
    Case("XD412", "money", MONEY, "B13", 95),
    Case("XD413", "money", MONEY, "G13", 12),
    Case("XD414", "money", MONEY, "A19", "3、新单位", at="A17"),
]


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bases")
    out = {}
    for name, build in BASES.items():
        build(out.setdefault(name, folder / f"{name}.xlsx"))
    return out


def findings_of(path: Path) -> list[Finding]:
    return check_workbook(read_workbook(path, require_forms=False))


@pytest.mark.parametrize("base", list(BASES))
def test_clean_base_has_no_error(bases: dict[str, Path], base: str) -> None:
    found = findings_of(bases[base])
    assert not [f for f in found if f.severity == "error"], found
    kinds = read_workbook(bases[base], require_forms=False)
    kind = {"project": kinds.projects, "department": kinds.departments, "money": kinds.money}
    assert kind[base.removesuffix("20")], f"the {base} base is not read as one"


def test_every_registry_code_has_one_case() -> None:
    codes = [c.code for c in CASES]
    assert len(codes) == len(set(codes)), "one case per code"
    missing = sorted(set(REGISTRY) - set(codes))
    assert not missing, f"codes without a case in tests/test_rule_cases.py: {missing}"
    assert not set(codes) - set(REGISTRY), "a case for a code the registry does not know"
    unregistered = emitted_codes() - set(REGISTRY)
    assert not unregistered, f"codes emitted by the package but not registered: {unregistered}"
    undocumented = [
        c for c, r in REGISTRY.items() if not (r.what and r.why and r.example and r.fix)
    ]
    assert not undocumented, f"codes without documentation: {undocumented}"


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_case_reports_its_code_at_its_cell(
    bases: dict[str, Path], tmp_path: Path, case: Case
) -> None:
    wb = openpyxl.load_workbook(bases[case.base])
    ws = wb[case.sheet]
    assert ws[case.cell].value != case.value, "a case must change the clean workbook"
    ws[case.cell] = case.value
    path = tmp_path / f"{case.code}.xlsx"
    wb.save(path)
    found = findings_of(path)
    hits = [f for f in found if f.code == case.code]
    assert [(f.sheet, f.cell) for f in hits if f.cell == case.expected_cell] == [
        (case.sheet, case.expected_cell)
    ], (case, [(f.code, f.sheet, f.cell, f.message) for f in found])
    hit = next(f for f in hits if f.cell == case.expected_cell)
    assert hit.severity == REGISTRY[case.code].severity
    assert hit.message


@pytest.mark.parametrize(("total", "xd404"), [(86, None), (88, 86)])
def test_total_follows_the_rescored_indicator(
    bases: dict[str, Path], tmp_path: Path, total: int, xd404: int | None
) -> None:
    """H11 typed 18 where its 评分标准 gives 16 (XD406): a 总分 of 86, the re-scored sum, is
    right; 88, the typed sum, is asked to become 86, the figure the report states."""
    wb = openpyxl.load_workbook(bases["department"])
    wb[DEPARTMENT]["H11"], wb[DEPARTMENT]["H15"] = 18, total
    wb.save(path := tmp_path / "rescored.xlsx")
    found = {f.code: f for f in findings_of(path)}
    assert (found["XD406"].cell, found["XD406"].expected) == ("H11", 16)
    f404 = found.get("XD404")
    assert (f404 and (f404.cell, f404.expected, f404.actual)) == (xd404 and ("H15", xd404, total))
