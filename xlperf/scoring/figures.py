"""The figures of a form as the rules give them, and the units forms belong to: worked out once
and used by the checks, the report, the roll-up and the review, so that none of them states a
figure another contradicts."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xlperf.findings import Finding, cell_position
from xlperf.forms.project import NO_UNIT, ProjectForm
from xlperf.forms.summary import SummaryForm
from xlperf.forms.workbook import WorkbookForms
from xlperf.rules import RuleSet
from xlperf.scoring.convention import form_total, form_weight_total
from xlperf.scoring.project import ZERO, correct_rate_score, scoring_rate
from xlperf.vocabulary.project import FUND_ROW_NAMES, LEVEL1_NAMES, level1_kind

LEVELS = tuple(LEVEL1_NAMES.items())
_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")


def name_key(name: str | None) -> str:
    """Project names compare without quotes, spaces and width differences."""
    if not name:
        return ""
    return _QUOTES.sub("", "".join(unicodedata.normalize("NFKC", name).split()))


@dataclass(frozen=True)
class LevelFigures:
    label: str
    score: Decimal
    weight: Decimal
    rate: Decimal | None


@dataclass
class ProjectFigures:
    """What the report states of one project form: every figure as the rule gives it from the
    form's inputs (:mod:`xlperf.scoring`), the same figures the checks expect."""

    form: ProjectForm
    name: str
    initial_budget: Decimal | None
    annual_budget: Decimal | None
    executed: Decimal | None
    sources: list[tuple[str, Decimal]] | None  # None: the parts do not add up to the total
    sources_sum: Decimal | None  # the parts' sum where it differs from the total
    rate: Decimal | None
    rate_weight: Decimal | None
    rate_score: Decimal | None
    levels: list[LevelFigures]
    total: Decimal | None
    grade: str | None
    weight_total: Decimal

    @property
    def initial_rate(self) -> Decimal | None:
        """全年执行数 ÷ 年初预算数 (the seed reports' "完成年初预算的 …%")."""
        if self.executed is None or not self.initial_budget:
            return None
        return self.executed / self.initial_budget

    def level(self, kind_label: str) -> LevelFigures | None:
        return next((lv for lv in self.levels if lv.label == kind_label), None)


def project_figures(form: ProjectForm, rules: RuleSet) -> ProjectFigures:
    total = form.funds.total
    levels: list[LevelFigures] = []
    indicators = form.scored_indicators()
    for kind, label in LEVELS:
        inds = [i for i in indicators if level1_kind(i.level1.text) == kind]
        if not inds:
            continue
        score = sum((i.score.number or ZERO for i in inds), ZERO)
        wsum = sum((i.weight.number or ZERO for i in inds), ZERO)
        levels.append(LevelFigures(label, score, wsum, score / wsum if wsum else None))
    rate_score = correct_rate_score(form, rules)
    total_score = form.total_score.number
    if indicators or rate_score is not None:
        total_score = rules.round_score(form_total(form, rules))
    sources, sources_sum = _sources(form, rules)
    return ProjectFigures(
        form=form,
        name=form.project_name.text or form.sheet,
        initial_budget=total.initial_budget.number,
        annual_budget=total.annual_budget.number,
        executed=total.executed.number,
        sources=sources,
        sources_sum=sources_sum,
        rate=scoring_rate(total),
        rate_weight=total.weight.number,
        rate_score=rate_score,
        levels=levels,
        total=total_score,
        grade=rules.grade(total_score) if total_score is not None else None,
        weight_total=form_weight_total(form, rules),
    )


def _sources(
    form: ProjectForm, rules: RuleSet
) -> tuple[list[tuple[str, Decimal]] | None, Decimal | None]:
    """全年预算数 by source when the parts add up to the 年度资金总额 (empty parts count as 0);
    else no split, and the parts' sum."""
    total = form.funds.total.annual_budget.number
    parts = [
        (FUND_ROW_NAMES[key], getattr(form.funds, key).annual_budget.number)
        for key in ("current_appropriation", "carryover", "other")
    ]
    if total is None or all(v is None for _, v in parts):
        return None, None
    values = [(label, v if v is not None else ZERO) for label, v in parts]
    part_sum = sum((v for _, v in values), ZERO)
    if not rules.tolerance.amounts_agree(total, part_sum):
        return None, part_sum
    return values, None


@dataclass
class Unit:
    """One unit's projects and its own 汇总表; ``issues``: the report's 附表 rows for it."""

    name: str
    projects: list[ProjectFigures]
    summaries: list[SummaryForm]
    issues: list[Any] = field(default_factory=list)

    def holds(self, finding: Finding) -> bool:
        """Whether the finding stands on one of this unit's forms or 汇总表."""
        regions = [(p.form.sheet, p.form.first_row, p.form.last_row) for p in self.projects]
        regions += [(s.sheet, s.first_row, s.last_row) for s in self.summaries]
        return any(in_form(finding, *r) for r in regions)


def _contains(a: SummaryForm, b: SummaryForm) -> bool:
    ka = {name_key(r.project_name.text) for r in a.rows} - {""}
    kb = {name_key(r.project_name.text) for r in b.rows} - {""}
    return a is not b and kb < ka


def department_summaries(book: WorkbookForms) -> list[SummaryForm]:
    """汇总表 that list the projects of another 汇总表 and more: the department's roll-up."""
    return [s for s in book.summaries if any(_contains(s, o) for o in book.summaries)]


def in_form(f: Finding, sheet: str, first: int, last: int) -> bool:
    if f.sheet != sheet:
        return False
    row = cell_position(f.cell)[0]
    return first <= row <= last


def group_units(book: WorkbookForms, figures: list[ProjectFigures]) -> list[Unit]:
    """Projects by unit: as the units' own 汇总表 list them, else by the forms' 实施单位 (else
    主管部门); the one rule for the report, the roll-up and the review."""
    dept = department_summaries(book)
    by_key = {name_key(p.name): p for p in figures}
    placed: set[int] = set()
    units: list[Unit] = []
    for summary in book.summaries:
        if any(summary is d for d in dept):
            continue
        members = []
        for row in summary.rows:
            p = by_key.get(name_key(row.project_name.text))
            if p is not None and id(p) not in placed:
                members.append(p)
                placed.add(id(p))
        implementers = Counter(p.form.implementer.text for p in members if p.form.implementer.text)
        name = (
            implementers.most_common(1)[0][0]
            if implementers
            else summary.unit_name.text or summary.sheet
        )
        units.append(Unit(name, members, [summary]))
    for p in figures:
        if id(p) in placed:
            continue
        name = p.form.implementer.text or p.form.department.text or NO_UNIT
        unit = next((u for u in units if u.name == name), None)
        if unit is None:
            unit = Unit(name, [], [])
            units.append(unit)
        unit.projects.append(p)
    for unit in units:
        unit.projects.sort(key=lambda p: figures.index(p))
    return [u for u in units if u.projects]
