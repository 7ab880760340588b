"""Find and read every 部门整体支出绩效自评表 / 评分表 on a sheet, by its content.

A table is recognised by its header's columns — at least two of 一级/二级/三级指标, a 分值 (or
权重) column, and 得分 — whatever its title, or without one; a 评分标准 column is optional.
Several 分值 columns are told apart by the level column they follow (seed 004: 一级指标 | 分值 |
二级指标 | 分值 | 三级指标 | 分值 | 指标解释 | 评价标准 | 得分). The block above the table (名称,
年度履职目标, 年度主要任务, 预算情况, a money block, 指标计算数据) is read where present
(:mod:`xlperf.reader.department_head`), the rows below by :mod:`xlperf.reader.department_table`.
"""

from __future__ import annotations

from decimal import Decimal

from xlperf.forms.base import Problem, Val
from xlperf.forms.department import DepartmentForm
from xlperf.reader.cells import CellReader, val
from xlperf.reader.department_head import read_head
from xlperf.reader.department_table import header_fields, is_table_header, read_table
from xlperf.reader.grid import Grid, address
from xlperf.vocabulary.department import PROJECT_MARKS, is_title
from xlperf.vocabulary.words import find_year


def read_department_forms(
    grid: Grid, problems: list[Problem], taken: set[int]
) -> list[DepartmentForm]:
    """Every department form on rows not already read as project forms (``taken``, 0-based)."""
    forms: list[DepartmentForm] = []
    lower = 0
    for row in range(grid.n_rows):
        if row in taken or row < lower or not is_table_header(grid, row):
            continue
        floor = max([lower, *(r + 1 for r in taken if r < row)])
        title = _title(grid, floor, row)
        if title is None and _project_block(grid, floor, row):
            lower = row + 1  # a project form the project reader could not read: not ours
            continue
        form = _read_one(grid, row, title, floor, problems)
        forms.append(form)
        lower = form.last_row
    return forms


def _title(grid: Grid, floor: int, header: int) -> tuple[int, Val] | None:
    """The nearest title above the header (部门整体…, 评分表, 指标体系 …), alone on its row."""
    for r in range(header - 1, floor - 1, -1):
        line = [(c, v) for c, v in grid.row_cells(r) if not grid.is_covered(r, c)]
        if len(line) == 1 and isinstance(line[0][1], str) and is_title(grid.key(r, line[0][0])):
            c, v = line[0]
            return r, val(cell=address(r, c), value=v.strip(), typed=True)
    return None


def _project_block(grid: Grid, floor: int, header: int) -> bool:
    return any(
        isinstance(v, str) and grid.key(r, c).startswith(PROJECT_MARKS)
        for r in range(floor, header)
        for c, v in grid.row_cells(r)
    )


def _read_one(
    grid: Grid, header: int, title: tuple[int, Val] | None, floor: int, problems: list[Problem]
) -> DepartmentForm:
    cells = CellReader(grid, problems)
    top = title[0] if title is not None else floor
    form = DepartmentForm(
        sheet=grid.sheet, first_row=header + 1, last_row=header + 1, header_row=header + 1
    )
    if title is not None:
        form.title = title[1]
    first = read_head(grid, cells, form, top, header)
    form.first_row = min(first, title[0] if title else header) + 1
    if form.year.value is None:
        form.year = _year(grid, form.first_row - 1, header, form.title)
    last = read_table(grid, cells, form, header, header_fields(grid, header))
    form.last_row = last + 1
    return form


def _year(grid: Grid, top: int, header: int, title: Val) -> Val:
    """The year of the title (“…自评表（2021年度）”), or of a line of its own below it."""
    if title.text and (year := find_year(title.text)) is not None:
        return val(cell=title.cell, value=Decimal(year), decimals=0, typed=True)
    for r in range(top, header):
        line = grid.row_cells(r)
        if len(line) == 1 and isinstance(line[0][1], str) and len(grid.key(r, line[0][0])) <= 12:
            year = find_year(line[0][1])
            if year is not None:
                return val(cell=address(r, line[0][0]), value=Decimal(year), decimals=0, typed=True)
    return val()
