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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from xlperf.checks import check_workbook
from xlperf.errors import InputError
from xlperf.findings import CODES, Finding
from xlperf.forms.base import Val
from xlperf.forms.summary import SummaryForm
from xlperf.forms.workbook import WorkbookForms
from xlperf.rules import RuleSet
from xlperf.scoring.figures import (
    LEVELS,
    ProjectFigures,
    Unit,
    department_summaries,
    group_units,
    in_form,
    name_key,
    project_figures,
)
from xlperf.scoring.project import ZERO

CENT = Decimal("0.01")
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
    align: tuple[str, ...] = ()  # per column "left"/"center"/"right"; empty: the figures layout
    appendix: bool = False  # an 附表: starts a new page after the report's signature


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


# ---------------------------------------------------------------- units and their findings


@dataclass(frozen=True)
class Issue:
    """One finding as the report's 附表 lists it: where, what the form says, what is right."""

    finding: Finding
    subject: str  # the project it concerns, or the 汇总表's sheet
    form_value: str
    corrected: str

    @property
    def error(self) -> bool:
        return self.finding.severity == "error"


def plain(value: Decimal | str | None) -> str:
    """A form's figure as typed: ``8``, ``96.97``, ``“优”`` (no padding zeros)."""
    if value is None:
        return "（空）"
    if isinstance(value, str):
        return value
    text = format(value.normalize(), "f")
    return text


def plain_pct(fraction: Decimal | str | None) -> str:
    if not isinstance(fraction, Decimal):
        return plain(fraction)
    return plain(fraction * 100) + "%"


SUMMARY_RATE_FIELDS = ("rate", "output_rate", "benefit_rate", "satisfaction_rate")
LEVEL_OF_FIELD = {
    "output_rate": "产出指标",
    "benefit_rate": "效益指标",
    "satisfaction_rate": "满意度指标",
}


def _summary_cells(book: WorkbookForms) -> dict[tuple[str, str], tuple[SummaryForm, object, str]]:
    """(sheet, cell) of every 汇总表 figure -> (汇总表, row, field)."""
    out: dict[tuple[str, str], tuple[SummaryForm, object, str]] = {}
    for s in book.summaries:
        for row in s.rows:
            for field_name in ("annual_budget", "executed", "score", *SUMMARY_RATE_FIELDS):
                val = getattr(row, field_name)
                if val.cell:
                    out[(s.sheet, val.cell)] = (s, row, field_name)
    return out


def _summary_issue(
    f: Finding, where: tuple[SummaryForm, object, str], figures: dict[str, ProjectFigures], rules
) -> Issue | None:
    """An XS301 as a correction of the 汇总表: to the project's correct figure, not to what the
    project form states. None when the 汇总表 already holds the correct figure (the project
    form is what needs correcting, and its own row says so)."""
    summary, row, field_name = where
    p = figures.get(name_key(row.project_name.text))  # type: ignore[attr-defined]
    if p is None:
        return Issue(f, summary.sheet, plain(f.actual), "请核实")
    val = getattr(row, field_name)
    tol = rules.tolerance
    if field_name in SUMMARY_RATE_FIELDS:
        correct = p.rate if field_name == "rate" else _level_rate(p, field_name)
        stated = val.rate_fraction()
        if correct is None or stated is None:
            return Issue(f, summary.sheet, plain_pct(stated), pct(correct))
        if tol.rates_agree(stated, correct, val.rate_decimals()):
            return None
        return Issue(f, summary.sheet, plain_pct(stated), pct(correct))
    correct = {"annual_budget": p.annual_budget, "executed": p.executed, "score": p.total}[
        field_name
    ]
    stated = val.number
    if correct is not None and stated is not None:
        same = (
            tol.scores_agree(stated, correct)
            if field_name == "score"
            else tol.amounts_agree(stated, correct)
        )
        if same:
            return None
    shown_correct = pts(correct) if field_name == "score" else wan(correct)
    return Issue(f, summary.sheet, plain(stated), shown_correct)


def _level_rate(p: ProjectFigures, field_name: str) -> Decimal | None:
    lv = p.level(LEVEL_OF_FIELD[field_name])
    return lv.rate if lv else None


