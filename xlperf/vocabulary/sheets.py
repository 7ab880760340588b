"""The names of the sheets xlperf writes or looks for, whatever the form kind."""

from __future__ import annotations

from xlperf.vocabulary import department, project, summary

PROJECT_SHEET = project.FORM_TITLE
SUMMARY_SHEET = summary.TITLE_WORD
DEPARTMENT_SHEET = department.FORM_TITLE
DEPARTMENT_PROJECT_SHEET = "项目1"  # the project sheet of the department workbook, to copy
MONEY_SHEET = "收支情况"
PARAMS_SHEET = "参数"
GUIDE_SHEET = "填表说明"
RESULTS_SHEET = "检查结果"
REPORT_SHEET = "自评报告"
REVIEW_SHEETS = ("概况", "问题清单", "项目一览", "按代码统计", "未审核文件")
"""The review workbook's sheets, in order."""
