"""The 自评总结报告: content from the workbook's forms, written as .docx and as a sheet."""

from xlperf.report.blocks import ReportContent
from xlperf.report.content import build_report

__all__ = ["ReportContent", "build_report"]
