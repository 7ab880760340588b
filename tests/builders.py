"""Build project forms and 汇总表 in layouts of the tests' own, to read them back.

A layout differs from the fixtures' in the ways real forms do: forms stacked on one sheet,
三级指标 spanning two merged columns, no merged cells at all, a shifted first column, spacer
rows, 一级/二级 written on every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True)
class Layout:
    merged: bool = True
    name_columns: int = 1
    first_col: int = 1  # 1-based column of the left-most label
    level_every_row: bool = False
    spacer_rows: bool = False


def clean_project(
    name: str = "示范项目", budget: float = 50, executed: float = 45
) -> dict[str, Any]:
    """A correctly filled form: weights add to 100, every score follows the rules."""
    rate = executed / budget
    indicators = [
        ("产出指标", 50, "数量指标", "培训人数", "≥100人", "120人", 20, 20, None),
        (
            "产出指标",
            50,
            "质量指标",
            "合格率",
            "≥95%",
            "90%",
            15,
            14.21,
            "部分学员未参加考试，下年加强组织",
        ),
        ("产出指标", 50, "时效指标", "完成时间", "12月31日前", "12月20日前", 5, 5, None),
        ("产出指标", 50, "成本指标", "人均成本", "≤500元/人", "450元/人", 10, 10, None),
        (
            "效益指标",
            30,
            "社会效益指标",
            "就业能力",
            "提高",
            "提高",
            30,
            27,
            "个别学员就业不稳定，加强跟踪",
        ),
        ("满意度指标", 10, "服务对象满意度指标", "学员满意度", "≥90%", "95%", 10, 10, None),
    ]
    rate_score = round(min(rate, 1) * 10, 2)
    total = rate_score + sum(i[7] for i in indicators)
    return {
        "project_name": name,
        "department": "某县人力资源和社会保障局",
        "implementer": "某县就业服务中心",
        "year": 2024,
        "funds": {
            "total": [budget, budget, executed, 10, round(rate, 4), rate_score],
            "current_appropriation": [budget, budget, executed, None, round(rate, 4), None],
            "carryover": [None] * 6,
            "other": [None] * 6,
        },
        "goal_expected": "完成年度培训任务",
        "goal_actual": "已完成",
        "indicators": indicators,
        "total_weight": 100,
        "total_score": round(total, 2),
    }


def write_project(ws: Worksheet, top: int, data: dict[str, Any], layout: Layout = Layout()) -> int:
    """Write one project form with its top-left at row ``top``; returns the next free row."""
    c0 = layout.first_col
    n = layout.name_columns
    # Columns: level1, level2, name (n columns), target, actual, weight, score, note
    col = {
        "level1": c0,
        "level2": c0 + 1,
        "name": c0 + 2,
        "target": c0 + 2 + n,
        "actual": c0 + 3 + n,
        "weight": c0 + 4 + n,
        "score": c0 + 5 + n,
        "note": c0 + 6 + n,
    }
    last_col = col["note"]

    def put(
        row: int, column: int, value: Any, to_col: int | None = None, to_row: int | None = None
    ) -> None:
        ws.cell(row, column, value)
        if layout.merged and ((to_col and to_col > column) or (to_row and to_row > row)):
            ws.merge_cells(
                start_row=row,
                start_column=column,
                end_row=to_row or row,
                end_column=to_col or column,
            )

    r = top
    put(r, c0, f"项目支出绩效自评表（{data['year']}年度）", last_col)
    r += 1
    if layout.spacer_rows:
        r += 1
    put(r, c0, "项目名称")
    put(r, c0 + 1, data["project_name"], last_col)
    r += 1
    put(r, c0, "主管部门")
    put(r, c0 + 1, data["department"], c0 + 3)
    put(r, c0 + 4, "实施单位")
    put(r, c0 + 5, data["implementer"], last_col)
    r += 1
    money_header = r
    put(r, c0, "项目资金（万元）", c0 + 1)
    headers = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    for i, h in enumerate(headers):
        put(r, c0 + 2 + i, h)
    labels = {
        "total": "年度资金总额",
        "current_appropriation": "其中：当年财政拨款",
        "carryover": "上年结转资金",
        "other": "其他资金",
    }
    for key, label in labels.items():
        r += 1
        put(r, c0 + 1, label)
        for i, value in enumerate(data["funds"][key]):
            dash = value is None and i in (3, 5) and key != "total"
            cell = ws.cell(r, c0 + 2 + i, "—" if dash else value)
            if i == 4 and value is not None:
                cell.number_format = "0.00%"
    if layout.merged:
        ws.merge_cells(start_row=money_header, start_column=c0, end_row=r, end_column=c0)
    r += 1
    put(r, c0, "年度总体目标")
    put(r, c0 + 1, "预期目标", c0 + 4)
    put(r, c0 + 5, "实际完成情况", last_col)
    r += 1
    put(r, c0 + 1, data["goal_expected"], c0 + 4)
    put(r, c0 + 5, data["goal_actual"], last_col)
    r += 1
    if layout.spacer_rows:
        r += 1
    for key, h in (
        ("level1", "一级指标"),
        ("level2", "二级指标"),
        ("name", "三级指标"),
        ("target", "年度指标值"),
        ("actual", "实际完成值"),
        ("weight", "分值"),
        ("score", "得分"),
        ("note", "偏差原因分析及改进措施"),
    ):
        put(r, col[key], h, col[key] + n - 1 if key == "name" else None)
    groups: list[tuple[str, int, int]] = []
    for ind in data["indicators"]:
        level1, declared, level2, name, target, actual, weight, score, note = ind
        r += 1
        label1 = f"{level1}（{declared}分）" if declared is not None else level1
        if layout.level_every_row or not groups or groups[-1][0] != label1:
            ws.cell(r, col["level1"], label1)
        if not groups or groups[-1][0] != label1:
            groups.append((label1, r, r))
        else:
            groups[-1] = (label1, groups[-1][1], r)
        prev2 = ws.cell(r - 1, col["level2"]).value
        if layout.level_every_row or prev2 != level2 or groups[-1][1] == r:
            ws.cell(r, col["level2"], level2)
        put(r, col["name"], name, col["name"] + n - 1)
        for key, value in (
            ("target", target),
            ("actual", actual),
            ("weight", weight),
            ("score", score),
            ("note", note),
        ):
            ws.cell(r, col[key], value)
    if layout.merged and not layout.level_every_row:
        for _, start, end in groups:
            if end > start:
                ws.merge_cells(
                    start_row=start,
                    start_column=col["level1"],
                    end_row=end,
                    end_column=col["level1"],
                )
    r += 1
    put(r, c0, "总分", col["target"])
    ws.cell(r, col["weight"], data["total_weight"])
    ws.cell(r, col["score"], data["total_score"])
    for c in range(c0, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
    return r + 2 if layout.spacer_rows else r + 1


def write_summary(
    ws: Worksheet, top: int, unit: str, rows: list[list[Any]], total: bool = True
) -> int:
    """A 汇总表: rows of [name, budget, executed, rate, output, benefit, satisfaction, score, reason]."""
    ws.cell(top, 1, "部门（单位）项目支出自评汇总表")
    ws.cell(top + 1, 1, "部门（单位）名称")
    ws.cell(top + 1, 3, unit)
    ws.cell(top + 1, 7, "汇总时间")
    ws.cell(top + 1, 8, "2025年3月1日")
    headers = [
        "序号",
        "项目名称",
        "全年预算数",
        "执行数",
        "执行率",
        "产出指标得分率",
        "效益指标得分率",
        "满意度指标得分率",
        "自评得分",
        "偏差原因",
    ]
    for i, h in enumerate(headers):
        ws.cell(top + 2, 1 + i, h)
    r = top + 3
    for seq, row in enumerate(rows, 1):
        ws.cell(r, 1, seq)
        for i, value in enumerate(row):
            cell = ws.cell(r, 2 + i, value)
            if i in (3, 4, 5, 6):
                cell.number_format = "0.00%"
        r += 1
    if total:
        ws.cell(r, 2, "合计")
        ws.cell(r, 3, round(sum(x[1] for x in rows), 2))
        ws.cell(r, 4, round(sum(x[2] for x in rows), 2))
        r += 1
    return r + 1
