"""One check code as data: what the registry holds for each code (no imports of the checks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
Shows = Literal["score", "amount", "rate"]
SEVERITY_NAME: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Appendix:
    """How the report's 附表 states a finding of a code: its figures print as ``shows`` (得分,
    万元 or 百分比); ``stated`` (表中所填) and ``corrected`` (更正为) are templates over the
    finding's ``{expected}`` and ``{actual}``. A template with words around its figure stands
    only when the figure is a number, else the row says 请核实. ``note`` ends the report's
    sentence on what needs checking, where a finding of the code is among them."""

    shows: Shows = "score"
    stated: str = "{actual}"
    corrected: str = "{expected}"
    note: str = ""


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
    appendix: Appendix = Appendix()
