"""Findings and the stable check codes users filter and suppress by."""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import BaseModel, field_serializer

from xlperf.registry import REGISTRY, Severity

# One source: the registry (code, severity, title and documentation of every check).
CODES: dict[str, tuple[Severity, str]] = {c: (r.severity, r.title) for c, r in REGISTRY.items()}

FINDING_KEYS = ("file", "sheet", "cell", "code", "severity", "message", "expected", "actual")


class Finding(BaseModel):
    file: str
    sheet: str
    cell: str
    code: str
    severity: Severity
    message: str
    expected: Decimal | str | None = None
    actual: Decimal | str | None = None

    @field_serializer("expected", "actual")
    def _plain(self, value: Decimal | str | None) -> float | int | str | None:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value


_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def cell_position(cell: str) -> tuple[int, int]:
    """``B12`` -> (12, 2): the 1-based row and column of a finding's cell (ValueError if none)."""
    m = _CELL.fullmatch(cell)
    if m is None:
        raise ValueError(f"不是单元格地址：{cell}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def code_matches(code: str, patterns: list[str]) -> bool:
    """Ruff-style selection: 'XP1' selects XP101..XP104, 'XP' every XP code, 'ALL' everything."""
    return any(p == "ALL" or code.startswith(p) for p in patterns)


def select(
    findings: list[Finding], select: list[str] | None, ignore: list[str] | None
) -> list[Finding]:
    kept = [f for f in findings if not select or code_matches(f.code, select)]
    return [f for f in kept if not ignore or not code_matches(f.code, ignore)]
