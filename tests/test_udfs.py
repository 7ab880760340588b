"""Worksheet functions, called with arguments as xlwings hands them over, agree with the engine."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import fixture_path
from xlperf import udfs
from xlperf.addin.udf_wrappers import udf_module_text
from xlperf.reader import read_workbook
from xlperf.rules import DEFAULT_RULES
from xlperf.scoring.project import execution_rate, judge_indicator


def _xl(value: Decimal | str | None) -> float | str | None:
    """A cell value the way xlwings passes it: floats for numbers, str, None for empty."""
    return float(value) if isinstance(value, Decimal) else value


@pytest.fixture(scope="module")
def forms():
    return read_workbook(fixture_path("std")).projects


def test_rates_and_rate_scores_of_every_seed_form(forms) -> None:
    for form in forms:
        total = form.funds.total
        rate = execution_rate(total)
        got = udfs.XP_RATE(_xl(total.annual_budget.value), _xl(total.executed.value))
        assert got == pytest.approx(float(rate), abs=1e-12)
        as_range = udfs.XP_RATE([[_xl(total.annual_budget.value)]], [[_xl(total.executed.value)]])
        assert as_range == got
        expected = DEFAULT_RULES.round_score(DEFAULT_RULES.rate_score(rate, total.weight.number))
        assert udfs.XP_RATE_SCORE(got, _xl(total.weight.value)) == float(expected)


def test_indicator_scores_of_every_quantitative_seed_indicator(forms) -> None:
    checked = 0
    for form in forms:
        for ind in form.scored_indicators():
            judgement = judge_indicator(ind, DEFAULT_RULES)
            got = udfs.XP_SCORE(
                _xl(ind.target.value),
                _xl(ind.actual.value),
                _xl(ind.weight.value),
                _xl(ind.level2.value),
            )
            if judgement is None:
                assert isinstance(got, str) and got.startswith("#参数错误")
            else:
                assert got == float(DEFAULT_RULES.round_score(judgement.expected))
                checked += 1
    assert checked > 50
    # 人事局工作经费: a cost ceiling that was kept earns full marks.
    assert udfs.XP_SCORE("<10万元", "7.14万元", 10.0, "成本指标") == 10.0
    assert udfs.XP_SCORE("≥95%", "90%", 10.0) == 9.47


def test_grades_qualitative_ranges_and_criteria() -> None:
    assert [udfs.XP_GRADE(t) for t in (96.97, 89.99, 80.0, 60.0, 59.9)] == [
        "优",
        "良",
        "良",
        "中",
        "差",
    ]
    assert udfs.XP_QUAL_RANGE(10.0, 1.0) == [[8.0, 10.0]]
    assert udfs.XP_QUAL_RANGE(10.0, 3.0) == [[0.0, 6.0]]
    text = "预算执行率≥95%的，得2分；≤90%的，得0分；90%-95%之间按线性插值计算得分"
    assert udfs.XP_CRITERION(0.9143, text, 2.0) == 0.57
    assert udfs.XP_CRITERION(91.43, text, 2.0) == 0.57  # typed as percentage points
    structured = '{"kind": "linear", "full_at": "0.95", "zero_at": "0.9"}'  # the same rule as data
    assert udfs.XP_CRITERION(0.9143, structured, 2.0) == 0.57


def test_bad_arguments_give_a_message_not_a_crash() -> None:
    cases = [
        udfs.XP_RATE(None, 3.0),
        udfs.XP_RATE("#N/A", 3.0),
        udfs.XP_RATE(20.0, "见附件"),
        udfs.XP_RATE(0.0, 3.0),
        udfs.XP_RATE([[1.0, 2.0]], 3.0),
        udfs.XP_RATE_SCORE("#DIV/0!", 10.0),
        udfs.XP_SCORE("提高", "提高", 10.0),
        udfs.XP_QUAL_RANGE(10.0, 4.0),
        udfs.XP_GRADE("优秀"),
        udfs.XP_CRITERION(0.5, "", 2.0),
        udfs.XP_CRITERION(0.5, "酌情扣分", 2.0),
    ]
    assert all(isinstance(c, str) and c.startswith("#参数错误：") for c in cases), cases


def test_the_add_in_ships_a_wrapper_for_every_function() -> None:
    from pathlib import Path

    text = udf_module_text()
    committed = (
        Path(__file__).resolve().parent.parent / "addin" / "vba" / "XlperfUdfs.bas"
    ).read_text(encoding="ascii")
    assert committed == text
    for fn in udfs.UDFS:
        assert f'XLPy.CallUDF("xlperf.udfs", "{fn.__name__}"' in text
