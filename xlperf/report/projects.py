"""A unit's 项目支出绩效自评总结报告: its projects' figures as scored (:mod:`xlperf.scoring.figures`) and
what the check found on their forms (:mod:`xlperf.report.issues`)."""

from __future__ import annotations

import re
from decimal import Decimal

from xlperf.compute import Totals
from xlperf.compute import money_totals as totals
from xlperf.report.blocks import Block, Heading, Report, Span, Table, blank, para
from xlperf.report.issues import appendix_table, at, issues_summary, on_form
from xlperf.report.numbers import pct, pts, wan
from xlperf.scoring.figures import LEVELS, ProjectFigures, Unit
from xlperf.vocabulary.department import INDICATOR_NAMES
from xlperf.vocabulary.project import GRADE_LABEL, MONEY_LABELS, RATE_SCORE_LABEL, TOTAL_LABEL
from xlperf.vocabulary.review import PROJECT
from xlperf.vocabulary.summary import HEADINGS, SUM_LABEL


def year_text(year: str) -> str:
    return f"{year}年度" if year else "年度"


def money_totals(projects: list[ProjectFigures]) -> Totals:
    """全年预算数, 全年执行数 and 执行率 of several projects (None where one is missing)."""
    return totals([p.annual_budget for p in projects], [p.executed for p in projects])


def _project_basic(i: int, p: ProjectFigures, issues) -> list[Block]:
    form = p.form
    parts = [
        f"{i}、{p.name}：年初预算数{wan(p.initial_budget)}万元，全年预算数{wan(p.annual_budget)}万元"
    ]
    if p.sources:
        parts.append("（其中" + "、".join(f"{label}{wan(v)}万元" for label, v in p.sources) + "）")
    parts.append(f"，全年执行数{wan(p.executed)}万元")
    if p.initial_rate is not None:
        parts.append(f"，完成年初预算的{pct(p.initial_rate)}")
    parts.append(f"，预算执行率（全年执行数÷全年预算数）为{pct(p.rate)}")
    if wrong_rate := at(issues, form.sheet, form.funds.total.rate.cell, "XP101"):
        parts.append(f"（自评表填为{wrong_rate.form_value}，有误）")
    parts.append("。")
    parts_sum = at(issues, form.sheet, form.funds.total.annual_budget.cell, "XP104")
    if parts_sum is not None and isinstance(parts_sum.finding.expected, Decimal):
        parts.append(
            f"自评表所列各资金来源之和为{wan(parts_sum.finding.expected)}万元，与全年预算数不符，"
            "资金来源构成有待核实，此处不予分列。"
        )
    return [para("".join(parts))]


SCORE_FIELDS = {"XP102": RATE_SCORE_LABEL, "XP204": TOTAL_LABEL, "XP208": GRADE_LABEL}


def _said(form, issues) -> str:
    """What the form states of its scores where the check corrects it: "总分96.97分、等次“优”"."""
    cells = {"XP102": form.funds.total.score.cell, "XP204": form.total_score.cell}
    cells["XP208"] = form.grade.cell
    wrong = [m for code, cell in cells.items() if (m := at(issues, form.sheet, cell, code))]
    return "、".join(
        f"{SCORE_FIELDS[m.finding.code]}“{m.form_value}”"
        if m.finding.code == "XP208"
        else f"{SCORE_FIELDS[m.finding.code]}{m.form_value}分"
        for m in wrong
    )


def _project_result(i: int, p: ProjectFigures, issues) -> list[Block]:
    form = p.form
    region = (form.sheet, form.first_row, form.last_row)
    grade = f"，等次为“{p.grade}”" if p.grade else ""
    text = (
        f"{i}、{p.name}：自评总分{pts(p.total)}分{grade}。"
        f"其中预算执行率得分{pts(p.rate_score)}分（分值{pts(p.rate_weight)}分）"
    )
    for lv in p.levels:
        text += f"，{lv.label}得分{pts(lv.score)}分（分值{pts(lv.weight)}分，得分率{pct(lv.rate)}）"
    text += "。"
    if said := _said(form, issues):
        text += f"自评表所填{said}与评分规则不符，以上为复核后的数字。"
    for w in on_form(issues, *region, "XP202"):
        text += (
            f"该项目自评表分值合计为{pts(w.finding.actual)}分（应为{pts(w.finding.expected)}分），"  # type: ignore[arg-type]
            "总分按表中现有分值计算。"
        )
    blocks: list[Block] = [para(text)]
    deducted = [
        ind
        for ind in form.scored_indicators()
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
        if on_form(issues, *region, "XP207"):  # a deduction the form does not explain
            parts.append(blank("未说明扣分原因的指标的偏差原因分析及改进措施"))
        blocks.append(para(*parts))
    blocks.append(para("主要做法和成效：", blank(f"{p.name}的实施情况、主要做法和成效")))
    return blocks


def indicator_label(name: str | None) -> str:
    """'指标1：受益贫困人口满意度' -> '受益贫困人口满意度' (the template's numbering dropped)."""
    text = re.sub(r"^\s*指标\s*\d+\s*[：:]", "", name or "").strip()
    return text or "（未命名指标）"


FIGURES_HEADER = (
    HEADINGS[0],  # 序号
    PROJECT,
    MONEY_LABELS["annual_budget"],
    MONEY_LABELS["executed"],
    INDICATOR_NAMES["budget_execution_rate"],
    "执行率得分",
    "产出得分率",
    "效益得分率",
    "满意度得分率",
    TOTAL_LABEL,
    GRADE_LABEL,
)


def is_figures_table(table: Table) -> bool:
    """The table of each project's figures (表1), the one a chart of the report draws from."""
    return table.header == FIGURES_HEADER and not table.appendix


def figures_table(projects: list[ProjectFigures], caption: str, with_total: bool) -> Table:
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
        budget, executed, rate = money_totals(projects)
        rows.append(("", SUM_LABEL, wan(budget), wan(executed), pct(rate), "", "", "", "", "", ""))
    widths = (0.7, 3.0, 1.4, 1.4, 1.45, 1.1, 1.45, 1.45, 1.45, 1.15, 0.8)  # cm
    return Table(caption, FIGURES_HEADER, tuple(rows), widths, total_row=with_total)


def unit_report(unit: Unit, year: str) -> Report:
    ps = unit.projects
    budget, executed, rate = money_totals(ps)
    blocks: list[Block] = [Heading("一、项目支出基本情况")]
    names = "；".join(f"{i}、{p.name}" for i, p in enumerate(ps, 1))
    blocks.append(
        para(
            f"{unit.name}{year_text(year)}项目支出由{len(ps)}个项目构成，分别为：{names}。"
            f"项目支出全年预算数合计{wan(budget)}万元，全年执行数合计{wan(executed)}万元，"
            f"预算执行率{pct(rate)}。"
        )
    )
    for i, p in enumerate(ps, 1):
        blocks += _project_basic(i, p, unit.issues)
    blocks += [
        Heading("二、绩效评价工作开展情况"),
        para(
            f"{year_text(year)}项目绩效自评覆盖全部{len(ps)}个项目，涉及资金{wan(budget)}万元。",
            blank("自评工作的组织、分工、方法和过程"),
        ),
        Heading("三、绩效自评结果及分析"),
    ]
    for i, p in enumerate(ps, 1):
        blocks += _project_result(i, p, unit.issues)
    blocks.append(figures_table(ps, f"表1：{unit.name}项目支出绩效自评结果", len(ps) > 1))
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
    return Report((unit.name, "项目支出绩效自评总结报告"), year_text(year), tuple(blocks))
