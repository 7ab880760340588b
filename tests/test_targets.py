"""The free-text target/actual parser: the spellings real forms use, and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlperf.targets import comparable, is_reached, parse_target

D = Decimal

CASES = [
    ("≥95%", "quantitative", ">=", D(95), "%", "more"),
    (">=95%", "quantitative", ">=", D(95), "%", "more"),
    ("$\\geq 95\\%$", "quantitative", ">=", D(95), "%", "more"),
    ("$\\ge$95%", "quantitative", ">=", D(95), "%", "more"),
    ("≥ 95 %", "quantitative", ">=", D(95), "%", "more"),
    ("大于600元", "quantitative", ">", D(600), "元", "more"),
    ("不低于90%", "quantitative", ">=", D(90), "%", "more"),
    ("95%以上", "quantitative", ">=", D(95), "%", "more"),
    ("≤2520元/人", "quantitative", "<=", D(2520), "元/人", "less"),
    ("<10 万元", "quantitative", "<", D(10), "万元", "less"),
    ("<10万元", "quantitative", "<", D(10), "万元", "less"),
    ("≤2.5%", "quantitative", "<=", D("2.5"), "%", "less"),
    ("不超过2人", "quantitative", "<=", D(2), "人", "less"),
    ("5人以内", "quantitative", "<=", D(5), "人", "less"),
    ("低于3%", "quantitative", "<", D(3), "%", "less"),
    ("47人", "quantitative", None, D(47), "人", "more"),
    ("3次", "quantitative", None, D(3), "次", "more"),
    ("1场", "quantitative", None, D(1), "场", "more"),
    ("100%", "quantitative", None, D(100), "%", "more"),
    ("100.57万元", "quantitative", None, D("100.57"), "万元", "more"),
    ("22400元", "quantitative", None, D(22400), "元", "more"),
    ("９５％", "quantitative", None, D(95), "%", "more"),
    ("＞90%", "quantitative", ">", D(90), "%", "more"),
    ("≧98%", "quantitative", ">=", D(98), "%", "more"),
    ("＜＝5人", "quantitative", "<=", D(5), "人", "less"),
    ("1,080人", "quantitative", None, D(1080), "人", "more"),
    ("0.803", "quantitative", None, D("0.803"), None, "more"),
    ("8月31日前", "deadline", "<=", D(831), None, "less"),
    ("12月底前", "deadline", "<=", D(1231), None, "less"),
    ("2024年6月30日前", "deadline", "<=", D(630), None, "less"),
    ("按时发放", "qualitative", None, None, None, None),
    ("提高", "qualitative", None, None, None, None),
    ("符合标准", "qualitative", None, None, None, None),
    ("应保尽保", "qualitative", None, None, None, None),
    ("固话3台，专网8条", "qualitative", None, None, None, None),
    (
        "单位应缴纳的社会保险费或不超过社会保险费实际缴费额的2/3",
        "qualitative",
        None,
        None,
        None,
        None,
    ),
    ("—", "empty", None, None, None, None),
    ("", "empty", None, None, None, None),
]


@pytest.mark.parametrize(("text", "kind", "op", "value", "unit", "direction"), CASES)
def test_real_spellings(text, kind, op, value, unit, direction) -> None:
    t = parse_target(text)
    assert (t.kind, t.op, t.value, t.unit, t.direction) == (kind, op, value, unit, direction)
    assert t.text == text.strip()


def test_cost_indicator_without_operator_is_less_is_better() -> None:
    assert parse_target("4.54万元", less_is_better=True).direction == "less"
    assert parse_target("≥4.54万元", less_is_better=True).direction == "more"


def test_numbers_from_numeric_cells() -> None:
    t = parse_target(0.98)
    assert (t.kind, t.value, t.unit) == ("quantitative", D("0.98"), None)
    assert parse_target(None).kind == "empty"


def test_comparisons_across_units() -> None:
    assert comparable(parse_target("≤20000元"), parse_target("1万元")) == (D(20000), D(10000))
    assert comparable(parse_target("≥95%"), parse_target(0.98)) == (D(95), D("98.00"))
    assert comparable(parse_target("≥95%"), parse_target(98)) == (D(95), D(98))
    assert comparable(parse_target("1年"), parse_target("100%")) is None
    assert comparable(parse_target("提高"), parse_target("提高")) is None
    assert is_reached(parse_target("≤20000元"), parse_target("1万元")) is True
    assert is_reached(parse_target(">90%"), parse_target("90%")) is False
    assert is_reached(parse_target("≥90%"), parse_target("90%")) is True
    assert is_reached(parse_target("12月31日前"), parse_target("12月20日前")) is True
    assert is_reached(parse_target("6月30日前"), parse_target("7月15日")) is False
    assert is_reached(
        parse_target("4.54万元", less_is_better=True), parse_target("4.49万元", less_is_better=True)
    )


OPS = {
    ">=": ["≥", ">=", "\\geq ", "不低于", "大于等于", "＞＝"],
    ">": [">", "大于", "高于", "＞"],
    "<=": ["≤", "<=", "\\leq ", "不超过", "不高于", "小于等于"],
    "<": ["<", "小于", "低于", "＜"],
}
UNITS = ["%", "人", "元", "万元", "元/人", "次", "件", None]
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


@settings(max_examples=200, deadline=None)
@given(
    op=st.sampled_from(sorted(OPS)),
    spelling=st.integers(0, 5),
    number=st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False),
    unit=st.sampled_from(UNITS),
    full_width=st.booleans(),
    latex_dollars=st.booleans(),
    spaces=st.booleans(),
)
def test_round_trip_of_rendered_targets(
    op, spelling, number, unit, full_width, latex_dollars, spaces
) -> None:
    words = OPS[op]
    word = words[spelling % len(words)]
    digits = format(number, "f")
    if full_width:
        digits = digits.translate(FULL_WIDTH)
    sep = " " if spaces else ""
    text = f"{word}{sep}{digits}{sep}{unit or ''}"
    if latex_dollars:
        text = f"${text}$".replace("%", "\\%")
    t = parse_target(text)
    assert (t.kind, t.op, t.value, t.unit) == ("quantitative", op, number, unit)
    assert t.direction == ("more" if op.startswith(">") else "less")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises(text: str) -> None:
    t = parse_target(text)
    assert t.kind in ("quantitative", "deadline", "qualitative", "empty")


@settings(max_examples=200, deadline=None)
@given(
    a=st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
    b=st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
    op=st.sampled_from([">=", ">", "<=", "<"]),
)
def test_money_units_convert_exactly_and_reached_matches_decimal_order(a, b, op) -> None:
    target = parse_target(f"{op}{a}万元")
    actual = parse_target(f"{b * 10000}元")
    goal, done = comparable(target, actual)
    assert goal == a * 10000 and done == b * 10000
    expected = {">=": done >= goal, ">": done > goal, "<=": done <= goal, "<": done < goal}[op]
    assert is_reached(target, actual) is expected
