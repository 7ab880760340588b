"""The 收支情况 input sheet: seed 002's per-unit money tables (收入, 支出和结余, 三公经费, 固定资产).

Each table has the seed's look: 机构名称 and the 合计 column spanning the header rows, 其中 over
the parts, a 汇总 row first (=SUM of the unit rows) and ``units`` unit rows whose 合计 columns add
up their parts by formula. Amounts are 万元 to the cent. Sheet-scoped names, per table kind
(``income``, ``expense``, ``three_public``, ``assets``):

=======================  =================================================================
``xm_<kind>_header``     the header rows (机构名称 … last column)
``xm_<kind>_total``      the 汇总 row (formulas)
``xm_<kind>_units``      the unit rows: 机构名称 (input) and the amounts
=======================  =================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.templates.names import define_local
from xlperf.templates.styles import (
    AMOUNT,
    BODY_FONT,
    HEAD_FONT,
    LEFT,
    NO_BORDER,
    NOTE_FONT,
    PAGE_HEIGHT,
    PAGE_SAFETY,
    RIGHT,
    TITLE_FONT,
    a4_landscape,
    protect,
    put,
)
from xlperf.vocabulary.money import (
    BALANCE_GROUP,
    FORM_TITLE,
    TABLE_HEADINGS,
    TABLES,
    TOTAL_ROW_LABEL,
    UNIT_COLUMN,
    TableSpec,
)
from xlperf.vocabulary.sheets import MONEY_SHEET
from xlperf.vocabulary.words import OF_WHICH, UNIT_NOTE

PRINT_SCALE = 78  # the columns one page wide (LibreOffice fits them from 80%)
# Row-1 groups over the part columns: (label, first key, last key).
GROUPS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "income": ((OF_WHICH, "carryover", "other"),),
    "expense": ((OF_WHICH, "basic", "project"), (BALANCE_GROUP, "balance", "accumulated")),
    "three_public": ((OF_WHICH, "reception", "abroad"),),
    "assets": ((OF_WHICH, "in_use", "leased"),),
}
SIGNED = {("expense", "balance"), ("expense", "accumulated")}  # 结余 may be negative
MONEY_NAMES = tuple(f"xm_{t.kind}_{part}" for t in TABLES for part in ("header", "total", "units"))


@dataclass(frozen=True)
class TableLayout:
    kind: str
    title_row: int
    header_rows: tuple[int, int]  # first, last
    total_row: int
    first_unit_row: int
    last_unit_row: int
    columns: dict[str, str]  # key -> column letter

    @property
    def last_column(self) -> str:
        return list(self.columns.values())[-1]


def layouts(units: int = 8) -> dict[str, TableLayout]:
    """Where every table of the sheet sits for ``units`` unit rows."""
    out = {}
    row = 3
    for spec in TABLES:
        depth = 3 if any(c.parent for c in spec.columns) else 2
        columns = {c.key: get_column_letter(i + 2) for i, c in enumerate(spec.columns)}
        total = row + 1 + depth
        out[spec.kind] = TableLayout(
            spec.kind, row, (row + 1, row + depth), total, total + 1, total + units, columns
        )
        row = total + units + 2
    return out


def add_money_sheet(wb: Workbook, units: int = 8) -> Worksheet:
    """Append the 收支情况 sheet with ``units`` unit rows per table."""
    ws = wb.create_sheet(MONEY_SHEET)
    width = max(len(t.columns) for t in TABLES) + 1
    last = get_column_letter(width)
    put(ws, f"A1:{last}1", FORM_TITLE, font=TITLE_FONT, border=NO_BORDER)
    ws.row_dimensions[1].height = 36
    put(ws, f"A2:{last}2", UNIT_NOTE, font=NOTE_FONT, align=RIGHT, border=NO_BORDER)
    places = layouts(units)
    for spec in TABLES:
        _table(ws, spec, places[spec.kind])
    ws.column_dimensions["A"].width = 24
    for c in range(2, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
    end = max(p.last_unit_row for p in places.values())
    ws.sheet_view.showGridLines = False
    a4_landscape(ws, fit_height=0)
    # A fixed scale, one page wide (Excel ignores manual breaks under "fit to"), and a break
    # before each table that would not fit below the one above: no table starts on one page and
    # goes on on the next unless it is longer than a page.
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = PRINT_SCALE
    for row in table_starts(ws, places):
        ws.row_breaks.append(Break(id=row - 1))
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.print_area = f"A1:{last}{end}"
    protect(ws)
    return ws


def table_starts(ws: Worksheet, places: dict[str, TableLayout]) -> list[int]:
    """Title rows of the tables that start a printed page (after the first)."""
    capacity = PAGE_HEIGHT / (PRINT_SCALE / 100) * PAGE_SAFETY

    def height(first: int, last: int) -> float:
        return sum(ws.row_dimensions[r].height or 15.0 for r in range(first, last + 1))

    starts: list[int] = []
    top = 1
    for at in sorted(places.values(), key=lambda p: p.title_row):
        if height(top, at.last_unit_row) > capacity and top != at.title_row:
            starts.append(at.title_row)
            top = at.title_row
    return starts


def _table(ws: Worksheet, spec: TableSpec, at: TableLayout) -> None:
    cols = at.columns
    put(
        ws,
        f"A{at.title_row}:{at.last_column}{at.title_row}",
        TABLE_HEADINGS[spec.kind],
        font=HEAD_FONT,
        align=LEFT,
        border=NO_BORDER,
    )
    _header(ws, spec, at)
    first, last = at.first_unit_row, at.last_unit_row
    put(ws, f"A{at.total_row}", TOTAL_ROW_LABEL, font=HEAD_FONT, align=LEFT)
    for col in cols.values():
        rows = f"{col}{first}:{col}{last}"
        put(
            ws,
            f"{col}{at.total_row}",
            f'=IF(COUNT({rows})=0,"",SUM({rows}))',
            font=HEAD_FONT,
            align=RIGHT,
            number_format=AMOUNT,
        )
    sums = dict(spec.identities)
    for r in range(first, last + 1):
        put(ws, f"A{r}", font=BODY_FONT, align=LEFT, locked=False)
        for key, col in cols.items():
            if key in sums:
                parts = ",".join(f"{cols[p]}{r}" for p in sums[key])
                formula = f'=IF(COUNT({parts})=0,"",SUM({parts}))'
                put(ws, f"{col}{r}", formula, font=BODY_FONT, align=RIGHT, number_format=AMOUNT)
            else:
                put(
                    ws, f"{col}{r}", font=BODY_FONT, align=RIGHT, number_format=AMOUNT, locked=False
                )
    _validate(ws, spec, at)
    header = f"A{at.header_rows[0]}:{at.last_column}{at.header_rows[1]}"
    define_local(ws, f"xm_{spec.kind}_header", header)
    define_local(ws, f"xm_{spec.kind}_total", f"A{at.total_row}:{at.last_column}{at.total_row}")
    define_local(ws, f"xm_{spec.kind}_units", f"A{first}:{at.last_column}{last}")


def _header(ws: Worksheet, spec: TableSpec, at: TableLayout) -> None:
    top, bottom = at.header_rows
    cols = at.columns
    put(ws, f"A{top}:A{bottom}", UNIT_COLUMN, font=HEAD_FONT)
    put(
        ws,
        f"{cols['total']}{top}:{cols['total']}{bottom}",
        spec.column("total").label,
        font=HEAD_FONT,
    )
    grouped: set[str] = set()
    keys = list(cols)
    for label, a, b in GROUPS[spec.kind]:
        span = keys[keys.index(a) : keys.index(b) + 1]
        grouped.update(span)
        ref = f"{cols[a]}{top}:{cols[b]}{top}" if a != b else f"{cols[a]}{top}"
        put(ws, ref, label, font=HEAD_FONT)
    for column in spec.columns:
        key, col = column.key, cols[column.key]
        if key == "total":
            continue
        children = [c.key for c in spec.columns if c.parent == key]
        if column.parent:
            put(ws, f"{col}{bottom}", column.label, font=HEAD_FONT)
        elif children:
            put(
                ws,
                f"{col}{top + 1}:{col}{bottom - 1}" if bottom - 1 > top + 1 else f"{col}{top + 1}",
                column.label,
                font=HEAD_FONT,
            )
            # the children's 其中 sits beside the parent, over the child columns
            first, last_child = cols[children[0]], cols[children[-1]]
            put(ws, f"{first}{top + 1}:{last_child}{top + 1}", OF_WHICH, font=HEAD_FONT)
            put(ws, f"{col}{bottom}", font=HEAD_FONT)
        else:
            first_row = top + 1 if key in grouped else top
            ref = f"{col}{first_row}:{col}{bottom}" if bottom > first_row else f"{col}{first_row}"
            put(ws, ref, column.label, font=HEAD_FONT)
    for r in range(top, bottom + 1):
        ws.row_dimensions[r].height = 30


def _validate(ws: Worksheet, spec: TableSpec, at: TableLayout) -> None:
    sums = dict(spec.identities)
    inputs = [(k, c) for k, c in at.columns.items() if k not in sums]
    for signed in (False, True):
        refs = [
            f"{c}{at.first_unit_row}:{c}{at.last_unit_row}"
            for k, c in inputs
            if ((spec.kind, k) in SIGNED) == signed
        ]
        if not refs:
            continue
        if signed:
            dv = DataValidation(
                type="decimal",
                operator="between",
                formula1="-1E+12",
                formula2="1E+12",
                allow_blank=True,
            )
            dv.error = "结余（万元）应为数字"
        else:
            dv = DataValidation(
                type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
            )
            dv.error = "金额（万元）应为不小于 0 的数字"
        dv.showErrorMessage = True
        dv.errorTitle = "输入有误"
        ws.add_data_validation(dv)
        for ref in refs:
            dv.add(ref)
