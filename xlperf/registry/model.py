"""One check code as data: what the registry holds for each code (no imports of the checks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_NAME: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Rule:
    """A check code with its documentation, in Chinese.

    ``title`` is the short name (statistics, 检查结果, the report); ``summary`` the one line of
    the README table; ``what``/``why``/``example``/``fix`` the page ``xlperf rule CODE`` prints.
    """

    code: str
    severity: Severity
    title: str
    summary: str
    what: str
    why: str
    example: str
    fix: str

    @property
    def family(self) -> str:
        return self.code[:2]
