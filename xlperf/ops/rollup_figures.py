"""The figures of a 汇总表 (部门（单位）项目支出自评汇总表): a row per project form, grouped by unit.

The figures are the checks' (:func:`xlperf.checks.summary.row_figures`); pandas groups them by unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import pandas as pd

from xlperf.checks.summary import row_figures, stated_text
from xlperf.compute import money_totals, reasons, round_rate
from xlperf.forms.project import NO_UNIT, ProjectForm
from xlperf.forms.summary import SUMMARY_COLUMNS, SummaryForm
from xlperf.forms.workbook import WorkbookForms
from xlperf.rules import RuleSet
from xlperf.scoring.figures import group_units, name_key
from xlperf.scoring.figures import project_figures as checked_figures
from xlperf.values import fmt_decimal as num
from xlperf.values import fmt_percent as pct
from xlperf.vocabulary.project import TOTAL_LABEL
from xlperf.vocabulary.summary import (
    COLUMN_NAMES,
    DATE_LABEL,
    FORM_TITLE,
    HEADER,
    MONEY_UNIT_NOTE,
    SUM_LABEL,
    UNIT_LABEL,
)

FIGURES = list(SUMMARY_COLUMNS[1:])  # a 汇总表 row but its 序号
NOTE_TITLE = "【xlperf 汇总】"
NOTE_LABELS = {"rate": COLUMN_NAMES["rate"], "score": TOTAL_LABEL}  # the project form's words


def form_units(book: WorkbookForms, figures: list) -> dict[int, tuple[str, SummaryForm | None]]:
    """Each project form's unit (by ``id``) and the unit's own 汇总表: as ``xlperf report``
    groups them (the units' 汇总表 first, then the forms' 实施单位), so both count alike.
    ``figures``: the report's figures of ``book.projects``."""

    out: dict[int, tuple[str, SummaryForm | None]] = {}
    for unit in group_units(book, figures):
        summary = unit.summaries[0] if unit.summaries else None
        for p in unit.projects:
            out[id(p.form)] = (unit.name, summary)
    return out


def block_key(summary: SummaryForm) -> str:
    """Which 汇总表 (a sheet may stack several)."""
    return f"{summary.sheet}!{summary.first_row}"


def row_record(form: ProjectForm, rules: RuleSet, checked=None) -> dict[str, object]:
    """A project's 汇总表 row: the figures the scorer gives (as ``xlperf check`` expects them),
    the form's text as typed, and per corrected figure a note naming the form's own cell."""
    figures = row_figures(form, rules, checked)
    record: dict[str, object] = {
        "key": name_key(form.project_name.text),
        "project_name": form.project_name.text,
        "reason": reasons(form),
    }
    notes: dict[str, str] = {}
    for field_name in FIGURES:
        if field_name in ("project_name", "reason"):
            continue
        figure = figures[field_name]
        value = figure.value
        if value is not None and field_name not in ("annual_budget", "executed", "score"):
            value = round_rate(value)
        record[field_name] = value
        if figure.stated is not None and figure.stated_wrong and value is not None:
            is_rate = field_name == "rate"
            right = pct(value, 2) if is_rate else num(value)
            notes[field_name] = (
                f"{NOTE_TITLE}项目自评表所填{NOTE_LABELS[field_name]}为 "
                f"{stated_text(figure.stated, rate=is_rate)}（{form.sheet}!{figure.stated.cell}），"
                f"按评分规则应为 {right}（{figure.basis}），本表按 {right} 填列。"
            )
    record["notes"] = notes
    return record


def figures_frame(books: Iterable[WorkbookForms], rules: RuleSet | None = None) -> pd.DataFrame:
    """One row per project form: its unit, file and the figures of its 汇总表 row."""
    return records_frame([r for book in books for r in book_records(book, rules)])


def book_records(book: WorkbookForms, rules: RuleSet | None = None) -> list[dict[str, object]]:
    """The rows of :func:`figures_frame` for one workbook: all a roll-up keeps of it (what a
    worker process sends back, so memory stays flat however many files)."""
    book_rules = book.rule_set(rules)
    checked = [checked_figures(form, book_rules) for form in book.projects]
    units = form_units(book, checked)
    records = []
    for form, figures in zip(book.projects, checked, strict=True):
        unit, summary = units.get(id(form), (NO_UNIT, None))
        records.append(
            {
                "unit": unit,
                "unit_block": block_key(summary) if summary is not None else None,
                "department": form.department.text,
                "file": book.path,
                "sheet": form.sheet,
            }
            | row_record(form, book_rules, figures)
        )
    return records


