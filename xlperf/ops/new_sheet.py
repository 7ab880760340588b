"""新增项目表: a blank project form from the template, added to a workbook file or an open one.

On a file the form is generated from the template code (with the 参数 sheet its formulas need,
when the workbook has none). In an open workbook a template sheet already there is copied by
the add-in's macro, which keeps everything Excel knows about the sheet, and its input ranges,
found through the sheet's defined names, are emptied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from openpyxl.utils.cell import get_column_letter, range_boundaries

from xlperf.errors import InputError
from xlperf.ops.apply_file import apply_file
from xlperf.ops.edits import ProjectSheet, WorkbookPlan
from xlperf.ops.files import atomic_save, open_for_edit, refuse_if_open
from xlperf.templates.names import PROJECT_INPUTS

TEMPLATE_MARK = "xp_indicators"  # a sheet-scoped name only the template's project sheets carry
RULE_MARK = "xr_grade_name"  # a workbook-scoped name of the 参数 sheet the formulas read
_FORBIDDEN = set("[]:*?/\\")


def project_title(existing: Iterable[str], wanted: str | None, file: str) -> str:
    """``wanted`` if Excel accepts it as a new sheet's name, else the first free 项目N."""
    taken = {name.casefold() for name in existing}  # Excel compares sheet names without case
    if wanted is None:
        n = 1
        while f"项目{n}".casefold() in taken:
            n += 1
        return f"项目{n}"
    title = wanted.strip()
    if not title or len(title) > 31 or _FORBIDDEN & set(title) or title.startswith("'"):
        raise InputError(file, f"工作表名“{wanted}”不可用：1–31 个字符，不能含 [ ] : * ? / \\")
    if title.casefold() in taken:
        raise InputError(file, f"已有名为“{title}”的工作表")
    return title


def input_ranges(regions: Mapping[str, str]) -> list[str]:
    """The input ranges of a template project sheet, from its names' ranges (``D5:I8`` …)."""
    ranges = []
    for name, columns in PROJECT_INPUTS.items():
        ref = regions.get(name)
        if ref is None:
            continue
        if columns is None:
            ranges.append(ref)
            continue
        left, top, right, bottom = range_boundaries(ref)
        first, last = left + columns[0], min(left + columns[1] - 1, right)
        ranges.append(f"{get_column_letter(first)}{top}:{get_column_letter(last)}{bottom}")
    return ranges


def plan_new_project(
    names: list[str],
    regions: Mapping[str, Mapping[str, str]],
    workbook_names: Iterable[str],
    title: str | None,
    file: str,
) -> WorkbookPlan:
    """新增项目表 in a workbook with sheets ``names``, sheet-scoped names ``regions`` ({sheet:
    {name: range}}) and workbook-scoped names ``workbook_names``."""
    source = next((s for s in names if TEMPLATE_MARK in regions.get(s, {})), None)
    inputs = tuple(input_ranges(regions[source])) if source is not None else ()
    title = project_title(names, title, file)
    params = RULE_MARK not in set(workbook_names)
    return WorkbookPlan(project=ProjectSheet(title, source, inputs, params))


def add_project_file(path: Path, out: Path, title: str | None = None) -> str:
    """Add a blank project form to the workbook at ``path``, saved to ``out``; its sheet name."""
    wb = open_for_edit(path)
    regions = {
        ws.title: {
            n: d.attr_text.rpartition("!")[2].replace("$", "") for n, d in ws.defined_names.items()
        }
        for ws in wb
    }
    plan = plan_new_project(wb.sheetnames, regions, wb.defined_names, title, str(path))
    apply_file(wb, plan)
    refuse_if_open(out)
    atomic_save(wb, out)
    return plan.project.title
