"""The 项目支出绩效自评表 as read: header fields, fund rows, indicators and totals."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Any

from pydantic import BaseModel, Field

from xlperf.forms.base import Val, empty
from xlperf.vocabulary.project import MONEY_UNIT, is_placeholder_name


class FundRow(BaseModel):
    initial_budget: Val = Field(default_factory=empty)
    annual_budget: Val = Field(default_factory=empty)
    executed: Val = Field(default_factory=empty)
    weight: Val = Field(default_factory=empty)
    rate: Val = Field(default_factory=empty)
    score: Val = Field(default_factory=empty)
    label_cell: str | None = None


FUND_ROWS = ("total", "current_appropriation", "carryover", "other")
# Rows some provinces add (财政专户管理资金, 单位资金): reported only where a form has them.
EXTRA_FUND_ROWS = ("special_account", "unit_funds")
NO_UNIT = "（未注明实施单位）"  # the unit of a form with neither 实施单位 nor 主管部门
FUND_COLUMNS = ("initial_budget", "annual_budget", "executed", "weight", "rate", "score")


class Funds(BaseModel):
    total: FundRow = Field(default_factory=FundRow)
    current_appropriation: FundRow = Field(default_factory=FundRow)
    carryover: FundRow = Field(default_factory=FundRow)
    other: FundRow = Field(default_factory=FundRow)
    special_account: FundRow = Field(default_factory=FundRow)
    unit_funds: FundRow = Field(default_factory=FundRow)

    def parts(self) -> tuple[FundRow, ...]:
        """The sources the 年度资金总额 is made of: the national three, and the rows some
        provinces add where the form has them."""
        return tuple(getattr(self, n) for n in self.part_names())

    def part_names(self) -> list[str]:
        """Field names of :meth:`parts`, in the same order."""
        extra = [n for n in EXTRA_FUND_ROWS if getattr(self, n).label_cell is not None]
        return ["current_appropriation", "carryover", "other", *extra]


class Indicator(BaseModel):
    row: int
    level1: Val = Field(default_factory=empty)
    level1_declared_weight: Decimal | None = None
    level2: Val = Field(default_factory=empty)
    name: Val = Field(default_factory=empty)
    target: Val = Field(default_factory=empty)
    actual: Val = Field(default_factory=empty)
    weight: Val = Field(default_factory=empty)
    score: Val = Field(default_factory=empty)
    note: Val = Field(default_factory=empty)

    @property
    def placeholder(self) -> bool:
        """An unused template row: a name like "指标2：" and nothing else."""
        others = (self.target, self.actual, self.weight, self.score, self.note)
        return is_placeholder_name(self.name.text) and all(v.value is None for v in others)


class ProjectForm(BaseModel):
    sheet: str
    first_row: int
    last_row: int
    title: Val = Field(default_factory=empty)
    year: Val = Field(default_factory=empty)
    project_name: Val = Field(default_factory=empty)
    department: Val = Field(default_factory=empty)
    implementer: Val = Field(default_factory=empty)
    funds: Funds = Field(default_factory=Funds)
    goal_expected: Val = Field(default_factory=empty)
    goal_actual: Val = Field(default_factory=empty)
    indicators: list[Indicator] = Field(default_factory=list)
    total_weight: Val = Field(default_factory=empty)
    total_score: Val = Field(default_factory=empty)
    grade: Val = Field(default_factory=empty)
    total_label_cell: str | None = None
    money_unit: Val = Field(default_factory=empty)  # 万元 or 元, where the form states it
    weights_at: str = "column"  # "column" (分值/权重), or "labels" (产出指标(60分) only)
    readings: list[str] = Field(default_factory=list)  # how ambiguous parts were read

    @property
    def unit(self) -> str:
        """The unit the form's amounts are in (万元 unless it says 元)."""
        return self.money_unit.text or MONEY_UNIT

    @cached_property
    def memo(self) -> dict[Any, Any]:
        """What scoring works out once per form (a form is not changed once read); not a field:
        no part of the form's equality or of what it dumps."""
        return {}

    def scored_indicators(self) -> list[Indicator]:
        """The indicators that are not unused template rows."""
        return list(self.scored_shared())

    def scored_shared(self) -> list[Indicator]:
        """:meth:`scored_indicators` as worked out once per indicator list: the same list each
        time (for remembering what follows from it), not to be changed."""
        inds = self.indicators
        known = self.memo.get("scored")
        if known is None or known[0] is not inds or known[1] != len(inds):
            known = self.memo["scored"] = (inds, len(inds), [i for i in inds if not i.placeholder])
        return known[2]
