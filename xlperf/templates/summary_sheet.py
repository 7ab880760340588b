"""The 部门（单位）项目支出自评汇总表 sheet, standalone (typed in) or linked to project sheets.

Linked, each row names the project sheet it pulls from in the 对应工作表 column (K, not
printed) and every figure comes by INDIRECT from that sheet's fixed cells (C2 项目名称, E5/F5/H5
全年预算数/执行数/执行率, L5–L8 得分率 and 自评得分). INDIRECT is volatile but portable (Excel,
WPS, LibreOffice) and the only way to follow a sheet the accountant copies and renames; LibreOffice
does not resolve sheet-scoped names inside INDIRECT, hence the fixed addresses, which sit above
the indicator rows accountants insert and so never move.
"""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.templates.names import define_local
from xlperf.templates.project_sheet import CheckFormat, helper_address
from xlperf.templates.styles import (
    ALERT,
    AMOUNT,
    BODY_FONT,
    HEAD_FONT,
    HELPER_FONT,
    LABEL_FONT,
    LEFT,
    NO_BORDER,
    NOTE_FONT,
    PERCENT,
    RIGHT,
    SCORE,
    SHRINK,
    TEXT,
    TITLE_FONT,
    UNDERLINE,
    a4_landscape,
    protect,
    put,
)
from xlperf.vocabulary.summary import (
    DATE_LABEL,
    FORM_TITLE,
    HEADINGS,
    LINK_HEADING,
    SUM_LABEL,
    UNIT_LABEL,
)
from xlperf.vocabulary.words import SIGNATURES, UNIT_NOTE

COLUMNS = "ABCDEFGHIJ"
WIDTHS = {
    "A": 6,
    "B": 44,
    "C": 12,
    "D": 12,
    "E": 10,
    "F": 11,
    "G": 11,
    "H": 11,
    "I": 10,
    "J": 26,
    "K": 20,
}
HEADER_ROW, TOTAL_ROW, FIRST_ROW = 4, 5, 6
ROWS = 20
LAST_ROW = FIRST_ROW + ROWS - 1
FOOTER_ROW = LAST_ROW + 2

# Column -> (project sheet cell, number format) that a linked row pulls.
PULLS = {
    "C": ("E5", AMOUNT),
    "D": ("F5", AMOUNT),
    "E": ("H5", PERCENT),
    "F": (helper_address("xp_output_rate"), PERCENT),
    "G": (helper_address("xp_benefit_rate"), PERCENT),
    "H": (helper_address("xp_satisfaction_rate"), PERCENT),
    "I": (helper_address("xp_score_link"), SCORE),
}
FORMATS = {
    "C": AMOUNT,
    "D": AMOUNT,
    "E": PERCENT,
    "F": PERCENT,
    "G": PERCENT,
    "H": PERCENT,
    "I": SCORE,
}


def _ref(r: int, cell: str) -> str:
    return f'"\'"&$K{r}&"\'!{cell}"'


def pull_number(r: int, cell: str) -> str:
    ref = _ref(r, cell)
    return f'=IF($K{r}="","",IF(ISNUMBER(INDIRECT({ref})),INDIRECT({ref}),""))'


def pull_text(r: int, cell: str) -> str:
    return f'=IF($K{r}="","",IFERROR(INDIRECT({_ref(r, cell)})&"",""))'


def add_summary_sheet(
    wb: Workbook, title: str, *, linked: bool, first_sheet: str | None = None
) -> Worksheet:
    """The 汇总表; ``linked`` pulls rows from project sheets named in column K (``first_sheet`` prefilled)."""
    ws = wb.create_sheet(title)
    put(ws, "A1:J1", FORM_TITLE, font=TITLE_FONT, border=NO_BORDER)
    ws.row_dimensions[1].height = 36
    put(ws, "A2:J2", UNIT_NOTE, font=NOTE_FONT, align=RIGHT, border=NO_BORDER)
    put(ws, "A3:B3", UNIT_LABEL, font=HEAD_FONT, border=NO_BORDER, align=LEFT)
    put(ws, "C3:F3", font=BODY_FONT, align=LEFT, locked=False, border=UNDERLINE)
    put(ws, "G3", DATE_LABEL, font=HEAD_FONT, border=NO_BORDER)
    put(ws, "H3:J3", font=BODY_FONT, align=LEFT, number_format=TEXT, locked=False, border=UNDERLINE)
    ws.row_dimensions[3].height = 22
    for col, text in zip(COLUMNS, HEADINGS, strict=True):
        put(ws, f"{col}{HEADER_ROW}", text, font=HEAD_FONT)
    ws.row_dimensions[HEADER_ROW].height = 32
    if linked:
        put(ws, f"K{HEADER_ROW}", LINK_HEADING, font=HELPER_FONT)
    _total(ws)
    for r in range(FIRST_ROW, LAST_ROW + 1):
        _row(ws, r, linked)
    if linked and first_sheet:
        ws[f"K{FIRST_ROW}"] = first_sheet
    f = FOOTER_ROW
    for ref, text in (
        (f"A{f}:B{f}", SIGNATURES["filler"]),
        (f"E{f}:G{f}", SIGNATURES["phone"]),
        (f"H{f}:J{f}", SIGNATURES["date"]),
    ):
        put(ws, ref, text, font=NOTE_FONT, align=LEFT, border=NO_BORDER)
    _names(ws, linked)
    _validations(ws, linked)
    for check in check_formats(linked):
        ws.conditional_formatting.add(
            check.sqref, FormulaRule(formula=[check.formula], font=ALERT.font, fill=ALERT.fill)
        )
    for col, width in WIDTHS.items():
        if col != "K" or linked:
            ws.column_dimensions[col].width = width
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = f"A{FIRST_ROW}"
    a4_landscape(ws, fit_height=0, title_rows=f"1:{HEADER_ROW}")
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.print_area = f"A1:J{FOOTER_ROW}"
    protect(ws)
    return ws


