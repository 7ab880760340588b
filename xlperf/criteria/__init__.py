"""评分标准 as data: scoring rules read from the Chinese prose of a 评分标准 column.

:func:`parse_criterion` reads a 评分标准 text into a rule (:mod:`.model`; :func:`read_criterion`
also takes the rule's JSON), :func:`evaluate` scores a value under a rule (exact
:class:`~decimal.Decimal` arithmetic, quantised only at the end; floats are refused) and
:func:`explain` renders a rule as short Chinese. Rates are fractions throughout (95% is
``Decimal("0.95")``). :mod:`.money` holds the money-derived department indicators (预算执行率 …).
"""

from xlperf.criteria.decimals import to_decimal
from xlperf.criteria.evaluation import assess, evaluate
from xlperf.criteria.explanation import explain
from xlperf.criteria.model import (
    Band,
    BandsRule,
    BinaryRule,
    CompositeRule,
    DeductionRule,
    Interval,
    LinearRule,
    ManualRule,
    Part,
    RatioRule,
    Rule,
    SurveyRule,
    expected_input,
    rule_from_json,
)
from xlperf.criteria.money import (
    MONEY_INDICATORS,
    budget_adjustment_rate,
    budget_execution_rate,
    carryover_change_rate,
    carryover_rate,
    fixed_asset_utilisation_rate,
    key_expenditure_rate,
    procurement_execution_rate,
    public_expense_control_rate,
    staff_control_rate,
    three_public_change_rate,
    three_public_control_rate,
)
from xlperf.criteria.parse.criterion import parse_criterion, read_criterion

__all__ = [
    "MONEY_INDICATORS",
    "Band",
    "BandsRule",
    "BinaryRule",
    "CompositeRule",
    "DeductionRule",
    "Interval",
    "LinearRule",
    "ManualRule",
    "Part",
    "RatioRule",
    "Rule",
    "SurveyRule",
    "assess",
    "budget_adjustment_rate",
    "budget_execution_rate",
    "carryover_change_rate",
    "carryover_rate",
    "expected_input",
    "evaluate",
    "explain",
    "fixed_asset_utilisation_rate",
    "key_expenditure_rate",
    "parse_criterion",
    "procurement_execution_rate",
    "public_expense_control_rate",
    "read_criterion",
    "rule_from_json",
    "staff_control_rate",
    "three_public_change_rate",
    "three_public_control_rate",
    "to_decimal",
]
