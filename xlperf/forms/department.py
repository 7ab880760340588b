"""The 部门整体支出绩效自评表 as read: money block, 指标计算数据 and the indicator table.

Every value is a :class:`~xlperf.forms.base.Val`, so it remembers its sheet cell like the project model.
"""

from __future__ import annotations

from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from xlperf.criteria.model import ManualRule, Rule
from xlperf.criteria.parse.criterion import read_criterion
from xlperf.forms.base import Val, empty


class BudgetLine(BaseModel):
    """One row of the money block (万元)."""

    initial_budget: Val = Field(default_factory=empty)
    annual_budget: Val = Field(default_factory=empty)
    executed: Val = Field(default_factory=empty)
    rate: Val = Field(default_factory=empty)
    label_cell: str | None = None


MONEY_ROWS = ("total", "appropriation", "other", "basic", "project")
MONEY_COLUMNS = ("initial_budget", "annual_budget", "executed")


class DepartmentMoney(BaseModel):
    """部门预算总额, its 资金来源 (财政拨款 / 其他资金) and its split (基本支出 / 项目支出).

    A 预算情况 block stating one amount per line (seed 000) fills the 全年预算数 column alone.
    """

    total: BudgetLine = Field(default_factory=BudgetLine)
    appropriation: BudgetLine = Field(default_factory=BudgetLine)
    other: BudgetLine = Field(default_factory=BudgetLine)
    basic: BudgetLine = Field(default_factory=BudgetLine)
    project: BudgetLine = Field(default_factory=BudgetLine)


class MoneyFigure(BaseModel):
    """A row of 指标计算数据: a money-derived indicator with the two figures it is computed from.

    ``name`` is the canonical name (a key of :data:`xlperf.criteria.MONEY_INDICATORS`);
    ``value`` is the rate the form shows (typed or a formula's result).
    """

    name: str
    label_cell: str | None = None
    numerator: Val = Field(default_factory=empty)
    denominator: Val = Field(default_factory=empty)
    value: Val = Field(default_factory=empty)


class DepartmentIndicator(BaseModel):
    model_config = ConfigDict(ignored_types=(cached_property,))

    row: int
    level1: Val = Field(default_factory=empty)
    level1_weight: Val = Field(default_factory=empty)  # declared: own 分值 column or "（40分）"
    level2: Val = Field(default_factory=empty)
    level2_weight: Val = Field(default_factory=empty)
    name: Val = Field(default_factory=empty)
    weight: Val = Field(default_factory=empty)
    # The row (1-based) of the indicator whose 分值 this one shares (typed once for the set, or
    # merged over it): its own 分值 is empty, the set's is counted once, on that row.
    weight_from: int | None = None
    criterion: Val = Field(default_factory=empty)
    target: Val = Field(default_factory=empty)  # 指标值 / 年度指标值
    input: Val = Field(default_factory=empty)  # 评分依据 / 实际完成值
    score: Val = Field(default_factory=empty)
    note: Val = Field(default_factory=empty)

    @cached_property
    def rule(self) -> Rule:
        """The 评分标准 as a rule (manual when there is no text or no 分值)."""
        text, weight = self.criterion.text, self.weight.number
        if weight is None and self.weight_from is not None:
            return ManualRule(weight=0, text=text or "", reason=f"与第{self.weight_from}行共用分值")
        if weight is None or weight < 0:
            return ManualRule(weight=0, text=text or "", reason="没有分值")
        if not text:
            return ManualRule(weight=weight, text="", reason="没有评分标准")
        return read_criterion(text, weight, name=self.name.text)


class DepartmentTask(BaseModel):
    """One line of 年度主要任务: the task's name and its 主要内容."""

    name: Val = Field(default_factory=empty)
    content: Val = Field(default_factory=empty)


class DepartmentForm(BaseModel):
    """One 部门整体支出绩效自评表 (or a 评分表 without money block)."""

    sheet: str
    first_row: int
    last_row: int
    header_row: int
    title: Val = Field(default_factory=empty)
    year: Val = Field(default_factory=empty)
    unit_name: Val = Field(default_factory=empty)
    goals: Val = Field(default_factory=empty)  # 年度履职目标
    tasks: list[DepartmentTask] = Field(default_factory=list)  # 年度主要任务
    money: DepartmentMoney = Field(default_factory=DepartmentMoney)
    has_money: bool = False
    figures: list[MoneyFigure] = Field(default_factory=list)
    indicators: list[DepartmentIndicator] = Field(default_factory=list)
    total_weight: Val = Field(default_factory=empty)
    total_score: Val = Field(default_factory=empty)
    grade: Val = Field(default_factory=empty)
    total_label_cell: str | None = None

    def indicator_at(self, row: int) -> DepartmentIndicator | None:
        return next((i for i in self.indicators if i.row == row), None)

    def figure(self, name: str) -> MoneyFigure | None:
        return next((f for f in self.figures if f.name == name), None)
