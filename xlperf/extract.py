"""The forms as read, as plain JSON-able data (``xlperf extract``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xlperf.forms.base import Val
from xlperf.forms.department import DepartmentForm
from xlperf.forms.project import EXTRA_FUND_ROWS, FUND_COLUMNS, FUND_ROWS, ProjectForm
from xlperf.forms.summary import SUMMARY_COLUMNS, SummaryForm
from xlperf.forms.workbook import WorkbookForms
from xlperf.rules import DEFAULT_RULES, RuleSet
from xlperf.scoring.convention import infer_convention, level_split


def plain(value: Decimal | str | None) -> int | float | str | None:
    """Numbers as JSON numbers (integral ones as ints), text as written."""
    if isinstance(value, Decimal):
        whole = int(value)
        return whole if whole == value else float(value)
    return value


def _v(val: Val) -> int | float | str | None:
    value = val.value
    return plain(value) if value.__class__ is Decimal else value


def convention_dict(form: ProjectForm, rules: RuleSet) -> dict[str, Any] | None:
    """The 评分口径 the form follows (or the one it was judged by when none fits)."""
    if not form.scored_indicators():
        return None
    fit = infer_convention(form, rules)
    return {
        "name": fit.convention.name,
        "accepted": fit.accepted,
        "weights_fit": fit.weights_fit,
        "total_fits": fit.total_fits,
        "rate_weight": plain(fit.convention.rate_weight),
        "total_includes_rate": fit.convention.total_includes_rate,
        "level1_split": [plain(x) for x in level_split(form)],
        "weights_at": form.weights_at,
        "tried": [c.name for c in fit.tried],
        "preset": rules.preset,
    }


def project_dict(form: ProjectForm, rules: RuleSet = DEFAULT_RULES) -> dict[str, Any]:
    year = form.year.value
    rows = [*FUND_ROWS, *(r for r in EXTRA_FUND_ROWS if getattr(form.funds, r).label_cell)]
    scored = {id(i) for i in form.scored_shared()}
    return {
        "kind": "project",
        "sheet": form.sheet,
        "title": _v(form.title),
        "project_name": _v(form.project_name),
        "department": _v(form.department),
        "implementer": _v(form.implementer),
        "year": int(year) if isinstance(year, str) and year.isdigit() else year,
        "money_unit": form.unit,
        "funds": {
            row: {col: _v(getattr(getattr(form.funds, row), col)) for col in FUND_COLUMNS}
            for row in rows
        },
        "goal_expected": _v(form.goal_expected),
        "goal_actual": _v(form.goal_actual),
        "indicators": [
            {
                "level1": _v(i.level1),
                "level1_declared_weight": plain(i.level1_declared_weight),
                "level2": _v(i.level2),
                "name": _v(i.name),
                "target": _v(i.target),
                "actual": _v(i.actual),
                "weight": _v(i.weight),
                "score": _v(i.score),
                "note": _v(i.note),
                "placeholder": id(i) not in scored,
                "row": i.row,
            }
            for i in form.indicators
        ],
        "total_weight": _v(form.total_weight),
        "total_score": _v(form.total_score),
        "grade": _v(form.grade),
        "convention": convention_dict(form, rules),
        "readings": list(form.readings),
    }


def summary_dict(form: SummaryForm) -> dict[str, Any]:
    def row_dict(row: Any) -> dict[str, Any]:
        return {col: _v(getattr(row, col)) for col in SUMMARY_COLUMNS} | {"row": row.row}

    return {
        "kind": "summary",
        "sheet": form.sheet,
        "unit_name": _v(form.unit_name),
        "date": _v(form.date),
        "rows": [row_dict(r) for r in form.rows],
        "total": row_dict(form.total) if form.total else None,
    }


def department_dict(form: DepartmentForm) -> dict[str, Any]:
    """A 部门整体支出绩效自评表: money block, 指标计算数据, indicators with their parsed rules."""
    from xlperf.forms.department import MONEY_COLUMNS, MONEY_ROWS

    return {
        "kind": "department",
        "sheet": form.sheet,
        "title": _v(form.title),
        "unit_name": _v(form.unit_name),
        "year": _v(form.year),
        "goals": _v(form.goals),
        "tasks": [{"name": _v(t.name), "content": _v(t.content)} for t in form.tasks],
        "money": {
            row: {
                col: _v(getattr(getattr(form.money, row), col)) for col in (*MONEY_COLUMNS, "rate")
            }
            for row in MONEY_ROWS
        }
        if form.has_money
        else None,
        "figures": [
            {
                "name": f.name,
                "numerator": _v(f.numerator),
                "denominator": _v(f.denominator),
                "value": _v(f.value),
            }
            for f in form.figures
        ],
        "indicators": [
            {
                "level1": _v(i.level1),
                "level1_weight": _v(i.level1_weight),
                "level2": _v(i.level2),
                "level2_weight": _v(i.level2_weight),
                "name": _v(i.name),
                "weight": _v(i.weight),
                "weight_from": i.weight_from,
                "criterion": _v(i.criterion),
                "target": _v(i.target),
                "rule": i.rule.model_dump(mode="json"),
                "input": _v(i.input),
                "score": _v(i.score),
                "note": _v(i.note),
                "row": i.row,
            }
            for i in form.indicators
        ],
        "total_weight": _v(form.total_weight),
        "total_score": _v(form.total_score),
        "grade": _v(form.grade),
    }


def workbook_dict(book: WorkbookForms, rules: RuleSet | None = None) -> dict[str, Any]:
    rules = book.rule_set(rules)
    forms = [project_dict(f, rules) for f in book.projects] + [
        summary_dict(s) for s in book.summaries
    ]
    forms += [department_dict(d) for d in book.departments]
    return {"file": book.path, "forms": forms}
