"""What every form is made of: a value read from a cell, and what could not be read."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

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


_EMPTY = Val()


def empty() -> Val:
    """The empty value (one shared instance: a Val is frozen)."""
    return _EMPTY


class Problem(BaseModel):
    """Something the reader could not read (reported as XP000)."""

    sheet: str
    cell: str
    message: str
    actual: str | None = None