def _corrected(f: Finding) -> str:
    code, exp = f.code, f.expected
    if code == "XP101":
        return pct(exp) if isinstance(exp, Decimal) else plain(exp)
    if code == "XP203":
        return (
            f"请核实（其下指标分值之和为{pts(f.actual)}）"
            if isinstance(f.actual, Decimal)
            else "请核实"
        )
    if code == "XP209":
        return f"请核实（各项分值之和为{pts(exp)}）" if isinstance(exp, Decimal) else "请核实"
    if code in ("XP102", "XP204", "XP202", "XD402", "XD403", "XD404"):
        return pts(exp) if isinstance(exp, Decimal) else plain(exp)
    if code == "XP201":
        return f"0～{pts(exp)}" if isinstance(exp, Decimal) else "请核实"
    if code in ("XP104", "XS303", "XD411", "XD412"):
        parts = {"XP104": "各来源之和", "XS303": "各行之和"}.get(code, "各项之和")
        return f"请核实（{parts}为{wan(exp)}）" if isinstance(exp, Decimal) else "请核实"
    if code == "XP103":
        return f"请核实（全年预算数{wan(exp)}）" if isinstance(exp, Decimal) else "请核实"
    if code == "XP205":
        return f"请核实（按规则为{pts(exp)}）" if isinstance(exp, Decimal) else "请核实"
    if code == "XP206":
        return "补填"
    if code == "XP207":
        return "补填偏差原因"
    if code in ("XP208", "XD407"):
        return plain(exp)
    if exp is None:
        return "请核实"
    return pts(exp) if isinstance(exp, Decimal) else plain(exp)


def _form_value(f: Finding) -> str:
    if f.code == "XP101":
        return plain_pct(f.actual)
    if f.code == "XP203":
        return plain(f.expected)  # the weight the 一级指标's label declares
    if f.code == "XP202":
        return f"合计{plain(f.actual)}"
    if f.code == "XP207":
        return "（未填）"
    if f.code == "XP206":
        return "（缺项）"
    if f.code in ("XS302",):
        return "—"
    return plain(f.actual)


def report_issues(
    book: WorkbookForms, figures: list[ProjectFigures], findings: list[Finding], rules: RuleSet
) -> dict[int, Issue]:
    """id(finding) -> its 附表 row; findings that need no correction of their own are left out
    (a 汇总表 figure that is right where its project form is wrong)."""
    by_key = {name_key(p.name): p for p in figures}
    cells = _summary_cells(book)
    out: dict[int, Issue] = {}
    for f in findings:
        if f.code == "XS301" and (f.sheet, f.cell) in cells:
            issue = _summary_issue(f, cells[(f.sheet, f.cell)], by_key, rules)
            if issue is not None:
                out[id(f)] = issue
            continue
        owner = next(
            (p for p in figures if in_form(f, p.form.sheet, p.form.first_row, p.form.last_row)),
            None,
        )
        subject = owner.name if owner is not None else f.sheet
        out[id(f)] = Issue(f, subject, _form_value(f), _corrected(f))
    return out


def units_with_issues(
    book: WorkbookForms,
    figures: list[ProjectFigures],
    findings: list[Finding],
    issues: dict[int, Issue],
) -> list[Unit]:
    """The units (:func:`xlperf.scoring.figures.group_units`), each with the 附表 rows (``issues``, by
    ``id`` of their finding) of its forms."""
    units = group_units(book, figures)
    for unit in units:
        unit.issues = _ordered(
            [issues[id(f)] for f in findings if id(f) in issues and unit.holds(f)]
        )
    return units


def _ordered(issues: list[Issue]) -> list[Issue]:
    """Errors first, then what needs checking; each in the order the check found them."""
    return [i for i in issues if i.error] + [i for i in issues if not i.error]


# ---------------------------------------------------------------- the documents


def build_report(book: WorkbookForms, rules: RuleSet | None = None) -> ReportContent:
    """Every report of the workbook: one per unit with project forms, then the department's.

    A 部门整体支出绩效自评表 in the workbook gives the department report its money, score, grade
    and 一级指标 sub-scores (scored by :mod:`xlperf.scoring.department`).
    """
    rules = book.rule_set(rules)
    departments = book.departments
    findings = check_workbook(book, rules)
    figures = [project_figures(f, rules) for f in book.projects]
    issues = report_issues(book, figures, findings, rules)
    units = units_with_issues(book, figures, findings, issues)
    year = _year(book)
    reports = [unit_report(u, year, rules.total_weight) for u in units]
    if departments or (figures and (len(units) > 1 or department_summaries(book))):
        in_units = {id(i) for u in units for i in u.issues}
        rest = _ordered(
            [
                issues[id(f)]
                for f in findings
                if id(f) in issues and id(issues[id(f)]) not in in_units
            ]
        )
        reports.append(department_report(book, units, figures, rest, year, departments, rules))
    if not reports:
        raise InputError(book.path, "工作簿中没有项目支出绩效自评表，无法生成自评总结报告")
    return ReportContent(source=book.path, reports=tuple(reports))


