"""Exact numbers for 评分标准: Decimals only (floats refused), one spelling for each."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
PERCENT_POINT = Decimal("0.01")


def _refuse_float(value: object) -> object:
    if isinstance(value, float | bool):
        raise ValueError(f"{type(value).__name__} is not accepted here: pass a Decimal, int or str")
    return value


def fmt(value: Decimal) -> str:
    """``0.950`` -> ``0.95``, ``1E+2`` -> ``100``: one spelling per number, in JSON and in text."""
    return "0" if value == 0 else format(value.normalize(), "f")


Dec = Annotated[
    Decimal,
    BeforeValidator(_refuse_float),
    PlainSerializer(fmt, return_type=str, when_used="json"),
]


def to_decimal(value: Decimal | int | str) -> Decimal:
    """An exact Decimal from a Decimal, int or numeric string (``"91.43%"`` -> 0.9143); no floats."""
    if isinstance(value, bool | float):
        raise TypeError(f"{type(value).__name__} is not accepted: pass a Decimal, int or str")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        percent = text.endswith("%")
        try:
            number = Decimal(text.rstrip("%").strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
        return number / HUNDRED if percent else number
    raise TypeError(f"cannot read {type(value).__name__} as a number")


def pct(value: Decimal) -> str:
    """A fraction as a percentage (``0.95`` -> ``95%``)."""
    return "0" if value == 0 else f"{fmt(value * HUNDRED)}%"
