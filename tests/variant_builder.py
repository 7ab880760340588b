"""Build a 项目支出绩效自评表 from a description of its variant (DOMAIN.md §6), correctly filled
under the convention it describes, and say at which cell each figure stands.

A :class:`Variant` names the labels a province prints, the order of its columns, the columns it
lacks or adds, whether its indicator header spans two rows, the unit of its amounts and the
scoring convention (执行率 分值, 总分 with or without the 预算执行率得分, the 一级 split).
:func:`variant_data` fills it; :func:`write_variant` writes it and returns the cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

NATIONAL_MONEY = (
    ("initial_budget", "年初预算数"),
    ("annual_budget", "全年预算数"),
    ("executed", "全年执行数"),
    ("weight", "分值"),
    ("rate", "执行率"),
    ("score", "得分"),
)
NATIONAL_PARTS = (
    ("current_appropriation", "其中：当年财政拨款", Decimal(1)),
    ("carryover", "上年结转资金", None),
    ("other", "其他资金", None),
)
NATIONAL_INDICATORS = (
    ("level1", "一级指标"),
    ("level2", "二级指标"),
    ("name", "三级指标"),
    ("target", "年度指标值"),
    ("actual", "实际完成值"),
    ("weight", "分值"),
    ("score", "得分"),
    ("note", "偏差原因分析及改进措施"),
)


@dataclass(frozen=True)
class Variant:
    """One province's way of printing the form."""

    source: str = "财政部 财预〔2020〕10号 附件 项目支出绩效自评表"
    title: str = "项目支出绩效自评表"
    total_label: str = "年度资金总额"
    parts: tuple[tuple[str, str, Decimal | None], ...] = NATIONAL_PARTS
    money: tuple[tuple[str, str], ...] = NATIONAL_MONEY
    block_label: str = "项目资金（万元）"
    unit_line: str | None = None  # e.g. "单位：元" under the title
    unit: str = "万元"
    indicators: tuple[tuple[str, str], ...] = NATIONAL_INDICATORS
    split_target: bool = False  # 年度指标值 over 指标性质 / 指标值 / 度量单位
    rate_weight: int = 10
    includes_rate: bool = True
    split: tuple[int, int, int] = (50, 30, 10)
    rate_in_satisfaction: bool = False  # a 预算执行率 indicator inside 满意度
    declare_level1: bool = True
    placeholder_rows: bool = False
    grade_row: bool = True
    percent_weights: bool = False  # 权重 typed as 20%
    targets: tuple[tuple[str, str], ...] = ()  # indicator name -> the target as this form spells it


@dataclass
class Built:
    """What was written and where: the values (``data``) and the cells (``cells``)."""

    data: dict[str, Any]
    cells: dict[str, str] = field(default_factory=dict)