def _year(book: WorkbookForms) -> str:
    years = Counter(p.year.text for p in book.projects if p.year.text)
    return years.most_common(1)[0][0] if years else ""


def _year_text(year: str) -> str:
    return f"{year}年度" if year else "年度"


def _project_mistakes(p: ProjectFigures, issues: list[Issue]) -> list[Issue]:
    """The unit's 附表 rows that correct a figure this report states of ``p``."""
    f = p.form
    cells = {
        "XP101": f.funds.total.rate.cell,
        "XP102": f.funds.total.score.cell,
        "XP204": f.total_score.cell,
        "XP208": f.grade.cell,
    }
    return [
        i
        for i in issues
        if i.finding.sheet == f.sheet and cells.get(i.finding.code) == i.finding.cell
    ]


def _project_basic(i: int, p: ProjectFigures, issues: list[Issue]) -> list[Block]:
    parts = [
        f"{i}、{p.name}：年初预算数{wan(p.initial_budget)}万元，全年预算数{wan(p.annual_budget)}万元"
    ]
    if p.sources:
        parts.append("（其中" + "、".join(f"{label}{wan(v)}万元" for label, v in p.sources) + "）")
    parts.append(f"，全年执行数{wan(p.executed)}万元")
    if p.initial_rate is not None:
        parts.append(f"，完成年初预算的{pct(p.initial_rate)}")
    parts.append(f"，预算执行率（全年执行数÷全年预算数）为{pct(p.rate)}")
    wrong_rate = [m for m in _project_mistakes(p, issues) if m.finding.code == "XP101"]
    if wrong_rate:
        parts.append(f"（自评表填为{wrong_rate[0].form_value}，有误）")
    parts.append("。")
    if p.sources_sum is not None:
        parts.append(
            f"自评表所列各资金来源之和为{wan(p.sources_sum)}万元，与全年预算数不符，资金来源构成有待核实，"
            "此处不予分列。"
        )
    return [para("".join(parts))]


SCORE_FIELDS = {"XP102": "预算执行率得分", "XP204": "总分", "XP208": "等次"}


def _project_result(i: int, p: ProjectFigures, issues: list[Issue], total_weight) -> list[Block]:
    grade = f"，等次为“{p.grade}”" if p.grade else ""
    text = (
        f"{i}、{p.name}：自评总分{pts(p.total)}分{grade}。"
        f"其中预算执行率得分{pts(p.rate_score)}分（分值{pts(p.rate_weight)}分）"
    )
    for lv in p.levels:
        text += f"，{lv.label}得分{pts(lv.score)}分（分值{pts(lv.weight)}分，得分率{pct(lv.rate)}）"
    text += "。"
    wrong = [m for m in _project_mistakes(p, issues) if m.finding.code in SCORE_FIELDS]
    if wrong:
        said = "、".join(
            f"{SCORE_FIELDS[m.finding.code]}“{m.form_value}”"
            if m.finding.code == "XP208"
            else f"{SCORE_FIELDS[m.finding.code]}{m.form_value}分"
            for m in wrong
        )
        text += f"自评表所填{said}与评分规则不符，以上为复核后的数字。"
    if p.form.scored_indicators() and p.weight_total != total_weight:
        text += f"该项目自评表分值合计为{pts(p.weight_total)}分（应为{pts(total_weight)}分），总分按表中现有分值计算。"
    blocks: list[Block] = [para(text)]
    deducted = [
        ind
        for ind in p.form.scored_indicators()
        if ind.score.number is not None
        and ind.weight.number is not None
        and ind.score.number < ind.weight.number
    ]
    if deducted:
        listed = "；".join(
            f"“{indicator_label(ind.name.text)}”（年度指标值{ind.target.text or '（空）'}，"
            f"实际完成值{ind.actual.text or '（空）'}）得{pts(ind.score.number)}分（分值{pts(ind.weight.number)}分）"
            for ind in deducted
        )
        reasons = list(dict.fromkeys(ind.note.text for ind in deducted if ind.note.text))
        parts: list[str | Span] = [f"扣分指标{len(deducted)}项：{listed}。偏差原因及改进措施："]
        if reasons:
            parts.append("；".join(r.rstrip("。") for r in reasons) + "。")
        if len(reasons) < len(deducted):
            parts.append(blank("未说明扣分原因的指标的偏差原因分析及改进措施"))
        blocks.append(para(*parts))
    blocks.append(para("主要做法和成效：", blank(f"{p.name}的实施情况、主要做法和成效")))
    return blocks


