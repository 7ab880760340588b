"""The 部门（单位）项目支出自评汇总表 as read: one row per project and the 合计 row."""

from __future__ import annotations

from pydantic import BaseModel, Field

from xlperf.forms.base import Val, empty


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
