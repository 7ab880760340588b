"""The money-derived department indicators (预算执行率 …): rates from two amounts, exact."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from xlperf.criteria.decimals import to_decimal
from xlperf.vocabulary.department import INDICATOR_NAMES

Amount = Decimal | int | str | None


def _ratio_of(numerator: Amount, denominator: Amount) -> Decimal | None:
    if numerator is None or denominator is None:
        return None
    den = to_decimal(denominator)
    if den == 0:
        return None
    return to_decimal(numerator) / den


def _change_of(current: Amount, previous: Amount) -> Decimal | None:
    """(current − previous) ÷ previous."""
    if current is None or previous is None:
        return None
    return _ratio_of(to_decimal(current) - to_decimal(previous), previous)


def budget_execution_rate(expenditure: Amount, budget: Amount) -> Decimal | None:
    """预算执行率 = 支出决算数 ÷ 支出预算数 (seed 004: 实际支出 5,409.65 ÷ 可支配资金 5,916.61)."""
    return _ratio_of(expenditure, budget)


def budget_adjustment_rate(adjustment: Amount, initial_budget: Amount) -> Decimal | None:
    """预算调整率 = 预算调整数 ÷ 年初预算数, where 预算调整数 = 调整后预算数 − 年初预算数
    (seed 004: (2,953.58 − 1,607.61) ÷ 1,607.61 = 83.72%)."""
    return _ratio_of(adjustment, initial_budget)


def carryover_rate(carryover: Amount, base: Amount) -> Decimal | None:
    """结转结余率 = 结转结余总额 ÷ 支出预算数 (some provinces divide by 收入合计 instead)."""
    return _ratio_of(carryover, base)


def carryover_change_rate(current: Amount, previous: Amount) -> Decimal | None:
    """结转结余变动率 = (本年结转结余 − 上年结转结余) ÷ 上年结转结余 (seed 004: 89.87%)."""
    return _change_of(current, previous)


def three_public_control_rate(actual: Amount, budget: Amount) -> Decimal | None:
    """“三公经费”控制率 = “三公经费”实际支出数 ÷ 预算安排数 (seed 004: 3.03 ÷ 14.1 = 21.49%)."""
    return _ratio_of(actual, budget)


def three_public_change_rate(current_budget: Amount, previous_budget: Amount) -> Decimal | None:
    """“三公经费”变动率 = (本年预算数 − 上年预算数) ÷ 上年预算数 (seed 004: (14.1 − 13) ÷ 13 = 8.46%)."""
    return _change_of(current_budget, previous_budget)


def procurement_execution_rate(actual: Amount, budget: Amount) -> Decimal | None:
    """政府采购执行率 = 实际政府采购金额 ÷ 政府采购预算金额 (seed 004: 48.50 ÷ 55.58 = 87.26%)."""
    return _ratio_of(actual, budget)


def public_expense_control_rate(actual: Amount, budget: Amount) -> Decimal | None:
    """公用经费控制率 = 实际支出公用经费总额 ÷ 预算安排公用经费总额 (seed 004: 152.53 ÷ 154.03)."""
    return _ratio_of(actual, budget)


def fixed_asset_utilisation_rate(in_use: Amount, total: Amount) -> Decimal | None:
    """固定资产利用率 = 实际在用固定资产总额 ÷ 所有固定资产总额."""
    return _ratio_of(in_use, total)


def key_expenditure_rate(key_projects: Amount, total_projects: Amount) -> Decimal | None:
    """重点支出安排率 = 重点项目支出 ÷ 项目总支出 (seed 004: 3,520.50 ÷ 3,951.75 = 89.09%)."""
    return _ratio_of(key_projects, total_projects)


def staff_control_rate(actual_staff: Amount, authorised_staff: Amount) -> Decimal | None:
    """在职人员控制率 = 在职人员数 ÷ 编制数 (seed 004: 369 ÷ 304 = 121.38%)."""
    return _ratio_of(actual_staff, authorised_staff)


MONEY_INDICATORS: dict[str, Callable[[Amount, Amount], Decimal | None]] = {
    INDICATOR_NAMES[fn.__name__]: fn
    for fn in (
        budget_execution_rate,
        budget_adjustment_rate,
        carryover_rate,
        carryover_change_rate,
        three_public_control_rate,
        three_public_change_rate,
        procurement_execution_rate,
        public_expense_control_rate,
        fixed_asset_utilisation_rate,
        key_expenditure_rate,
        staff_control_rate,
    )
}
"""The money-derived indicators by canonical name (``vocabulary.department.INDICATOR_NAMES``)."""
