"""Defined names of the templates: code finds every region by name, never by address.

Project form sheets carry sheet-scoped names (a copied sheet keeps its own set):

=======================  =================================================================
``xp_form``              the whole form as printed (title to footer)
``xp_title``             标题 项目支出绩效自评表（____年度）(formula over ``xr_year``)
``xp_project_name``      项目名称 (input)
``xp_department``        主管部门 (input)
``xp_implementer``       实施单位 (input)
``xp_funds``             4 × 6 block: rows 年度资金总额 / 当年财政拨款 / 上年结转资金 / 其他资金,
                         columns 年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分
``xp_goal_expected``     年度总体目标 · 预期目标 (input)
``xp_goal_actual``       年度总体目标 · 实际完成情况 (input)
``xp_indicators``        indicator rows × 8 columns: 一级 / 二级 / 三级指标 / 年度指标值 /
                         实际完成值 / 分值 / 得分 / 偏差原因分析及改进措施
``xp_output``            the 产出指标 rows of ``xp_indicators`` (same 8 columns)
``xp_benefit``           the 效益指标 rows
``xp_satisfaction``      the 满意度指标 rows
``xp_total_weight``      总分 row · 分值合计 (formula)
``xp_total_score``       总分 row · 得分 = 总分 (formula)
``xp_grade``             等次 (formula over the ``xr_grade_*`` bands)
``xp_output_rate``       产出指标得分率 (formula; helper column, not printed)
``xp_benefit_rate``      效益指标得分率 (formula; helper column)
``xp_satisfaction_rate`` 满意度指标得分率 (formula; helper column)
``xp_score_link``        自评得分 mirrored at a fixed address for the 汇总表 (helper column)
=======================  =================================================================

汇总表 sheets carry sheet-scoped names:

=======================  =================================================================
``xs_title``             标题
``xs_unit_name``         部门（单位）名称 (input)
``xs_date``              汇总时间 (input)
``xs_header``            the column header row (序号 … 偏差原因)
``xs_total``             合计 row (formulas)
``xs_rows``              project rows × 10 columns 序号 … 偏差原因
``xs_sheet_names``       (department workbook) 对应工作表: the project sheet each row pulls from
=======================  =================================================================

The 参数 sheet carries workbook-scoped names, read by every formula: see
:data:`xlperf.vocabulary.params.NAMES`.
"""

from __future__ import annotations

from openpyxl.utils.cell import absolute_coordinate, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

PROJECT_NAMES = (
    "xp_form",
    "xp_title",
    "xp_project_name",
    "xp_department",
    "xp_implementer",
    "xp_funds",
    "xp_goal_expected",
    "xp_goal_actual",
    "xp_indicators",
    "xp_output",
    "xp_benefit",
    "xp_satisfaction",
    "xp_total_weight",
    "xp_total_score",
    "xp_grade",
    "xp_output_rate",
    "xp_benefit_rate",
    "xp_satisfaction_rate",
    "xp_score_link",
)
# What a blank copy of a project form clears: name -> (first, last) columns of the region
# (0-based, end exclusive), None for all. The rest is labels or formulas, including the
# 二级指标 names in the second column of ``xp_indicators``, which a new project keeps.
PROJECT_INPUTS: dict[str, tuple[int, int] | None] = {
    "xp_project_name": None,
    "xp_department": None,
    "xp_implementer": None,
    "xp_funds": (0, 3),
    "xp_goal_expected": None,
    "xp_goal_actual": None,
    "xp_indicators": (2, 8),
}
SUMMARY_NAMES = (
    "xs_title",
    "xs_unit_name",
    "xs_date",
    "xs_header",
    "xs_total",
    "xs_rows",
    "xs_sheet_names",
)


def reference(ws: Worksheet, ref: str) -> str:
    """``'Sheet'!$A$1:$B$2`` for a range of ``ws``."""
    return f"{quote_sheetname(ws.title)}!{absolute_coordinate(ref)}"


def define_local(ws: Worksheet, name: str, ref: str) -> None:
    """A sheet-scoped name (copied along when the accountant copies the sheet)."""
    ws.defined_names[name] = DefinedName(name, attr_text=reference(ws, ref))


def define_global(wb: Workbook, ws: Worksheet, name: str, ref: str) -> None:
    """A workbook-scoped name."""
    wb.defined_names[name] = DefinedName(name, attr_text=reference(ws, ref))
