"""The department's 部门（单位）整体自评总结报告: every unit's projects together, the 部门整体
绩效自评表's score as :mod:`xlperf.scoring.department` gives it, and the findings of no unit."""

from __future__ import annotations

from collections import Counter

from xlperf.forms.workbook import WorkbookForms
from xlperf.report.blocks import Block, Heading, Report, blank, para
from xlperf.report.issues import Issue, appendix_table, at, issues_summary
from xlperf.report.numbers import pct, pts, wan
from xlperf.report.projects import figures_table, money_totals, year_text
from xlperf.rules import RuleSet
from xlperf.scoring.department import score_department
from xlperf.scoring.figures import ProjectFigures, Unit, department_summaries
from xlperf.scoring.project import ZERO
from xlperf.vocabulary.department import INDICATOR_NAMES, MONEY_ROW_NAMES


def _name(book: WorkbookForms, figures: list[ProjectFigures]) -> str:
    dept_names = [d.unit_name.text for d in book.departments if d.unit_name.text]
    if dept_names:
        return dept_names[0]
    names = Counter(p.form.department.text for p in figures if p.form.department.text)
    if names:
        return names.most_common(1)[0][0]
    sums = department_summaries(book)
    return (sums[0].unit_name.text if sums else "") or "本部门"


def department_report(
    book: WorkbookForms,
    units: list[Unit],
    figures: list[ProjectFigures],
    rest: list[Issue],
    year: str,
    rules: RuleSet,
) -> Report:
    """The department's report; ``rest`` are the 附表 rows of no unit (the department's forms
    and 汇总表)."""
    name = _name(book, figures)
    budget, executed, rate = money_totals(figures)
    scored = [p.total for p in figures if p.total is not None]
    average = sum(scored, ZERO) / len(scored) if scored else None
    grades = Counter(p.grade for p in figures if p.total is not None)
    by_grade = "、".join(
        f"“{g}”{grades[g]}个" for b in rules.grade_bands if grades.get(g := b.grade)
    )

    blocks: list[Block] = [
        Heading("一、基本情况"),
        para(blank("部门职能、内设机构与下属单位、年度部门总目标及主要任务")),
    ]
    blocks += _department_money(book.departments)
    blocks += [
        Heading("二、绩效自评工作开展情况"),
        para(
            f"本次绩效自评覆盖{len(units)}个单位的{len(figures)}个项目，项目资金{wan(budget)}万元。",
            blank("自评工作的组织、分工和过程"),
        ),
        Heading("三、综合评价结论"),
    ]
    blocks += _department_score(book, rest, rules)
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
        ub, ue, ur = money_totals(u.projects)
        blocks.append(
            para(
                f"{i}、{u.name}：{len(u.projects)}个项目，全年预算数{wan(ub)}万元，全年执行数{wan(ue)}万元，预算执行率{pct(ur)}。",
                kind="item",
            )
        )
    blocks.append(Heading("（二）项目绩效指标完成情况", level=2))
    if figures:
        blocks.append(figures_table(figures, f"表1：{name}项目支出绩效自评结果汇总", True))
    sheets = {s.sheet for s in department_summaries(book)}
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
    return Report((name, "部门（单位）整体自评总结报告"), year_text(year), tuple(blocks))


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
    """The amounts the 部门整体绩效自评表 states, as it states them."""
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
        rows = [(name, getattr(m, key)) for key, name in MONEY_ROW_NAMES.items()]
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


def _department_score(book: WorkbookForms, rest: list[Issue], rules: RuleSet) -> list[Block]:
    """Score, grade and 一级指标 sub-scores of each department form as the engine scores it;
    what the form states otherwise, from the check's findings (XD404, XD406, XD407)."""
    if not book.departments:
        return [
            para(
                "部门整体绩效自评得分：",
                blank("部门整体绩效自评得分及等次（本工作簿未包含部门整体绩效自评表）"),
            )
        ]
    out: list[Block] = []
    for d in book.departments:
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
        rate = score.rates.get(INDICATOR_NAMES["budget_execution_rate"])
        if rate is not None:
            out.append(para(f"按部门整体绩效自评表所列资金计算，部门预算执行率为{pct(rate)}。"))
        rescored = [i for i in rest if i.finding.code == "XD406" and i.finding.sheet == d.sheet]
        if rescored:
            out.append(
                para(
                    f"自评表中有{len(rescored)}项指标的得分与其评分标准不符（见附表），"
                    "以上按评分标准复核后的得分计算。"
                )
            )
        if wrong := at(rest, d.sheet, d.total_score.cell, "XD404"):
            out.append(
                para(
                    f"自评表所填总分为{wrong.form_value}分（{d.sheet}!{wrong.finding.cell}），"
                    f"与各指标复核后的得分之和{wrong.corrected}分不符，本报告按复核后的{pts(total)}分表述。"
                )
            )
        if wrong := at(rest, d.sheet, d.grade.cell, "XD407"):
            out.append(
                para(
                    f"自评表所填等次为“{wrong.form_value}”（{d.sheet}!{wrong.finding.cell}），"
                    f"与所填总分对应的“{wrong.corrected}”不符。"
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
