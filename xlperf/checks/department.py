"""The units XD401–XD409 of a 部门整体支出绩效自评表, one function per code."""

from __future__ import annotations

from decimal import Decimal

from xlperf.checks.unit import Flag, Flags, run, unit
from xlperf.findings import Finding
from xlperf.forms.base import Val
from xlperf.forms.department import MONEY_COLUMNS, DepartmentForm, DepartmentIndicator
from xlperf.rules import RuleSet
from xlperf.scoring.department import DepartmentScore, score_department, weight_sets
from xlperf.values import fmt_decimal, fmt_percent
from xlperf.vocabulary.department import MONEY_HEADINGS, WHAT
from xlperf.vocabulary.project import INDICATOR_FIELD_NAMES


def check_department(form: DepartmentForm, path: str, rules: RuleSet) -> list[Finding]:
    """The findings of every department unit on ``form``, scored once."""
    return run("department", path, form, score_department(form, rules), rules, sheet=form.sheet)


def _name(ind: DepartmentIndicator) -> str:
    return ind.name.text or f"第{ind.row}行"


@unit("XD401")
def score_within_weight(form: DepartmentForm, result: DepartmentScore, rules: RuleSet) -> Flags:
    """Every indicator's 得分 lies in [0, 分值]; a shared 分值's set scores no more than it."""
    for ind in (item.indicator for item in result.items):
        w, s = ind.weight.number, ind.score.number
        if s is not None and w is not None and (s > w or s < 0):
            message = f"指标“{_name(ind)}”得分{fmt_decimal(s)}，应在0至分值{fmt_decimal(w)}之间"
            yield Flag(ind.score.cell, message, w, s)
    for group in weight_sets(form):  # 分值 typed once for several rows, or merged over them
        w, own = group.leader.weight.number, group.leader.score.number
        if w is None or (own is not None and (own > w or own < 0)):
            continue  # no 分值, or the leader's own score is flagged above
        if group.score > w:
            names = "、".join(f"“{_name(m)}”" for m in group.members)
            message = (
                f"指标{names}共用分值{fmt_decimal(w)}，得分合计{fmt_decimal(group.score)}，超过分值"
            )
            yield Flag(group.leader.weight.cell, message, w, group.score)


@unit("XD402")
def weights_add_up(form: DepartmentForm, result: DepartmentScore, rules: RuleSet) -> Flags:
    """The indicators' 分值 make the rule's total (100)."""
    weight_sum = sum((item.indicator.weight.number or 0 for item in result.items), Decimal(0))
    if form.indicators and weight_sum != rules.total_weight:
        cell = form.total_weight.cell or form.total_label_cell or form.indicators[0].weight.cell
        message = f"各指标分值合计{fmt_decimal(weight_sum)}，应为{fmt_decimal(rules.total_weight)}"
        yield Flag(cell, message, rules.total_weight, weight_sum)


@unit("XD403")
def declared_weights_match(form: DepartmentForm, result: DepartmentScore, rules: RuleSet) -> Flags:
    """A declared 一级 (or 二级) 指标 分值 equals the sum of its indicators' 分值."""
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
        kind = INDICATOR_FIELD_NAMES[level]
        for (_, text), (declared, total) in groups.items():
            if declared.number != total:
                message = f"{kind}“{text}”标注分值{fmt_decimal(declared.number)}，所属指标分值之和为{fmt_decimal(total)}"
                yield Flag(declared.cell, message, total, declared.number)


def _stated_sum(result: DepartmentScore) -> Decimal:
    return sum((item.indicator.score.number or 0 for item in result.items), Decimal(0))


@unit("XD404")
def total_adds_up(form: DepartmentForm, result: DepartmentScore, rules: RuleSet) -> Flags:
    """总分 = Σ 指标得分 as scored (an indicator XD406 re-scores counts with the engine's 得分),
    once every weighted indicator has its 得分."""
    total, expected = form.total_score.number, result.total
    complete = all(i.score.number is not None for i in form.indicators if i.weight.number)
    if total is not None and complete and not rules.tolerance.scores_agree(total, expected):
        rescored = "" if expected == _stated_sum(result) else "按评分标准复核后"
        message = f"总分{fmt_decimal(total)}，{rescored}各指标得分之和为{fmt_decimal(expected)}"
        yield Flag(form.total_score.cell, message, expected, total)


