"""汇总 of the 收支情况 money tables: unit rows summed into the department's 汇总 row.

Two inputs: one workbook whose tables list several units (its 汇总 row is filled in — or, when a
person typed it, compared (XD411) and overwritten only when asked), or a folder of units' files,
one table per unit (its 汇总 row, or its single unit row, is the unit), which become one
department sheet laid out by the 收支情况 template. Both are planned (:mod:`xlperf.ops.edits`)
and applied by an adapter, like every operation; sums are exact Decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.workbook.workbook import Workbook

from xlperf.checks.money import check_money
from xlperf.findings import Finding
from xlperf.forms.money import MoneyBook, MoneyRow, MoneyTable
from xlperf.ops.apply_file import apply_file
from xlperf.ops.edits import Block, MoneyTemplate, SheetEdit, WorkbookPlan
from xlperf.ops.files import atomic_save, open_for_edit, refuse_if_open
from xlperf.reader.grid import Grid, address
from xlperf.rules import DEFAULT_RULES, RuleSet
from xlperf.templates.money_sheet import layouts
from xlperf.vocabulary.money import SPECS, TABLES
from xlperf.vocabulary.sheets import MONEY_SHEET


@dataclass
class MoneyRollupResult:
    tables: int
    units: int
    findings: list[Finding] = field(default_factory=list)
    written: bool = True


def plan_money_rollup(
    book: MoneyBook, grids: list[Grid], *, overwrite: bool = False, rules: RuleSet | None = None
) -> tuple[MoneyRollupResult, WorkbookPlan | None] | None:
    """The 汇总 rows of a workbook's money tables filled from their unit rows (None: no tables;
    no plan when a typed 汇总 cell disagrees and ``overwrite`` is not given).

    Only 汇总 cells that disagree with the sum are written: a formula is left to compute itself,
    a blank one gets the sum, a typed one is compared (XD411) and replaced only with
    ``overwrite``.
    """
    rules = rules or DEFAULT_RULES
    tables = [t for t in book.tables if t.units and t.total is not None]
    if not tables:
        return None
    formulas = {(g.sheet, address(r, c)) for g in grids for r, c in g.formulas}
    checked = check_money(MoneyBook(path=book.path, tables=tables), rules)
    findings = [f for f in checked if f.code == "XD411"]
    typed = [f for f in findings if f.actual is not None and (f.sheet, f.cell) not in formulas]
    result = MoneyRollupResult(len(tables), _unit_count(tables), typed, written=True)
    if typed and not overwrite:
        result.written = False
        return result, None
    plan = WorkbookPlan()
    for f in findings:  # only the cells that disagree; a blank 0 stays blank, formulas compute
        if (f.sheet, f.cell) not in formulas:
            row, col = coordinate_to_tuple(f.cell)
            plan.sheet(f.sheet).blocks.append(Block(row, col, [[f.expected]]))
    return result, plan


def _unit_count(tables: list[MoneyTable]) -> int:
    return len({u.unit for t in tables for u in t.units})


def unit_rows(book: MoneyBook, fallback_name: str) -> dict[str, list[MoneyRow]]:
    """A unit's file: per kind its unit rows, or its 汇总 row when it lists no units."""
    out: dict[str, list[MoneyRow]] = {}
    for table in book.tables:
        rows = table.units or ([table.total] if table.total else [])
        for row in rows:
            unit = row.unit if table.units else fallback_name
            out.setdefault(table.kind, []).append(row.model_copy(update={"unit": unit}))
    return out


def rollup_money_books(
    books: list[MoneyBook], out: Path, *, name: str | None = None, base: Path | None = None
) -> MoneyRollupResult | None:
    """Units' money tables, already read, into one 收支情况 sheet of ``out`` (see above), planned
    by :func:`plan_money_sheet` and applied through the file adapter."""
    per_kind: dict[str, list[MoneyRow]] = {}
    for book in books:
        for kind, rows in unit_rows(book, Path(book.path).stem).items():
            per_kind.setdefault(kind, []).extend(rows)
    if not per_kind:
        return None
    if base is not None:
        wb = open_for_edit(base)
    else:
        wb = Workbook()
        wb.remove(wb.active)
    apply_file(wb, plan_money_sheet(per_kind, wb.sheetnames, name=name))
    refuse_if_open(out)
    atomic_save(wb, out)
    units = {r.unit for rows in per_kind.values() for r in rows}
    return MoneyRollupResult(len(per_kind), len(units))


def plan_money_sheet(
    per_kind: dict[str, list[MoneyRow]], names: list[str], *, name: str | None = None
) -> WorkbookPlan:
    """The department's 收支情况 sheet (replacing one of that name among ``names``): the
    template, its unit rows typed in from the units' figures as they reported them, its 汇总 row
    the exact sums (values, readable without a recalculation)."""
    count = max(len(rows) for rows in per_kind.values())
    edit = SheetEdit(MONEY_SHEET, add=True, template=MoneyTemplate(count))
    places = layouts(count)
    for spec in TABLES:
        rows = per_kind.get(spec.kind, [])
        at = places[spec.kind]
        columns = {key: column_index_from_string(col) for key, col in at.columns.items()}
        if name:
            edit.blocks.append(Block(at.total_row, 1, [[f"{name}汇总"]]))
        for i, row in enumerate(rows):
            typed = {
                columns[key]: val.number
                for key in at.columns
                if (val := row.values.get(key)) is not None and val.number is not None
            }  # blank: the template's cell (a formula in a 合计 column) stays
            edit.blocks += row_blocks(at.first_unit_row + i, {1: row.unit, **typed})
        table = MoneyTable(
            sheet=MONEY_SHEET, kind=spec.kind, header_row=0, columns=_all(spec.kind), units=rows
        )
        sums = table.unit_sums()
        edit.blocks += row_blocks(at.total_row, {columns[k]: v for k, v in sums.items()})
    delete = [MONEY_SHEET] if MONEY_SHEET in names else []
    return WorkbookPlan(delete=delete, sheets=[edit])


def row_blocks(row: int, values: dict[int, object]) -> list[Block]:
    """Values of one row (column -> value) as one block per run of adjacent columns: a cell
    left out keeps what it has."""
    blocks: list[Block] = []
    for col in sorted(values):
        last = blocks[-1] if blocks else None
        if last is not None and last.col + len(last.rows[0]) == col:
            last.rows[0].append(values[col])
        else:
            blocks.append(Block(row, col, [[values[col]]]))
    return blocks


def _all(kind: str) -> dict[str, int]:
    return {c.key: i for i, c in enumerate(SPECS[kind].columns)}


def describe(result: MoneyRollupResult, out: Path) -> str:
    """The line ``xlperf rollup`` prints for the money step."""
    if not result.written:
        return (
            f"收支情况表汇总行已由人工填写，仅作比对（发现 {len(result.findings)} 处不一致）；"
            "如需覆盖请加 --overwrite"
        )
    replaced = f"（覆盖人工填写的汇总数 {len(result.findings)} 处）" if result.findings else ""
    return f"{out}: 收支情况汇总 {result.tables} 张表、{result.units} 个单位{replaced}"
