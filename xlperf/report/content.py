"""The 自评总结报告 as data: workbook forms -> sections of paragraphs and tables, figures filled in.

Pure: no file is read or written here. The structure follows the seed-000 reports: per unit a
项目支出绩效自评总结报告 (一、项目支出基本情况 … 六、其他需要说明的问题), then the department's
整体自评总结报告. Figures come from the engine (:mod:`xlperf.scoring`, the rule set): where a
figure the form states is wrong, the report states the correct one and adds a note saying what
the form says; what needs human words is a marked place (【待填写：…】), never invented prose.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from xlperf.checks import check_workbook
from xlperf.checks.summary import name_key
from xlperf.errors import InputError
from xlperf.findings import Finding
from xlperf.model import ProjectForm, SummaryForm, Val, WorkbookForms
from xlperf.reader.labels import level1_kind
from xlperf.rules import RuleSet
from xlperf.scoring import ZERO, execution_rate, weight_sum

CENT = Decimal("0.01")
LEVELS = (("output", "产出指标"), ("benefit", "效益指标"), ("satisfaction", "满意度指标"))
CN_NUMERALS = "一二三四五六七八九十"


# ---------------------------------------------------------------- the report's building blocks


@dataclass(frozen=True)
class Span:
    """A piece of a paragraph; ``blank`` marks a place needing human words (shown highlighted)."""

    text: str
    blank: bool = False


@dataclass(frozen=True)
class Para:
    """A paragraph: ``body`` text, a ``note`` to the reader, an ``item`` of a list, a
    ``finding`` of the check, a ``sign`` (signature line)."""

    spans: tuple[Span, ...]
    kind: str = "body"

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: 一、… ; 2: （一）… / 1、…


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # column widths (cm on A4 portrait; scaled to fit the page)
    total_row: bool = False  # the last row is a 合计 row


Block = Heading | Para | Table


@dataclass(frozen=True)
class Report:
    title_lines: tuple[str, ...]  # the title as printed: unit name, then the report's name
    subtitle: str
    blocks: tuple[Block, ...]

    @property
    def title(self) -> str:
        return "".join(self.title_lines)


@dataclass(frozen=True)
class ReportContent:
    """Every report of one workbook, in the order they print."""

    source: str
    reports: tuple[Report, ...]


# ---------------------------------------------------------------- formatting (exact Decimals)


def wan(value: Decimal | None) -> str:
    """万元 with two decimals: ``16.06``; a missing amount is shown as such, not as 0."""
    if value is None:
        return "（未填）"
    return format(value.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def pct(fraction: Decimal | None) -> str:
    if fraction is None:
        return "（无法计算）"
    return format((fraction * 100).quantize(CENT, rounding=ROUND_HALF_UP), "f") + "%"


def pts(value: Decimal | None) -> str:
    if value is None:
        return "（未填）"
    return format(value.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def shown(val: Val, *, rate: bool = False) -> str:
    """A form's figure as the form shows it (for notes: "表中为 80.3%"). A ``rate`` is shown as a
    percentage even where the cell's format is unknown (live Excel through a server sends values
    only)."""
    n = val.number
    if n is None:
        return val.text or "（空）"
    if val.percent or rate:
        places = max((val.decimals or 2) - 2, 0)
        return format((n * 100).quantize(Decimal(1).scaleb(-places)), "f") + "%"
    return format(n, "f")


def where(val: Val, sheet: str) -> str:
    return f"{sheet}!{val.cell}" if val.cell else sheet


def blank(what: str) -> Span:
    return Span(f"【待填写：{what}】", blank=True)


def para(*parts: str | Span, kind: str = "body") -> Para:
    return Para(tuple(p if isinstance(p, Span) else Span(p) for p in parts), kind)


# ---------------------------------------------------------------- figures of one project


@dataclass(frozen=True)
class LevelFigures:
    label: str
    score: Decimal
    weight: Decimal
    rate: Decimal | None


@dataclass
class ProjectFigures:
    """What the report states of one project form, each figure checked by the engine."""

    form: ProjectForm
    name: str
    initial_budget: Decimal | None
    annual_budget: Decimal | None
    executed: Decimal | None
    sources: list[tuple[str, Decimal]] | None  # None: the parts do not add up to the total
    rate: Decimal | None
    rate_weight: Decimal | None
    rate_score: Decimal | None
    levels: list[LevelFigures]
    total: Decimal | None
    grade: str | None
    weight_total: Decimal
    notes: list[tuple[str, str]] = field(default_factory=list)  # (topic: funds|score, text)

    def notes_on(self, topic: str) -> list[str]:
        return [text for t, text in self.notes if t == topic]

    @property
    def initial_rate(self) -> Decimal | None:
        """全年执行数 ÷ 年初预算数 (the seed reports' "完成年初预算的 …%")."""
        if self.executed is None or not self.initial_budget:
            return None
        return self.executed / self.initial_budget

    def level(self, kind_label: str) -> LevelFigures | None:
        return next((lv for lv in self.levels if lv.label == kind_label), None)


def project_figures(form: ProjectForm, rules: RuleSet) -> ProjectFigures:
    tol = rules.tolerance
    sheet = form.sheet
    total = form.funds.total
    name = form.project_name.text or sheet
    notes: list[tuple[str, str]] = []

    exact = execution_rate(total)
    stated_rate = total.rate.rate_fraction()
    rate = exact if exact is not None else stated_rate
    rate_wrong = (
        exact is not None
        and stated_rate is not None
        and not tol.rates_agree(stated_rate, exact, total.rate.rate_decimals())
    )
    if rate_wrong:
        notes.append(
            (
                "funds",
                f"自评表所填执行率为 {shown(total.rate, rate=True)}（{where(total.rate, sheet)}），与全年执行数 "
                f"{wan(total.executed.number)} 万元 ÷ 全年预算数 {wan(total.annual_budget.number)} 万元不符，"
                f"本报告按 {pct(exact)} 表述。",
            )
        )

    weight = total.weight.number
    stated_score = total.score.number
    rate_score: Decimal | None = stated_score
    if rate is not None and weight is not None:
        correct = rules.round_score(rules.rate_score(rate, weight))
        by_stated_rate = (
            rules.rate_score(stated_rate, weight) if stated_rate is not None else correct
        )
        accepted = stated_score is not None and (
            tol.scores_agree(stated_score, correct)
            or (not rate_wrong and tol.scores_agree(stated_score, by_stated_rate))
        )
        if not accepted:
            rate_score = correct
            if stated_score is not None:
                notes.append(
                    (
                        "score",
                        f"自评表所填预算执行率得分为 {shown(total.score)} 分（{where(total.score, sheet)}），"
                        f"按规则 min(执行率 {pct(rate)}, 100%) × 分值 {pts(weight)} 应为 {pts(correct)} 分，"
                        f"本报告按 {pts(correct)} 分表述。",
                    )
                )

    levels: list[LevelFigures] = []
    indicators = form.scored_indicators()
    for kind, label in LEVELS:
        inds = [i for i in indicators if level1_kind(i.level1.text) == kind]
        if not inds:
            continue
        score = sum((i.score.number or ZERO for i in inds), ZERO)
        wsum = sum((i.weight.number or ZERO for i in inds), ZERO)
        levels.append(LevelFigures(label, score, wsum, score / wsum if wsum else None))

    scores = [i.score.number for i in indicators]
    stated_total = form.total_score.number
    total_score: Decimal | None = stated_total
    if rate_score is not None and all(s is not None for s in scores):
        summed = rate_score + sum((s for s in scores if s is not None), ZERO)
        if stated_total is None or not tol.scores_agree(stated_total, summed):
            total_score = rules.round_score(summed)
            if stated_total is not None:
                notes.append(
                    (
                        "score",
                        f"自评表所填总分为 {shown(form.total_score)} 分（{where(form.total_score, sheet)}），"
                        f"而预算执行率得分 {pts(rate_score)} 分与各指标得分之和为 {pts(summed)} 分，"
                        f"本报告按 {pts(summed)} 分表述。",
                    )
                )
    grade = rules.grade(total_score) if total_score is not None else None
    if grade and form.grade.text and rules.normalise_grade(form.grade.text) != grade:
        notes.append(
            (
                "score",
                f"自评表所填等次为“{form.grade.text}”（{where(form.grade, sheet)}），"
                f"总分 {pts(total_score)} 分对应“{grade}”。",
            )
        )

    wtotal = weight_sum(form)
    if indicators and wtotal != rules.total_weight:
        notes.append(
            (
                "score",
                f"自评表分值合计为 {pts(wtotal)} 分，不是 {pts(rules.total_weight)} 分；"
                f"上述总分按表中现有分值计算，分值设置有待修正。",
            )
        )

    return ProjectFigures(
        form=form,
        name=name,
        initial_budget=total.initial_budget.number,
        annual_budget=total.annual_budget.number,
        executed=total.executed.number,
        sources=_sources(form, rules, notes),
        rate=rate,
        rate_weight=weight,
        rate_score=rate_score,
        levels=levels,
        total=total_score,
        grade=grade,
        weight_total=wtotal,
        notes=notes,
    )


def _sources(
    form: ProjectForm, rules: RuleSet, notes: list[tuple[str, str]]
) -> list[tuple[str, Decimal]] | None:
    """全年预算数 by source, when the parts add up to the 年度资金总额 (empty parts count as 0)."""
    total = form.funds.total.annual_budget.number
    parts = [
        ("当年财政拨款", form.funds.current_appropriation.annual_budget.number),
        ("上年结转资金", form.funds.carryover.annual_budget.number),
        ("其他资金", form.funds.other.annual_budget.number),
    ]
    if total is None or all(v is None for _, v in parts):
        return None
    values = [(label, v if v is not None else ZERO) for label, v in parts]
    part_sum = sum((v for _, v in values), ZERO)
    if not rules.tolerance.amounts_agree(total, part_sum):
        listed = "、".join(f"{label} {wan(v)} 万元" for label, v in values)
        notes.append(
            (
                "funds",
                f"自评表所列资金来源（{listed}）之和为 {wan(part_sum)} 万元，与全年预算数 {wan(total)} 万元"
                f"不符，资金来源构成有待核实，本报告不予分列。",
            )
        )
        return None
    return values


# ---------------------------------------------------------------- units and their findings


@dataclass
class Unit:
    name: str
    projects: list[ProjectFigures]
    summaries: list[SummaryForm]
    findings: list[Finding]


def _contains(a: SummaryForm, b: SummaryForm) -> bool:
    ka = {name_key(r.project_name.text) for r in a.rows} - {""}
    kb = {name_key(r.project_name.text) for r in b.rows} - {""}
    return a is not b and kb < ka


def department_summaries(book: WorkbookForms) -> list[SummaryForm]:
    """汇总表 that list the projects of another 汇总表 and more: the department's roll-up."""
    return [s for s in book.summaries if any(_contains(s, o) for o in book.summaries)]


def _in_form(f: Finding, sheet: str, first: int, last: int) -> bool:
    from openpyxl.utils.cell import coordinate_from_string

    if f.sheet != sheet:
        return False
    row = coordinate_from_string(f.cell)[1]
    return first <= row <= last


def group_units(
    book: WorkbookForms, figures: list[ProjectFigures], findings: list[Finding]
) -> list[Unit]:
    """Projects by unit: as the units' own 汇总表 list them, else by the forms' 实施单位."""
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
        units.append(Unit(name, members, [summary], []))
    for p in figures:
        if id(p) in placed:
            continue
        name = p.form.implementer.text or p.form.department.text or "（未注明实施单位）"
        unit = next((u for u in units if u.name == name), None)
        if unit is None:
            unit = Unit(name, [], [], [])
            units.append(unit)
        unit.projects.append(p)
    for unit in units:
        unit.projects.sort(key=lambda p: figures.index(p))
        regions = [(p.form.sheet, p.form.first_row, p.form.last_row) for p in unit.projects] + [
            (s.sheet, s.first_row, s.last_row) for s in unit.summaries
        ]
        unit.findings = [f for f in findings if any(_in_form(f, *r) for r in regions)]
    return [u for u in units if u.projects]


# ---------------------------------------------------------------- the documents


def build_report(book: WorkbookForms, rules: RuleSet | None = None) -> ReportContent:
    """Every report of the workbook: one per unit with project forms, then the department's.

    A 部门整体支出绩效自评表 in the workbook gives the department report its money, score, grade
    and 一级指标 sub-scores (scored by :mod:`xlperf.department.scoring`).
    """
    rules = book.rule_set(rules)
    departments = book.departments
    findings = check_workbook(book, rules)
    figures = [project_figures(f, rules) for f in book.projects]
    units = group_units(book, figures, findings)
    year = _year(book)
    reports = [unit_report(u, year) for u in units]
    if departments or (figures and (len(units) > 1 or department_summaries(book))):
        reports.append(department_report(book, units, figures, findings, year, departments, rules))
    if not reports:
        raise InputError(book.path, "工作簿中没有项目支出绩效自评表，无法生成自评总结报告")
    return ReportContent(source=book.path, reports=tuple(reports))


def _year(book: WorkbookForms) -> str:
    years = Counter(p.year.text for p in book.projects if p.year.text)
    return years.most_common(1)[0][0] if years else ""


def _year_text(year: str) -> str:
    return f"{year} 年度" if year else "年度"


def _project_basic(i: int, p: ProjectFigures) -> list[Block]:
    parts = [
        f"{i}、{p.name}：年初预算数 {wan(p.initial_budget)} 万元，全年预算数 {wan(p.annual_budget)} 万元"
    ]
    if p.sources:
        parts.append(
            "（其中" + "、".join(f"{label} {wan(v)} 万元" for label, v in p.sources) + "）"
        )
    parts.append(f"，全年执行数 {wan(p.executed)} 万元")
    if p.initial_rate is not None:
        parts.append(f"，完成年初预算的 {pct(p.initial_rate)}")
    parts.append(f"，预算执行率（全年执行数÷全年预算数）为 {pct(p.rate)}。")
    blocks: list[Block] = [para("".join(parts))]
    blocks += [para("注：" + n, kind="note") for n in p.notes_on("funds")]
    return blocks


def _project_result(i: int, p: ProjectFigures) -> list[Block]:
    grade = f"，等次为“{p.grade}”" if p.grade else ""
    text = f"{i}、{p.name}：自评总分 {pts(p.total)} 分{grade}。其中预算执行率得分 {pts(p.rate_score)} 分（分值 {pts(p.rate_weight)} 分）"
    for lv in p.levels:
        text += f"，{lv.label}得分 {pts(lv.score)} 分（分值 {pts(lv.weight)} 分，得分率 {pct(lv.rate)}）"
    blocks: list[Block] = [para(text + "。")]
    deducted = [
        ind
        for ind in p.form.scored_indicators()
        if ind.score.number is not None
        and ind.weight.number is not None
        and ind.score.number < ind.weight.number
    ]
    for ind in deducted:
        label = indicator_label(ind.name.text)
        head = (
            f"扣分指标“{label}”：年度指标值 {ind.target.text or '（空）'}，实际完成值 "
            f"{ind.actual.text or '（空）'}，分值 {pts(ind.weight.number)} 分，得分 {pts(ind.score.number)} 分。偏差原因："
        )
        reason: str | Span = ind.note.text if ind.note.text else blank("偏差原因分析及改进措施")
        blocks.append(para(head, reason, kind="item"))
    blocks.append(para("主要做法和成效：", blank(f"{p.name}的实施情况、主要做法和成效")))
    blocks += [para("注：" + n, kind="note") for n in p.notes_on("score")]
    return blocks


def indicator_label(name: str | None) -> str:
    """'指标1：受益贫困人口满意度' -> '受益贫困人口满意度' (the template's numbering dropped)."""
    text = re.sub(r"^\s*指标\s*\d+\s*[：:]", "", name or "").strip()
    return text or "（未命名指标）"


def _figures_table(projects: list[ProjectFigures], caption: str, with_total: bool) -> Table:
    header = (
        "序号",
        "项目",
        "全年预算数（万元）",
        "全年执行数（万元）",
        "预算执行率",
        "执行率得分",
        "产出得分率",
        "效益得分率",
        "满意度得分率",
        "总分",
        "等次",
    )
    rows = []
    for i, p in enumerate(projects, 1):
        rates = [pct(lv.rate) if (lv := p.level(label)) else "—" for _, label in LEVELS]
        rows.append(
            (
                str(i),
                p.name,
                wan(p.annual_budget),
                wan(p.executed),
                pct(p.rate),
                pts(p.rate_score),
                *rates,
                pts(p.total),
                p.grade or "—",
            )
        )
    if with_total:
        budget, executed = (
            _sum(p.annual_budget for p in projects),
            _sum(p.executed for p in projects),
        )
        rate = executed / budget if budget and executed is not None else None
        rows.append(("", "合计", wan(budget), wan(executed), pct(rate), "", "", "", "", "", ""))
    widths = (0.7, 3.0, 1.4, 1.4, 1.45, 1.1, 1.45, 1.45, 1.45, 1.15, 0.8)  # cm
    return Table(caption, header, tuple(rows), widths, total_row=with_total)


def _sum(values) -> Decimal | None:
    vals = list(values)
    if any(v is None for v in vals):
        return None
    return sum(vals, ZERO)


def _finding_items(findings: list[Finding]) -> list[Block]:
    if not findings:
        return [para("经按评分规则复核，自评表与汇总表未发现计算或填报错误。")]
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    counts = "、".join(
        text
        for n, text in (
            (len(errors), f"错误 {len(errors)} 处"),
            (len(warnings), f"需说明事项 {len(warnings)} 处"),
        )
        if n
    )
    blocks: list[Block] = [para(f"经按评分规则复核自评表与汇总表，发现{counts}，逐条列示如下：")]
    for i, f in enumerate(errors + warnings, 1):
        level = "错误" if f.severity == "error" else "提示"
        blocks.append(
            para(
                f"（{i}）{level}：{f.message}（位置：{f.sheet}!{f.cell}，代码 {f.code}）",
                kind="finding",
            )
        )
    return blocks


def unit_report(unit: Unit, year: str) -> Report:
    ps = unit.projects
    budget = _sum(p.annual_budget for p in ps)
    executed = _sum(p.executed for p in ps)
    rate = executed / budget if budget and executed is not None else None
    blocks: list[Block] = [Heading("一、项目支出基本情况")]
    names = "；".join(f"{i}、{p.name}" for i, p in enumerate(ps, 1))
    blocks.append(
        para(
            f"{unit.name}{year}年度项目支出由 {len(ps)} 个项目构成，分别为：{names}。"
            f"项目支出全年预算数合计 {wan(budget)} 万元，全年执行数合计 {wan(executed)} 万元，"
            f"预算执行率 {pct(rate)}。"
        )
    )
    for i, p in enumerate(ps, 1):
        blocks += _project_basic(i, p)
    blocks += [
        Heading("二、绩效评价工作开展情况"),
        para(
            f"{year}年度项目绩效自评覆盖全部 {len(ps)} 个项目，涉及资金 {wan(budget)} 万元。",
            blank("自评工作的组织、分工、方法和过程"),
        ),
        Heading("三、绩效自评结果及分析"),
    ]
    for i, p in enumerate(ps, 1):
        blocks += _project_result(i, p)
    blocks.append(_figures_table(ps, f"表 {unit.name}项目支出绩效自评结果", len(ps) > 1))
    blocks.append(Heading("四、自评发现的问题及整改措施"))
    blocks += _finding_items(unit.findings)
    blocks.append(para("整改措施：", blank("针对上述问题的整改措施")))
    blocks += [
        Heading("五、绩效自评工作建议及预算安排建议"),
        para(blank("绩效自评工作建议及预算安排建议")),
        Heading("六、其他需要说明的问题"),
    ]
    noted = sum(len(p.notes) for p in ps)
    if noted:
        blocks.append(
            para(
                f"本报告所列数字由自评表的原始数据按评分规则复核得出；其中 {noted} 处与自评表所填不同，"
                f"已在相应位置以“注”说明，请据此更正自评表。"
            )
        )
    blocks.append(para(blank("其他需要说明的问题（无则填“无”）")))
    blocks.append(para(unit.name, kind="sign"))
    blocks.append(para(blank("报告日期"), kind="sign"))
    return Report((unit.name, "项目支出绩效自评总结报告"), _year_text(year), tuple(blocks))


def department_report(
    book: WorkbookForms,
    units: list[Unit],
    figures: list[ProjectFigures],
    findings: list[Finding],
    year: str,
    departments: list,
    rules: RuleSet | None = None,
) -> Report:
    dept_sums = department_summaries(book)
    names = Counter(p.form.department.text for p in figures if p.form.department.text)
    dept_names = [d.unit_name.text for d in departments if d.unit_name.text]
    name = (
        dept_names[0]
        if dept_names
        else names.most_common(1)[0][0]
        if names
        else (dept_sums[0].unit_name.text if dept_sums else "") or "本部门"
    )
    budget = _sum(p.annual_budget for p in figures)
    executed = _sum(p.executed for p in figures)
    rate = executed / budget if budget and executed is not None else None
    scored = [p for p in figures if p.total is not None]
    average = (
        sum((p.total for p in scored if p.total is not None), ZERO) / len(scored)
        if scored
        else None
    )
    grades = Counter(p.grade for p in scored)
    bands = [g.grade for g in book.rule_set().grade_bands]
    by_grade = "、".join(f"“{g}” {grades.get(g, 0)} 个" for g in bands)

    blocks: list[Block] = [
        Heading("一、基本情况"),
        para(blank("部门职能、内设机构与下属单位、年度部门总目标及主要任务")),
    ]
    blocks += _department_money(departments)
    blocks += [
        Heading("二、绩效自评工作开展情况"),
        para(
            f"本次绩效自评覆盖 {len(units)} 个单位的 {len(figures)} 个项目，项目资金 {wan(budget)} 万元。",
            blank("自评工作的组织、分工和过程"),
        ),
        Heading("三、综合评价结论"),
    ]
    blocks += _department_score(departments, book.rule_set(rules))
    blocks.append(
        para(
            f"项目支出方面，{len(figures)} 个项目自评平均得分 {pts(average)} 分；按等次，{by_grade}。"
        )
    )
    blocks += [
        Heading("四、绩效目标实现情况分析"),
        Heading("（一）项目资金情况", level=2),
        para(
            f"全部项目全年预算数合计 {wan(budget)} 万元，全年执行数合计 {wan(executed)} 万元，预算执行率 {pct(rate)}。各单位情况如下："
        ),
    ]
    for i, u in enumerate(units, 1):
        ub = _sum(p.annual_budget for p in u.projects)
        ue = _sum(p.executed for p in u.projects)
        ur = ue / ub if ub and ue is not None else None
        blocks.append(
            para(
                f"{i}、{u.name}：{len(u.projects)} 个项目，全年预算数 {wan(ub)} 万元，全年执行数 {wan(ue)} 万元，预算执行率 {pct(ur)}。",
                kind="item",
            )
        )
    blocks.append(Heading("（二）项目绩效指标完成情况", level=2))
    if figures:
        blocks.append(_figures_table(figures, f"表 {name}项目支出绩效自评结果汇总", True))
    dept_notes = _summary_differences(dept_sums, findings)
    blocks += [para("注：" + n, kind="note") for n in dept_notes]
    blocks.append(para(blank("工作目标、预算和财务管理、绩效管理及履职效益、满意度情况")))
    blocks.append(Heading("五、发现的主要问题及改进措施"))
    blocks += _department_findings(units, findings)
    blocks.append(para("改进措施：", blank("针对上述问题的改进措施")))
    blocks += [
        Heading("六、绩效自评结果拟应用和公开情况"),
        para(blank("自评结果的应用和公开安排")),
        Heading("七、绩效自评工作的经验、问题和建议"),
        para(blank("经验、问题和建议")),
        Heading("八、其他需要说明的问题"),
    ]
    noted = sum(len(p.notes) for p in figures)
    if noted:
        blocks.append(
            para(
                f"各单位报告中共有 {noted} 处数字与自评表所填不同，已按评分规则复核后的数字表述并逐一加注。"
            )
        )
    blocks.append(para(blank("其他需要说明的问题（无则填“无”）")))
    blocks.append(para(name, kind="sign"))
    blocks.append(para(blank("报告日期"), kind="sign"))
    return Report((name, "部门（单位）整体自评总结报告"), _year_text(year), tuple(blocks))


def _department_findings(units: list[Unit], findings: list[Finding]) -> list[Block]:
    """Per unit the count of what the check found (listed in the unit's own report), then
    every finding that belongs to no unit (the department 汇总表) item by item."""
    in_units = {id(f) for u in units for f in u.findings}
    blocks: list[Block] = []
    for i, u in enumerate(units, 1):
        errors = sum(f.severity == "error" for f in u.findings)
        text = (
            f"错误 {errors} 处、需说明事项 {len(u.findings) - errors} 处，已在该单位报告中逐条列示"
            if u.findings
            else "未发现计算或填报错误"
        )
        blocks.append(para(f"{i}、{u.name}：项目自评表与汇总表经复核，{text}。", kind="item"))
    rest = [f for f in findings if id(f) not in in_units]
    if rest:
        blocks.append(para("部门汇总表及其他表格经复核发现的问题如下："))
        blocks += _finding_items(rest)[1:]
    return blocks


def _summary_differences(dept_sums: list[SummaryForm], findings: list[Finding]) -> list[str]:
    """The department 汇总表's figures that disagree with the project forms (XS301)."""
    sheets = {s.sheet for s in dept_sums}
    diffs = [f for f in findings if f.sheet in sheets and f.code == "XS301"]
    if not diffs:
        return []
    return [
        f"部门汇总表中有 {len(diffs)} 处数字与项目自评表不一致（见“五、发现的主要问题”），"
        "上表按项目自评表复核后的数字列示。"
    ]


def _department_money(departments: list) -> list[Block]:
    if not departments:
        return [
            para(
                "本工作簿未包含部门（单位）整体绩效自评表，部门预算总额及其构成：",
                blank("部门预算总额、资金来源、基本支出与项目支出"),
            )
        ]
    out: list[Block] = []
    for d in departments:
        m = d.money
        rows = [
            ("部门预算总额", m.total),
            ("财政拨款", m.appropriation),
            ("其他资金", m.other),
            ("基本支出", m.basic),
            ("项目支出", m.project),
        ]
        stated = []
        for label, row in rows:
            amount = row.annual_budget.number
            if amount is None:
                amount = row.initial_budget.number
            if amount is not None:
                text = f"{label} {wan(amount)} 万元"
                if row.executed.number is not None:
                    text += f"（执行 {wan(row.executed.number)} 万元）"
                stated.append(text)
        if stated:
            out.append(para("据部门（单位）整体绩效自评表，" + "，".join(stated) + "。"))
    return out


def _department_score(departments: list, rules: RuleSet) -> list[Block]:
    """Score, grade and 一级指标 sub-scores of each department form, as the engine scores it."""
    if not departments:
        return [
            para(
                "部门整体绩效自评得分：",
                blank("部门整体绩效自评得分及等次（本工作簿未包含部门整体绩效自评表）"),
            )
        ]
    from xlperf.department.scoring import score_department

    out: list[Block] = []
    for d in departments:
        score = score_department(d, rules)
        subs = "；".join(
            f"{lv.name or '（未命名）'}得分 {pts(lv.score)} 分（分值 {pts(lv.weight)} 分）"
            for lv in score.level1
        )
        total = rules.round_score(score.total)
        out.append(
            para(
                f"部门整体绩效自评得分 {pts(total)} 分，等次为“{score.grade}”"
                + (f"。其中{subs}。" if subs else "。")
            )
        )
        rate = score.rates.get("预算执行率")
        if rate is not None:
            out.append(para(f"按部门整体绩效自评表所列资金计算，部门预算执行率为 {pct(rate)}。"))
        stated = d.total_score.number
        if stated is not None and not rules.tolerance.scores_agree(stated, score.total):
            out.append(
                para(
                    f"注：自评表所填总分为 {shown(d.total_score)} 分（{where(d.total_score, d.sheet)}），"
                    f"按各指标的评分标准复核应为 {pts(total)} 分，本报告按 {pts(total)} 分表述。",
                    kind="note",
                )
            )
        if d.grade.text and rules.normalise_grade(d.grade.text) != score.grade:
            out.append(
                para(
                    f"注：自评表所填等次为“{d.grade.text}”（{where(d.grade, d.sheet)}），"
                    f"总分 {pts(total)} 分对应“{score.grade}”。",
                    kind="note",
                )
            )
        if score.kept:
            out.append(
                para(
                    f"注：{len(score.kept)} 项指标（{'、'.join(score.kept_names())}）"
                    "无法按评分标准自动复核，按自评表所填得分计入。",
                    kind="note",
                )
            )
    return out
