"""The 参数 sheet of a template: the rule set written in the layout of :mod:`xlperf.vocabulary.params`,
with the xr_* names and input validations, styled and protected."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl.comments import Comment
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.rules import RuleSet
from xlperf.templates.names import define_global
from xlperf.templates.styles import (
    HEAD_FONT,
    INPUT_FILL,
    LABEL_FONT,
    LEFT,
    NO_BORDER,
    NOTE_FONT,
    TITLE_FONT,
    protect,
    put,
    style,
)
from xlperf.vocabulary.params import (
    ALIASES,
    GRADES,
    LEVEL1,
    QUALITATIVE,
    RATE_MODES,
    RATE_TIERS,
    SINGLE,
    TABLES,
)
from xlperf.vocabulary.project import LEVEL1_NAMES
from xlperf.vocabulary.sheets import PARAMS_SHEET

SHEET_TITLE = "评分规则参数"
RATE_MODE_LABELS = {v: k for k, v in RATE_MODES.items()}
SINGLE_NOTES = {
    "xr_year": "各项目表标题“（____年度）”取此值",
    "xr_total_weight": "执行率分值与全部指标分值之和应等于此数",
    "xr_rate_weight": "各项目表“年度资金总额”的分值取此值",
    "xr_rate_mode": "按比例：得分 = min(执行率, 封顶) × 分值；按档次：按下方执行率档次表",
    "xr_rate_cap": "执行率超过此值按此值计分",
    "xr_less_better": "二级指标名称含这些字的指标，完成值越小越好（多个用顿号分隔）",
    "xr_tol_amount": "金额相差不超过此数视为一致",
    "xr_tol_score": "得分相差不超过此数视为一致",
    "xr_tol_rate_max": "执行率按表中显示精度比较，但不宽于此数",
    "xr_eps": "数值比较的计算误差",
}
FIRST_SINGLE_ROW = 4
DEFAULT_LEVEL1_WEIGHTS: tuple[tuple[str, Decimal], ...] = (
    (LEVEL1_NAMES["output"], Decimal(50)),
    (LEVEL1_NAMES["benefit"], Decimal(30)),
    (LEVEL1_NAMES["satisfaction"], Decimal(10)),
)
DEFAULT_RATE_WEIGHT = Decimal(10)


@dataclass
class SheetSettings:
    """What the 参数 sheet holds besides the rule set: the templates' own settings."""

    year: int | None = None
    rate_weight: Decimal = DEFAULT_RATE_WEIGHT
    level1_weights: tuple[tuple[str, Decimal], ...] = DEFAULT_LEVEL1_WEIGHTS


@dataclass
class SheetLayout:
    """Where _write_values put things (1-based rows), for styling and validation."""

    single_rows: dict[str, int] = field(default_factory=dict)  # name -> row
    table_rows: dict[str, tuple[int, int, int]] = field(
        default_factory=dict
    )  # key -> header, first, last


# Where a form says how to reach the hidden 参数 sheet (a note on its title: shown on screen, not
# printed, and the same in Excel, WPS and LibreOffice).
HINT = (
    "评价年度、执行率计分规则、等次分界等取自“参数”表。该表已隐藏，不打印；"
    "查看或修改：右键单击任一工作表标签 → 取消隐藏 → 选“参数”。"
)


def hint_params(ws: Worksheet, cell: str = "A1") -> None:
    """Put the note saying where the hidden 参数 sheet is on ``cell`` of a form sheet."""
    note = Comment(HINT, "xlperf")
    note.width, note.height = 300, 90
    ws[cell].comment = note


def add_params_sheet(
    wb: Workbook, rules: RuleSet, settings: SheetSettings | None = None
) -> Worksheet:
    """Add the 参数 sheet: labels locked, values unlocked on a pale fill, the xr_* names defined."""
    ws = wb.create_sheet(PARAMS_SHEET)
    layout = _write_values(ws, rules, settings)
    put(ws, "A1:D1", font=TITLE_FONT, border=NO_BORDER)
    put(ws, "A2:D2", font=NOTE_FONT, align=LEFT, border=NO_BORDER)
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[2].height = 30
    caption = layout.single_rows["tolerance_caption"]
    put(ws, f"A{caption}:D{caption}", font=HEAD_FONT, align=LEFT, border=NO_BORDER)
    for _label, name, _fmt in SINGLE:
        r = layout.single_rows[name]
        style(ws, f"A{r}", font=LABEL_FONT, align=LEFT)
        if name == "xr_rule_name":
            put(ws, f"B{r}:D{r}", align=LEFT, locked=False, fill=INPUT_FILL)
            continue
        style(ws, f"B{r}", align=LEFT, locked=False, fill=INPUT_FILL)
        put(ws, f"C{r}:D{r}", font=NOTE_FONT, align=LEFT, border=NO_BORDER)
    for table in TABLES:
        header, first, last = layout.table_rows[table.key]
        width = len(table.headers)
        end = "ABCD"[width - 1]
        style(ws, f"A{header}:{end}{header}", font=HEAD_FONT)
        note = "ABCD"[width]
        if note != "D":
            put(ws, f"{note}{header}:D{header}", font=NOTE_FONT, align=LEFT, border=NO_BORDER)
        else:
            style(ws, f"D{header}", font=NOTE_FONT, align=LEFT, border=NO_BORDER)
        style(ws, f"A{first}:{end}{last}", align=LEFT, locked=False, fill=INPUT_FILL)
    for col, width in zip("ABCD", (22, 20, 22, 48), strict=True):
        ws.column_dimensions[col].width = width
    ws.sheet_view.showGridLines = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # Hidden, and without a print area: Excel and WPS print no hidden sheet, LibreOffice prints a
    # hidden sheet that has a print area. Unhidden by hand, it prints whole on one page.
    ws.sheet_state = "hidden"
    ws.freeze_panes = "A3"
    protect(ws)
    return ws


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _single_values(rules: RuleSet, settings: SheetSettings) -> dict[str, Any]:
    return {
        "xr_rule_name": rules.name,
        "xr_year": settings.year,
        "xr_total_weight": _number(rules.total_weight),
        "xr_rate_weight": _number(settings.rate_weight),
        "xr_rate_mode": RATE_MODE_LABELS[rules.rate_scoring],
        "xr_rate_cap": _number(rules.rate_cap),
        "xr_score_places": rules.score_places,
        "xr_less_better": "、".join(rules.less_is_better_level2),
        "xr_tol_amount": _number(rules.tolerance.amount),
        "xr_tol_score": _number(rules.tolerance.score),
        "xr_tol_rate_max": _number(rules.tolerance.rate_max),
        "xr_eps": _number(rules.tolerance.epsilon),
    }


