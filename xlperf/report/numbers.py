"""How the report prints figures: exact Decimals, rounded half-up only for display."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def wan(value: Decimal | None) -> str:
    """万元 with two decimals: ``16.06``; a missing amount is shown as such, not as 0."""
    if value is None:
        return "（未填）"
    return format(value.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def pct(fraction: Decimal | None) -> str:
    if fraction is None:
        return "（无法计算）"
    return format((fraction * 100).quantize(CENT, rounding=ROUND_HALF_UP), "f") + "%"


def pts(value: Decimal | None) -> str:
    if value is None:
        return "（未填）"
    return format(value.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def plain(value: Decimal | str | None) -> str:
    """A form's figure as typed: ``8``, ``96.97``, ``优`` (no padding zeros)."""
    if value is None:
        return "（空）"
    if isinstance(value, str):
        return value
    return format(value.normalize(), "f")


def plain_pct(fraction: Decimal | str | None) -> str:
    if not isinstance(fraction, Decimal):
        return plain(fraction)
    return plain(fraction * 100) + "%"