def _total(ws: Worksheet) -> None:
    r = TOTAL_ROW
    put(ws, f"A{r}", font=HEAD_FONT)
    put(ws, f"B{r}", SUM_LABEL, font=HEAD_FONT)
    for col in "CD":
        rows = f"{col}{FIRST_ROW}:{col}{LAST_ROW}"
        put(
            ws,
            f"{col}{r}",
            f'=IF(COUNT({rows})=0,"",SUM({rows}))',
            font=HEAD_FONT,
            align=RIGHT,
            number_format=AMOUNT,
        )
    formula = f'=IF(ISNUMBER(C{r}),IF(C{r}>0,IF(ISNUMBER(D{r}),D{r}/C{r},""),""),"")'
    put(ws, f"E{r}", formula, font=HEAD_FONT, align=RIGHT, number_format=PERCENT)
    for col in "FGHIJ":
        put(ws, f"{col}{r}", font=HEAD_FONT)
    ws.row_dimensions[r].height = 20


def _row(ws: Worksheet, r: int, linked: bool) -> None:
    put(
        ws,
        f"A{r}",
        f'=IF(B{r}="","",COUNTIF(B${FIRST_ROW}:B{r},"?*"))',
        font=BODY_FONT,
        number_format="0",
    )
    if linked:
        put(ws, f"B{r}", pull_text(r, "C2"), font=BODY_FONT, align=SHRINK)  # pulled: one line
        for col, (cell, fmt) in PULLS.items():
            put(
                ws,
                f"{col}{r}",
                pull_number(r, cell),
                font=BODY_FONT,
                align=RIGHT,
                number_format=fmt,
            )
        put(ws, f"K{r}", font=LABEL_FONT, align=LEFT, number_format=TEXT, locked=False)
    else:
        put(ws, f"B{r}", font=BODY_FONT, align=LEFT, locked=False)
        for col, fmt in FORMATS.items():
            if col == "E":
                formula = f'=IF(ISNUMBER(C{r}),IF(C{r}>0,IF(ISNUMBER(D{r}),D{r}/C{r},""),""),"")'
                put(ws, f"E{r}", formula, font=BODY_FONT, align=RIGHT, number_format=fmt)
            else:
                put(ws, f"{col}{r}", font=BODY_FONT, align=RIGHT, number_format=fmt, locked=False)
    put(ws, f"J{r}", font=BODY_FONT, align=LEFT, locked=False)
    if linked:  # pulled figures never make a row grow: one line, names shrunk to fit
        ws.row_dimensions[r].height = 20
    # typed rows have no fixed height: they grow with the text (fill_summary sizes its rows)


def _names(ws: Worksheet, linked: bool) -> None:
    names = {
        "xs_title": "A1",
        "xs_unit_name": "C3",
        "xs_date": "H3",
        "xs_header": f"A{HEADER_ROW}:J{HEADER_ROW}",
        "xs_total": f"A{TOTAL_ROW}:J{TOTAL_ROW}",
        "xs_rows": f"A{FIRST_ROW}:J{LAST_ROW}",
    }
    if linked:
        names["xs_sheet_names"] = f"K{FIRST_ROW}:K{LAST_ROW}"
    for name, ref in names.items():
        define_local(ws, name, ref)


def _validations(ws: Worksheet, linked: bool) -> None:
    if linked:
        return  # every figure is pulled by formula
    rows = f"{FIRST_ROW}:{LAST_ROW}"
    for ref, kind, low, high, message in (
        ("C{0}:D{1}", "greaterThanOrEqual", "0", None, "金额（万元）应为不小于 0 的数字"),
        ("F{0}:H{1}", "between", "0", "1", "得分率应在 0%–100% 之间"),
        ("I{0}:I{1}", "between", "0", "100", "自评得分应为 0–100 之间的数字"),
    ):
        dv = DataValidation(
            type="decimal", operator=kind, formula1=low, formula2=high, allow_blank=True
        )
        dv.showErrorMessage = True
        dv.errorTitle = "输入有误"
        dv.error = message
        ws.add_data_validation(dv)
        first, last = rows.split(":")
        dv.add(ref.format(first, last))


def check_formats(linked: bool) -> list[CheckFormat]:
    """Conditional formats of a 汇总表 (code None: a warning the engine has no code for)."""
    r0, rl, t = FIRST_ROW, LAST_ROW, TOTAL_ROW
    out = [
        CheckFormat(
            "",
            f"D{r0}:D{rl}",
            f"AND(ISNUMBER(D{r0}),ISNUMBER(C{r0}),N(D{r0})>N(C{r0})+xr_tol_amount)",
        ),
        CheckFormat("XS303", f"C{t}:D{t}", f"ABS(N(C{t})-SUM(C{r0}:C{rl}))>xr_tol_amount+xr_eps"),
    ]
    if linked:
        out.append(
            CheckFormat(
                "", f"K{r0}:K{rl}", f'AND(LEN($K{r0})>0,ISERROR(INDIRECT("\'"&$K{r0}&"\'!A1")))'
            )
        )
    return out
