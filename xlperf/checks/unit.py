"""One check code = its registry entry (xlperf/registry/) + one unit function, joined by the code.

``@unit("XP101")`` registers a function in :data:`UNITS`, of the kind its module is named after
(checks/project.py: "project"). A unit yields :class:`Flag`s and never names a code, so it
reports only its own; :func:`run` makes them findings with the unit's code and the registry's
severity. Registration fails at import for an unknown or a twice-registered code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, NamedTuple, get_args

from xlperf.findings import Finding
from xlperf.registry import REGISTRY

Kind = Literal["project", "summary", "department", "money", "workbook"]


class Flag(NamedTuple):
    """One disagreement a unit found: where, the Chinese message, the figures (and the sheet,
    when the unit's runner does not know it)."""

    cell: str | None
    message: str
    expected: Decimal | str | None = None
    actual: Decimal | str | None = None
    sheet: str | None = None


Flags = Iterator[Flag]  # what a unit yields


@dataclass(frozen=True)
class Unit:
    code: str
    kind: Kind
    check: Callable[..., Flags]


UNITS: dict[str, Unit] = {}


def unit(code: str, kind: Kind | None = None) -> Callable[[Callable], Callable]:
    """Register the decorated function as the one check of ``code``."""

    def register(check: Callable[..., Flags]) -> Callable[..., Flags]:
        found = kind or check.__module__.rsplit(".", 1)[-1]
        if found not in get_args(Kind):
            raise ValueError(f"{check.__name__}: no runner checks units of kind {found!r}")
        if code not in REGISTRY:
            raise ValueError(f"{check.__name__}: {code} is not in xlperf/registry")
        if code in UNITS:
            raise ValueError(f"{check.__name__}: {code} is already {UNITS[code].check.__name__}")
        UNITS[code] = Unit(code, found, check)  # type: ignore[arg-type]
        return check

    return register


def run(
    kind: Kind, file: str, *args: Any, sheet: str | None = None, prefix: str = ""
) -> list[Finding]:
    """The findings of every unit of ``kind`` on ``args``, in code order."""
    codes = _codes(kind)
    return [
        Finding(
            file=file,
            sheet=flag.sheet or sheet,
            cell=flag.cell or "A1",
            code=code,
            severity=REGISTRY[code].severity,
            message=prefix + flag.message,
            expected=flag.expected,
            actual=flag.actual,
        )
        for code, check in codes
        for flag in check(*args)
    ]


_BY_KIND: dict[str, tuple[int, list[tuple[str, Callable[..., Flags]]]]] = {}


def _codes(kind: Kind) -> list[tuple[str, Callable[..., Flags]]]:
    """The units of ``kind`` in code order (worked out again only when one is registered)."""
    known = _BY_KIND.get(kind)
    if known is None or known[0] != len(UNITS):
        units = sorted((c, u.check) for c, u in UNITS.items() if u.kind == kind)
        known = _BY_KIND[kind] = (len(UNITS), units)
    return known[1]
