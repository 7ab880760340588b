"""The 参数 sheet: the active rule set written into a workbook, read back by its labels.

The templates' formulas read the rule set through the workbook-scoped names below, and the Python
engine reads the same cells with :func:`read_rules_sheet`, so a province that changes a rule on the
sheet changes both at once.

=========================  ==============================================================
``xr_rule_name``           规则名称
``xr_year``                评价年度 (the forms' titles show it)
``xr_total_weight``        分值合计 (100)
``xr_rate_weight``         预算执行率分值 (10; the forms' 年度资金总额 分值)
``xr_rate_mode``           执行率计分方式: 按比例 (min(执行率, 封顶) × 分值) or 按档次
``xr_rate_cap``            执行率封顶 (100%)
``xr_score_places``        得分保留小数位数 (2)
``xr_less_better``         越小越好的二级指标 (成本)
``xr_tol_amount``          金额容差（万元）
``xr_tol_score``           得分容差
``xr_tol_rate_max``        执行率容差上限
``xr_eps``                 比较精度
``xr_level1_name``         一级指标 names (产出指标 / 效益指标 / 满意度指标), 3 rows
``xr_level1_weight``       their 分值 (50 / 30 / 10), shown in the forms' 一级指标 labels
``xr_rate_tier_min``       执行率档次: 执行率不低于 (fractions), for 按档次
``xr_rate_tier_fraction``  执行率档次: 得分比例
``xr_qual_label``          定性指标档次 names
``xr_qual_low``            their lowest score as a fraction of 分值
``xr_qual_high``           their highest
``xr_grade_name``          等次 names
``xr_grade_min``           their lowest 总分
``xr_alias_from``          等次写法 (优秀, 良好…)
``xr_alias_to``            the 等次 each stands for
=========================  ==============================================================

年度, 预算执行率分值 and the 一级指标 分值 drive the templates' formulas only; the rule set
(:class:`xlperf.rules.RuleSet`) has no field for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.reader.grid import Grid, address
from xlperf.rules import GradeBand, QualitativeTier, RateTier, RuleSet, Tolerance
from xlperf.values import NotANumber, clean_text, fold, label_key, parse_number

SHEET_TITLE = "评分规则参数"
RATE_MODES = {"按比例": "proportional", "按档次": "tiers"}
RATE_MODE_LABELS = {v: k for k, v in RATE_MODES.items()}

# Label -> (row, name, number format) of the single values; column A holds labels, B values.
SINGLE: tuple[tuple[str, str, str, str | None], ...] = (
    ("规则名称", "xr_rule_name", "name", "@"),
    ("评价年度", "xr_year", "year", "0"),
    ("分值合计", "xr_total_weight", "total_weight", "General"),
    ("预算执行率分值", "xr_rate_weight", "rate_weight", "General"),
    ("执行率计分方式", "xr_rate_mode", "rate_scoring", "@"),
    ("执行率封顶", "xr_rate_cap", "rate_cap", "0%"),
    ("得分保留小数位数", "xr_score_places", "score_places", "0"),
    ("越小越好的二级指标", "xr_less_better", "less_is_better_level2", "@"),
    ("金额容差（万元）", "xr_tol_amount", "tol_amount", "0.000"),
    ("得分容差", "xr_tol_score", "tol_score", "0.000"),
    ("执行率容差上限", "xr_tol_rate_max", "tol_rate_max", "0.00%"),
    ("比较精度", "xr_eps", "tol_epsilon", "0E+00"),
)
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


# Tables: (caption row label in column A, column labels, names per column, slots, formats).
@dataclass(frozen=True)
class Table:
    key: str
    headers: tuple[str, ...]
    names: tuple[str, ...]
    slots: int
    formats: tuple[str, ...]
    note: str = ""


LEVEL1 = Table(
    "一级指标",
    ("一级指标", "分值"),
    ("xr_level1_name", "xr_level1_weight"),
    3,
    ("@", "General"),
    "各项目表一级指标标签“产出指标（50分）”取此表",
)
RATE_TIERS = Table(
    "执行率不低于",
    ("执行率不低于", "得分比例"),
    ("xr_rate_tier_min", "xr_rate_tier_fraction"),
    6,
    ("0.00%", "0.00%"),
    "执行率计分方式为“按档次”时使用：执行率达到某档即得该档比例 × 分值",
)
QUALITATIVE = Table(
    "定性指标档次",
    ("定性指标档次", "得分下限（占分值）", "得分上限（占分值）"),
    ("xr_qual_label", "xr_qual_low", "xr_qual_high"),
    5,
    ("@", "0%", "0%"),
    "定性指标按档次评分，得分应在分值 × 下限与分值 × 上限之间",
)
GRADES = Table(
    "等次",
    ("等次", "最低分"),
    ("xr_grade_name", "xr_grade_min"),
    6,
    ("@", "General"),
    "总分不低于某等次最低分即为该等次",
)
ALIASES = Table(
    "等次写法",
    ("等次写法", "视同为"),
    ("xr_alias_from", "xr_alias_to"),
    10,
    ("@", "@"),
    "表中等次写作左列时视同右列",
)
TABLES = (LEVEL1, RATE_TIERS, QUALITATIVE, GRADES, ALIASES)

FIRST_SINGLE_ROW = 4
DEFAULT_LEVEL1_WEIGHTS: tuple[tuple[str, Decimal], ...] = (
    ("产出指标", Decimal(50)),
    ("效益指标", Decimal(30)),
    ("满意度指标", Decimal(10)),
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
    """Where write_rules_sheet put things (1-based rows), for styling and validation."""

    single_rows: dict[str, int] = field(default_factory=dict)  # name -> row
    table_rows: dict[str, tuple[int, int, int]] = field(
        default_factory=dict
    )  # key -> header, first, last
    last_row: int = 0


NAMES: tuple[str, ...] = tuple(s[1] for s in SINGLE) + tuple(n for t in TABLES for n in t.names)


class RulesSheetError(ValueError):
    """A 参数 sheet value that cannot be read; names the sheet and cell."""

    def __init__(self, sheet: str, cell: str, message: str):
        self.sheet, self.cell, self.message = sheet, cell, message
        super().__init__(f"{sheet}!{cell}: {message}")


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


def write_rules_sheet(
    ws: Worksheet, rules: RuleSet, settings: SheetSettings | None = None
) -> SheetLayout:
    """Write the rule set (and the templates' settings) onto an empty sheet, with the xr_* names.

    Values only, plus the input validations; the templates add fonts, borders and protection.
    """
    from xlperf.templates.names import define_global

    settings = settings or SheetSettings()
    layout = SheetLayout()
    wb = ws.parent
    ws["A1"] = SHEET_TITLE
    ws["A2"] = (
        "本表为当前适用的评分规则。工作簿中的公式与 xlperf 检查工具读取同一组数值，修改后各表自动按新规则计算。"
    )
    row = FIRST_SINGLE_ROW
    values = _single_values(rules, settings)
    for label, name, _field, fmt in SINGLE:
        if name == "xr_tol_amount":
            ws.cell(row, 1, "容差（检查工具比较数值时使用）")
            layout.single_rows["tolerance_caption"] = row
            row += 1
        ws.cell(row, 1, label)
        cell = ws.cell(row, 2, values[name])
        cell.number_format = fmt or "General"
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
    layout.last_row = row - 1
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


# ---------------------------------------------------------------------------------------------
# Reading


def _labels(grid: Grid) -> dict[str, tuple[int, int]]:
    """Folded label -> (row, col) of its first cell, in one pass over the grid."""
    index: dict[str, tuple[int, int]] = {}
    for r in range(grid.n_rows):
        for c, v in grid.row_cells(r):
            if isinstance(v, str):
                index.setdefault(label_key(v), (r, c))
    return index


PRESET_LABEL = "规则预设"  # a preset's name (xlperf rules list): the conventions it accepts
KNOWN_LABELS = (
    frozenset(fold(s[0]) for s in SINGLE)
    | frozenset(fold(t.headers[0]) for t in TABLES)
    | {fold(PRESET_LABEL)}
)


def _value_right(grid: Grid, r: int, c: int) -> tuple[Any, int]:
    for cc in range(grid.col_span(r, c)[-1] + 1, min(grid.n_cols, c + 4)):
        if not grid.is_covered(r, cc):
            return grid.get(r, cc), cc
    return None, c + 1


class _Reader:
    def __init__(self, grid: Grid, labels: dict[str, tuple[int, int]] | None = None):
        self.grid = grid
        self.labels = labels if labels is not None else _labels(grid)

    def find(self, label: str) -> tuple[int, int] | None:
        return self.labels.get(fold(label))

    def col(self, table: Table, i: int) -> int:
        found = self.find(table.headers[0])
        assert found is not None
        return found[1] + i

    def decimal(self, r: int, c: int, what: str, *, rate: bool = False) -> Decimal | None:
        raw = self.grid.get(r, c)
        try:
            parsed = parse_number(raw, self.grid.fmt(r, c))
        except NotANumber:
            raise RulesSheetError(
                self.grid.sheet, address(r, c), f"{what}应为数字，实际为“{raw}”"
            ) from None
        if parsed is None:
            return None
        value = parsed.value
        if rate and not parsed.percent and value > 2:
            value = value / 100  # "95" typed without % in a rate column: percentage points
        return value

    def single(self, label: str, what: str | None = None, *, rate: bool = False) -> Decimal | None:
        found = self.find(label)
        if found is None:
            return None
        raw, c = _value_right(self.grid, *found)
        if raw is None:
            return None
        return self.decimal(found[0], c, what or label, rate=rate)

    def text(self, label: str) -> str | None:
        found = self.find(label)
        if found is None:
            return None
        raw, _ = _value_right(self.grid, *found)
        return clean_text(raw)

    def table(self, table: Table) -> list[tuple[int, list[Any]]] | None:
        """The filled rows (0-based row, raw values) under the table's header, blank rows skipped,
        up to the next label of the sheet (the formulas read every slot, so must the engine)."""
        found = self.find(table.headers[0])
        if found is None:
            return None
        r0, c0 = found
        out = []
        for r in range(r0 + 1, self.grid.n_rows):
            if self.grid.key(r, c0) in KNOWN_LABELS:
                break
            raw = [self.grid.get(r, c0 + i) for i in range(len(table.headers))]
            if any(clean_text(v) is not None for v in raw):
                out.append((r, raw))
        return out


IDENTIFYING_LABELS = (fold("执行率计分方式"), fold(GRADES.headers[1]))


def is_rules_sheet(grid: Grid) -> bool:
    labels = _labels(grid)
    return all(key in labels for key in IDENTIFYING_LABELS)


def read_rules_sheet(grid: Grid) -> RuleSet | None:
    """The rule set a 参数 sheet states (labels anywhere), None when the grid is no 参数 sheet.

    Values left empty keep the national defaults; a value that is not a number raises
    :class:`RulesSheetError` naming its cell.
    """
    labels = _labels(grid)
    if not all(key in labels for key in IDENTIFYING_LABELS):
        return None
    rd = _Reader(grid, labels)
    data: dict[str, Any] = {}
    name = rd.text("规则名称")
    if name:
        data["name"] = name
    named = rd.text(PRESET_LABEL)
    if named:
        from xlperf.presets import PresetError, preset

        try:
            chosen = preset(named).rules
        except PresetError as exc:
            r, c = rd.find(PRESET_LABEL) or (0, 0)
            raise RulesSheetError(grid.sheet, address(r, c + 1), str(exc)) from None
        data["conventions"] = chosen.conventions
        data["preset"] = chosen.preset
    for label, key in (("分值合计", "total_weight"), ("得分保留小数位数", "score_places")):
        value = rd.single(label)
        if value is not None:
            data[key] = int(value) if key == "score_places" else value
    mode = rd.text("执行率计分方式")
    if mode:
        folded = fold(mode)
        if folded not in RATE_MODES and folded not in RATE_MODES.values():
            r, c = rd.find("执行率计分方式") or (0, 0)
            raise RulesSheetError(
                grid.sheet,
                address(r, c + 1),
                f"执行率计分方式应为“按比例”或“按档次”，实际为“{mode}”",
            )
        data["rate_scoring"] = RATE_MODES.get(folded, folded)
    cap = rd.single("执行率封顶", rate=True)
    if cap is not None:
        data["rate_cap"] = cap
    less = rd.text("越小越好的二级指标")
    if less:
        data["less_is_better_level2"] = [
            w for w in fold(less).replace(",", "、").replace("，", "、").split("、") if w
        ]
    tolerance: dict[str, Decimal] = {}
    for label, key, rate in (
        ("金额容差（万元）", "amount", False),
        ("得分容差", "score", False),
        ("执行率容差上限", "rate_max", True),
        ("比较精度", "epsilon", False),
    ):
        value = rd.single(label, rate=rate)
        if value is not None:
            tolerance[key] = value
    if tolerance:
        data["tolerance"] = Tolerance(**tolerance)
    tiers = rd.table(RATE_TIERS)
    if tiers is not None:
        data["rate_tiers"] = [
            RateTier(
                min_rate=rd.decimal(r, rd.col(RATE_TIERS, 0), "执行率档次", rate=True)
                or Decimal(0),
                fraction=rd.decimal(r, rd.col(RATE_TIERS, 1), "得分比例", rate=True) or Decimal(0),
            )
            for r, _ in tiers
        ]
    qualitative = rd.table(QUALITATIVE)
    if qualitative:
        data["qualitative_tiers"] = [
            QualitativeTier(
                label=clean_text(raw[0]) or "",
                low=rd.decimal(r, rd.col(QUALITATIVE, 1), "得分下限", rate=True) or Decimal(0),
                high=rd.decimal(r, rd.col(QUALITATIVE, 2), "得分上限", rate=True) or Decimal(1),
            )
            for r, raw in qualitative
        ]
    grades = rd.table(GRADES)
    if grades:
        data["grade_bands"] = [
            GradeBand(
                grade=fold(clean_text(raw[0]) or ""),
                min_score=rd.decimal(r, rd.col(GRADES, 1), "最低分") or Decimal(0),
            )
            for r, raw in grades
        ]
    aliases = rd.table(ALIASES)
    if aliases is not None:
        data["grade_aliases"] = {
            fold(clean_text(a) or ""): fold(clean_text(b) or "")
            for _, (a, b) in aliases
            if clean_text(a) and clean_text(b)
        }
    return RuleSet(**data)


def read_sheet_settings(grid: Grid) -> SheetSettings:
    """The templates' own settings on a 参数 sheet (年度, 预算执行率分值, 一级指标分值)."""
    rd = _Reader(grid)
    year = rd.single("评价年度")
    rate_weight = rd.single("预算执行率分值")
    level1 = rd.table(LEVEL1) or []
    weights = tuple(
        (
            fold(clean_text(raw[0]) or ""),
            rd.decimal(r, rd.col(LEVEL1, 1), "一级指标分值") or Decimal(0),
        )
        for r, raw in level1
    )
    return SheetSettings(
        year=int(year) if year is not None else None,
        rate_weight=rate_weight if rate_weight is not None else DEFAULT_RATE_WEIGHT,
        level1_weights=weights or DEFAULT_LEVEL1_WEIGHTS,
    )
