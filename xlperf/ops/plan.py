"""Plan 重新计算并检查 as data: computed values to fill, cells to flag, the 检查结果 table."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xlperf.checks import check_workbook
from xlperf.checks.summary import name_key
from xlperf.compute import project_computed, project_figures
from xlperf.findings import Finding
from xlperf.model import Val, WorkbookForms
from xlperf.rules import RuleSet

SEVERITY_COLOR = {"error": "FFC7CE", "warning": "FFEB9C"}  # Excel's 差 and 适中 cell styles
SEVERITY_NAME = {"error": "错误", "warning": "警告"}
NOTE_TITLE = "【xlperf 检查】"
PREVIOUS_NOTE = "\n——原批注——\n"
RESULTS_HEADER = ["序号", "代码", "级别", "工作表", "单元格", "说明", "期望值", "实际值"]
SUMMARY_FIELDS = {
    "rate": "0.00%",
    "output_rate": "0.00%",
    "benefit_rate": "0.00%",
    "satisfaction_rate": "0.00%",
    "score": "0.00",
}


@dataclass(frozen=True)
class ValueWrite:
    sheet: str
    cell: str
    value: float | str
    number_format: str | None  # applied only where the cell's own format is General


@dataclass(frozen=True)
class Mark:
    sheet: str
    cell: str
    severity: str
    note: str

    @property
    def color(self) -> str:
        return SEVERITY_COLOR[self.severity]

    def note_over(self, previous: str | None) -> str:
        """The note to show: ours, with the cell's own note kept below it."""
        return self.note if previous is None else f"{self.note}{PREVIOUS_NOTE}{previous}"


@dataclass
class FixPlan:
    findings: list[Finding]
    writes: list[ValueWrite] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    def results_rows(self) -> list[list[object]]:
        """The 检查结果 table, header first; column 5 is the cell the row links to."""
        rows: list[list[object]] = [list(RESULTS_HEADER)]
        for i, f in enumerate(self.findings, 1):
            rows.append(
                [
                    i,
                    f.code,
                    SEVERITY_NAME[f.severity],
                    f.sheet,
                    f.cell,
                    f.message,
                    _plain(f.expected),
                    _plain(f.actual),
                ]
            )
        return rows


def _plain(value: Decimal | str | None) -> float | str | None:
    return float(value) if isinstance(value, Decimal) else value


def _is_free(val: Val) -> bool:
    """A computed field the form leaves empty (nothing typed, no formula): ours to fill."""
    return val.cell is not None and not val.typed and val.formula is None


def plan_fix(book: WorkbookForms, rules: RuleSet | None = None) -> FixPlan:
    rules = book.rule_set(rules)
    findings = check_workbook(book, rules)
    plan = FixPlan(findings=findings)
    for form in book.projects:
        for computed in project_computed(form, rules):
            if _is_free(computed.val):
                plan.writes.append(
                    ValueWrite(
                        form.sheet,
                        computed.val.cell,
                        _plain(computed.value),
                        computed.number_format,
                    )
                )
    by_name = {name_key(p.project_name.text): p for p in book.projects}
    for summary in book.summaries:
        for row in summary.rows:
            form = by_name.get(name_key(row.project_name.text))
            if form is None:
                continue
            figures = project_figures(form, rules)
            for field_name, number_format in SUMMARY_FIELDS.items():
                val: Val = getattr(row, field_name)
                if (
                    field_name in summary.columns
                    and _is_free(val)
                    and figures[field_name] is not None
                ):
                    plan.writes.append(
                        ValueWrite(
                            summary.sheet, val.cell, _plain(figures[field_name]), number_format
                        )
                    )
    plan.marks = _marks(findings)
    return plan


def _marks(findings: list[Finding]) -> list[Mark]:
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        grouped.setdefault((f.sheet, f.cell), []).append(f)
    marks = []
    for (sheet, cell), group in grouped.items():
        severity = "error" if any(f.severity == "error" for f in group) else "warning"
        lines = [f"{f.code} {SEVERITY_NAME[f.severity]}：{f.message}" for f in group]
        marks.append(Mark(sheet, cell, severity, "\n".join([NOTE_TITLE, *lines])))
    return marks
