"""Read every project form and 汇总表 of a workbook, whatever its layout, by labels."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from xlperf.errors import InputError
from xlperf.forms.base import Problem
from xlperf.forms.workbook import WorkbookForms
from xlperf.reader.grid import Grid
from xlperf.reader.loader import load_grids
from xlperf.reader.project import read_project_forms
from xlperf.reader.rules_sheet import rules_for
from xlperf.reader.summary import read_summaries


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Reading makes some hundred thousand objects and no reference cycles; the cycle collector,
    run as they pile up, would walk the whole workbook read so far again and again (half the
    reading time). It runs again, as before, once the workbook is read."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_grids(grids: list[Grid], path: str) -> WorkbookForms:
    """Read forms out of sheets already in memory (from a file or from live Excel)."""
    with no_cycle_collection():
        return _read_grids(grids, path)


def _read_grids(grids: list[Grid], path: str) -> WorkbookForms:
    from xlperf.reader.department import read_department_forms
    from xlperf.reader.money import read_money_tables  # they build on xlperf.reader

    book = WorkbookForms(path=path, sheets=[g.sheet for g in grids])
    for grid in grids:
        problems: list[Problem] = []
        projects = read_project_forms(grid, problems)
        taken = {r for f in projects for r in range(f.first_row - 1, f.last_row)}
        book.projects.extend(projects)
        departments = read_department_forms(grid, problems, taken)
        taken |= {r for d in departments for r in range(d.first_row - 1, d.last_row)}
        book.departments.extend(departments)
        book.summaries.extend(read_summaries(grid, problems, taken))
        book.money.extend(read_money_tables(grid, problems))
        book.problems.extend(problems)
    book.rules = rules_for(grids, path)
    return book


def read_workbook(path: Path, *, require_forms: bool = True) -> WorkbookForms:
    with no_cycle_collection():
        grids = load_grids(path)
        if not any(g.n_rows for g in grids):
            raise InputError(str(path), "工作簿为空，没有任何内容")
        book = read_grids(grids, str(path))
    return require_some_form(book) if require_forms else book


def require_some_form(book: WorkbookForms) -> WorkbookForms:
    """``book``, or an error naming its file when it holds no form of any kind."""
    if not (book.projects or book.summaries or book.departments or book.money):
        raise InputError(
            book.path,
            "未找到项目支出绩效自评表、汇总表、部门整体支出绩效自评表或收支情况表"
            "（按“年度资金总额”“项目名称”“机构名称”等标签查找）",
        )
    return book
