"""Findings and the stable check codes users filter and suppress by."""

from __future__ import annotations

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


def code_matches(code: str, patterns: list[str]) -> bool:
    """Ruff-style selection: 'XP1' selects XP101..XP104, 'XP' every XP code, 'ALL' everything."""
    return any(p == "ALL" or code.startswith(p) for p in patterns)


def select(
    findings: list[Finding], select: list[str] | None, ignore: list[str] | None
) -> list[Finding]:
    kept = [f for f in findings if not select or code_matches(f.code, select)]
    return [f for f in kept if not ignore or not code_matches(f.code, ignore)]
