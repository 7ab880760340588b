"""The units XD411–XD414 of the 收支情况 money tables, one function per code."""

from __future__ import annotations

from decimal import Decimal

from xlperf.checks.unit import Flag, Flags, run, unit
from xlperf.findings import Finding
from xlperf.forms.base import Val
from xlperf.forms.money import MoneyBook, MoneyRow, MoneyTable
from xlperf.reader.money import cell_of
from xlperf.rules import RuleSet
from xlperf.values import fmt_decimal


def check_money(book: MoneyBook, rules: RuleSet) -> list[Finding]:
    """Every money-table finding of a workbook, unreadable cells (XP000) included."""
    return run("workbook", book.path, book, rules) + run("money", book.path, book, rules)


def _rows(table: MoneyTable) -> list[MoneyRow]:
    return ([table.total] if table.total else []) + table.units


def _label(table: MoneyTable, row: MoneyRow) -> str:
    name = "汇总行" if row is table.total else f"“{row.unit}”行"
    return f"{table.title}{name}"


def _said(shown: Val, actual: Decimal) -> str:
    return "未填写" if shown.number is None else f"为 {fmt_decimal(actual)}"


def _gap(actual: Decimal, expected: Decimal) -> str:
    return f"{fmt_decimal(expected)}（相差 {fmt_decimal(actual - expected)} 万元）"


@unit("XD411")
def total_row_adds_up(book: MoneyBook, rules: RuleSet) -> Flags:
    """Each 汇总 cell equals the sum of the unit rows of its column."""
    for table in book.tables:
        total = table.total
        if total is None or not table.units:
            continue
        for key, expected in table.unit_sums().items():
            actual = total.amount(key)
            if rules.tolerance.amounts_agree(actual, expected):
                continue
            shown = total.values[key]
            message = (
                f"{table.title}汇总行“{table.spec.column(key).label}”{_said(shown, actual)}，"
                f"{len(table.units)} 个单位之和为 {_gap(actual, expected)}"
            )
            yield Flag(cell_of(table, total, key), message, expected, shown.number, table.sheet)


@unit("XD412")
def row_totals_add_up(book: MoneyBook, rules: RuleSet) -> Flags:
    """A row's 合计 columns equal the sum of their parts, blank parts 0 (收入合计 = 各来源; 支出合计
    = 基本 + 项目; 基本 = 人员 + 公用; 三公经费合计, 固定资产合计 = 各项)."""
    for table in book.tables:
        spec = table.spec
        for row in _rows(table):
            for whole, parts in spec.identities:
                present = [p for p in parts if p in table.columns]
                if whole not in table.columns or not present:
                    continue
                if not any(row.values[k].typed for k in (whole, *present)):
                    continue
                expected = sum((row.amount(p) for p in present), Decimal(0))
                actual = row.amount(whole)
                if rules.tolerance.amounts_agree(actual, expected):
                    continue
                names = "+".join(spec.column(p).label for p in present)
                shown = row.values[whole]
                message = (
                    f"{_label(table, row)}“{spec.column(whole).label}”{_said(shown, actual)}，"
                    f"{names} = {_gap(actual, expected)}"
                )
                yield Flag(cell_of(table, row, whole), message, expected, shown.number, table.sheet)


@unit("XD413")
def balance_is_income_less_expense(book: MoneyBook, rules: RuleSet) -> Flags:
    """当年结余 = 收入合计 − 支出合计, unit by unit, for the tables of one sheet (a warning:
    provinces differ on whether 上年结转 counts; seed 002 bears it out to the cent)."""
    for expense in (t for t in book.tables if t.kind == "expense"):
        income = next(
            (t for t in book.tables if t.kind == "income" and t.sheet == expense.sheet), None
        )
        if income is None or "balance" not in expense.columns or "total" not in income.columns:
            continue
        incomes = {r.unit: r for r in income.units}
        pairs = [(income.total, expense.total)] if income.total and expense.total else []
        pairs += [(incomes[r.unit], r) for r in expense.units if r.unit in incomes]
        for inc, exp in pairs:
            if not (inc.values["total"].typed and exp.values["total"].typed):
                continue
            expected = inc.amount("total") - exp.amount("total")
            actual = exp.amount("balance")
            if rules.tolerance.amounts_agree(actual, expected):
                continue
            shown = exp.values["balance"]
            message = (
                f"{_label(expense, exp)}“当年结余”{_said(shown, actual)}，收入合计 {fmt_decimal(inc.amount('total'))}"
                f"（{inc.values['total'].cell}）− 支出合计 {fmt_decimal(exp.amount('total'))} = "
                f"{fmt_decimal(expected)}"
            )
            yield Flag(
                cell_of(expense, exp, "balance"), message, expected, shown.number, expense.sheet
            )


@unit("XD414")
def tables_list_the_same_units(book: MoneyBook, rules: RuleSet) -> Flags:
    """The tables of one sheet list the same units."""
    by_sheet: dict[str, list[MoneyTable]] = {}
    for table in book.tables:
        by_sheet.setdefault(table.sheet, []).append(table)
    for tables in by_sheet.values():
        every = {u.unit for t in tables for u in t.units}
        for table in tables:
            missing = sorted(every - {u.unit for u in table.units})
            if missing and table.units:
                anchor = table.total or table.units[0]
                message = f"{table.title}未列出同表其他收支表中的单位：{'、'.join(missing)}"
                yield Flag(anchor.label.cell, message, sheet=table.sheet)
