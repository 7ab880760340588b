"""Build the template workbooks, byte for byte the same on every run."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl import Workbook

from xlperf.rules import DEFAULT_RULES, RuleSet
from xlperf.templates.department_sheet import add_department_sheet
from xlperf.templates.guide_sheet import add_guide_sheet
from xlperf.templates.params_sheet import SheetSettings, add_params_sheet, hint_params
from xlperf.templates.project_sheet import add_project_sheet
from xlperf.templates.summary_sheet import add_summary_sheet
from xlperf.vocabulary.sheets import (
    DEPARTMENT_PROJECT_SHEET,
    DEPARTMENT_SHEET,
    PROJECT_SHEET,
    SUMMARY_SHEET,
)

FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)
ZIP_TIME = (2024, 1, 1, 0, 0, 0)

PROJECT_FILE = "项目支出绩效自评表.xlsx"
SUMMARY_FILE = "部门（单位）项目支出自评汇总表.xlsx"
DEPARTMENT_FILE = "部门项目支出绩效自评工作簿.xlsx"
OVERALL_FILE = "部门整体支出绩效自评表.xlsx"


def _new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "xlperf"
    wb.properties.lastModifiedBy = "xlperf"
    wb.properties.title = "预算绩效自评表样"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def project_workbook(
    rules: RuleSet = DEFAULT_RULES, settings: SheetSettings | None = None
) -> Workbook:
    """项目支出绩效自评表 (one project) with its 参数 sheet."""
    wb = _new_workbook()
    hint_params(add_project_sheet(wb, PROJECT_SHEET))
    add_params_sheet(wb, rules, settings)
    return wb


def summary_workbook(
    rules: RuleSet = DEFAULT_RULES, settings: SheetSettings | None = None
) -> Workbook:
    """部门（单位）项目支出自评汇总表, typed in, with its 参数 sheet."""
    wb = _new_workbook()
    hint_params(add_summary_sheet(wb, SUMMARY_SHEET, linked=False))
    add_params_sheet(wb, rules, settings)
    return wb


def department_workbook(
    rules: RuleSet = DEFAULT_RULES,
    settings: SheetSettings | None = None,
    project_sheets: Sequence[str] = (DEPARTMENT_PROJECT_SHEET,),
) -> Workbook:
    """填表说明, 汇总表 (linked), a project sheet to copy per project, 参数 (hidden: the
    填表说明 says how to show it).

    ``project_sheets`` names the project sheets (the template has one; more stand for the copies
    an accountant makes in Excel, names, validations and conditional formats included).
    """
    wb = _new_workbook()
    add_guide_sheet(wb)
    add_summary_sheet(wb, SUMMARY_SHEET, linked=True, first_sheet=project_sheets[0])
    for title in project_sheets:
        add_project_sheet(wb, title)
    add_params_sheet(wb, rules, settings)
    wb.active = 1
    return wb


def overall_workbook(
    rules: RuleSet = DEFAULT_RULES, settings: SheetSettings | None = None
) -> Workbook:
    """部门整体支出绩效自评表 (投入/过程/产出/效益), the units' 收支情况 tables, 参数."""
    from xlperf.templates.money_sheet import add_money_sheet

    wb = _new_workbook()
    hint_params(add_department_sheet(wb, DEPARTMENT_SHEET))
    add_money_sheet(wb)
    add_params_sheet(wb, rules, settings)
    return wb


TEMPLATES: dict[str, Callable[..., Workbook]] = {
    PROJECT_FILE: project_workbook,
    SUMMARY_FILE: summary_workbook,
    DEPARTMENT_FILE: department_workbook,
    OVERALL_FILE: overall_workbook,
}

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def save_reproducibly(wb: Workbook, path: Path) -> Path:
    """Save with fixed timestamps (docProps and zip entries) so equal content gives equal bytes."""
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            out.writestr(fixed, data)
    return path


def build_templates(out_dir: Path) -> list[Path]:
    """Write every template workbook into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [save_reproducibly(make(), out_dir / name) for name, make in TEMPLATES.items()]
