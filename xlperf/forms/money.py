"""The 收支情况 money tables as read: a table's columns, its 汇总 row and one row per unit."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from xlperf.forms.base import Problem, Val, empty
from xlperf.vocabulary.money import SPECS, TableSpec


class MoneyRow(BaseModel):
    """A unit's (or the 汇总) row of one money table."""

    row: int  # 1-based sheet row
    label: Val = Field(default_factory=empty)
    unit: str  # the unit's name without its numbering (1、局机关 -> 局机关)
    values: dict[str, Val] = Field(default_factory=dict)

    def amount(self, key: str) -> Decimal:
        """The amount of a column; a blank cell is 0 (the seed's practice), unreadable too."""
        val = self.values.get(key)
        return val.number if val is not None and val.number is not None else Decimal(0)

    def cell(self, key: str) -> str | None:
        val = self.values.get(key)
        return val.cell if val is not None else None


class MoneyTable(BaseModel):
    """One money table as read: which columns it has, its 汇总 row and its unit rows."""

    sheet: str
    kind: str
    header_row: int  # 1-based, the 机构名称 row
    columns: dict[str, int] = Field(default_factory=dict)  # key -> 0-based column
    total: MoneyRow | None = None
    units: list[MoneyRow] = Field(default_factory=list)

    @property
    def spec(self) -> TableSpec:
        return SPECS[self.kind]

    @property
    def title(self) -> str:
        return self.spec.title

    def unit_sums(self) -> dict[str, Decimal]:
        """Each column's exact sum of the unit rows (blank = 0): what the 汇总 row should hold
        (XD411 checks it, the roll-up writes it); nothing for a table without units."""
        if not self.units:
            return {}
        return {key: sum((u.amount(key) for u in self.units), Decimal(0)) for key in self.columns}


class MoneyBook(BaseModel):
    path: str
    tables: list[MoneyTable] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
