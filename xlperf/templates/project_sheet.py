"""The 项目支出绩效自评表 sheet: the official form, computing and guarding itself by formula.

Columns A–I are the printed form (as on paper); columns K–L hold helper figures the 汇总表
pulls at fixed addresses (rows 5–8, above the rows accountants insert), outside the print area.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.formatting.rule import FormulaRule
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.forms.project import FUND_COLUMNS, FUND_ROWS
from xlperf.registry import REGISTRY, Rule
from xlperf.templates.names import define_local
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
    TEXT,
    TITLE_FONT,
    TOP_LEFT,
    a4_landscape,
    protect,
    put,
)
from xlperf.vocabulary.project import (
    FORM_TITLE,
    FUND_BLOCK_LABEL,
    FUND_ROW_NAMES,
    GOAL_COLUMNS,
    GOAL_LABEL,
    GRADE_LABEL,
    HEADER_FIELDS,
    HELPER_LABEL,
    INDICATOR_BLOCK_LABEL,
    INDICATOR_HEADINGS,
    LEVEL1_NAMES,
    LEVEL2_NAMES,
    MONEY_HEADINGS,
    TOTAL_LABEL,
)
from xlperf.vocabulary.summary import NUMBER_LABELS
from xlperf.vocabulary.words import OF_WHICH, SIGNATURES

# 一级指标 (its position in the 参数 sheet's xr_level1_* table) and its official 二级指标.
LEVEL1_BLOCKS: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (kind, name, LEVEL2_NAMES[kind]) for kind, name in LEVEL1_NAMES.items()
)
ROWS_PER_LEVEL2 = 2  # as on the official form ("指标1", "指标2"); insert rows for more

FUND_LABELS = tuple(
    (OF_WHICH if key == "current_appropriation" else "") + FUND_ROW_NAMES[key] for key in FUND_ROWS
)
FUND_HEADERS = tuple(MONEY_HEADINGS[key] for key in FUND_COLUMNS)
COLUMN_WIDTHS = {
    "A": 5.5,
    "B": 11,
    "C": 18,
    "D": 32,
    "E": 14,
    "F": 14,
    "G": 7.5,
    "H": 10,
    "I": 24,
    "J": 2,
    "K": 16,
    "L": 10,
}
HELPERS = (
    ("xp_output_rate", NUMBER_LABELS["output_rate"]),
    ("xp_benefit_rate", NUMBER_LABELS["benefit_rate"]),
    ("xp_satisfaction_rate", NUMBER_LABELS["satisfaction_rate"]),
    ("xp_score_link", NUMBER_LABELS["score"]),
)

TITLE_ROW, NAME_ROW, DEPT_ROW, MONEY_HEADER = 1, 2, 3, 4
FUND_FIRST = 5  # 年度资金总额; parts follow
GOAL_HEADER, GOAL_ROW, IND_HEADER, IND_FIRST = 9, 10, 11, 12
HELPER_FIRST = 5  # K5:L8


@dataclass(frozen=True)
class Block:
    kind: str
    level1: str
    index: int  # 1-based position in xr_level1_*
    first: int
    last: int
    level2: tuple[tuple[str, int, int], ...]  # name, first row, last row


@dataclass(frozen=True)
class ProjectLayout:
    blocks: tuple[Block, ...]
    ind_last: int
    total_row: int
    grade_row: int
    footer_row: int


@dataclass(frozen=True)
class CheckFormat:
    """A conditional format that shows one check code without the add-in."""

    code: str  # "" for a warning the engine has no code for
    sqref: str
    formula: str  # relative to the top-left cell of the first range of sqref, without "="

    @property
    def rule(self) -> Rule | None:
        """The registry entry of the code shown: its title and severity (None without a code)."""
        return REGISTRY[self.code] if self.code else None

    @property
    def title(self) -> str:
        return self.rule.title if self.rule else ""

    @property
    def severity(self) -> str:
        return self.rule.severity if self.rule else "warning"


def project_layout() -> ProjectLayout:
    row = IND_FIRST
    blocks = []
    for i, (kind, level1, level2s) in enumerate(LEVEL1_BLOCKS, 1):
        first = row
        parts = []
        for name in level2s:
            parts.append((name, row, row + ROWS_PER_LEVEL2 - 1))
            row += ROWS_PER_LEVEL2
        blocks.append(Block(kind, level1, i, first, row - 1, tuple(parts)))
    return ProjectLayout(tuple(blocks), row - 1, row, row + 1, row + 2)


def block_rows(col: str, block: Block, lay: ProjectLayout, to_col: str | None = None) -> str:
    """A 一级指标's rows: from its label to the row above the next one's (or above 总分).

    Rows inserted anywhere in between, even on the boundary, belong to it, as the reader sees it.
    """
    following = [b.first for b in lay.blocks if b.first > block.first]
    end = f"ROW($B${following[0]})-1" if following else f"ROW($A${lay.total_row})-1"
    right = to_col or col
    return f"INDEX(${col}:${right},ROW($B${block.first}),1):INDEX(${col}:${right},{end},{ord(right) - ord(col) + 1})"


def _down_to_here(col: str) -> str:
    """From the indicator header down to the row above this one: rows inserted anywhere count."""
    return f"{col}${IND_HEADER}:INDEX({col}:{col},ROW()-1)"


def rate_formula(r: int) -> str:
    return f'=IF(ISNUMBER(E{r}),IF(E{r}>0,IF(ISNUMBER(F{r}),F{r}/E{r},""),""),"")'


def rate_score_formula(r: int) -> str:
    tier = (
        "IFERROR(INDEX(xr_rate_tier_fraction,MATCH(LARGE(xr_rate_tier_min,"
        f'SUMPRODUCT((xr_rate_tier_min<>"")*(xr_rate_tier_min>H{r}))+1),xr_rate_tier_min,0)),0)'
    )
    return (
        f'=IF(AND(ISNUMBER(G{r}),ISNUMBER(H{r})),ROUND(G{r}*IF(xr_rate_mode="按档次",{tier},'
        f'MAX(0,MIN(H{r},xr_rate_cap))),xr_score_places),"")'
    )


def grade_formula(total: str) -> str:
    band = (
        "INDEX(xr_grade_name,MATCH(LARGE(xr_grade_min,"
        f'SUMPRODUCT((xr_grade_min<>"")*(xr_grade_min>{total}))+1),xr_grade_min,0))'
    )
    lowest = "INDEX(xr_grade_name,MATCH(MIN(xr_grade_min),xr_grade_min,0))"
    return f'=IF(ISNUMBER({total}),IFERROR({band},{lowest}),"")'


def level1_label_formula(index: int) -> str:
    weight = f"INDEX(xr_level1_weight,{index})"
    return f'=INDEX(xr_level1_name,{index})&IF(ISNUMBER({weight}),CHAR(10)&"（"&{weight}&"分）","")'


def add_project_sheet(wb: Workbook, title: str) -> Worksheet:
    ws = wb.create_sheet(title)
    lay = project_layout()
    _header(ws)
    _funds(ws)
    _goals(ws)
    _indicators(ws, lay)
    _totals(ws, lay)
    _helpers(ws, lay)
    _names(ws, lay)
    _validations(ws, lay)
    for check in check_formats(lay):
        ws.conditional_formatting.add(
            check.sqref, FormulaRule(formula=[check.formula], font=ALERT.font, fill=ALERT.fill)
        )
    for col, width in COLUMN_WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = f"A{MONEY_HEADER}"
    a4_landscape(ws, fit_height=1, title_rows=f"{TITLE_ROW}:{DEPT_ROW}")
    ws.print_area = f"A1:I{lay.footer_row}"
    protect(ws)
    return ws


def _header(ws: Worksheet) -> None:
    put(
        ws,
        "A1:I1",
        f'="{FORM_TITLE}（"&IF(ISNUMBER(xr_year),xr_year,"      ")&"年度）"',
        font=TITLE_FONT,
        border=NO_BORDER,
    )
    ws.row_dimensions[TITLE_ROW].height = 36
    put(ws, "A2:B2", HEADER_FIELDS["project_name"][0], font=HEAD_FONT)
    put(ws, "C2:I2", font=BODY_FONT, align=LEFT, locked=False)
    put(ws, "A3:B3", HEADER_FIELDS["department"][0], font=HEAD_FONT)
    put(ws, "C3:E3", font=BODY_FONT, align=LEFT, locked=False)
    put(ws, "F3", HEADER_FIELDS["implementer"][0], font=HEAD_FONT)
    put(ws, "G3:I3", font=BODY_FONT, align=LEFT, locked=False)
    for r in (NAME_ROW, DEPT_ROW):
        ws.row_dimensions[r].height = 22


def _funds(ws: Worksheet) -> None:
    last = FUND_FIRST + len(FUND_LABELS) - 1
    put(ws, f"A{MONEY_HEADER}:B{last}", FUND_BLOCK_LABEL, font=HEAD_FONT)
    put(ws, f"C{MONEY_HEADER}", font=HEAD_FONT)
    for i, text in enumerate(FUND_HEADERS):
        put(ws, f"{'DEFGHI'[i]}{MONEY_HEADER}", text, font=HEAD_FONT)
    ws.row_dimensions[MONEY_HEADER].height = 24
    for i, label in enumerate(FUND_LABELS):
        r = FUND_FIRST + i
        put(ws, f"C{r}", label, font=LABEL_FONT, align=LEFT)
        for col in "DEF":
            put(ws, f"{col}{r}", font=BODY_FONT, align=RIGHT, number_format=AMOUNT, locked=False)
        put(ws, f"H{r}", rate_formula(r), font=BODY_FONT, align=RIGHT, number_format=PERCENT)
        if i == 0:
            put(ws, f"G{r}", "=xr_rate_weight", font=BODY_FONT, number_format="General")
            put(ws, f"I{r}", rate_score_formula(r), font=BODY_FONT, number_format=SCORE)
        else:
            put(ws, f"G{r}", "—", font=BODY_FONT)
            put(ws, f"I{r}", "—", font=BODY_FONT)
        ws.row_dimensions[r].height = 20


def _goals(ws: Worksheet) -> None:
    put(ws, f"A{GOAL_HEADER}:A{GOAL_ROW}", GOAL_LABEL, font=HEAD_FONT)
    put(ws, f"B{GOAL_HEADER}:E{GOAL_HEADER}", GOAL_COLUMNS["expected"], font=HEAD_FONT)
    put(ws, f"F{GOAL_HEADER}:I{GOAL_HEADER}", GOAL_COLUMNS["actual"], font=HEAD_FONT)
    put(ws, f"B{GOAL_ROW}:E{GOAL_ROW}", font=BODY_FONT, align=TOP_LEFT, locked=False)
    put(ws, f"F{GOAL_ROW}:I{GOAL_ROW}", font=BODY_FONT, align=TOP_LEFT, locked=False)
    ws.row_dimensions[GOAL_HEADER].height = 20
    ws.row_dimensions[GOAL_ROW].height = 62  # merged cells never grow to fit: room for 4 lines


def _indicators(ws: Worksheet, lay: ProjectLayout) -> None:
    put(ws, f"A{IND_HEADER}:A{lay.ind_last}", INDICATOR_BLOCK_LABEL, font=HEAD_FONT)
    for i, text in enumerate(INDICATOR_HEADINGS):
        put(ws, f"{'BCDEFGHI'[i]}{IND_HEADER}", text, font=HEAD_FONT)
    ws.row_dimensions[IND_HEADER].height = 32
    for block in lay.blocks:
        put(ws, f"B{block.first}:B{block.last}", level1_label_formula(block.index), font=LABEL_FONT)
        for name, first, last in block.level2:
            put(ws, f"C{first}:C{last}", name, font=LABEL_FONT, locked=False)
        for r in range(block.first, block.last + 1):
            put(ws, f"D{r}", font=BODY_FONT, align=LEFT, locked=False)
            for col in "EF":
                put(ws, f"{col}{r}", font=BODY_FONT, number_format=TEXT, locked=False)
            put(ws, f"G{r}", font=BODY_FONT, number_format="General", locked=False)
            put(ws, f"H{r}", font=BODY_FONT, number_format=SCORE, locked=False)
            put(ws, f"I{r}", font=BODY_FONT, align=LEFT, locked=False)
            # no fixed height: Excel, WPS and LibreOffice grow the row to fit wrapped text


def _totals(ws: Worksheet, lay: ProjectLayout) -> None:
    t, g = lay.total_row, lay.grade_row
    content = f"COUNTA(D${IND_HEADER}:INDEX(I:I,ROW()-1))>COUNTA(D${IND_HEADER}:I${IND_HEADER})"
    put(ws, f"A{t}:F{t}", TOTAL_LABEL, font=HEAD_FONT)
    put(
        ws,
        f"G{t}",
        f'=IF({content},N(G{FUND_FIRST})+SUM({_down_to_here("G")}),"")',
        font=HEAD_FONT,
        number_format="General",
    )
    put(
        ws,
        f"H{t}",
        f'=IF(COUNT(I{FUND_FIRST},{_down_to_here("H")})=0,"",ROUND(N(I{FUND_FIRST})+SUM({_down_to_here("H")}),xr_score_places))',
        font=HEAD_FONT,
        number_format=SCORE,
    )
    put(ws, f"I{t}", font=BODY_FONT)
    put(ws, f"A{g}:F{g}", GRADE_LABEL, font=HEAD_FONT)
    put(ws, f"G{g}:I{g}", grade_formula(f"H{t}"), font=HEAD_FONT)
    for r in (t, g):
        ws.row_dimensions[r].height = 22
    f = lay.footer_row
    for ref, text in (
        (f"A{f}:C{f}", SIGNATURES["filler"]),
        (f"D{f}", SIGNATURES["reviewer"]),
        (f"E{f}:F{f}", SIGNATURES["phone"]),
        (f"G{f}:I{f}", SIGNATURES["date"]),
    ):
        put(ws, ref, text, font=NOTE_FONT, align=LEFT, border=NO_BORDER)
    ws.row_dimensions[f].height = 24


def _helpers(ws: Worksheet, lay: ProjectLayout) -> None:
    put(
        ws,
        f"K{MONEY_HEADER}:L{MONEY_HEADER}",
        HELPER_LABEL,
        font=HELPER_FONT,
        border=NO_BORDER,
    )
    for i, ((_name, label), block) in enumerate(zip(HELPERS, lay.blocks, strict=False)):
        r = HELPER_FIRST + i
        w, s = block_rows("G", block, lay), block_rows("H", block, lay)
        put(ws, f"K{r}", label, font=HELPER_FONT, align=LEFT)
        put(
            ws,
            f"L{r}",
            f'=IF(SUM({w})>0,SUM({s})/SUM({w}),"")',
            font=HELPER_FONT,
            align=RIGHT,
            number_format=PERCENT,
        )
    r = HELPER_FIRST + len(lay.blocks)
    put(ws, f"K{r}", HELPERS[-1][1], font=HELPER_FONT, align=LEFT)
    put(
        ws,
        f"L{r}",
        f'=IF(ISNUMBER(H{lay.total_row}),H{lay.total_row},"")',
        font=HELPER_FONT,
        align=RIGHT,
        number_format=SCORE,
    )


def _names(ws: Worksheet, lay: ProjectLayout) -> None:
    fund_last = FUND_FIRST + len(FUND_LABELS) - 1
    names = {
        "xp_form": f"A1:I{lay.footer_row}",
        "xp_title": "A1",
        "xp_project_name": "C2",
        "xp_department": "C3",
        "xp_implementer": "G3",
        "xp_funds": f"D{FUND_FIRST}:I{fund_last}",
        "xp_goal_expected": f"B{GOAL_ROW}",
        "xp_goal_actual": f"F{GOAL_ROW}",
        "xp_indicators": f"B{IND_FIRST}:I{lay.ind_last}",
        "xp_total_weight": f"G{lay.total_row}",
        "xp_total_score": f"H{lay.total_row}",
        "xp_grade": f"G{lay.grade_row}",
    }
    for block in lay.blocks:
        names[f"xp_{block.kind}"] = f"B{block.first}:I{block.last}"
    for i, (name, _label) in enumerate(HELPERS):
        names[name] = f"L{HELPER_FIRST + i}"
    for name, ref in names.items():
        define_local(ws, name, ref)


def helper_address(name: str) -> str:
    """The fixed address of a helper figure (the 汇总表 pulls it with INDIRECT)."""
    return f"L{HELPER_FIRST + [n for n, _ in HELPERS].index(name)}"


def _validations(ws: Worksheet, lay: ProjectLayout) -> None:
    def add(dv: DataValidation, ref: str, message: str) -> None:
        dv.showErrorMessage = True
        dv.errorTitle = "输入有误"
        dv.error = message
        ws.add_data_validation(dv)
        dv.add(ref)

    fund_last = FUND_FIRST + len(FUND_LABELS) - 1
    amounts = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    add(amounts, f"D{FUND_FIRST}:F{fund_last}", "金额（万元）应为不小于 0 的数字")
    points = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
    )
    add(points, f"G{IND_FIRST}:H{lay.ind_last}", "分值、得分应为 0–100 之间的数字")
    for block in lay.blocks:
        names = ",".join(name for name, _, _ in block.level2)
        if block.kind == "satisfaction":
            names += "," + LEVEL1_NAMES["satisfaction"]
        dv = DataValidation(type="list", formula1=f'"{names}"', allow_blank=True)
        add(
            dv,
            f"C{block.first}:C{block.last}",
            f"{block.level1}的二级指标应为：{names.replace(',', '、')}",
        )


def check_formats(lay: ProjectLayout | None = None) -> list[CheckFormat]:
    """The conditional formats of a project sheet, each named by the check code it shows."""
    lay = lay or project_layout()
    f0, fl = FUND_FIRST, FUND_FIRST + len(FUND_LABELS) - 1
    i0, il, t = IND_FIRST, lay.ind_last, lay.total_row
    blank = 'OR(LEN(TRIM({c}))=0,{c}="—",{c}="——",{c}="-",{c}="--",{c}="/",{c}="无")'
    out = [
        CheckFormat(
            "XP103",
            f"F{f0}:F{fl}",
            f"AND(ISNUMBER(F{f0}),ISNUMBER(E{f0}),N(F{f0})>N(E{f0})+xr_tol_amount)",
        ),
        CheckFormat(
            "XP104",
            f"D{f0}:F{f0}",
            f"AND(COUNT(D{f0 + 1}:D{fl})>0,ABS(N(D{f0})-SUM(D{f0 + 1}:D{fl}))>xr_tol_amount+xr_eps)",
        ),
        CheckFormat(
            "XP201",
            f"I{f0}",
            f"AND(ISNUMBER(I{f0}),OR(N(I{f0})<0,AND(ISNUMBER(G{f0}),N(I{f0})>N(G{f0})+xr_eps)))",
        ),
        CheckFormat(
            "XP201",
            f"H{i0}:H{il}",
            f"AND(ISNUMBER(H{i0}),OR(N(H{i0})<0,AND(ISNUMBER(G{i0}),N(H{i0})>N(G{i0})+xr_eps)))",
        ),
        CheckFormat("XP202", f"G{t}", f"AND(ISNUMBER(G{t}),ABS(N(G{t})-xr_total_weight)>xr_eps)"),
        CheckFormat(
            "XP206",
            f"E{i0}:H{il}",
            f"AND(NOT({blank.format(c=f'$D{i0}')}),{blank.format(c=f'E{i0}')})",
        ),
        CheckFormat(
            "XP207",
            f"I{i0}:I{il}",
            f"AND(ISNUMBER(H{i0}),ISNUMBER(G{i0}),N(H{i0})<N(G{i0})-xr_eps,{blank.format(c=f'I{i0}')})",
        ),
    ]
    for block in lay.blocks:
        rows = block_rows("D", block, lay, to_col="I")
        weight = f"INDEX(xr_level1_weight,{block.index})"
        out.append(
            CheckFormat(
                "XP203",
                f"B{block.first}",
                f"AND(COUNTA({rows})>0,ISNUMBER({weight}),ABS(SUM({block_rows('G', block, lay)})-{weight})>xr_eps)",
            )
        )
    return out
