"""Plan 重新计算并检查 as data: computed values to fill, cells to flag, the 检查结果 table.

A computed value is filled only where the form leaves the cell empty, and only from inputs the
checks accept: a figure computed from a cell flagged as an error (or, for XP104, from the part
rows of a column whose parts do not add up) would only be a second wrong number. Every filled
cell is marked in the computed style, :data:`COMPUTED_COLOR` (light blue) and a note starting
with :data:`COMPUTED_NOTE`, journaled like a flag, so that 清除标记 removes value, fill and note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from xlperf.checks import check_workbook
from xlperf.compute import ComputedCell, project_computed, project_figures
from xlperf.findings import Finding
from xlperf.forms.base import Val
from xlperf.forms.project import ProjectForm
from xlperf.forms.workbook import WorkbookForms
from xlperf.ops.edits import Flag, ValueWrite
from xlperf.registry import SEVERITY_NAME
from xlperf.rules import RuleSet
from xlperf.scoring.figures import name_key
from xlperf.values import fmt_decimal as num
from xlperf.values import fmt_percent
from xlperf.vocabulary.project import FUND_ROW_NAMES
from xlperf.vocabulary.review import RESULTS_HEAD
from xlperf.vocabulary.summary import NUMBER_LABELS

SEVERITY_COLOR = {"error": "FFC7CE", "warning": "FFEB9C"}  # Excel's 差 and 适中 cell styles
COMPUTED_COLOR = "DDEBF7"  # light blue: a value xlperf filled in
NOTE_TITLE = "【xlperf 检查】"
COMPUTED_NOTE = "由 xlperf 计算："
SUMMARY_FIELDS = {
    "rate": "0.00%",
    "output_rate": "0.00%",
    "benefit_rate": "0.00%",
    "satisfaction_rate": "0.00%",
    "score": "0.00",
}


@dataclass(frozen=True)
class Mark:
    sheet: str
    cell: str
    severity: str  # "error", "warning", or "computed" (a filled cell with no finding)
    note: str

    @property
    def color(self) -> str:
        return COMPUTED_COLOR if self.severity == "computed" else SEVERITY_COLOR[self.severity]

    def flag(self) -> Flag:
        return Flag(self.sheet, self.cell, self.color, self.note)


@dataclass
class FixPlan:
    findings: list[Finding]
    writes: list[ValueWrite] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        """Cells marked for a finding (the computed style alone is not a flag)."""
        return sum(m.severity != "computed" for m in self.marks)

    def results_formats(self) -> list[tuple[str | None, str | None]]:
        """The number formats of 期望值 and 实际值 for each row after the header: a rate as a
        percentage with the places its message shows, so that 0.803 reads 80.3% there too."""
        return [
            (shown_format(f.expected, f.message), shown_format(f.actual, f.message))
            for f in self.findings
        ]

    def results_rows(self) -> list[list[object]]:
        """The 检查结果 table, header first; column 5 is the cell the row links to."""
        rows: list[list[object]] = [list(RESULTS_HEAD)]
        for i, f in enumerate(self.findings, 1):
            rows.append(
                [
                    i,
                    f.code,
                    SEVERITY_NAME[f.severity],
                    f.sheet,
                    f.cell,
                    f.message,
                    _as_shown(f.expected, f.message),
                    _as_shown(f.actual, f.message),
                ]
            )
        return rows


def _plain(value: Decimal | str | None) -> float | str | None:
    return float(value) if isinstance(value, Decimal) else value


def _as_shown(value: Decimal | str | None, message: str) -> float | str | None:
    """A 期望值/实际值 for the 检查结果 sheet: a percentage as precise as its message shows it."""
    shown = shown_percent(value, message)
    return float(Decimal(shown[:-1]) / 100) if shown is not None else _plain(value)


def pct(value: Decimal | str | None) -> str:
    return fmt_percent(value, 2) if isinstance(value, Decimal) else str(value)


def shown_percent(value: Decimal | str | None, message: str) -> str | None:
    """``value`` as the message writes it when the message writes it as a percentage (``80.3%``
    for 0.803); None when it writes it as a plain number or not at all."""
    if not isinstance(value, Decimal):
        return None
    for places in (4, 3, 2, 1, 0):
        text = fmt_percent(value, places)
        if re.search(rf"(?<![\d.]){re.escape(text)}", message):
            return text
    return None


def shown_format(value: Decimal | str | None, message: str) -> str | None:
    """The number format that shows ``value`` as ``message`` does: ``0.0%`` when the message
    writes it as 80.3%, None (General) otherwise."""
    text = shown_percent(value, message)
    if text is None:
        return None
    decimals = len(text[:-1].partition(".")[2])
    return "0%" if decimals == 0 else "0." + "0" * decimals + "%"


def _is_free(val: Val) -> bool:
    """A computed field the form leaves empty (nothing typed, no formula): ours to fill."""
    return val.cell is not None and not val.typed and val.formula is None


def rejected_cells(book: WorkbookForms, findings: list[Finding]) -> set[tuple[str, str]]:
    """Cells whose figures the checks reject: those flagged as an error and, where a column's
    parts do not add up to its total (XP104), the parts of that column too (which of them is
    wrong cannot be told)."""
    rejected = {(f.sheet, f.cell) for f in findings if f.severity == "error"}
    xp104 = {(f.sheet, f.cell) for f in findings if f.code == "XP104"}
    for form in book.projects:
        total = form.funds.total
        for column in ("initial_budget", "annual_budget", "executed"):
            if (form.sheet, getattr(total, column).cell) in xp104:
                for part in form.funds.parts():
                    cell = getattr(part, column).cell
                    if cell:
                        rejected.add((form.sheet, cell))
    return rejected


def _explain(form: ProjectForm, computed: ComputedCell, by_field: dict) -> tuple[list, str]:
    """The cells a computed figure comes from, and how it was computed (for its note)."""
    total = form.funds.total
    value = computed.value
    amounts = [total.annual_budget.cell, total.executed.cell]
    score_inputs = [i.score.cell for i in form.scored_indicators()]
    if total.score.number is not None:
        score_inputs.append(total.score.cell)
    else:
        score_inputs += [*amounts, total.weight.cell]
    name = computed.field
    if name.startswith("funds.") and name.endswith(".rate"):
        row = getattr(form.funds, name.split(".")[1])
        return [row.annual_budget.cell, row.executed.cell], (
            f"{FUND_ROW_NAMES[name.split('.')[1]]}执行率 = 全年执行数 {num(row.executed.number)} ÷ "
            f"全年预算数 {num(row.annual_budget.number)} = {pct(value)}"
        )
    if name == "funds.total.score":
        rate = by_field.get("funds.total.rate")
        shown = pct(rate) if rate is not None else "（按全年执行数 ÷ 全年预算数）"
        return [*amounts, total.weight.cell], (
            f"预算执行率得分 = 按评分规则由执行率 {shown}、分值 {num(total.weight.number)} 计得 "
            f"{num(value)}"
        )
    if name == "total_weight":
        inputs = [total.weight.cell, *(i.weight.cell for i in form.scored_indicators())]
        return inputs, f"分值合计 = 预算执行率分值 + 各指标分值 = {num(value)}"
    if name == "total_score":
        return score_inputs, f"总分 = 预算执行率得分 + 各指标得分之和 = {num(value)}"
    if name == "grade":
        score = by_field.get("total_score")
        return score_inputs, f"等次 = 总分 {num(score)} 所在等次“{value}”"
    return [], f"{name} = {value}"


def plan_fix(book: WorkbookForms, rules: RuleSet | None = None) -> FixPlan:
    rules = book.rule_set(rules)
    findings = check_workbook(book, rules)
    plan = FixPlan(findings=findings)
    rejected = rejected_cells(book, findings)

    def accepted(sheet: str, inputs: list[str | None]) -> bool:
        return not any((sheet, c) in rejected for c in inputs if c)

    for form in book.projects:
        computed_cells = project_computed(form, rules)
        by_field = {c.field: c.value for c in computed_cells}
        for computed in computed_cells:
            if not _is_free(computed.val):
                continue
            inputs, how = _explain(form, computed, by_field)
            if accepted(form.sheet, inputs):
                plan.writes.append(
                    ValueWrite(
                        form.sheet,
                        computed.val.cell,
                        _plain(computed.value),
                        computed.number_format,
                        how,
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
                figure = figures[field_name]
                if (
                    field_name not in summary.columns
                    or not _is_free(val)
                    or figure is None
                    or not accepted(form.sheet, _summary_inputs(form, field_name))
                ):
                    continue
                shown = pct(figure) if number_format.endswith("%") else num(figure)
                how = (
                    f"{NUMBER_LABELS[field_name]}取自项目表“{form.sheet}”"
                    f"《{form.project_name.text or form.sheet}》：{shown}"
                )
                plan.writes.append(
                    ValueWrite(summary.sheet, val.cell, _plain(figure), number_format, how)
                )
    plan.marks = flag_marks(findings, plan.writes)
    return plan


def _summary_inputs(form: ProjectForm, field_name: str) -> list[str | None]:
    """The project form's cells a 汇总表 figure comes from."""
    total = form.funds.total
    if field_name == "rate":
        if total.rate.rate_fraction() is not None:
            return [total.rate.cell]
        return [total.annual_budget.cell, total.executed.cell]
    scores = [c for i in form.scored_indicators() for c in (i.weight.cell, i.score.cell)]
    if field_name == "score":
        if form.total_score.number is not None:
            return [form.total_score.cell]
        return [total.score.cell, total.annual_budget.cell, total.executed.cell, *scores]
    return scores


def flag_marks(findings: list[Finding], writes: list[ValueWrite] = ()) -> list[Mark]:
    """One mark per cell: its findings, and how xlperf computed it where it filled it."""
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.severity != "info":  # a 提示 (the form's 评分口径) marks no cell
            grouped.setdefault((f.sheet, f.cell), []).append(f)
    filled = {(w.sheet, w.cell): w for w in writes}
    marks = []
    for (sheet, cell), group in grouped.items():
        severity = "error" if any(f.severity == "error" for f in group) else "warning"
        lines = [f"{f.code} {SEVERITY_NAME[f.severity]}：{f.message}" for f in group]
        write = filled.pop((sheet, cell), None)
        if write is not None:
            lines.append(COMPUTED_NOTE + write.note)
        marks.append(Mark(sheet, cell, severity, "\n".join([NOTE_TITLE, *lines])))
    for (sheet, cell), write in filled.items():
        marks.append(Mark(sheet, cell, "computed", COMPUTED_NOTE + write.note))
    return marks
