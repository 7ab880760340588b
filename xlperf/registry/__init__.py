"""The registry of check codes: one entry per code (XP…, XS…, XD…) with its metadata and its
Chinese documentation, in the manner of ruff's and sqlfluff's rule registries.

Everything that names a code takes it from here: :data:`xlperf.findings.CODES`, the README's
检查代码 table (``xlperf rule --markdown``), ``xlperf rule [CODE]`` and the template's
conditional formats. It sits below the checks in the import order: it imports none of them.
"""

from __future__ import annotations

from xlperf.registry.convention import RULES as _CONVENTION
from xlperf.registry.department import RULES as _DEPARTMENT
from xlperf.registry.model import SEVERITY_NAME, Rule, Severity
from xlperf.registry.project import RULES as _PROJECT
from xlperf.registry.summary import RULES as _SUMMARY

__all__ = [
    "REGISTRY",
    "SEVERITY_NAME",
    "Rule",
    "Severity",
    "markdown_table",
    "matching",
    "rule_text",
    "table_text",
]


def _index(rules: tuple[Rule, ...]) -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for rule in rules:
        if rule.code in out:
            raise ValueError(f"duplicate check code {rule.code}")
        out[rule.code] = rule
    return out


REGISTRY: dict[str, Rule] = _index(
    tuple(sorted(_PROJECT + _CONVENTION, key=lambda r: r.code)) + _SUMMARY + _DEPARTMENT
)


def matching(prefix: str) -> list[Rule]:
    """The rules whose code starts with ``prefix`` (case-insensitive; 'ALL' or '' for all)."""
    prefix = prefix.strip().upper()
    if prefix in ("", "ALL"):
        return list(REGISTRY.values())
    return [r for c, r in REGISTRY.items() if c.startswith(prefix)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(rules: list[Rule] | None = None) -> str:
    """The README's 检查代码 table (between its codes markers), one row per code."""
    rows = ["| 代码 | 级别 | 含义 |", "|---|---|---|"]
    for r in rules if rules is not None else REGISTRY.values():
        rows.append(f"| {r.code} | {SEVERITY_NAME[r.severity]} | {_cell(r.summary)} |")
    return "\n".join(rows) + "\n"


def table_text(rules: list[Rule] | None = None) -> str:
    """The codes as ``xlperf rule`` lists them in a terminal: code, level, title."""
    lines = [
        f"{r.code}  {SEVERITY_NAME[r.severity]}  {r.title}"
        for r in (rules if rules is not None else REGISTRY.values())
    ]
    return "\n".join(lines) + "\n"


def rule_text(rule: Rule) -> str:
    """The documentation of one code, as ``xlperf rule CODE`` prints it."""
    return (
        f"{rule.code}（{SEVERITY_NAME[rule.severity]}）：{rule.title}\n"
        f"\n检查内容\n  {rule.what}\n"
        f"\n为什么重要\n  {rule.why}\n"
        f"\n示例\n  {rule.example}\n"
        f"\n如何修改\n  {rule.fix}\n"
    )


START, END = "<!-- codes:start -->", "<!-- codes:end -->"


def with_table(readme: str) -> str:
    """``readme`` with the table between its codes markers regenerated from the registry."""
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README lacks the markers {START} / {END}")
    return f"{head}{START}\n{markdown_table()}{END}{tail}"
