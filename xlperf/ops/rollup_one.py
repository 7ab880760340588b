"""``xlperf rollup`` of one workbook, planned once for a file and for the ribbon's 汇总: its
汇总表 (:mod:`xlperf.ops.rollup`), then the 汇总 rows of its 收支情况 tables
(:mod:`xlperf.ops.money_rollup`). Either may be absent; a 汇总表 or 汇总 row a person filled is
compared, and rewritten only with ``overwrite``. Compared 汇总表 are flagged as ``xlperf fix``
flags (journaled: 清除标记 removes the flags)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xlperf.errors import InputError
from xlperf.ops.apply_file import apply_file
from xlperf.ops.edits import WorkbookPlan
from xlperf.ops.files import (
    atomic_save,
    has_journal,
    open_for_edit,
    read_journal,
    refuse_if_open,
    sheet_grids,
)
from xlperf.ops.fix import clear_plan, flag_edits, names_after
from xlperf.ops.journal import Journal
from xlperf.ops.money_rollup import MoneyRollupResult, plan_money_rollup
from xlperf.ops.rollup import RollupResult, plan_rollup
from xlperf.reader import read_grids
from xlperf.reader.grid import Grid
from xlperf.reader.money import read_money_grids
from xlperf.rules import RuleSet


@dataclass
class OneRollup:
    result: RollupResult | None  # None: no project form
    money: MoneyRollupResult | None  # None: no 收支情况 table with unit rows and a 汇总 row
    plan: WorkbookPlan
    changed: bool  # something is to be written


def plan_rollup_one(
    grids: list[Grid],
    names: list[str],
    journal: Journal | None,
    where: str,
    *,
    overwrite: bool = False,
    rules: RuleSet | None = None,
    flag: bool = True,
    projects: bool = True,
    money: bool = True,
) -> OneRollup:
    """Both roll-ups of the workbook read as ``grids`` (sheets ``names``; ``journal``: the last
    check run's, if xlperf's). ``flag``: a compared 汇总表 gets its disagreements flagged."""
    plan, changed = WorkbookPlan(), False
    result = money_result = None
    no_projects: InputError | None = None
    if projects:
        try:
            result, edits = plan_rollup(
                read_grids(grids, where), grids, names, overwrite=overwrite, rules=rules
            )
        except InputError as exc:
            no_projects = exc  # the workbook may hold money tables only
        if result is not None and edits is not None:
            plan, changed = plan.then(WorkbookPlan(sheets=edits)), True
        elif result is not None and flag:
            undo = clear_plan(journal, names) if journal is not None else WorkbookPlan()
            plan = plan.then(undo.then(flag_edits(result.findings, names_after(undo, names))))
            result.flagged, changed = True, True
    if money:
        planned = plan_money_rollup(
            read_money_grids(grids, where), grids, overwrite=overwrite, rules=rules
        )
        if planned is not None:
            money_result, money_plan = planned
            if money_plan is not None:
                plan, changed = plan.then(money_plan), True
    if result is None and money_result is None and no_projects is not None:
        raise no_projects
    return OneRollup(result, money_result, plan, changed)


def rollup_one_file(
    path: Path,
    out: Path,
    *,
    overwrite: bool = False,
    rules: RuleSet | None = None,
    projects: bool = True,
    money: bool = True,
) -> OneRollup:
    """:func:`plan_rollup_one` on a file, saved to ``out``; a compared 汇总表 is flagged only in a
    copy (nothing is written when ``out`` is the workbook itself and nothing else changes)."""
    wb = open_for_edit(path)
    grids = sheet_grids(wb, path)
    one = plan_rollup_one(
        grids,
        wb.sheetnames,
        read_journal(wb) if has_journal(wb) else None,
        str(path),
        overwrite=overwrite,
        rules=rules,
        flag=out.resolve() != path.resolve(),
        projects=projects,
        money=money,
    )
    if one.changed:
        apply_file(wb, one.plan)
        refuse_if_open(out)
        atomic_save(wb, out)
    return one


def describe_live(one: OneRollup) -> str:
    """What the ribbon's 汇总 tells the user."""
    lines = []
    result, money = one.result, one.money
    if result is not None and result.written:
        tail = f"；{result.corrected} 个数字按评分规则更正了项目表所填" if result.corrected else ""
        tail += f"；{len(result.notes)} 组重复的项目未重复汇总" if result.notes else ""
        lines.append(f"已汇总 {result.projects} 个项目到“{'、'.join(result.sheets)}”{tail}")
    elif result is not None:
        lines.append(
            f"汇总表已由人工填写，未覆盖；已比对并标记 {len(result.findings)} 处与项目表不一致"
            "（列于“检查结果”表）。如需按项目表重新汇总，请用“覆盖汇总”"
        )
    if money is not None and money.written:
        replaced = f"，覆盖人工填写的汇总数 {len(money.findings)} 处" if money.findings else ""
        lines.append(f"收支情况汇总 {money.tables} 张表、{money.units} 个单位{replaced}")
    elif money is not None:
        lines.append(
            f"收支情况表汇总行已由人工填写，仅作比对（发现 {len(money.findings)} 处不一致）；"
            "如需覆盖请用“覆盖汇总”"
        )
    return "；\n".join(lines)
