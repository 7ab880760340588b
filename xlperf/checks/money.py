"""Checks of the 收支情况 money tables (XD411–XD414).

- XD411 the 汇总 row against the sum of the unit rows, per column;
- XD412 a row's 合计 against its parts (收入合计 = 各来源; 支出合计 = 基本 + 项目; 基本 = 人员 +
  公用; 三公经费合计, 固定资产合计 = 各项);
- XD413 当年结余 against 收入合计 − 支出合计 of the same unit. Seed 002 bears it out for every
  unit to the cent, but provinces differ on whether 上年结转 counts, so it is a warning;
- XD414 a unit listed in one table of a sheet but missing from another.
"""

from __future__ import annotations

from decimal import Decimal

from xlperf.findings import Finding, finding
from xlperf.forms.money import MoneyBook, MoneyRow, MoneyTable
from xlperf.reader.money import cell_of
from xlperf.rules import RuleSet
from xlperf.values import fmt_decimal


def check_money(book: MoneyBook, rules: RuleSet) -> list[Finding]:
    """Every money-table finding of a workbook, unreadable cells (XP000) included."""
    found = [
        finding(book.path, p.sheet, p.cell, "XP000", p.message, None, p.actual)
        for p in book.problems
    ]
    for table in book.tables:
        found.extend(check_total_row(table, book.path, rules))
        for row in _rows(table):
            found.extend(check_row_sums(table, row, book.path, rules))
    found.extend(check_balances(book, rules))
    found.extend(check_units_listed(book))
    return found


def _rows(table: MoneyTable) -> list[MoneyRow]:
    return ([table.total] if table.total else []) + table.units


def _label(table: MoneyTable, row: MoneyRow) -> str:
    name = "汇总行" if row is table.total else f"“{row.unit}”行"
    return f"{table.title}{name}"


def check_total_row(table: MoneyTable, path: str, rules: RuleSet) -> list[Finding]:
    """XD411: each 汇总 cell equals the sum of the unit rows of its column."""
    total = table.total
    if total is None or not table.units:
        return []
    out = []
    for key in table.columns:
        expected = sum((u.amount(key) for u in table.units), Decimal(0))
        actual = total.amount(key)
        if rules.tolerance.amounts_agree(actual, expected):
            continue
        label = table.spec.column(key).label
        shown = total.values[key].number
        said = "未填写" if shown is None else f"为 {fmt_decimal(actual)}"
        out.append(
            finding(
                path,
                table.sheet,
                cell_of(table, total, key),
                "XD411",
                f"{table.title}汇总行“{label}”{said}，{len(table.units)} 个单位之和为 "
                f"{fmt_decimal(expected)}（相差 {fmt_decimal(actual - expected)} 万元）",
                expected,
                shown,
            )
        )
    return out


def check_row_sums(table: MoneyTable, row: MoneyRow, path: str, rules: RuleSet) -> list[Finding]:
    """XD412: a row's 合计 columns equal the sum of their parts (blank parts count 0)."""
    out = []
    for whole, parts in table.spec.identities:
        present = [p for p in parts if p in table.columns]
        if whole not in table.columns or not present:
            continue
        cells = [row.values[k] for k in (whole, *present)]
        if not any(v.typed for v in cells):
            continue
        expected = sum((row.amount(p) for p in present), Decimal(0))
        actual = row.amount(whole)
        if rules.tolerance.amounts_agree(actual, expected):
            continue
        spec = table.spec
        names = "+".join(spec.column(p).label for p in present)
        shown = row.values[whole].number
        said = "未填写" if shown is None else f"为 {fmt_decimal(actual)}"
        out.append(
            finding(
                path,
                table.sheet,
                cell_of(table, row, whole),
                "XD412",
                f"{_label(table, row)}“{spec.column(whole).label}”{said}，{names} = "
                f"{fmt_decimal(expected)}（相差 {fmt_decimal(actual - expected)} 万元）",
                expected,
                shown,
            )
        )
    return out


def check_balances(book: MoneyBook, rules: RuleSet) -> list[Finding]:
    """XD413: 当年结余 = 收入合计 − 支出合计, unit by unit, for the tables of one sheet."""
    out = []
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
            cells = (inc.values["total"], exp.values["total"], exp.values["balance"])
            if not all(v.typed for v in cells[:2]):
                continue
            expected = inc.amount("total") - exp.amount("total")
            actual = exp.amount("balance")
            if rules.tolerance.amounts_agree(actual, expected):
                continue
            shown = cells[2].number
            said = "未填写" if shown is None else f"为 {fmt_decimal(actual)}"
            out.append(
                finding(
                    book.path,
                    expense.sheet,
                    cell_of(expense, exp, "balance"),
                    "XD413",
                    f"{_label(expense, exp)}“当年结余”{said}，收入合计 {fmt_decimal(inc.amount('total'))}"
                    f"（{inc.values['total'].cell}）− 支出合计 {fmt_decimal(exp.amount('total'))} = "
                    f"{fmt_decimal(expected)}",
                    expected,
                    shown,
                )
            )
    return out


def check_units_listed(book: MoneyBook) -> list[Finding]:
    """XD414: the tables of one sheet list the same units."""
    out = []
    by_sheet: dict[str, list[MoneyTable]] = {}
    for table in book.tables:
        by_sheet.setdefault(table.sheet, []).append(table)
    for tables in by_sheet.values():
        every = {u.unit for t in tables for u in t.units}
        for table in tables:
            missing = sorted(every - {u.unit for u in table.units})
            if missing and table.units:
                anchor = table.total or table.units[0]
                out.append(
                    finding(
                        book.path,
                        table.sheet,
                        anchor.label.cell,
                        "XD414",
                        f"{table.title}未列出同表其他收支表中的单位：{'、'.join(missing)}",
                        None,
                        None,
                    )
                )
    return out
