"""Checks of a 部门整体支出绩效自评表 (codes XD401–XD409, see :data:`xlperf.findings.CODES`)."""

from __future__ import annotations

from decimal import Decimal

from xlperf.findings import Finding, finding
from xlperf.forms.base import Val
from xlperf.forms.department import MONEY_COLUMNS, BudgetLine, DepartmentForm
from xlperf.rules import RuleSet
from xlperf.scoring.department import DepartmentScore, score_department, weight_sets
from xlperf.values import fmt_decimal, fmt_percent

COLUMN_NAMES = {
    "initial_budget": "年初预算数",
    "annual_budget": "全年预算数",
    "executed": "全年执行数",
}


def check_department(form: DepartmentForm, path: str, rules: RuleSet) -> list[Finding]:
    result = score_department(form, rules)
    out: list[Finding] = []

    def add(cell: str | None, code: str, message: str, expected=None, actual=None) -> None:
        out.append(finding(path, form.sheet, cell, code, message, expected, actual))

    tol = rules.tolerance
    stated_sum = Decimal(0)
    weight_sum = Decimal(0)
    # a form nobody has scored yet (a blank template) lacks every 得分: nothing to report there
    started = any(item.indicator.score.number is not None for item in result.items)
    for item in result.items:
        ind = item.indicator
        name = ind.name.text or f"第{ind.row}行"
        w, s = ind.weight.number, ind.score.number
        shared = ind.weight_from is not None  # its 分值 is the set's (see _shared)
        if (
            ind.name.text
            and not shared
            and (w is None or (started and s is None and item.score is None))
        ):
            missing = "分值" if w is None else "得分"
            add(ind.name.cell, "XD409", f"指标“{name}”没有{missing}", None, None)
        weight_sum += w or 0
        stated_sum += s or 0
        if s is not None and w is not None and (s > w or s < 0):
            add(
                ind.score.cell,
                "XD401",
                f"指标“{name}”得分{fmt_decimal(s)}，应在0至分值{fmt_decimal(w)}之间",
                w,
                s,
            )
        for use in item.money:
            if use.typed is None or use.typed_value is None:
                continue
            if not tol.rates_agree(use.typed_value, use.computed, use.typed.rate_decimals()):
                add(
                    use.typed.cell,
                    "XD405",
                    f"指标“{name}”填写的{use.name}为{fmt_percent(use.typed_value, 2)}，"
                    f"按指标计算数据应为{fmt_percent(use.computed, 2)}",
                    use.computed,
                    use.typed_value,
                )
        if item.score is not None and s is not None and not tol.scores_agree(item.score, s):
            add(
                ind.score.cell,
                "XD406",
                f"指标“{name}”得分{fmt_decimal(s)}，按其评分标准应为{fmt_decimal(item.score)}",
                item.score,
                s,
            )
    if form.indicators and weight_sum != rules.total_weight:
        cell = form.total_weight.cell or form.total_label_cell or form.indicators[0].weight.cell
        add(
            cell,
            "XD402",
            f"各指标分值合计{fmt_decimal(weight_sum)}，应为{fmt_decimal(rules.total_weight)}",
            rules.total_weight,
            weight_sum,
        )
    _shared(form, add)
    _declared(form, add)
    _figures(form, result, add, tol)
    total = form.total_score.number
    complete = all(i.score.number is not None for i in form.indicators if i.weight.number)
    if total is not None and complete and not tol.scores_agree(total, stated_sum):
        add(
            form.total_score.cell,
            "XD404",
            f"总分{fmt_decimal(total)}，各指标得分之和为{fmt_decimal(stated_sum)}",
            stated_sum,
            total,
        )
    if form.grade.text and (total is not None or form.indicators):
        basis = total if total is not None else stated_sum
        expected = rules.grade(basis)
        if rules.normalise_grade(form.grade.text) != expected:
            add(
                form.grade.cell,
                "XD407",
                f"等次“{form.grade.text}”与总分{fmt_decimal(basis)}不符，应为“{expected}”",
                expected,
                form.grade.text,
            )
    if form.has_money:
        _money(form, add, tol)
    return out


