"""The 部门整体支出绩效自评表 sheet: money block, 指标计算数据, indicator table with 评分标准.

Rates come from the 指标计算数据 figures by formula; an indicator whose 评分标准 parses to a linear,
banded, survey or deduction rule gets a plain-Excel 得分 formula (IF/MIN/MAX/ROUND) over its
评分依据 cell, others keep a typed 得分. The structure (一级/二级/三级指标, 分值, 评分标准) is a
parameter (:mod:`xlperf.templates.department_structure`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from openpyxl.formatting.rule import FormulaRule
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.criteria.model import BandsRule, DeductionRule, LinearRule, Rule, SurveyRule
from xlperf.criteria.parse.criterion import parse_criterion
from xlperf.templates.department_structure import SEED000_STRUCTURE, Level1
from xlperf.templates.names import define_local
from xlperf.templates.project_sheet import grade_formula
from xlperf.templates.styles import (
    ALERT,
    AMOUNT,
    BODY_FONT,
    HEAD_FONT,
    LABEL_FONT,
    LEFT,
    NO_BORDER,
    PAGE_HEIGHT,
    PAGE_SAFETY,
    PERCENT,
    SCORE,
    TITLE_FONT,
    TOP_LEFT,
    a4_landscape,
    fit_heights,
    fits_one_line,
    label_height,
    protect,
    put,
)
from xlperf.vocabulary.department import (
    FIGURE_HEADINGS,
    FIGURE_ROWS,
    FIGURES_LABEL,
    FORM_TITLE,
    INDICATOR_HEADINGS,
    INDICATOR_NAMES,
    MONEY_BLOCK_LABEL,
    MONEY_HEADINGS,
    MONEY_ROW_NAMES,
    canonical_indicator,
)
from xlperf.vocabulary.project import GRADE_LABEL
from xlperf.vocabulary.sheets import DEPARTMENT_SHEET
from xlperf.vocabulary.summary import SUM_LABEL, UNIT_LABEL
from xlperf.vocabulary.words import OF_WHICH

DEPARTMENT_NAMES = (
    "xd_form",
    "xd_title",
    "xd_unit_name",
    "xd_money",
    "xd_figures",
    "xd_indicators",
    "xd_total_weight",
    "xd_total_score",
    "xd_grade",
)


MONEY_LABELS = tuple(
    (OF_WHICH if key == "appropriation" else "") + name for key, name in MONEY_ROW_NAMES.items()
)
# 指标计算数据: the rows of the vocabulary, with default formulas for 分子/分母 from the money
# block (the accountant may type over them).
_FIGURE_FORMULAS = {
    INDICATOR_NAMES["budget_execution_rate"]: (
        '=IF(ISNUMBER(E4),E4,"")',
        '=IF(ISNUMBER(D4),D4,"")',
    ),
    INDICATOR_NAMES["budget_adjustment_rate"]: (
        '=IF(ISNUMBER(D4),D4,"")',
        '=IF(ISNUMBER(C4),C4,"")',
    ),
    INDICATOR_NAMES["carryover_rate"]: (None, '=IF(ISNUMBER(D4),D4,"")'),
}
FIGURES: tuple[tuple[str, str, str, bool, str | None, str | None], ...] = tuple(
    (*row, *_FIGURE_FORMULAS.get(row[0], (None, None))) for row in FIGURE_ROWS
)
TITLE_ROW, UNIT_ROW, MONEY_HEADER = 1, 2, 3
MONEY_FIRST = 4
FIG_HEADER = MONEY_FIRST + len(MONEY_LABELS)  # 9
FIG_FIRST = FIG_HEADER + 1  # 10
IND_HEADER = FIG_FIRST + len(FIGURES) + 1  # 22
IND_FIRST = IND_HEADER + 1
COLUMN_WIDTHS = {"A": 12, "B": 14, "C": 22, "D": 12, "E": 48, "F": 14, "G": 10, "H": 24}
# Printing at a fixed scale that puts the columns on A4 landscape between 0.5-inch margins
# (LibreOffice, whose columns come out widest, fits them from 72%; Excel and WPS from 90%).
PRINT_SCALE = 70
DEFAULT_HEIGHT = 15.0
CONTINUED = "（续）"


def figure_rows() -> dict[str, int]:
    """Row of each 指标计算数据 indicator, by canonical name."""
    return {canonical_indicator(f[0]) or f[0]: FIG_FIRST + i for i, f in enumerate(FIGURES)}


def score_formula(rule: Rule, x: str, weight: str | None = None) -> str | None:
    """A plain-Excel 得分 formula over the value cell ``x`` for rules that take one number.

    ``weight`` (the 分值 cell) scales linear, survey and deduction rules as the engine does when
    the 分值 is edited; bands keep the points their text states.
    """
    w = weight or _n(rule.weight)
    if isinstance(rule, LinearRule):
        core = f"{w}*MAX(0,MIN(1,({x}-({_n(rule.zero_at)}))/({_n(rule.full_at - rule.zero_at)})))"
    elif isinstance(rule, SurveyRule):
        core = f"{w}*{x}"
    elif isinstance(rule, BandsRule):
        core = '""'
        for band in reversed(rule.ordered()):
            conds = []
            if band.lower is not None:
                conds.append(f"{x}{'>=' if band.lower_inclusive else '>'}{_n(band.lower)}")
            if band.upper is not None:
                conds.append(f"{x}{'<=' if band.upper_inclusive else '<'}{_n(band.upper)}")
            cond = f"AND({','.join(conds)})" if conds else "TRUE"
            core = f"IF({cond},{_n(band.points)},{core})"
        return f'=IF(ISNUMBER({x}),IF(ISNUMBER({core}),ROUND({core},xr_score_places),""),"")'
    elif isinstance(rule, DeductionRule) and rule.per_unit and rule.baseline is not None:
        excess = (
            f"({x}-{_n(rule.baseline)})"
            if rule.direction == "above"
            else f"({_n(rule.baseline)}-{x})"
        )
        items = f"MAX(0,{excess})/{_n(rule.unit)}"
        if rule.whole_units:
            items = f"INT({items})"
        deducted = f"{items}*{_n(rule.points_per_item)}"
        if rule.cap is not None:
            deducted = f"MIN({_n(rule.cap)},{deducted})"
        core = f"MAX(0,{w}-{deducted})"
    else:
        return None
    return f'=IF(ISNUMBER({x}),ROUND({core},xr_score_places),"")'


def _n(value: Decimal) -> str:
    return "0" if value == 0 else format(value.normalize(), "f")


def add_department_sheet(
    wb: Workbook,
    title: str = DEPARTMENT_SHEET,
    structure: tuple[Level1, ...] = SEED000_STRUCTURE,
) -> Worksheet:
    ws = wb.create_sheet(title)
    put(
        ws,
        "A1:H1",
        f'="{FORM_TITLE}（"&IF(ISNUMBER(xr_year),xr_year,"      ")&"年度）"',
        font=TITLE_FONT,
        border=NO_BORDER,
    )
    ws.row_dimensions[TITLE_ROW].height = 36
    put(ws, f"A{UNIT_ROW}:B{UNIT_ROW}", UNIT_LABEL, font=LABEL_FONT)
    put(ws, f"C{UNIT_ROW}:H{UNIT_ROW}", align=LEFT, locked=False)
    _money(ws)
    _figures(ws)
    last, groups = _indicators(ws, structure)
    total, grade = last + 1, last + 2
    put(ws, f"A{total}:C{total}", SUM_LABEL, font=HEAD_FONT)
    put(ws, f"D{total}", f"=SUM(D{IND_FIRST}:D{last})", number_format="General")
    put(ws, f"E{total}:F{total}")
    scores = f"G{IND_FIRST}:G{last}"
    put(ws, f"G{total}", f'=IF(COUNT({scores})=0,"",SUM({scores}))', number_format=SCORE)
    put(ws, f"H{total}")
    put(ws, f"A{grade}:C{grade}", GRADE_LABEL, font=HEAD_FONT)
    put(ws, f"D{grade}:H{grade}", grade_formula(f"G{total}"), font=HEAD_FONT)
    _names(ws, last, total, grade)
    _guards(ws, last, total)
    for col, width in COLUMN_WIDTHS.items():
        ws.column_dimensions[col].width = width
    fit_heights(ws, set(range(IND_FIRST, last + 1)))  # after the widths it measures against
    starts = page_starts(ws, groups, last)
    _labels(ws, groups, starts)
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = f"A{UNIT_ROW + 1}"
    # A fixed scale, not "fit to one page wide": Excel ignores manual page breaks under "fit to".
    a4_landscape(ws, fit_height=0, title_rows=f"{IND_HEADER}:{IND_HEADER}")
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = PRINT_SCALE
    for row in starts:
        ws.row_breaks.append(Break(id=row - 1))  # a break below row id
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.print_area = f"A1:H{grade}"
    protect(ws)
    return ws


def _money(ws: Worksheet) -> None:
    put(ws, f"A{MONEY_HEADER}:B{MONEY_HEADER}", MONEY_BLOCK_LABEL, font=HEAD_FONT)
    for col, text in zip("CDEF", MONEY_HEADINGS.values(), strict=True):
        put(ws, f"{col}{MONEY_HEADER}", text, font=HEAD_FONT)
    for i, label in enumerate(MONEY_LABELS):
        r = MONEY_FIRST + i
        put(ws, f"A{r}:B{r}", label, font=LABEL_FONT, align=LEFT)
        for col in "CDE":
            put(ws, f"{col}{r}", number_format=AMOUNT, locked=False)
        put(
            ws,
            f"F{r}",
            f'=IF(AND(ISNUMBER(D{r}),ISNUMBER(E{r})),IF(D{r}>0,E{r}/D{r},""),"")',
            number_format=PERCENT,
        )


def _figures(ws: Worksheet) -> None:
    put(ws, f"A{FIG_HEADER}:B{FIG_HEADER}", FIGURES_LABEL, font=HEAD_FONT)
    for col, text in zip("CDEFG", FIGURE_HEADINGS, strict=True):
        put(ws, f"{col}{FIG_HEADER}", text, font=HEAD_FONT)
    for i, (name, num, den, change, num_f, den_f) in enumerate(FIGURES):
        r = FIG_FIRST + i
        put(ws, f"A{r}:B{r}", name, font=LABEL_FONT, align=LEFT)
        put(ws, f"C{r}", num, font=LABEL_FONT, align=LEFT)
        put(ws, f"D{r}", num_f, number_format=AMOUNT, locked=False)
        put(ws, f"E{r}", den, font=LABEL_FONT, align=LEFT)
        put(ws, f"F{r}", den_f, number_format=AMOUNT, locked=False)
        value = f"(D{r}-F{r})/F{r}" if change else f"D{r}/F{r}"
        put(
            ws,
            f"G{r}",
            f'=IF(AND(ISNUMBER(D{r}),ISNUMBER(F{r})),IF(F{r}<>0,{value},""),"")',
            number_format=PERCENT,
        )


def _indicators(ws: Worksheet, structure: tuple[Level1, ...]) -> tuple[int, list[Group]]:
    """The indicator rows; returns the last one and the 一级/二级 groups (labels still unwritten:
    where they merge depends on the page breaks, which depend on the rows' heights)."""
    for col, text in zip("ABCDEFGH", INDICATOR_HEADINGS, strict=True):
        put(ws, f"{col}{IND_HEADER}", text, font=HEAD_FONT)
    fig_rows = figure_rows()
    groups: list[Group] = []
    r = IND_FIRST
    for level1 in structure:
        first1 = r
        for level2 in level1.level2s:
            first2 = r
            for item in level2.items:
                rule = parse_criterion(item.criterion, item.weight, name=item.name)
                put(ws, f"C{r}", item.name, align=LEFT, locked=False)
                put(
                    ws,
                    f"D{r}",
                    int(item.weight) if item.weight == int(item.weight) else item.weight,
                    number_format="General",
                    locked=False,
                )
                put(ws, f"E{r}", item.criterion, font=LABEL_FONT, align=TOP_LEFT, locked=False)
                money = canonical_indicator(getattr(rule, "subject", None) or item.name)
                value = f"=G{fig_rows[money]}" if money in fig_rows else None
                put(ws, f"F{r}", value, number_format=PERCENT if value else "General", locked=False)
                formula = score_formula(rule, f"F{r}", f"D{r}")
                put(ws, f"G{r}", formula, number_format=SCORE, locked=formula is not None)
                put(ws, f"H{r}", align=LEFT, locked=False)
                r += 1
            groups.append(Group("B", level2.name, "", first2, r - 1))
        groups.append(Group("A", level1.name, f"（{_n(level1.weight)}分）", first1, r - 1))
    ws.row_dimensions[IND_HEADER].height = 32
    return r - 1, groups


@dataclass(frozen=True)
class Group:
    """A merged 一级 (column A) or 二级 (column B) label over rows ``first``..``last``."""

    column: str
    name: str
    weight: str  # “（40分）” after the name, or nothing
    first: int
    last: int


def _height(ws: Worksheet, r: int) -> float:
    return ws.row_dimensions[r].height or DEFAULT_HEIGHT


def page_starts(ws: Worksheet, groups: list[Group], last: int) -> list[int]:
    """Rows that start a printed page after the first: the indicator table is cut only between
    一级指标 groups; one too tall for a page, between its 二级指标; one of those too tall,
    between rows. Heights are the rows' stated ones (fixed, as every application prints them)."""
    capacity = PAGE_HEIGHT / (PRINT_SCALE / 100) * PAGE_SAFETY
    header = _height(ws, IND_HEADER)
    level1 = sorted((g for g in groups if g.column == "A"), key=lambda g: g.first)
    level2 = sorted((g for g in groups if g.column == "B"), key=lambda g: g.first)
    starts: list[int] = []
    used = sum(_height(ws, r) for r in range(1, IND_FIRST))
    placed: list[int] = []  # first row of each unit placed

    def place(first: int, last_row: int) -> None:
        nonlocal used
        size = sum(_height(ws, r) for r in range(first, last_row + 1))
        if used + size > capacity:
            # the first group, too long for what the money tables leave of page 1, takes the
            # header row along to page 2
            starts.append(first if placed else IND_HEADER)
            used = header
        used += size
        placed.append(first)

    for g1 in level1:
        size = sum(_height(ws, r) for r in range(g1.first, g1.last + 1))
        if size + header <= capacity:
            place(g1.first, g1.last)
            continue
        for g2 in (g for g in level2 if g1.first <= g.first <= g1.last):
            size = sum(_height(ws, r) for r in range(g2.first, g2.last + 1))
            if size + header <= capacity:
                place(g2.first, g2.last)
                continue
            for r in range(g2.first, g2.last + 1):
                place(r, r)
    tail = sum(_height(ws, r) for r in range(last + 1, last + 3))  # 合计 and 等次
    if used + tail > capacity and placed[-1] not in starts:
        starts.append(placed[-1])  # the last group goes over with them
    return starts


def _labels(ws: Worksheet, groups: list[Group], starts: list[int]) -> None:
    """Merge each 一级/二级 label over its rows, page by page: a label cut by a page break is
    merged again below the break, as “名称（续）”, so every printed page names its groups."""
    for g in groups:
        cuts = [s for s in starts if g.first < s <= g.last]
        bounds = [g.first, *cuts, g.last + 1]
        width = COLUMN_WIDTHS[g.column]
        for i, (top, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
            text = _label(g.name, g.weight if i == 0 else CONTINUED, width)
            kwargs = {"font": BODY_FONT} if g.column == "A" else {}
            put(ws, f"{g.column}{top}:{g.column}{end - 1}", text, locked=False, **kwargs)
            if end - 1 == top:  # a one-row label: room for it
                ws.row_dimensions[top].height = max(_height(ws, top), label_height(text, width))


def _label(name: str, tail: str, width: float) -> str:
    """“履职效能（40分）”, or with the bracket on a line of its own when the whole does not fit
    the column (a wrapped closing bracket alone on a line reads badly); the reader folds the
    line break away."""
    if not tail or fits_one_line(name + tail, width):
        return name + tail
    return f"{name}\n{tail}"


def _names(ws: Worksheet, last: int, total: int, grade: int) -> None:
    define_local(ws, "xd_form", f"A1:H{grade}")
    define_local(ws, "xd_title", "A1")
    define_local(ws, "xd_unit_name", f"C{UNIT_ROW}")
    define_local(ws, "xd_money", f"C{MONEY_FIRST}:F{FIG_HEADER - 1}")
    define_local(ws, "xd_figures", f"A{FIG_FIRST}:G{FIG_FIRST + len(FIGURES) - 1}")
    define_local(ws, "xd_indicators", f"A{IND_FIRST}:H{last}")
    define_local(ws, "xd_total_weight", f"D{total}")
    define_local(ws, "xd_total_score", f"G{total}")
    define_local(ws, "xd_grade", f"D{grade}")


def department_checks(last: int, total: int) -> list[tuple[str, str, str]]:
    """(code, sqref, formula) of the conditional formats that show checks without the add-in."""
    return [
        (
            "XD401",
            f"G{IND_FIRST}:G{last}",
            f"AND(ISNUMBER(G{IND_FIRST}),ISNUMBER(D{IND_FIRST}),OR(G{IND_FIRST}>D{IND_FIRST},G{IND_FIRST}<0))",
        ),
        ("XD402", f"D{total}", f"AND(ISNUMBER(D{total}),D{total}<>xr_total_weight)"),
    ]


def _guards(ws: Worksheet, last: int, total: int) -> None:
    for _code, sqref, formula in department_checks(last, total):
        ws.conditional_formatting.add(
            sqref, FormulaRule(formula=[formula], font=ALERT.font, fill=ALERT.fill)
        )
    amounts = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    amounts.error = "金额（万元）应为不小于 0 的数字"
    amounts.showErrorMessage = True
    ws.add_data_validation(amounts)
    amounts.add(f"C{MONEY_FIRST}:E{FIG_HEADER - 1}")
    amounts.add(f"D{FIG_FIRST}:D{FIG_FIRST + len(FIGURES) - 1}")
    amounts.add(f"F{FIG_FIRST}:F{FIG_FIRST + len(FIGURES) - 1}")
    points = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
    )
    points.error = "分值、得分应为 0–100 之间的数字"
    points.showErrorMessage = True
    ws.add_data_validation(points)
    points.add(f"D{IND_FIRST}:D{last}")
    points.add(f"G{IND_FIRST}:G{last}")