def _table_values(rules: RuleSet, settings: SheetSettings) -> dict[str, list[tuple[Any, ...]]]:
    return {
        LEVEL1.key: [(n, _number(w)) for n, w in settings.level1_weights],
        RATE_TIERS.key: [(_number(t.min_rate), _number(t.fraction)) for t in rules.rate_tiers],
        QUALITATIVE.key: [
            (q.label, _number(q.low), _number(q.high)) for q in rules.qualitative_tiers
        ],
        GRADES.key: [(g.grade, _number(g.min_score)) for g in rules.grade_bands],
        ALIASES.key: list(rules.grade_aliases.items()),
    }


def _write_values(ws: Worksheet, rules: RuleSet, settings: SheetSettings | None) -> SheetLayout:
    """Write the rule set (and the templates' settings) onto an empty sheet, with the xr_* names.

    Values only, plus the input validations; the templates add fonts, borders and protection.
    """
    settings = settings or SheetSettings()
    layout = SheetLayout()
    wb = ws.parent
    ws["A1"] = SHEET_TITLE
    ws["A2"] = (
        "本表为当前适用的评分规则。工作簿中的公式与 xlperf 检查工具读取同一组数值，修改后各表自动按新规则计算。"
    )
    row = FIRST_SINGLE_ROW
    values = _single_values(rules, settings)
    for label, name, fmt in SINGLE:
        if name == "xr_tol_amount":
            ws.cell(row, 1, "容差（检查工具比较数值时使用）")
            layout.single_rows["tolerance_caption"] = row
            row += 1
        ws.cell(row, 1, label)
        cell = ws.cell(row, 2, values[name])
        cell.number_format = fmt
        if name in SINGLE_NOTES:
            ws.cell(row, 3, SINGLE_NOTES[name])
        define_global(wb, ws, name, f"B{row}")
        layout.single_rows[name] = row
        row += 1
    tables = _table_values(rules, settings)
    for table in TABLES:
        row += 1
        header = row
        for i, text in enumerate(table.headers):
            ws.cell(header, 1 + i, text)
        ws.cell(header, 1 + len(table.headers), table.note)
        first, last = header + 1, header + table.slots
        for r in range(first, last + 1):
            for i, fmt in enumerate(table.formats):
                ws.cell(r, 1 + i).number_format = fmt
        for r, entry in zip(range(first, last + 1), tables[table.key], strict=False):
            for i, value in enumerate(entry):
                ws.cell(r, 1 + i, value)
        for i, name in enumerate(table.names):
            col = "ABC"[i]
            define_global(wb, ws, name, f"{col}{first}:{col}{last}")
        layout.table_rows[table.key] = (header, first, last)
        row = last + 1
    _validations(ws, layout)
    return layout


def _validations(ws: Worksheet, layout: SheetLayout) -> None:
    def add(dv: DataValidation, ref: str) -> None:
        dv.showErrorMessage = True
        dv.errorTitle = "参数有误"
        ws.add_data_validation(dv)
        for part in ref.split():
            dv.add(part)

    rows = layout.single_rows
    mode = DataValidation(type="list", formula1='"按比例,按档次"', allow_blank=False)
    mode.error = "请选择“按比例”或“按档次”"
    add(mode, f"B{rows['xr_rate_mode']}")
    year = DataValidation(
        type="whole", operator="between", formula1="2000", formula2="2100", allow_blank=True
    )
    year.error = "请填写四位年份，如 2024"
    add(year, f"B{rows['xr_year']}")
    places = DataValidation(type="whole", operator="between", formula1="0", formula2="4")
    places.error = "请填写 0–4 之间的整数"
    add(places, f"B{rows['xr_score_places']}")
    nonneg = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    nonneg.error = "请填写不小于 0 的数"
    refs = [
        f"B{rows[n]}"
        for n in (
            "xr_total_weight",
            "xr_rate_weight",
            "xr_rate_cap",
            "xr_tol_amount",
            "xr_tol_score",
            "xr_tol_rate_max",
            "xr_eps",
        )
    ]
    for table in (LEVEL1, RATE_TIERS, QUALITATIVE, GRADES):
        _, first, last = layout.table_rows[table.key]
        refs += [
            f"{'ABC'[i]}{first}:{'ABC'[i]}{last}"
            for i, fmt in enumerate(table.formats)
            if fmt != "@"
        ]
    add(nonneg, " ".join(refs))
