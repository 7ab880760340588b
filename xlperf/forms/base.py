"""What every form is made of: a value read from a cell, and what could not be read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticUndefined

M = TypeVar("M", bound=BaseModel)

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


_new = object.__new__
_set = object.__setattr__
_PLANS: dict[type, tuple[dict[str, Any], list[tuple[str, Any]]]] = {}


def build(cls: type[M], fields: dict[str, Any]) -> M:
    """An instance of a form model from values the reader made itself, not validated (tens of
    thousands per workbook), the fields not given at their defaults: what
    ``cls.model_construct(**fields)`` does, without its per-call walk over the fields.

    ``fields`` must already be of the fields' types (a Val, a Decimal, a list of models)."""
    plan = _PLANS.get(cls) or _plan(cls)
    data = dict(plan[0])  # in the fields' order, as validation makes it
    for name, factory in plan[1]:
        if name not in fields:
            data[name] = factory()
    data.update(fields)
    m = _new(cls)
    _set(m, "__dict__", data)
    _set(m, "__pydantic_fields_set__", set(fields))
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m


def _plan(cls: type[BaseModel]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """Every field of a model in order at its plain default (None where it has none, or where it
    is made anew), and the factories of those made anew."""
    static: dict[str, Any] = {}
    made: list[tuple[str, Any]] = []
    for name, info in cls.model_fields.items():
        factory = info.default_factory
        static[name] = _EMPTY if factory is empty else None
        if factory is None or factory is empty:
            if info.default is not PydanticUndefined:
                static[name] = info.default
        elif isinstance(factory, type) and issubclass(factory, BaseModel):
            made.append((name, lambda model=factory: build(model, {})))
        else:
            made.append((name, factory))
    _PLANS[cls] = (static, made)
    return static, made
