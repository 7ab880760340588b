"""The data model: project forms and 汇总表 as read, every value with the cell it came from."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from xlperf.rules import RuleSet

RATE_PERCENT_POINTS_ABOVE = Decimal(2)
"""A rate typed without "%" and above this (``79.4``) is read as percentage points, not 7940%."""


class Val(BaseModel):
    """One value of a form and where it stands.

    ``value`` is what the form says: a Decimal for numeric fields (rates as fractions when the
    cell said "%"), text as written otherwise, None when empty or unreadable. ``decimals`` is the
    precision the form shows for a number.
    """

    model_config = ConfigDict(frozen=True)

    cell: str | None = None
    value: Decimal | str | None = None
    decimals: int | None = None
    percent: bool = False
    formula: str | None = None
    typed: bool = False  # the cell holds something, if only a null marker like "—"

    @property
    def number(self) -> Decimal | None:
        return self.value if isinstance(self.value, Decimal) else None

    @property
    def text(self) -> str | None:
        if self.value is None:
            return None
        return self.value if isinstance(self.value, str) else format(self.value, "f")

    def rate_fraction(self) -> Decimal | None:
        """The value as a fraction, reading a "%"-less number above 2 as percentage points."""
        n = self.number
        if n is None:
            return None
        if not self.percent and n > RATE_PERCENT_POINTS_ABOVE:
            return n / 100
        return n

    def rate_decimals(self) -> int | None:
        """Decimals of :meth:`rate_fraction` as shown."""
        if self.decimals is None:
            return None
        n = self.number
        if n is not None and not self.percent and n > RATE_PERCENT_POINTS_ABOVE:
            return self.decimals + 2
        return self.decimals


def empty() -> Val:
    return Val()


class FundRow(BaseModel):
    initial_budget: Val = Field(default_factory=empty)
    annual_budget: Val = Field(default_factory=empty)
    executed: Val = Field(default_factory=empty)
    weight: Val = Field(default_factory=empty)
    rate: Val = Field(default_factory=empty)
    score: Val = Field(default_factory=empty)
    label_cell: str | None = None


FUND_ROWS = ("total", "current_appropriation", "carryover", "other")
NO_UNIT = "（未注明实施单位）"  # the unit of a form with neither 实施单位 nor 主管部门
FUND_COLUMNS = ("initial_budget", "annual_budget", "executed", "weight", "rate", "score")


class Funds(BaseModel):
    total: FundRow = Field(default_factory=FundRow)
    current_appropriation: FundRow = Field(default_factory=FundRow)
    carryover: FundRow = Field(default_factory=FundRow)
    other: FundRow = Field(default_factory=FundRow)

    def parts(self) -> tuple[FundRow, FundRow, FundRow]:
        return (self.current_appropriation, self.carryover, self.other)


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
        from xlperf.reader.labels import is_placeholder_name

        others = (self.target, self.actual, self.weight, self.score, self.note)
        return is_placeholder_name(self.name.text) and all(v.value is None for v in others)


class Problem(BaseModel):
    """Something the reader could not read (reported as XP000)."""

    sheet: str
    cell: str
    message: str
    actual: str | None = None


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

    def scored_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if not i.placeholder]


class SummaryRow(BaseModel):
    row: int
    seq: Val = Field(default_factory=empty)
    project_name: Val = Field(default_factory=empty)
    annual_budget: Val = Field(default_factory=empty)
    executed: Val = Field(default_factory=empty)
    rate: Val = Field(default_factory=empty)
    output_rate: Val = Field(default_factory=empty)
    benefit_rate: Val = Field(default_factory=empty)
    satisfaction_rate: Val = Field(default_factory=empty)
    score: Val = Field(default_factory=empty)
    reason: Val = Field(default_factory=empty)


SUMMARY_COLUMNS = (
    "seq",
    "project_name",
    "annual_budget",
    "executed",
    "rate",
    "output_rate",
    "benefit_rate",
    "satisfaction_rate",
    "score",
    "reason",
)


class SummaryForm(BaseModel):
    sheet: str
    first_row: int
    last_row: int
    header_row: int
    title: Val = Field(default_factory=empty)
    unit_name: Val = Field(default_factory=empty)
    date: Val = Field(default_factory=empty)
    rows: list[SummaryRow] = Field(default_factory=list)
    total: SummaryRow | None = None
    columns: dict[str, int] = Field(default_factory=dict)


class WorkbookForms(BaseModel):
    """Everything read from one workbook."""

    path: str
    sheets: list[str] = Field(default_factory=list)
    projects: list[ProjectForm] = Field(default_factory=list)
    summaries: list[SummaryForm] = Field(default_factory=list)
    departments: list[DepartmentForm] = Field(default_factory=list)
    money: list[MoneyTable] = Field(default_factory=list)  # 收支情况 tables (per-unit money)
    problems: list[Problem] = Field(default_factory=list)
    rules: RuleSet | None = None  # the workbook's own 参数 sheet, when it has one

    def rule_set(self, override: RuleSet | None = None) -> RuleSet:
        """The rules to apply: the caller's, else the workbook's 参数 sheet, else the national."""
        from xlperf.rules import DEFAULT_RULES

        return override or self.rules or DEFAULT_RULES


from xlperf.department.model import DepartmentForm  # noqa: E402  (they build on Val above)
from xlperf.department.money import MoneyTable  # noqa: E402

WorkbookForms.model_rebuild()
