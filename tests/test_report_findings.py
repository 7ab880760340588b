"""The report states the check's findings, never a comparison of its own.

Each case of :mod:`tests.test_rule_cases` plants one mistake in a clean workbook; the report of
that workbook must list every finding once in its 附表 (sheet, cell, code), and where its prose
speaks of the mistake it must state the finding's ``expected`` and ``actual``, printed here by
the test's own rules (figures to two decimals half-up, what the form holds as typed). A form the
checks accept gives no correction, in the 附表 or in the prose.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.builders import clean_project, write_project, write_summary
from tests.conftest import fixture_path
from tests.test_report import EXAMPLE
from tests.test_rule_cases import BASES, CASES, Case
from xlperf.checks import check_workbook
from xlperf.findings import Finding
from xlperf.reader import read_workbook
from xlperf.report import build_report
from xlperf.report.blocks import Para, Table

Q2 = Decimal("0.01")


def q2(value: Decimal | str | None) -> str:
    assert isinstance(value, Decimal), value
    return format(value.quantize(Q2, ROUND_HALF_UP), "f")


def q2pct(value: Decimal | str | None) -> str:
    assert isinstance(value, Decimal), value
    return q2(value * 100) + "%"


def typed(value: Decimal | str | None) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def typed_pct(value: Decimal | str | None) -> str:
    assert isinstance(value, Decimal), value
    return typed(value * 100) + "%"


# code -> (what the prose says of the finding, (表中所填, 更正为) of its 附表 row)
Says = Callable[[Finding], tuple[list[str], tuple[str, str]]]
STATEMENTS: dict[str, Says] = {
    "XP101": lambda f: (
        [
            f"（全年执行数÷全年预算数）为{q2pct(f.expected)}（自评表填为{typed_pct(f.actual)}，有误）"
        ],
        (typed_pct(f.actual), q2pct(f.expected)),
    ),
    "XP102": lambda f: (
        [f"其中预算执行率得分{q2(f.expected)}分", f"自评表所填预算执行率得分{typed(f.actual)}分"],
        (typed(f.actual), q2(f.expected)),
    ),
    "XP104": lambda f: (
        [f"自评表所列各资金来源之和为{q2(f.expected)}万元，与全年预算数不符"],
        (typed(f.actual), f"请核实（各来源之和为{q2(f.expected)}）"),
    ),
    "XP202": lambda f: (
        [f"该项目自评表分值合计为{q2(f.actual)}分（应为{q2(f.expected)}分）"],
        (f"合计{typed(f.actual)}", q2(f.expected)),
    ),
    "XP204": lambda f: (
        [f"自评总分{q2(f.expected)}分", f"自评表所填总分{typed(f.actual)}分"],
        (typed(f.actual), q2(f.expected)),
    ),
    "XP207": lambda f: (
        ["【待填写：未说明扣分原因的指标的偏差原因分析及改进措施】"],
        ("（未填）", "补填偏差原因"),
    ),
    "XP208": lambda f: (
        [f"等次为“{f.expected}”", f"自评表所填等次“{f.actual}”"],
        (typed(f.actual), typed(f.expected)),
    ),
    "XS301": lambda f: ([], (typed(f.actual), q2(f.expected))),
    "XD404": lambda f: (
        [
            f"自评表所填总分为{typed(f.actual)}分（{f.sheet}!{f.cell}），"
            f"与各指标复核后的得分之和{q2(f.expected)}分不符"
        ],
        (typed(f.actual), q2(f.expected)),
    ),
    "XD406": lambda f: (
        ["自评表中有1项指标的得分与其评分标准不符（见附表）"],
        (typed(f.actual), q2(f.expected)),
    ),
    "XD407": lambda f: (
        [f"自评表所填等次为“{f.actual}”（{f.sheet}!{f.cell}），与所填总分对应的“{f.expected}”不符"],
        (typed(f.actual), typed(f.expected)),
    ),
}
REPORTED = [c for c in CASES if c.base in ("project", "department")]  # money alone: no report


def report_of(path: Path) -> tuple[list[Finding], str, list[dict[str, str]], list[Table]]:
    """The findings of the workbook, its reports' prose, 附表 rows and other tables."""
    book = read_workbook(path, require_forms=False)
    findings = check_workbook(book)
    blocks = [b for r in build_report(read_workbook(path)).reports for b in r.blocks]
    prose = "\n".join(b.text for b in blocks if isinstance(b, Para))
    tables = [b for b in blocks if isinstance(b, Table)]
    rows = [dict(zip(t.header, row, strict=True)) for t in tables if t.appendix for row in t.rows]
    return findings, prose, rows, [t for t in tables if not t.appendix]


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("report_bases")
    out = {}
    for name, build in BASES.items():
        build(out.setdefault(name, folder / f"{name}.xlsx"))
    return out


def planted(bases: dict[str, Path], case: Case, folder: Path) -> Path:
    wb = openpyxl.load_workbook(bases[case.base])
    wb[case.sheet][case.cell] = case.value
    path = folder / f"{case.code}.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("case", REPORTED, ids=[c.code for c in REPORTED])