def indicator_label(name: str | None) -> str:
    """'指标1：受益贫困人口满意度' -> '受益贫困人口满意度' (the template's numbering dropped)."""
    text = re.sub(r"^\s*指标\s*\d+\s*[：:]", "", name or "").strip()
    return text or "（未命名指标）"


FIGURES_HEADER = (
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


def is_figures_table(table: Table) -> bool:
    """The table of each project's figures (表1), the one a chart of the report draws from."""
    return table.header == FIGURES_HEADER and not table.appendix


def _figures_table(projects: list[ProjectFigures], caption: str, with_total: bool) -> Table:
    header = FIGURES_HEADER
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


APPENDIX_CAPTION = "附表：自评表填报问题及更正"


def appendix_table(issues: list[Issue]) -> Table:
    header = ("序号", "工作表", "单元格", "代码", "问题", "表中所填", "更正为")
    rows = tuple(
        (
            str(n),
            i.finding.sheet,
            i.finding.cell,
            i.finding.code,
            CODES[i.finding.code][1] if i.finding.code in CODES else i.finding.message,
            i.form_value,
            i.corrected,
        )
        for n, i in enumerate(issues, 1)
    )
    widths = (0.8, 3.0, 1.1, 1.1, 3.9, 1.7, 4.0)
    align = ("center", "left", "center", "center", "left", "center", "left")
    return Table(APPENDIX_CAPTION, header, rows, widths, align=align, appendix=True)


def _subjects(issues: list[Issue]) -> str:
    names = list(dict.fromkeys(i.subject for i in issues))
    if len(names) > 3:
        return "、".join(names[:3]) + f"等{len(names)}个项目"
    return "、".join(names)


def _by_code(issues: list[Issue]) -> str:
    groups: dict[str, list[Issue]] = {}
    for i in issues:
        groups.setdefault(i.finding.code, []).append(i)
    return "；".join(
        f"{CODES[code][1] if code in CODES else code}（{len(group)}处，涉及{_subjects(group)}）"
        for code, group in groups.items()
    )


def issues_summary(issues: list[Issue], where: str = "自评表与汇总表") -> list[Block]:
    """What the check found, summarised in prose; the item list is the 附表."""
    if not issues:
        return [para(f"经按评分规则复核，{where}未发现计算或填报错误。")]
    errors = [i for i in issues if i.error]
    warnings = [i for i in issues if not i.error]
    blocks: list[Block] = []
    if errors:
        blocks.append(
            para(
                f"经按评分规则复核，{where}中需更正的填报问题共{len(errors)}处：{_by_code(errors)}。"
                "本报告所列数字均为复核后的数字。"
            )
        )
    if warnings:
        lead = "另有" if errors else f"经按评分规则复核，{where}未发现计算错误，但有"
        kept = (
            "；定量指标得分与指标值、完成值不符的，本报告仍按自评表所填得分计算"
            if any(i.finding.code == "XP205" for i in warnings)
            else ""
        )
        blocks.append(para(f"{lead}需核实的事项{len(warnings)}处：{_by_code(warnings)}{kept}。"))
    blocks.append(para("各问题的位置、表中所填数字和更正后的数字见附表。"))
    return blocks


def unit_report(unit: Unit, year: str, total_weight: Decimal) -> Report:
    ps = unit.projects
    budget = _sum(p.annual_budget for p in ps)
    executed = _sum(p.executed for p in ps)
    rate = executed / budget if budget and executed is not None else None
    blocks: list[Block] = [Heading("一、项目支出基本情况")]
    names = "；".join(f"{i}、{p.name}" for i, p in enumerate(ps, 1))
    blocks.append(
        para(
            f"{unit.name}{_year_text(year)}项目支出由{len(ps)}个项目构成，分别为：{names}。"
            f"项目支出全年预算数合计{wan(budget)}万元，全年执行数合计{wan(executed)}万元，"
            f"预算执行率{pct(rate)}。"
        )
    )
    for i, p in enumerate(ps, 1):
        blocks += _project_basic(i, p, unit.issues)
    blocks += [
        Heading("二、绩效评价工作开展情况"),
        para(
            f"{_year_text(year)}项目绩效自评覆盖全部{len(ps)}个项目，涉及资金{wan(budget)}万元。",
            blank("自评工作的组织、分工、方法和过程"),
        ),
        Heading("三、绩效自评结果及分析"),
    ]
    for i, p in enumerate(ps, 1):
        blocks += _project_result(i, p, unit.issues, total_weight)
    blocks.append(_figures_table(ps, f"表1：{unit.name}项目支出绩效自评结果", len(ps) > 1))
    blocks.append(Heading("四、自评发现的问题及整改措施"))
    blocks += issues_summary(unit.issues)
    blocks.append(para("整改措施：", blank("针对上述问题的整改措施")))
    blocks += [
        Heading("五、绩效自评工作建议及预算安排建议"),
        para(blank("绩效自评工作建议及预算安排建议")),
        Heading("六、其他需要说明的问题"),
    ]
    corrected = sum(i.error for i in unit.issues)
    if corrected:
        blocks.append(
            para(
                f"本报告所列数字由自评表的原始数据按评分规则复核得出，自评表中需更正之处共{corrected}处，"
                "已列入附表，请据此更正自评表。"
            )
        )
    blocks.append(para(blank("其他需要说明的问题（无则填“无”）")))
    blocks.append(para(unit.name, kind="sign"))
    blocks.append(para(blank("报告日期"), kind="sign"))
    if unit.issues:
        blocks.append(appendix_table(unit.issues))
    return Report((unit.name, "项目支出绩效自评总结报告"), _year_text(year), tuple(blocks))


def department_report(
    book: WorkbookForms,
    units: list[Unit],
    figures: list[ProjectFigures],
    rest: list[Issue],
    year: str,
    departments: list,
    rules: RuleSet | None = None,
) -> Report:
    """The department's report; ``rest`` are the 附表 rows of no unit (the department 汇总表)."""
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
    by_grade = "、".join(f"“{g}”{grades[g]}个" for g in bands if grades.get(g))

    blocks: list[Block] = [
        Heading("一、基本情况"),
        para(blank("部门职能、内设机构与下属单位、年度部门总目标及主要任务")),
    ]
    blocks += _department_money(departments)
    blocks += [
        Heading("二、绩效自评工作开展情况"),
        para(
            f"本次绩效自评覆盖{len(units)}个单位的{len(figures)}个项目，项目资金{wan(budget)}万元。",
            blank("自评工作的组织、分工和过程"),
        ),
        Heading("三、综合评价结论"),
    ]
    blocks += _department_score(departments, book.rule_set(rules))
    if figures:
        blocks.append(
            para(
                f"项目支出方面，{len(figures)}个项目自评平均得分{pts(average)}分"
                + (f"，其中等次为{by_grade}。" if by_grade else "。")
            )
        )
    blocks += [
        Heading("四、绩效目标实现情况分析"),
        Heading("（一）项目资金情况", level=2),
        para(
            f"全部项目全年预算数合计{wan(budget)}万元，全年执行数合计{wan(executed)}万元，预算执行率{pct(rate)}。各单位情况如下："
        ),
    ]
    for i, u in enumerate(units, 1):
        ub = _sum(p.annual_budget for p in u.projects)
        ue = _sum(p.executed for p in u.projects)
        ur = ue / ub if ub and ue is not None else None
        blocks.append(
            para(
                f"{i}、{u.name}：{len(u.projects)}个项目，全年预算数{wan(ub)}万元，全年执行数{wan(ue)}万元，预算执行率{pct(ur)}。",
                kind="item",
            )
        )
    blocks.append(Heading("（二）项目绩效指标完成情况", level=2))
    if figures:
        blocks.append(_figures_table(figures, f"表1：{name}项目支出绩效自评结果汇总", True))
    sheets = {s.sheet for s in dept_sums}
    differ = sum(i.finding.code == "XS301" and i.finding.sheet in sheets for i in rest)
    if differ:
        blocks.append(
            para(
                f"部门汇总表中有{differ}处数字与项目自评表复核后的数字不一致，上表按复核后的数字列示，"
                "明细见附表。"
            )
        )
    blocks.append(para(blank("工作目标、预算和财务管理、绩效管理及履职效益、满意度情况")))
    blocks.append(Heading("五、发现的主要问题及改进措施"))
    blocks += _department_findings(units, rest)
    blocks.append(para("改进措施：", blank("针对上述问题的改进措施")))
    blocks += [
        Heading("六、绩效自评结果拟应用和公开情况"),
        para(blank("自评结果的应用和公开安排")),
        Heading("七、绩效自评工作的经验、问题和建议"),
        para(blank("经验、问题和建议")),
        Heading("八、其他需要说明的问题"),
    ]
    corrected = sum(i.error for u in units for i in u.issues)
    if corrected:
        blocks.append(
            para(
                f"各单位自评表中需更正之处共{corrected}处，已列入各单位报告的附表；"
                "本报告所列数字均为按评分规则复核后的数字。"
            )
        )
    blocks.append(para(blank("其他需要说明的问题（无则填“无”）")))
    blocks.append(para(name, kind="sign"))
    blocks.append(para(blank("报告日期"), kind="sign"))
    if rest:
        blocks.append(appendix_table(rest))
    return Report((name, "部门（单位）整体自评总结报告"), _year_text(year), tuple(blocks))


def _department_findings(units: list[Unit], rest: list[Issue]) -> list[Block]:
    """Per unit what the check found (its 附表 lists the items), then the department's own."""
    blocks: list[Block] = []
    for i, u in enumerate(units, 1):
        errors = sum(x.error for x in u.issues)
        warnings = len(u.issues) - errors
        parts = [
            text
            for n, text in (
                (errors, f"需更正的填报问题{errors}处"),
                (warnings, f"需核实的事项{warnings}处"),
            )
            if n
        ]
        text = (
            "项目自评表与汇总表经复核，有" + "、".join(parts) + "，见该单位报告附表"
            if parts
            else "项目自评表与汇总表经复核，未发现计算或填报错误"
        )
        blocks.append(para(f"{i}、{u.name}：{text}。", kind="item"))
    if rest:
        blocks += issues_summary(rest, "部门汇总表及其他表格")
    return blocks


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
                text = f"{label}{wan(amount)}万元"
                if row.executed.number is not None:
                    text += f"（执行{wan(row.executed.number)}万元）"
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
    from xlperf.scoring.department import score_department

    out: list[Block] = []
    for d in departments:
        score = score_department(d, rules)
        subs = "；".join(
            f"{lv.name or '（未命名）'}得分{pts(lv.score)}分（分值{pts(lv.weight)}分）"
            for lv in score.level1
        )
        total = rules.round_score(score.total)
        out.append(
            para(
                f"部门整体绩效自评得分{pts(total)}分，等次为“{score.grade}”"
                + (f"。其中{subs}。" if subs else "。")
            )
        )
        rate = score.rates.get("预算执行率")
        if rate is not None:
            out.append(para(f"按部门整体绩效自评表所列资金计算，部门预算执行率为{pct(rate)}。"))
        stated = d.total_score.number
        if stated is not None and not rules.tolerance.scores_agree(stated, score.total):
            out.append(
                para(
                    f"自评表所填总分为{shown(d.total_score)}分（{where(d.total_score, d.sheet)}），"
                    f"按各指标的评分标准复核应为{pts(total)}分，本报告按{pts(total)}分表述。",
                )
            )
        if d.grade.text and rules.normalise_grade(d.grade.text) != score.grade:
            out.append(
                para(
                    f"自评表所填等次为“{d.grade.text}”（{where(d.grade, d.sheet)}），"
                    f"总分{pts(total)}分对应“{score.grade}”。",
                )
            )
        if score.kept:
            out.append(
                para(
                    f"另有{len(score.kept)}项指标（{'、'.join(score.kept_names())}）"
                    "无法按评分标准自动复核，按自评表所填得分计入。",
                )
            )
    return out