@unit("XD405")
def rates_match_figures(form: DepartmentForm, result: DepartmentScore, rules: RuleSet) -> Flags:
    """A rate the form shows (in an indicator or a 指标计算数据 row) equals 分子 ÷ 分母."""
    tol = rules.tolerance
    for item in result.items:
        for use in item.money:
            if use.typed is None or use.typed_value is None:
                continue
            if not tol.rates_agree(use.typed_value, use.computed, use.typed.rate_decimals()):
                message = (
                    f"指标“{_name(item.indicator)}”填写的{use.name}为{fmt_percent(use.typed_value, 2)}，"
                    f"按指标计算数据应为{fmt_percent(use.computed, 2)}"
                )
                yield Flag(use.typed.cell, message, use.computed, use.typed_value)
    for fig in form.figures:
        computed, shown = result.rates.get(fig.name), fig.value.rate_fraction()
        if computed is None or shown is None:
            continue
        if not tol.rates_agree(shown, computed, fig.value.rate_decimals()):
            message = f"{fig.name}填写为{fmt_percent(shown, 2)}，按分子、分母计算应为{fmt_percent(computed, 2)}"
            yield Flag(fig.value.cell, message, computed, shown)


@unit("XD406")
def score_follows_criteria(form: DepartmentForm, result: DepartmentScore, rules: RuleSet) -> Flags:
    """An indicator's 得分 is the one its 评分标准 gives, where the engine can apply it."""
    for item in result.items:
        ind, s = item.indicator, item.indicator.score.number
        if item.score is None or s is None or rules.tolerance.scores_agree(item.score, s):
            continue
        message = (
            f"指标“{_name(ind)}”得分{fmt_decimal(s)}，按其评分标准应为{fmt_decimal(item.score)}"
        )
        yield Flag(ind.score.cell, message, item.score, s)


@unit("XD407")
def grade_matches_total(form: DepartmentForm, result: DepartmentScore, rules: RuleSet) -> Flags:
    """The 等次 is the one the 总分 (else Σ 指标得分 as scored, as XD404 adds them) falls in."""
    total, grade = form.total_score.number, form.grade.text
    if grade and (total is not None or form.indicators):
        basis = total if total is not None else result.total
        expected = rules.grade(basis)
        if rules.normalise_grade(grade) != expected:
            message = f"等次“{grade}”与总分{fmt_decimal(basis)}不符，应为“{expected}”"
            yield Flag(form.grade.cell, message, expected, grade)


@unit("XD408")
def budget_adds_up(form: DepartmentForm, result: DepartmentScore, rules: RuleSet) -> Flags:
    """部门预算总额 = 财政拨款 + 其他资金 = 基本支出 + 项目支出 per column; 执行率 = 执行数 ÷ 预算数."""
    if not form.has_money:
        return
    m, tol = form.money, rules.tolerance
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
                message = f"部门预算总额的{MONEY_HEADINGS[col]}{fmt_decimal(whole.number)}万元，{what}为{fmt_decimal(total)}万元"
                yield Flag(whole.cell, message, total, whole.number)
    rate, budget, executed = m.total.rate, m.total.annual_budget.number, m.total.executed.number
    shown = rate.rate_fraction()
    if shown is None or not budget or executed is None:
        return
    exact = executed / budget
    if not tol.rates_agree(shown, exact, rate.rate_decimals()):
        message = (
            f"执行率填写为{fmt_percent(shown, 2)}，全年执行数÷全年预算数应为{fmt_percent(exact, 2)}"
        )
        yield Flag(rate.cell, message, exact, shown)


@unit("XD409")
def indicator_complete(form: DepartmentForm, result: DepartmentScore, rules: RuleSet) -> Flags:
    """A named indicator has its 分值, and its 得分 once the form is being scored."""
    # a form nobody has scored yet (a blank template) lacks every 得分: nothing to report there
    started = any(item.indicator.score.number is not None for item in result.items)
    for item in result.items:
        ind = item.indicator
        w, s = ind.weight.number, ind.score.number
        if ind.weight_from is not None:
            continue  # its 分值 is the set's (XD401 checks the set)
        if ind.name.text and (w is None or (started and s is None and item.score is None)):
            yield Flag(
                ind.name.cell, f"指标“{_name(ind)}”没有{WHAT['weight' if w is None else 'score']}"
            )