def test_every_finding_is_one_appendix_row(
    bases: dict[str, Path], tmp_path: Path, case: Case
) -> None:
    findings, _, rows, _ = report_of(planted(bases, case, tmp_path))
    assert any(f.code == case.code and f.cell == case.expected_cell for f in findings)
    listed = sorted((r["工作表"], r["单元格"], r["代码"]) for r in rows)
    assert listed == sorted((f.sheet, f.cell, f.code) for f in findings)


STATED = [c for c in REPORTED if c.code in STATEMENTS]


@pytest.mark.parametrize("case", STATED, ids=[c.code for c in STATED])
def test_report_states_the_findings_figures(
    bases: dict[str, Path], tmp_path: Path, case: Case
) -> None:
    findings, prose, rows, tables = report_of(planted(bases, case, tmp_path))
    hit = next(f for f in findings if f.code == case.code and f.cell == case.expected_cell)
    said, (form_value, corrected) = STATEMENTS[case.code](hit)
    row = next(
        r for r in rows if (r["工作表"], r["单元格"], r["代码"]) == (hit.sheet, hit.cell, hit.code)
    )
    assert (row["表中所填"], row["更正为"]) == (form_value, corrected), hit.message
    for text in said:
        assert text in prose, (text, hit.message)
    if case.code in ("XP102", "XP204", "XP208"):  # 表1 states the finding's figure too
        (figures,) = tables
        column = {"XP102": "执行率得分", "XP204": "总分", "XP208": "等次"}[case.code]
        stated = dict(zip(figures.header, figures.rows[0], strict=True))[column]
        assert stated == (hit.expected if case.code == "XP208" else q2(hit.expected))


@pytest.mark.parametrize("base", ["project", "department"])
def test_clean_form_gives_no_correction(bases: dict[str, Path], base: str) -> None:
    findings, prose, rows, _ = report_of(bases[base])
    assert not [f for f in findings if f.severity == "error"]
    assert len(rows) == len(findings)
    for phrase in ("自评表所填总分", "自评表所填等次", "自评表所填预算", "有误", "不符", "需更正"):
        assert phrase not in prose, phrase
    assert "未说明扣分原因" not in prose


def test_score_of_the_rate_as_shown_is_no_correction(tmp_path: Path) -> None:
    """4.49 ÷ 4.54 = 98.90%, shown as 99% (right to the precision shown) and scored 9.9 from it:
    the checks accept the 9.9 (not the 9.89 of the exact rate), and so does the report."""
    data = clean_project(budget=4.54, executed=4.49)
    data["funds"]["total"][4:] = [0.99, 9.9]
    data["total_score"] = round(9.9 + sum(i[7] for i in data["indicators"]), 2)  # 96.11
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目1"
    below = write_project(ws, 1, data)
    ws["G5"].number_format = "0%"
    ws.cell(below, 1, "等次")
    ws.cell(below, 2, "优")
    row = [data["project_name"], 4.54, 4.49, 0.989, 0.9842, 0.9, 1, data["total_score"], None]
    write_summary(wb.create_sheet("汇总表"), 1, "某县就业服务中心", [row])
    path = tmp_path / "rounded.xlsx"
    wb.save(path)

    findings, prose, rows, tables = report_of(path)
    assert not [f for f in findings if f.code in ("XP101", "XP102", "XP204", "XS301")], findings
    assert not rows
    assert "预算执行率（全年执行数÷全年预算数）为98.90%。" in prose
    assert "其中预算执行率得分9.90分" in prose and "自评总分96.11分" in prose
    assert "自评表所填" not in prose and "有误" not in prose
    (figures,) = tables
    assert figures.rows[0][4:6] == ("98.90%", "9.90")


@pytest.mark.parametrize("variant", ["example", "std", "plain"])
def test_real_forms_every_finding_in_an_appendix(variant: str) -> None:
    """The filled-in forms of seed 000: each of their findings is one 附表 row, none dropped."""
    findings, _, rows, _ = report_of(EXAMPLE if variant == "example" else fixture_path(variant))
    assert len(findings) > 50
    listed = sorted((r["工作表"], r["单元格"], r["代码"]) for r in rows)
    assert listed == sorted((f.sheet, f.cell, f.code) for f in findings)


def test_appendix_wording_is_registry_data() -> None:
    """What the 附表 says per code stands in the registry: the report has no branch on a code,
    and every template names only the finding's own figures."""
    import ast
    import string

    from xlperf.registry import REGISTRY
    from xlperf.report import issues

    tree = ast.parse(inspect.getsource(issues))
    codes = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value[:2] in CODES_FAMILY
    ]
    assert codes == [], codes
    for code, rule in REGISTRY.items():
        for template in (rule.appendix.stated, rule.appendix.corrected):
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            assert names <= {"expected", "actual"}, (code, template)


CODES_FAMILY = ("XP", "XS", "XD")
