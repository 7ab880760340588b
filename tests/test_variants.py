"""The provinces' variants of the 项目支出绩效自评表 (DOMAIN.md §6), built from their descriptions:
every field read, no error on the clean version, each planted mistake found at its cell."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.variant_builder import (
    NATIONAL_INDICATORS,
    Built,
    Variant,
    variant,
    variant_data,
    write_variant,
)
from xlperf.checks import check_workbook
from xlperf.findings import Finding
from xlperf.forms.project import ProjectForm
from xlperf.reader import read_workbook

D = Decimal
NO_WEIGHT_MONEY = (
    ("initial_budget", "年初预算数"),
    ("annual_budget", "全年预算数"),
    ("executed", "全年执行数"),
    ("rate", "执行率"),
    ("score", "得分(20分*执行率)"),
)


def _indicators(**labels: str) -> tuple[tuple[str, str], ...]:
    return tuple((role, labels.get(role, label)) for role, label in NATIONAL_INDICATORS)


# name -> (the variant, where its description came from)
VARIANTS: dict[str, Variant] = {
    "national": variant(),
    "zonge_three_sources": variant(
        source="DOMAIN.md §6; issue 12 (总额 / 财政资金 / 财政专户管理资金 / 单位资金)",
        total_label="总额",
        parts=(
            ("current_appropriation", "财政资金", D("0.6")),
            ("special_account", "财政专户管理资金", D("0.2")),
            ("unit_funds", "单位资金", D("0.2")),
        ),
    ),
    "annual_fiscal_total_ab": variant(
        source="DOMAIN.md §6 (年度财政资金总额, 全年预算数(A), 执行率(B/A)); 池州市贵池区 2022 自评表 (本年财政拨款)",
        total_label="年度财政资金总额",
        parts=(
            ("current_appropriation", "其中：本年财政拨款", D(1)),
            ("carryover", "上年结转资金", None),
            ("other", "其他资金", None),
        ),
        money=(
            ("initial_budget", "年初预算数"),
            ("annual_budget", "全年预算数（A）"),
            ("executed", "全年执行数（B）"),
            ("weight", "分值"),
            ("rate", "执行率（B/A）"),
            ("score", "得分"),
        ),
    ),
    "budget_execution_adjusted": variant(
        source="DOMAIN.md §6 (预算执行情况, 调整后预算数, 预算执行数; no 年初预算数, no 上年结转资金 row)",
        total_label="预算执行情况",
        parts=(("current_appropriation", "其中：财政拨款", D(1)), ("other", "其他资金", None)),
        money=(
            ("annual_budget", "调整后预算数"),
            ("executed", "预算执行数"),
            ("weight", "分值"),
            ("rate", "执行率"),
            ("score", "得分"),
        ),
        block_label="项目资金（万元）",
    ),
    "weight_named_quanzhong": variant(
        source="DOMAIN.md §6 (分值 called 权重, 实际完成值 called 完成值)",
        money=tuple((r, "权重" if r == "weight" else lbl) for r, lbl in variant().money),
        indicators=_indicators(weight="权重", actual="完成值"),
    ),
    "two_row_header": variant(
        source="issue 12 (年度指标值 over 指标性质 / 指标值 / 度量单位); doczj 项目支出绩效自评表 (全年实际值)",
        split_target=True,
        indicators=_indicators(actual="全年实际值"),
    ),
    "weights_in_labels_only": variant(
        source="DOMAIN.md §6 (no 分值 column, weights only in 产出指标(60分)); 一级 split 60/30",
        indicators=tuple(r for r in NATIONAL_INDICATORS if r[0] != "weight"),
        split=(60, 30, 0),
    ),
    "rate_out_of_20": variant(
        source="issue 12 (得分(20分*执行率), no 分值 column in the money block)",
        money=NO_WEIGHT_MONEY,
        rate_weight=20,
        split=(50, 20, 10),
    ),
    "total_without_rate": variant(
        source="DOMAIN.md §6 (总分 covers the indicators alone, 执行率 10 outside the 100; 50/40/10)",
        includes_rate=False,
        split=(50, 40, 10),
    ),
    "rate_inside_satisfaction": variant(
        source="DOMAIN.md §6 (a 预算执行率 indicator inside 满意度; indicators carry 100; 70/20/10)",
        includes_rate=False,
        rate_in_satisfaction=True,
        split=(70, 10, 20),
        money=tuple(r for r in variant().money if r[0] not in ("weight", "score")),
    ),
    "amounts_in_yuan": variant(
        source="DOMAIN.md §6 (money stated in 元, the unit printed under the title)",
        unit="元",
        unit_line="单位：元",
        block_label="项目资金",
    ),
    "weight_before_target_extra_column": variant(
        source="DOMAIN.md §6 (分值 before 年度指标值; an extra 备注 column)",
        indicators=(
            ("level1", "一级指标"),
            ("level2", "二级指标"),
            ("name", "三级指标"),
            ("weight", "分值"),
            ("target", "年度指标值"),
            ("actual", "实际完成值"),
            ("score", "得分"),
            ("note", "偏差原因分析及改进措施"),
            ("extra", "备注"),
        ),
    ),
    "placeholder_rows": variant(
        source="DOMAIN.md §6 (placeholder rows 指标5：, “/” rows for not applicable)",
        placeholder_rows=True,
    ),
    "percent_weights": variant(
        source="权重 typed as percentages (20%) in a 权重 column",
        indicators=_indicators(weight="权重"),
        percent_weights=True,
    ),
    "beijing_haidian_2016": variant(
        source="北京市海淀区学院路街道 2016年度 项目支出绩效自评表（wenku365.com/s-60761775）：年初预算数(A)、"
        "全年执行数(B)、分值(10分)、执行率(B/A)、得分计算方法；本年一般公共预算拨款；分值在年度指标值之前，"
        "全年实际值(B)，未完成原因分析",
        parts=(
            ("current_appropriation", "其中：本年一般公共预算拨款", D(1)),
            ("other", "其他资金", None),
        ),
        money=(
            ("initial_budget", "年初预算数(A)"),
            ("executed", "全年执行数(B)"),
            ("weight", "分值(10分)"),
            ("rate", "执行率(B/A)"),
            ("score", "得分"),
            ("extra", "得分计算方法"),
        ),
        indicators=(
            ("level1", "一级指标"),
            ("level2", "二级指标"),
            ("name", "三级指标"),
            ("weight", "分值"),
            ("target", "年度指标值(A)"),
            ("actual", "全年实际值(B)"),
            ("extra", "得分计算方法"),
            ("score", "得分"),
            ("note", "未完成原因分析"),
        ),
    ),
    "operator_spellings": variant(
        source="issue 12 (≧ ≦ ═ 不低于 不高于 以上 以内 in the targets)",
        targets=(
            ("培训人数", "不低于100人"),
            ("合格率", "95%以上"),
            ("人均成本", "500元/人以内"),
            ("学员满意度", "≧90%"),
        ),
    ),
    "operator_symbols": variant(
        source="issue 12 (≧ ≦ ═ 不低于 不高于 以上 以内 in the targets)",
        targets=(
            ("培训人数", "≧100人"),
            ("合格率", "不低于95%"),
            ("人均成本", "≦500元/人"),
            ("学员满意度", "不高于100%"),
        ),
    ),
    "plain_and_adjusted_budget": variant(
        source="DOMAIN.md §6 (调整后预算数 beside a column that says only 预算数)",
        money=(
            ("initial_budget", "预算数"),
            ("annual_budget", "调整后预算数"),
            ("executed", "执行数"),
            ("weight", "分值"),
            ("rate", "执行率"),
            ("score", "得分"),
        ),
    ),
}


def build(
    tmp_path: Path, name: str, change: Callable[[dict], None] | None = None
) -> tuple[Path, Built]:
    v = VARIANTS[name]
    data = variant_data(v)
    if change:
        change(data)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    built = write_variant(ws, v, data)
    path = tmp_path / f"{name}.xlsx"
    wb.save(path)
    return path, built


def _only_form(path: Path) -> tuple[ProjectForm, list[Finding]]:
    book = read_workbook(path)
    assert len(book.projects) == 1, [p.project_name for p in book.projects]
    return book.projects[0], check_workbook(book)


def _num(x: object) -> Decimal | None:
    return None if x is None else Decimal(str(x))


def assert_every_field_read(form: ProjectForm, v: Variant, built: Built) -> None:
    data, cells = built.data, built.cells
    assert form.project_name.text == data["project_name"]
    assert form.implementer.text == data["implementer"]
    assert form.year.value == str(data["year"])
    assert form.unit == v.unit
    order = ("initial_budget", "annual_budget", "executed", "weight", "rate", "score")
    present = {role for role, _ in v.money}
    for key in ["total", *(k for k, _, _ in v.parts)]:
        row = getattr(form.funds, key)
        assert row.label_cell is not None, key
        for role, want in zip(order, data["funds"][key], strict=True):
            got = getattr(row, role)
            if role in present:
                assert got.number == _num(want), (key, role, got, want)
                assert got.cell == cells[f"{key}.{role}"], (key, role)
    if v.money == (
        *(m for m in v.money if m[0] != "score"),
        ("score", "得分(20分*执行率)"),
    ):
        assert form.funds.total.weight.number == v.rate_weight
    scored = form.scored_indicators()
    roles = {role for role, _ in v.indicators}
    assert [i.name.text for i in scored] == [r[3] for r in data["indicators"]]
    for ind, row in zip(scored, data["indicators"], strict=True):
        level1, declared, level2, name, target, actual, weight, score, note = row
        assert ind.level1.text == level1 and ind.level2.text == level2, name
        if v.declare_level1:
            assert ind.level1_declared_weight == declared
        assert ind.target.text == target, (name, ind.target)
        assert ind.actual.text == actual, name
        assert ind.score.number == _num(score), name
        assert ind.note.text == note, name
        if "weight" in roles:
            assert ind.weight.number == _num(weight), (name, ind.weight)
        assert ind.target.cell == built.cells[f"ind.{name}.target"]
    assert form.total_score.number == data["total_score"]
    assert form.total_score.cell == cells["total_score"]
    if "weight" in roles:
        assert form.total_weight.number == data["total_weight"]
    assert form.grade.text == data["grade"]


@pytest.mark.parametrize("name", list(VARIANTS))
def test_clean_variant_is_read_whole_without_error(tmp_path: Path, name: str) -> None:
    path, built = build(tmp_path, name)
    form, findings = _only_form(path)
    errors = [(f.code, f.cell, f.message) for f in findings if f.severity == "error"]
    assert errors == []
    assert_every_field_read(form, VARIANTS[name], built)


def _bump_rate(d: dict) -> None:
    d["funds"]["total"][4] += D("0.1")


def _bump_total(d: dict) -> None:
    d["total_score"] += 1


def _bump_weight(d: dict) -> None:
    d["indicators"][0][6] += 5


def _bump_part(d: dict) -> None:
    d["funds"]["current_appropriation"][0] += 1
    d["funds"]["current_appropriation"][1] += 1


def _score_over(d: dict) -> None:
    d["indicators"][0][7] += 5
    d["total_score"] += 5


def _missing_actual(d: dict) -> None:
    d["indicators"][0][5] = None


def _declared_wrong(d: dict) -> None:
    for row in d["indicators"]:
        if row[0] == "效益指标":
            row[1] += 5


MISTAKES: dict[str, tuple[Callable[[dict], None], str, Callable[[Built], str]]] = {
    "rate": (_bump_rate, "XP101", lambda b: b.cells["total.rate"]),
    "total": (_bump_total, "XP204", lambda b: b.cells["total_score"]),
    "weight": (
        _bump_weight,
        "XP202",
        lambda b: b.cells.get("total_weight") or b.cells["total.weight"],
    ),
    "part": (
        _bump_part,
        "XP104",
        lambda b: b.cells.get("total.annual_budget") or b.cells["total.initial_budget"],
    ),
    "over": (_score_over, "XP201", lambda b: b.cells["ind.培训人数.score"]),
    "missing": (_missing_actual, "XP206", lambda b: b.cells["ind.培训人数.actual"]),
    "declared": (_declared_wrong, "XP203", lambda b: b.cells["ind.就业能力.level1"]),
}


def _applies(name: str, mistake: str) -> bool:
    v = VARIANTS[name]
    roles = {r for r, _ in v.indicators}
    money = {r for r, _ in v.money}
    if mistake == "rate":
        return "rate" in money
    if mistake in ("weight", "over", "declared"):
        return "weight" in roles and (mistake != "declared" or v.declare_level1)
    return True


CASES = [(n, m) for n in VARIANTS for m in MISTAKES if _applies(n, m)]


@pytest.mark.parametrize(("name", "mistake"), CASES)
def test_planted_mistake_is_found_at_its_cell(tmp_path: Path, name: str, mistake: str) -> None:
    change, code, where = MISTAKES[mistake]
    path, built = build(tmp_path, name, change)
    _, findings = _only_form(path)
    got = [(f.code, f.cell) for f in findings if f.severity == "error"]
    assert (code, where(built)) in got, [(f.code, f.cell, f.message) for f in findings]


def test_xls_and_xlsx_of_one_form_read_alike(tmp_path: Path) -> None:
    from tests.conftest import soffice

    exe = soffice()
    for name in ("two_row_header", "zonge_three_sources"):
        path, built = build(tmp_path, name)
        subprocess.run(
            [
                exe,
                "--headless",
                "--convert-to",
                "xls",
                "--outdir",
                str(tmp_path / "xls"),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        xls = tmp_path / "xls" / f"{name}.xls"
        from_xls, from_xlsx = read_workbook(xls), read_workbook(path)
        assert from_xls.model_dump(exclude={"path"}) == from_xlsx.model_dump(exclude={"path"})
        form, findings = _only_form(xls)
        assert [f for f in findings if f.severity == "error"] == []
        assert_every_field_read(form, VARIANTS[name], built)