def records_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        records,
        columns=["unit", "unit_block", "department", "file", "sheet", "key", *FIGURES, "notes"],
    )


def drop_duplicates(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The frame without a project already listed (same unit, name, 预算数 and 执行数: the same
    form given twice), and a line saying so for each one left out."""
    seen: dict[tuple[object, ...], dict[str, object]] = {}
    keep: list[int] = []
    repeats: dict[tuple[str, str], list[str]] = {}  # (file, file of the first) -> projects
    for i, record in enumerate(frame.to_dict("records")):
        key = (record["unit"], record["key"], record["annual_budget"], record["executed"])
        first = seen.get(key)
        if first is None or not record["key"]:
            seen.setdefault(key, record)
            keep.append(i)
            continue
        where = (str(record["file"]), str(first["file"]))
        repeats.setdefault(where, []).append(f"“{record['project_name']}”（{record['sheet']}）")
    notes = []
    for (file, first_file), names in repeats.items():
        other = "本工作簿中的另一张项目表" if file == first_file else first_file
        notes.append(
            f"{file}: {len(names)} 个项目与 {other} 重复（单位、项目名称、预算数、执行数均相同），"
            f"未重复汇总：{'、'.join(names)}"
        )
    return frame.iloc[keep].reset_index(drop=True), notes


def totals(frame: pd.DataFrame) -> dict[str, Decimal | None]:
    """合计: budgets and spending added up, the rate recomputed from the sums; a sum with a
    project's amount missing stays missing, as the report states it (:func:`money_totals`)."""
    budget, executed, rate = money_totals(list(frame["annual_budget"]), list(frame["executed"]))
    return {
        "annual_budget": budget,
        "executed": executed,
        "rate": round_rate(rate) if rate is not None else None,
    }


def total_notes(frame: pd.DataFrame) -> dict[str, str]:
    """A note on each 合计 figure left empty, naming the projects whose amount is missing."""
    notes = {}
    names, sheets = frame["project_name"].tolist(), frame["sheet"].tolist()
    for field_name in ("annual_budget", "executed"):
        missing = [
            f"“{name or sheet}”（{sheet}）"
            for name, sheet, value in zip(names, sheets, frame[field_name].tolist(), strict=True)
            if value is None
        ]
        if missing:
            notes[field_name] = (
                f"{NOTE_TITLE}{'、'.join(missing)}未填{HEADER[FIGURES.index(field_name) + 1]}，"
                "合计无法计算，未填列。"
            )
    return notes


def block_rows(unit: str, frame: pd.DataFrame, date: str, with_total: bool) -> list[list[object]]:
    """One 汇总表 as rows of cell values: title, 名称/时间, header, a row per project, 合计."""
    width = len(HEADER)
    rows: list[list[object]] = [[FORM_TITLE] + [None] * (width - 1)]
    rows.append([UNIT_LABEL, None, unit, None, None, None, DATE_LABEL, date, None, MONEY_UNIT_NOTE])
    rows.append(list(HEADER))
    # Column by column: DataFrame.to_dict costs ~0.5 ms for a unit's two rows, 1000 units a roll-up.
    for seq, values in enumerate(zip(*(frame[f].tolist() for f in FIGURES), strict=True), 1):
        rows.append([seq, *(_cell_value(v) for v in values)])
    if with_total:
        sums = totals(frame)
        total = [
            None,
            SUM_LABEL,
            *(_cell_value(sums[k]) for k in ("annual_budget", "executed", "rate")),
        ]
        rows.append(total + [None] * (width - len(total)))
    return rows


def _cell_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return value


def today() -> str:
    d = dt.date.today()
    return f"{d.year}年{d.month}月{d.day}日"


def fresh_blocks(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The blocks of a new 汇总表 in one workbook: one per unit, then the department's (one
    block when all projects are one unit's)."""
    groups = [(str(unit), part) for unit, part in frame.groupby("unit", sort=False)]
    department = (department_name(frame), frame)
    return [*groups, department] if len(groups) > 1 else [department]


def department_name(frame: pd.DataFrame) -> str:
    names = frame["department"].dropna()
    return str(names.mode().iloc[0]) if not names.empty else str(frame["unit"].iloc[0])
