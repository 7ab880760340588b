"""Presets narrow the conventions a form may follow; extract states the convention and how the
form was read; a recognisable form whose field cannot be placed gets an XP000 naming it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from tests.test_variants import VARIANTS, build
from tests.variant_builder import NATIONAL_INDICATORS, variant, variant_data, write_variant
from xlperf.checks import check_workbook
from xlperf.cli import main
from xlperf.presets import preset, presets
from xlperf.reader import read_workbook
from xlperf.rules import DEFAULT_RULES
from xlperf.templates.params_sheet import add_params_sheet


def _errors(path: Path, rules=None) -> list[tuple[str, str, str]]:
    found = check_workbook(read_workbook(path), rules)
    return [(f.code, f.cell, f.message) for f in found if f.severity == "error"]


def test_rules_list_shows_the_national_and_provincial_presets_with_sources() -> None:
    result = CliRunner().invoke(main, ["rules", "list"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "national-2020" in out and "财预〔2020〕10号" in out
    provincial = [n for n in presets() if n != "national-2020"]
    assert len(provincial) >= 2
    for name in provincial:
        assert name in out
    assert out.count("依据：") == len(presets())
    shown = CliRunner().invoke(main, ["rules", "show", "anhui-chizhou-2022"])
    assert shown.exit_code == 0 and "池州市贵池区" in shown.stdout and "50/30/10" in shown.stdout
    unknown = CliRunner().invoke(main, ["rules", "show", "mars"])
    assert unknown.exit_code == 2 and "national-2020" in unknown.stderr


def test_every_preset_accepts_the_national_form_and_names_its_source() -> None:
    for p in presets().values():
        assert p.source and p.says and p.rules.preset == p.name
        assert p.rules.conventions and p.rules.total_weight == 100


def test_a_preset_changes_the_verdict(tmp_path: Path) -> None:
    """总分 without the 执行率 is accepted by default; under the national rules it is wrong."""
    path, built = build(tmp_path, "total_without_rate")
    assert _errors(path) == []
    found = check_workbook(read_workbook(path))
    assert [(f.code, f.severity) for f in found if f.code == "XP200"] == [("XP200", "info")]
    national = _errors(path, preset("national-2020").rules)
    codes = {(code, cell) for code, cell, _ in national}
    assert ("XP202", built.cells["total_weight"]) in codes
    assert all("全国2020" in msg for code, _, msg in national if code == "XP202")
    # through the command line: exit 0 by default, 1 with the preset
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(path)]).exit_code == 0
    narrowed = runner.invoke(main, ["check", "--preset", "national-2020", str(path)])
    assert narrowed.exit_code == 1 and "XP202" in narrowed.stdout


def test_a_preset_with_one_split_rejects_another(tmp_path: Path) -> None:
    v = variant(split=(60, 20, 10))
    wb = openpyxl.Workbook()
    built = write_variant(wb.active, v, variant_data(v))
    path = tmp_path / "split.xlsx"
    wb.save(path)
    assert _errors(path) == []
    chizhou = _errors(path, preset("anhui-chizhou-2022").rules)
    assert [(c, cell) for c, cell, _ in chizhou] == [("XP202", built.cells["total_weight"])]
    assert "产出 60／效益 20／满意度 10" in chizhou[0][2] and "池州2022" in chizhou[0][2]


def test_the_rules_sheet_can_name_a_preset(tmp_path: Path) -> None:
    path, _ = build(tmp_path, "total_without_rate")
    wb = openpyxl.load_workbook(path)
    ws = add_params_sheet(wb, DEFAULT_RULES)
    row = ws.max_row + 2
    ws.cell(row, 1, "规则预设")
    ws.cell(row, 2, "national-2020")
    wb.save(path)
    book = read_workbook(path)
    assert book.rules is not None and book.rules.preset == "national-2020"
    assert "XP202" in {f.code for f in check_workbook(book)}
    ws.cell(row, 2, "no-such-preset")
    wb.save(path)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2 and "no-such-preset" in result.stderr


def test_extract_states_the_convention_and_the_readings(tmp_path: Path) -> None:
    path, _ = build(tmp_path, "rate_out_of_20")
    out = CliRunner().invoke(main, ["extract", str(path)])
    assert out.exit_code == 0, out.output
    form = json.loads(out.stdout)["forms"][0]
    assert form["convention"]["name"] == "执行率20分，总分含执行率"
    assert form["convention"]["accepted"] and form["convention"]["rate_weight"] == 20
    assert any("得分(20分*执行率)" in r for r in form["readings"])
    narrowed = CliRunner().invoke(main, ["extract", "--preset", "national-2020", str(path)])
    conv = json.loads(narrowed.stdout)["forms"][0]["convention"]
    assert not conv["accepted"] and conv["preset"] == "national-2020"
    two_rows, _ = build(tmp_path, "two_row_header")
    form = json.loads(CliRunner().invoke(main, ["extract", str(two_rows)]).stdout)["forms"][0]
    assert any("指标性质/指标值/度量单位" in r for r in form["readings"])
    yuan, _ = build(tmp_path, "amounts_in_yuan")
    form = json.loads(CliRunner().invoke(main, ["extract", str(yuan)]).stdout)["forms"][0]
    assert form["money_unit"] == "元" and form["funds"]["total"]["annual_budget"] == 500000


def test_a_percent_weight_column_and_a_plain_budget_column_are_read_from_content(
    tmp_path: Path,
) -> None:
    path, _ = build(tmp_path, "percent_weights")
    form = read_workbook(path).projects[0]
    assert any("百分数" in r for r in form.readings)
    path, _ = build(tmp_path, "plain_and_adjusted_budget")
    form = read_workbook(path).projects[0]
    assert any("年初预算数" in r for r in form.readings)


def test_a_field_the_header_lacks_is_named_with_its_cells(tmp_path: Path) -> None:
    v = variant(indicators=tuple(r for r in NATIONAL_INDICATORS if r[0] != "actual"))
    wb = openpyxl.Workbook()
    wb.active.title = "无完成值"
    built = write_variant(wb.active, v, variant_data(v))
    path = tmp_path / "no_actual.xlsx"
    wb.save(path)
    found = [f for f in check_workbook(read_workbook(path)) if f.code == "XP000"]
    assert len(found) == 1
    f = found[0]
    assert f.sheet == "无完成值" and f.cell == built.cells["header.indicators"]
    assert "实际完成值" in f.message and ":" in f.message  # the header cells looked at, A12:G12


def test_every_variant_is_described_with_its_source() -> None:
    assert len(VARIANTS) >= 12
    assert all(v.source for v in VARIANTS.values())


def test_operator_spellings_of_the_provinces() -> None:
    from xlperf.targets import parse_target

    spelled = {
        "≧95%": ">=",
        "≦500元/人": "<=",
        "═100%": "=",
        "不低于90%": ">=",
        "不高于5%": "<=",
        "95%以上": ">=",
        "10万元以内": "<=",
    }
    for text, op in spelled.items():
        target = parse_target(text)
        assert (target.kind, target.op) == ("quantitative", op), text


def test_a_money_header_without_any_budget_column_is_named(tmp_path: Path) -> None:
    v = variant(
        money=tuple(r for r in variant().money if r[0] not in ("initial_budget", "annual_budget"))
    )
    wb = openpyxl.Workbook()
    built = write_variant(wb.active, v, variant_data(v))
    path = tmp_path / "no_budget.xlsx"
    wb.save(path)
    found = [f for f in check_workbook(read_workbook(path)) if f.code == "XP000"]
    assert [f.cell for f in found] == [built.cells["header.executed"]]
    assert "全年预算数" in found[0].message
