"""Everything read from one workbook: its forms of every kind and what could not be read."""

from __future__ import annotations

from pydantic import BaseModel, Field

from xlperf.forms.base import Problem
from xlperf.forms.department import DepartmentForm
from xlperf.forms.money import MoneyBook, MoneyTable
from xlperf.forms.project import ProjectForm
from xlperf.forms.summary import SummaryForm
from xlperf.rules import DEFAULT_RULES, RuleSet


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
        return override or self.rules or DEFAULT_RULES

    def money_book(self) -> MoneyBook:
        """The 收支情况 tables alone, as the money checks and roll-up take them (no problems)."""
        return MoneyBook(path=self.path, tables=self.money)