def _shared(form: DepartmentForm, add) -> None:
    """XD401 on a shared 分值: the set's scores together exceed it."""
    for group in weight_sets(form):
        w, s = group.leader.weight.number, group.score
        own = group.leader.score.number
        if w is None or (own is not None and (own > w or own < 0)):
            continue  # no 分值, or the leader's own score is reported already
        if s > w:
            names = "、".join(f"“{m.name.text}”" for m in group.members)
            add(
                group.leader.weight.cell,
                "XD401",
                f"指标{names}共用分值{fmt_decimal(w)}，得分合计{fmt_decimal(s)}，超过分值",
                w,
                s,
            )


def _declared(form: DepartmentForm, add) -> None:
    """XD403: a declared 一级 (or 二级) 指标 weight ≠ the sum of its indicators' 分值."""
    for level, weight_field in (("level1", "level1_weight"), ("level2", "level2_weight")):
        groups: dict[tuple[str | None, str | None], tuple[Val, Decimal]] = {}
        for ind in form.indicators:
            label: Val = getattr(ind, level)
            declared: Val = getattr(ind, weight_field)
            if label.value is None or declared.number is None:
                continue
            key = (label.cell, label.text)
            prev = groups.get(key, (declared, Decimal(0)))
            groups[key] = (prev[0], prev[1] + (ind.weight.number or 0))
        for (_, text), (declared, total) in groups.items():
            if declared.number != total:
                kind = "一级指标" if level == "level1" else "二级指标"
                add(
                    declared.cell,
                    "XD403",
                    f"{kind}“{text}”标注分值{fmt_decimal(declared.number)}，所属指标分值之和为{fmt_decimal(total)}",
                    total,
                    declared.number,
                )


def _figures(form: DepartmentForm, result: DepartmentScore, add, tol) -> None:
    """XD405 on the 指标计算数据 rows: the shown rate ≠ 分子/分母 computed."""
    for fig in form.figures:
        computed = result.rates.get(fig.name)
        shown = fig.value.rate_fraction()
        if computed is None or shown is None:
            continue
        if not tol.rates_agree(shown, computed, fig.value.rate_decimals()):
            add(
                fig.value.cell,
                "XD405",
                f"{fig.name}填写为{fmt_percent(shown, 2)}，按分子、分母计算应为{fmt_percent(computed, 2)}",
                computed,
                shown,
            )


def _money(form: DepartmentForm, add, tol) -> None:
    """XD408: 总额 ≠ 财政拨款 + 其他资金, or ≠ 基本支出 + 项目支出 (per column)."""
    m = form.money
    for parts, what in (
        ((m.appropriation, m.other), "资金来源（财政拨款+其他资金）"),
        ((m.basic, m.project), "基本支出+项目支出"),
    ):
        if any(p.label_cell is None for p in parts):
            continue
        for col in MONEY_COLUMNS:
            whole = getattr(m.total, col)
            values = [getattr(p, col).number for p in parts]
            if whole.number is None or any(v is None for v in values):
                continue
            total = sum(values, Decimal(0))  # type: ignore[arg-type]
            if not tol.amounts_agree(whole.number, total):
                add(
                    whole.cell,
                    "XD408",
                    f"部门预算总额的{COLUMN_NAMES[col]}{fmt_decimal(whole.number)}万元，{what}为{fmt_decimal(total)}万元",
                    total,
                    whole.number,
                )
    _rate(m.total, add, tol)


def _rate(row: BudgetLine, add, tol) -> None:
    shown, budget, executed = (
        row.rate.rate_fraction(),
        row.annual_budget.number,
        row.executed.number,
    )
    if shown is None or not budget or executed is None:
        return
    exact = executed / budget
    if not tol.rates_agree(shown, exact, row.rate.rate_decimals()):
        add(
            row.rate.cell,
            "XD408",
            f"执行率填写为{fmt_percent(shown, 2)}，全年执行数÷全年预算数应为{fmt_percent(exact, 2)}",
            exact,
            shown,
        )