def _q(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def variant_data(v: Variant, budget: str = "50", executed: str = "45") -> dict[str, Any]:
    """The figures of a correctly filled form of variant ``v`` (amounts in ``v.unit``)."""
    scale = Decimal(10000) if v.unit == "元" else Decimal(1)
    b, e = Decimal(budget) * scale, Decimal(executed) * scale
    rate = e / b
    rate_score = _q(min(rate, Decimal(1)) * v.rate_weight)
    w_out, w_ben, w_sat = (Decimal(x) for x in v.split)
    quality_w = w_out * Decimal("0.3")
    inds: list[list[Any]] = [
        [
            "产出指标",
            w_out,
            "数量指标",
            "培训人数",
            "≥100人",
            "120人",
            w_out * Decimal("0.4"),
            None,
        ],
        [
            "产出指标",
            w_out,
            "质量指标",
            "合格率",
            "≥95%",
            "90%",
            quality_w,
            "部分学员未参加考试，下年加强组织",
        ],
        [
            "产出指标",
            w_out,
            "时效指标",
            "完成时间",
            "12月31日前",
            "12月20日前",
            w_out * Decimal("0.1"),
            None,
        ],
        [
            "产出指标",
            w_out,
            "成本指标",
            "人均成本",
            "≤500元/人",
            "450元/人",
            w_out * Decimal("0.2"),
            None,
        ],
        [
            "效益指标",
            w_ben,
            "社会效益指标",
            "就业能力",
            "提高",
            "提高",
            w_ben,
            "个别学员就业不稳定，加强跟踪",
        ],
    ]
    if v.rate_in_satisfaction:
        half = w_sat / 2
        inds.append(
            ["满意度指标", w_sat, "服务对象满意度指标", "学员满意度", "≥90%", "95%", half, None]
        )
        inds.append(
            [
                "满意度指标",
                w_sat,
                "满意度指标",
                "预算执行率",
                "100%",
                f"{_pct(rate)}%",
                half,
                "年底仍有资金未支付",
            ]
        )
    else:
        inds.append(
            ["满意度指标", w_sat, "服务对象满意度指标", "学员满意度", "≥90%", "95%", w_sat, None]
        )
    inds = [i for i in inds if i[1] != 0]
    spelled = dict(v.targets)
    for ind in inds:
        ind[4] = spelled.get(ind[3], ind[4])
    rows = []
    for level1, declared, level2, name, target, actual, weight, note in inds:
        score = weight
        if name == "合格率":
            score = _q(weight * 90 / 95)
        elif name == "就业能力":
            score = _q(weight * Decimal("0.9"))
        elif name == "预算执行率":
            score = _q(weight * min(rate, Decimal(1)))
        rows.append([level1, declared, level2, name, target, actual, _norm(weight), score, note])
    ind_total = sum((r[7] for r in rows), Decimal(0))
    total = ind_total + rate_score if v.includes_rate else ind_total
    weight_total = sum((r[6] for r in rows), Decimal(0)) + (v.rate_weight if v.includes_rate else 0)
    funds: dict[str, list[Any]] = {
        "total": [b, b, e, Decimal(v.rate_weight), _q4(rate), rate_score],
    }
    for key, _label, share in v.parts:
        if share is None:
            funds[key] = [None] * 6
        else:
            pb, pe = _q(b * share), _q(e * share)
            funds[key] = [pb, pb, pe, None, _q4(pe / pb), None]
    return {
        "project_name": "示范项目",
        "department": "某县人力资源和社会保障局",
        "implementer": "某县就业服务中心",
        "year": 2024,
        "funds": funds,
        "goal_expected": "完成年度培训任务",
        "goal_actual": "已完成",
        "indicators": rows,
        "total_weight": _norm(weight_total),
        "total_score": _q(total),
        "grade": "优" if total >= 90 else "良",
    }


def _norm(x: Decimal | int) -> Decimal:
    return Decimal(x).normalize() if Decimal(x) != Decimal(x).to_integral() else Decimal(int(x))


def _q4(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _pct(rate: Decimal) -> str:
    return format((rate * 100).quantize(Decimal("0.1")).normalize(), "f")


_TARGET = re.compile(r"^(≥|≤|=|>|<)?(\d+(?:\.\d+)?)(.*)$")


def split_target(text: str) -> tuple[str | None, str, str | None]:
    """'≥95%' -> ('≥', '95', '%'); text that is no number -> ('定性', text, None)."""
    m = _TARGET.match(text)
    if not m or "月" in text:
        return ("定性" if not re.search(r"\d", text) else None), text, None
    return m.group(1), m.group(2), m.group(3) or None


def write_variant(ws: Worksheet, v: Variant, data: dict[str, Any], top: int = 1) -> Built:
    """Write the form with its title at row ``top``; returns the values and their cells."""
    built = Built(data)
    cells = built.cells
    ind_cols = _indicator_layout(v)
    last_col = max(ind_cols.values()) if ind_cols else 8
    r = top
    ws.cell(r, 1, f"{v.title}（{data['year']}年度）")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last_col)
    r += 1
    if v.unit_line:
        ws.cell(r, last_col, v.unit_line)
        cells["unit"] = ws.cell(r, last_col).coordinate
        r += 1
    ws.cell(r, 1, "项目名称")
    ws.cell(r, 2, data["project_name"])
    cells["project_name"] = ws.cell(r, 2).coordinate
    r += 1
    ws.cell(r, 1, "主管部门")
    ws.cell(r, 2, data["department"])
    ws.cell(r, 5, "实施单位")
    ws.cell(r, 6, data["implementer"])
    cells["implementer"] = ws.cell(r, 6).coordinate
    r += 1
    money_header = r
    ws.cell(r, 1, v.block_label)
    if "unit" not in cells and "（" in v.block_label:
        cells["unit"] = ws.cell(r, 1).coordinate
    money_col = {role: 3 + i for i, (role, _) in enumerate(v.money)}
    for role, label in v.money:
        ws.cell(r, money_col[role], label)
        cells[f"header.{role}"] = ws.cell(r, money_col[role]).coordinate
    rows = [("total", v.total_label)] + [(k, label) for k, label, _ in v.parts]
    order = [c[0] for c in NATIONAL_MONEY]
    for key, label in rows:
        r += 1
        ws.cell(r, 2, label)
        values = dict(zip(order, data["funds"][key], strict=True))
        values["extra"] = "执行率×该指标分值，最高不超过分值" if key == "total" else None
        for role, col in money_col.items():
            value = values[role]
            cell = ws.cell(
                r, col, _cell_value(value, key != "total" and role in ("weight", "score"))
            )
            cells[f"{key}.{role}"] = cell.coordinate
            if role == "rate" and value is not None:
                cell.number_format = "0.00%"
    ws.merge_cells(start_row=money_header, start_column=1, end_row=r, end_column=1)
    r += 1
    ws.cell(r, 1, "年度总体目标")
    ws.cell(r, 2, "预期目标")
    ws.cell(r, 6, "实际完成情况")
    r += 1
    ws.cell(r, 2, data["goal_expected"])
    ws.cell(r, 6, data["goal_actual"])
    r += 1
    r = _write_indicators(ws, v, data, ind_cols, r, cells)
    return built


def _indicator_layout(v: Variant) -> dict[str, int]:
    cols: dict[str, int] = {}
    c = 1
    for role, _ in v.indicators:
        cols[role] = c
        c += 3 if (role == "target" and v.split_target) else 1
    return cols


def _cell_value(value: Any, dash: bool) -> Any:
    if value is None:
        return "—" if dash else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    return value


def _write_indicators(
    ws: Worksheet, v: Variant, data: dict[str, Any], cols: dict[str, int], r: int, cells: dict
) -> int:
    header = r
    for role, label in v.indicators:
        c = cols[role]
        ws.cell(r, c, label)
        if role == "target" and v.split_target:
            ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + 2)
            for i, sub in enumerate(("指标性质", "指标值", "度量单位")):
                ws.cell(r + 1, c + i, sub)
        elif v.split_target:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
    r += 2 if v.split_target else 1
    groups: dict[str, tuple[int, int]] = {}
    rows = list(data["indicators"])
    if v.placeholder_rows:
        rows.insert(
            4, [rows[3][0], rows[3][1], rows[3][2], "指标5：", None, None, None, None, None]
        )
        rows.insert(6, [rows[5][0], rows[5][1], "/", "/", "/", "/", "/", "/", "/"])
    for ind in rows:
        level1, declared, level2, name, target, actual, weight, score, note = ind
        label1 = f"{level1}（{_cell_value(declared, False)}分）" if v.declare_level1 else level1
        if label1 not in groups:
            ws.cell(r, cols["level1"], label1)
            groups[label1] = (r, r)
            cells[f"ind.{name}.level1"] = ws.cell(r, cols["level1"]).coordinate
        else:
            groups[label1] = (groups[label1][0], r)
        values = {
            "level2": level2,
            "name": name,
            "target": target,
            "actual": actual,
            "weight": weight,
            "score": score,
            "note": note,
            "extra": "完成值达到指标值记满分" if name and name != "/" else None,
        }
        if v.percent_weights and isinstance(weight, Decimal):
            values["weight"] = float(weight / 100)
        for role, value in values.items():
            if role not in cols:
                continue
            c = cols[role]
            if role == "target" and v.split_target and isinstance(value, str) and value != "/":
                op, number, unit = split_target(value)
                ws.cell(r, c, op)
                ws.cell(r, c + 1, float(number) if _is_number(number) else number)
                ws.cell(r, c + 2, unit)
                cells[f"ind.{name}.target"] = ws.cell(r, c + 1).coordinate
                continue
            cell = ws.cell(r, c, _cell_value(value, False))
            if role == "weight" and v.percent_weights and value is not None:
                cell.number_format = "0%"
            cells[f"ind.{name}.{role}"] = cell.coordinate
        r += 1
    for start, end in groups.values():
        if end > start:
            ws.merge_cells(
                start_row=start, start_column=cols["level1"], end_row=end, end_column=cols["level1"]
            )
    ws.cell(r, 1, "总分")
    cells["total_label"] = ws.cell(r, 1).coordinate
    if "weight" in cols:
        ws.cell(r, cols["weight"], _cell_value(data["total_weight"], False))
        cells["total_weight"] = ws.cell(r, cols["weight"]).coordinate
    ws.cell(r, cols["score"], _cell_value(data["total_score"], False))
    cells["total_score"] = ws.cell(r, cols["score"]).coordinate
    cells["header.indicators"] = ws.cell(header, 1).coordinate
    r += 1
    if v.grade_row:
        ws.cell(r, 1, "自评等次")
        ws.cell(r, 2, data["grade"])
        cells["grade"] = ws.cell(r, 2).coordinate
        r += 1
    return r


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", text))


def variant(**changes: Any) -> Variant:
    return replace(Variant(), **changes)
