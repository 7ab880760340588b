"""The report as a sheet 自评报告 of the workbook (openpyxl), from the same content as the .docx.

:func:`report_edit` plans the sheet (:mod:`xlperf.ops.edits`): the rows of :func:`report_rows`
and their layout, for the file adapter and the live one alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xlperf.ops.edits import Align, Block, Font, PageSetup, SheetEdit, Style, WorkbookPlan, ref
from xlperf.report.blocks import Heading, Para, ReportContent, Table
from xlperf.vocabulary.sheets import REPORT_SHEET

COLUMNS = 11  # as many as the figure tables have
CM_TO_CHARS = 4.4  # Excel column width units per centimetre (default font)
FONT = "仿宋"
HEADING_FONT = "黑体"
YELLOW = "FFF2CC"  # light yellow: places needing words


@dataclass(frozen=True)
class SheetRow:
    """One row of the sheet: its kind (for layout), its cells, and whether it needs words."""

    kind: str  # title, subtitle, heading, body, note, item, finding, sign, caption, header, row,
    # total, gap
    cells: list[str]
    blank: bool = False


def sheet_layout(content: ReportContent) -> list[SheetRow]:
    rows: list[SheetRow] = []
    for i, report in enumerate(content.reports):
        if i:
            rows.append(SheetRow("gap", [""]))
        rows += [
            SheetRow("title", [report.title]),
            SheetRow("subtitle", [f"（{report.subtitle}）"]),
        ]
        for block in report.blocks:
            if isinstance(block, Heading):
                rows.append(SheetRow("heading", [block.text]))
            elif isinstance(block, Para):
                rows.append(SheetRow(block.kind, [block.text], any(s.blank for s in block.spans)))
            elif isinstance(block, Table):
                rows.append(SheetRow("caption", [block.caption]))
                rows.append(SheetRow("header", list(block.header)))
                for r, values in enumerate(block.rows, 1):
                    last = block.total_row and r == len(block.rows)
                    rows.append(SheetRow("total" if last else "row", list(values)))
    return rows


def report_rows(content: ReportContent) -> list[list[str | None]]:
    """The report as a rectangle of text, one paragraph or table row per sheet row (first cell =
    A), short rows padded with None: Excel takes a block of values in one write."""
    rows = [row.cells for row in sheet_layout(content)]
    width = max((len(r) for r in rows), default=1)
    return [[*r, *([None] * (width - len(r)))] for r in rows]


def _height(text: str, width_chars: float, points: float) -> float:
    """Row height for wrapped text: Excel does not fit merged rows by itself."""
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    lines = max(1, -(-units // max(int(width_chars), 1)))
    return lines * points * 1.5


def report_edit(content: ReportContent, names: list[str]) -> WorkbookPlan:
    """The 自评报告 sheet (re)written at the end of a workbook with sheets ``names``, laid out
    as a document: merged paragraph rows with wrapped text, column widths, yellow places that
    need human words, A4 print setup. Every other sheet stays as it is."""
    widths = next(
        (b.widths for r in content.reports for b in r.blocks if isinstance(b, Table)),
        (1.6,) * COLUMNS,
    )
    chars = [w * CM_TO_CHARS for w in widths]
    total_chars = sum(chars)
    edit = SheetEdit(
        REPORT_SHEET, add=True, widths={c: round(w, 1) for c, w in enumerate(chars, 1)}
    )
    edit.blocks.append(Block(1, 1, report_rows(content)))
    for r, row in enumerate(sheet_layout(content), 1):
        if row.kind in ("header", "row", "total"):
            bold = row.kind != "row"
            for c in range(1, len(row.cells) + 1):
                horizontal = "left" if c == 2 and row.kind == "row" else "center"
                if c > 2 and c < len(row.cells) and row.kind != "header":
                    horizontal = "right"
                edit.styles.append(
                    Style(
                        ref(r, c),
                        font=Font(name=HEADING_FONT if bold else FONT, size=9),
                        align=Align(horizontal=horizontal, vertical="center", wrap=True),
                        border=True,
                    )
                )
            wrapped = max(
                (
                    _height(t or "", chars[c] if c < len(chars) else 8, 9)
                    for c, t in enumerate(row.cells)
                ),
                default=0,
            )  # a long sheet name or 问题 in the 附表 wraps inside its cell
            edit.heights[r] = max(36 if row.kind == "header" else 24, wrapped)
            continue
        edit.merges.append(ref(r, 1, r, COLUMNS))
        size, font, horizontal = 12, FONT, "left"
        if row.kind == "title":
            size, font, horizontal = 18, HEADING_FONT, "center"
        elif row.kind in ("subtitle", "caption"):
            size, horizontal = 12, "center"
            font = HEADING_FONT if row.kind == "caption" else FONT
        elif row.kind == "heading":
            font = HEADING_FONT
        elif row.kind in ("note", "finding"):
            size = 10.5
        elif row.kind == "sign":
            horizontal = "right"
        indent = 2 if row.kind in ("body", "note", "item", "finding", "heading") else 0
        edit.styles.append(
            Style(
                ref(r, 1),
                fill=YELLOW if row.blank else None,
                font=Font(name=font, size=size),
                align=Align(horizontal=horizontal, vertical="center", wrap=True, indent=indent),
            )
        )
        edit.heights[r] = _height(row.cells[0], total_chars * 0.95 - indent * 2, size)
    edit.gridlines = False
    edit.page = PageSetup(margins=(0.7, 0.7, 0.9, 0.9), center=True, footer="第 &P 页，共 &N 页")
    gone = [REPORT_SHEET] if REPORT_SHEET in names else []
    return WorkbookPlan(delete=gone, sheets=[edit])


def write_report_sheet_file(path: Path, out: Path, content: ReportContent) -> None:
    """Add the 自评报告 sheet to a copy of the workbook (or to itself when ``out`` is ``path``);
    the forms' cells are left exactly as typed. Saved atomically."""
    from xlperf.ops.apply_file import apply_file
    from xlperf.ops.files import atomic_save, open_for_edit, refuse_if_open

    wb = open_for_edit(path)
    apply_file(wb, report_edit(content, wb.sheetnames))
    if out.resolve() != path.resolve():
        refuse_if_open(out)
    atomic_save(wb, out)
