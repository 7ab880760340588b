"""Turn raw cell contents into exact numbers and comparable labels.

Real forms type numbers every way: floats, text with units (``100.57万元``), full-width digits,
percentages as numbers with a percent format or as text (``80.3%``). Everything numeric becomes a
:class:`~decimal.Decimal` together with the number of decimals the form shows, which is what the
display-precision tolerances in :mod:`xlperf.rules` compare against.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from xlperf.limits import MAX_NUMBER, MAX_NUMBER_TEXT

# Every number read is within ±MAX_NUMBER and, unless zero, at least 1/MAX_NUMBER: 100 digits of
# precision keep every product, ratio and rounding of such numbers exact enough and never let a
# quantize overflow the context (which raises InvalidOperation at the default 28 digits).
PRECISION = 100
decimal.DefaultContext.prec = PRECISION  # threads started later (the server's) copy this one
decimal.getcontext().prec = PRECISION
TINY = 1 / MAX_NUMBER

NULL_TEXTS = frozenset({"", "—", "-", "--", "——", "－", "/", "／", "无", "n/a", "N/A", "\\"})

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)(%|万元|元|分|人|次|个|项|件|台|套|场)?$")
_LATEX = re.compile(r"\$|\\text\{|\\mathrm\{|[{}]")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """NFKC-normalise (full-width digits and brackets to ASCII) and drop all whitespace.

    Cached: the same labels recur on every form, and the readers ask about each cell often."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1 << 16)
def _label_key(text: str) -> str:
    return fold(text).rstrip(":：")


def label_key(value: object) -> str:
    """The comparable form of a label cell: folded, without the colon labels often end with."""
    return _label_key(value) if isinstance(value, str) else ""


@lru_cache(maxsize=1 << 16)
def blank_text(text: str) -> bool:
    """A text cell that counts as empty (``—``, ``无``, spaces)."""
    return fold(text) in NULL_TEXTS


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and blank_text(value))


def clean_text(value: object) -> str | None:
    """Text as written, with the null markers (``—``) read as empty; numbers rendered plainly."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value).strip() if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Number:
    """An exact number read from a cell."""

    value: Decimal
    decimals: int  # decimals of ``value`` as the form shows it
    percent: bool  # the cell said "%" (format or text): ``value`` is already a fraction
    unit: str | None = None


class NotANumber(ValueError):
    """A cell that should hold a number holds text that is not one."""


class NumberOutOfRange(NotANumber):
    """A number too large (or too small) to be a real amount, weight or score: 1e26, 5000 digits."""

    def __init__(self, text: str):
        self.text = text if len(text) <= 40 else f"{text[:20]}…（共 {len(text)} 个字符）"
        super().__init__(self.text)

    @property
    def reason(self) -> str:
        return f"超出可读取的数值范围（绝对值应在 {TINY:.0E} 至 {MAX_NUMBER:.0E} 之间）"


def readable(value: Decimal) -> bool:
    """A number a form can hold: zero, or of magnitude between 1/MAX_NUMBER and MAX_NUMBER."""
    return value.is_finite() and (value.is_zero() or TINY <= abs(value) <= MAX_NUMBER)


def _bounded(value: Decimal, raw: object) -> Decimal:
    """``value`` when it is a number a form can hold (negative zero made plain zero)."""
    if not value.is_finite():
        raise NotANumber(str(raw))
    if value.is_zero():
        return abs(value)
    if not TINY <= abs(value) <= MAX_NUMBER:
        raise NumberOutOfRange(str(raw).strip())
    return value


def _decimals_of(d: Decimal) -> int:
    exponent = d.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def percent_format_decimals(number_format: str | None) -> int | None:
    """Decimals shown by a percent number format (``0.0%`` -> 1), None when not a percent format."""
    if not number_format or "%" not in number_format:
        return None
    body = number_format.split(";")[0]
    match = re.search(r"0\.(0+)%", body)
    return len(match.group(1)) if match else 0


def fixed_format_decimals(number_format: str | None) -> int | None:
    """Decimals shown by a fixed number format (``0.00`` -> 2), None for General and friends."""
    if not number_format or number_format == "General":
        return None
    body = number_format.split(";")[0]
    match = re.search(r"0\.(0+)", body)
    if match:
        return len(match.group(1))
    return 0 if re.search(r"[0#]", body) else None


_PARSED: dict[tuple[type, object, str | None], Number | None] = {}


def parse_number(raw: object, number_format: str | None = None) -> Number | None:
    """Read a number from a cell value; None for an empty cell, NotANumber for other text.

    Remembered per value, type and format (the same figures recur on every form; a Number is
    immutable); what raises is not remembered."""
    key = (raw.__class__, raw, number_format)
    try:
        return _PARSED[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable value: never a number
        return _parse_number(raw, number_format)
    found = _parse_number(raw, number_format)
    if len(_PARSED) < 1 << 16:
        _PARSED[key] = found
    return found


def _parse_number(raw: object, number_format: str | None) -> Number | None:
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise NotANumber(str(raw))
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise NotANumber(str(raw))  # NaN, inf: <v>NaN</v> in a sheet's XML reads as a float
        if isinstance(raw, float) and raw != 0 and abs(raw) < TINY:
            raw = 0.0  # a formula's rounding residue (=0.3-0.1-0.2), not a figure anyone typed
        if isinstance(raw, int) and raw.bit_length() > 64:
            raise NumberOutOfRange(f"（{len(format(raw, 'x'))} 位十六进制的整数）")
        value = _bounded(Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw), raw)
        typed = _decimals_of(value)
        pct = percent_format_decimals(number_format)
        if pct is not None:
            return Number(value, max(typed, pct + 2), True)
        shown = fixed_format_decimals(number_format)
        return Number(value, typed if shown is None else max(typed, shown), False)
    if not isinstance(raw, str):
        raise NotANumber(str(raw))
    if len(raw) > 4 * MAX_NUMBER_TEXT:
        raise NumberOutOfRange(raw.strip())
    text = fold(_LATEX.sub("", raw)).replace(",", "").replace("\\%", "%")
    match = _NUMBER.match(text)
    if not match:
        raise NotANumber(raw.strip())
    if len(match.group(1)) > MAX_NUMBER_TEXT:
        raise NumberOutOfRange(raw.strip())
    try:
        value = _bounded(Decimal(match.group(1)), raw)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid numbers
        raise NotANumber(raw.strip()) from exc
    unit = match.group(2)
    if unit == "%":
        return Number(value / 100, _decimals_of(value) + 2, True, "%")
    return Number(value, _decimals_of(value), False, unit)


def fmt_decimal(value: Decimal | None, places: int = 2) -> str:
    """Plain rendering for messages: ``16.06``, ``10``, ``7.14``."""
    if value is None:
        return "（空）"
    if not value.is_finite():
        return "（非数值）"
    if value.is_zero():
        value = abs(value)  # no "-0"
    if value.adjusted() >= 15:  # only computed figures get here: 1.6E+31, not 32 digits
        return format(value, f".{places}E")
    try:
        q = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # pragma: no cover - bounded above, kept as a last safeguard
        return format(value, f".{places}E")
    text = format(q, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def fmt_percent(fraction: Decimal | None, places: int = 1) -> str:
    if fraction is None:
        return "（空）"
    return f"{fmt_decimal(fraction * 100, places)}%"
