"""The seed-000 fixture workbooks: extract gives exactly the mapped values, check finds DOMAIN §4."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import fixture_map, fixture_path, truth
from xlperf.checks import check_workbook
from xlperf.cli import main
from xlperf.reader import read_workbook


def _leaves(cells, path=()):
    """(path, address) for every mapped cell; 'row' keys are row numbers, not cells."""
    if isinstance(cells, dict):
        for key, value in cells.items():
            if key != "row":
                yield from _leaves(value, (*path, key))
    elif isinstance(cells, list):
        for i, value in enumerate(cells):
            yield from _leaves(value, (*path, i))
    else:
        yield path, cells


def _get(data, path):
    for part in path:
        data = data[part]
    return data


def _extract(variant: str) -> dict:
    result = CliRunner().invoke(main, ["extract", str(fixture_path(variant)), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _truth_path(path: tuple) -> tuple:
    """Map paths name the 总分 row 'total'; extract names it total_weight / total_score."""
    if path[0] == "total":
        return (f"total_{path[1]}",)
    return path


def test_extract_gives_exactly_the_mapped_values(variant: str) -> None:
    forms = {f["sheet"]: f for f in _extract(variant)["forms"]}
    checked = 0
    for form in fixture_map(variant)["forms"]:
        expected = truth(form)
        ours = forms[form["sheet"]]
        assert ours["kind"] == form["kind"]
        for path, _address in _leaves(form["cells"]):
            truth_path = _truth_path(path)
            if truth_path[0] not in expected:  # the map names a cell the truth gives no value for
                continue
            want = _get(expected, truth_path)
            got = _get(ours, truth_path)
            assert got == want, (form["sheet"], path, got, want)
            checked += 1
    assert checked > 1800


def test_every_value_remembers_its_mapped_cell(variant: str) -> None:
    book = read_workbook(fixture_path(variant))
    forms = {f.sheet: f for f in [*book.projects, *book.summaries]}
    for form in fixture_map(variant)["forms"]:
        ours = forms[form["sheet"]]
        for path, address in _leaves(form["cells"]):
            obj = ours
            for part in _truth_path(path):
                obj = obj[part] if isinstance(part, int) else getattr(obj, part)
            assert obj.cell == address, (form["sheet"], path)


# DOMAIN.md §4, as (sheet, code, mapped field path): every mistake the seed's forms contain.
DOMAIN_MISTAKES = [
    ("建档立卡优秀务工人员奖补", "XP101", ("funds", "total", "rate")),
    ("建档立卡优秀务工人员奖补", "XP202", ("total", "weight")),
    ("建档立卡优秀务工人员奖补", "XP203", ("indicators", "激励更多贫困劳动力", "level1")),
    ("建档立卡优秀务工人员奖补", "XP204", ("total", "score")),
    ("事业单位招聘", "XP101", ("funds", "total", "rate")),
    ("事业单位招聘", "XP102", ("funds", "total", "score")),
    ("事业单位招聘", "XP205", ("indicators", "招聘单位满意度", "score")),
    ("人事局工作经费", "XP205", ("indicators", "支出标准费用", "score")),
    ("人事局工作经费", "XP203", ("indicators", "社会公众满意度", "level1")),
    ("高校毕业生“三支一扶”计划中央和市补助资金", "XP102", ("funds", "total", "score")),
    ("其他就业补助经费支出", "XP104", ("funds", "total", "executed")),
    ("创业贷款贴息经费支出", "XP104", ("funds", "total", "annual_budget")),
    ("社会保险经办工作经费", "XP101", ("funds", "total", "rate")),
    ("汇总表4", "XS301", ("rows", 1, "rate")),
    ("汇总表4", "XS301", ("rows", 2, "rate")),
    ("汇总表5", "XS301", ("rows", 6, "annual_budget")),
]


def test_check_reports_every_domain_mistake_at_its_cell(variant: str) -> None:
    book = read_workbook(fixture_path(variant))
    found = {(f.sheet, f.cell, f.code) for f in check_workbook(book)}
    maps = {f["sheet"]: f for f in fixture_map(variant)["forms"]}
    missing = []
    for sheet, code, path in DOMAIN_MISTAKES:
        if path[0] == "indicators":  # an indicator named by part of its name
            names = [i["name"] or "" for i in truth(maps[sheet])["indicators"]]
            path = (path[0], next(i for i, n in enumerate(names) if path[1] in n), path[2])
        cell = _get(maps[sheet]["cells"], path)
        if (sheet, cell, code) not in found:
            missing.append((sheet, code, path, cell))
    assert not missing


def test_scores_below_weight_without_reason_are_warned(variant: str) -> None:
    book = read_workbook(fixture_path(variant))
    xp207 = [f for f in check_workbook(book) if f.code == "XP207"]
    # 建档立卡: 经济效益 9/10, 社会效益 9.5/10, 满意度 9.47/10 — none has a 偏差原因.
    sheets = [f.sheet for f in xp207]
    assert sheets.count("建档立卡优秀务工人员奖补") == 3
    # 劳动保障监察日常办公经费 deducted one point and explained why: no warning there.
    assert "劳动保障监察日常办公经费" not in sheets


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_check_command_output_and_exit_status(variant: str, fmt: str) -> None:
    result = CliRunner().invoke(main, ["check", str(fixture_path(variant)), "--format", fmt])
    assert result.exit_code == 1
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data and all(
            set(d) == {"file", "sheet", "cell", "code", "severity", "message", "expected", "actual"}
            for d in data
        )
        first = next(d for d in data if d["code"] == "XP101")
        assert first["expected"] == 1 and first["actual"] == 0.803
    else:
        line = next(x for x in result.stdout.splitlines() if " XP101 " in x)
        assert line.startswith(f"{fixture_path(variant)}:建档立卡优秀务工人员奖补!")


def test_select_and_ignore(variant: str) -> None:
    path = str(fixture_path(variant))
    only = CliRunner().invoke(main, ["check", path, "--format", "json", "--select", "XS"])
    codes = {d["code"] for d in json.loads(only.stdout)}
    assert codes and all(c.startswith("XS") for c in codes)
    rest = CliRunner().invoke(main, ["check", path, "--format", "json", "--ignore", "XP2,XS"])
    codes = {d["code"] for d in json.loads(rest.stdout)}
    assert codes and not any(c.startswith(("XP2", "XS")) for c in codes)
