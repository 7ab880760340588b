"""Inside Excel: the ribbon's operations on a live workbook, through xlwings.

Each operation plans what a file gets (:mod:`xlperf.ops.edits`): the same planners as the
command line, applied by the live adapter (:mod:`xlperf.ops.apply_live`), which reads a sheet in
one bulk call and writes in blocks. The functions at the bottom are what the ribbon calls, with
``xw.Book.caller()`` locally or ``xw.Book(json=...)`` on the server.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlwings as xw

from xlperf.errors import InputError
from xlperf.ops.apply_live import ExcelIO, apply_live, read_journal_live, read_live, restore_grids
from xlperf.ops.edits import WorkbookPlan
from xlperf.ops.files import refuse_foreign_journal
from xlperf.ops.fix import clear_plan, fix_edits, names_after
from xlperf.ops.new_sheet import plan_new_project
from xlperf.ops.plan import FixPlan, plan_fix
from xlperf.ops.rollup_one import describe_live, plan_rollup_one
from xlperf.reader import read_grids, require_some_form
from xlperf.report.content import build_report
from xlperf.report.docx_writer import write_docx
from xlperf.report.sheet_writer import report_edit
from xlperf.rules import RuleSet
from xlperf.vocabulary.sheets import REPORT_SHEET, RESULTS_SHEET

log = logging.getLogger(__name__)


def fix_live(book: Any, rules: RuleSet | None = None, io: ExcelIO | None = None) -> FixPlan:
    """重新计算并检查 on an open workbook."""
    io = io or ExcelIO(book)
    grids, journal, names, ours = read_live(io)
    refuse_foreign_journal(names, ours, book.name)
    undo = clear_plan(journal, names) if ours else WorkbookPlan()
    restore_grids(grids, undo)
    plan = plan_fix(require_some_form(read_grids(grids, book.name)), rules)
    apply_live(io, undo.then(fix_edits(plan, names_after(undo, names))))
    return plan


def clear_live(book: Any, io: ExcelIO | None = None) -> int:
    """清除标记 on an open workbook; returns the number of cells restored."""
    io = io or ExcelIO(book)
    names = io.sheet_names()
    journal, ours = read_journal_live(io, names)
    if not ours:
        raise InputError(book.name, "没有 xlperf 的检查标记可清除")
    apply_live(io, clear_plan(journal, names))
    return len(journal.values) + len(journal.marks)


def rollup_live(
    book: Any, rules: RuleSet | None = None, io: ExcelIO | None = None, overwrite: bool = False
) -> str:
    """汇总 in an open workbook, as ``xlperf rollup`` does it: the 汇总表, then the 收支情况 汇总
    rows; a filled 汇总表 is compared and its disagreements flagged, unless ``overwrite``."""
    io = io or ExcelIO(book)
    grids, journal, names, ours = read_live(io)
    one = plan_rollup_one(
        grids, names, journal if ours else None, book.name, overwrite=overwrite, rules=rules
    )
    if one.changed:
        apply_live(io, one.plan)
    return describe_live(one)


def new_project_live(book: Any, io: ExcelIO | None = None) -> str:
    """新增项目表 in an open workbook: copy a template project sheet there and empty its inputs."""
    io = io or ExcelIO(book)
    names = io.sheet_names()
    regions = io.local_names()
    plan = plan_new_project(names, regions, (), None, book.name)
    if plan.project.source is None:
        raise InputError(
            book.name,
            "本工作簿中没有按 xlperf 模板制作的项目表可供复制：请在模板工作簿中操作，"
            "或在命令行运行 xlperf new-sheet 为本文件新增项目表",
        )
    apply_live(io, plan)
    return (
        f"已新增项目表“{plan.project.title}”：格式、公式同“{plan.project.source}”，填写内容已清空。"
    )


def report_live(book: Any, io: ExcelIO | None = None) -> str:
    """生成自评报告 in an open workbook: the 自评报告 sheet, and on the desktop the .docx beside the
    workbook (a server cannot write on the user's disk)."""
    io = io or ExcelIO(book)
    grids, _, names, _ = read_live(io)
    content = build_report(read_grids(grids, book.name))
    apply_live(io, report_edit(content, names))
    message = f"已生成自评报告 {len(content.reports)} 份，见“{REPORT_SHEET}”表"
    folder = Path(book.fullname).parent if not io.remote else None
    if folder is not None and folder.is_dir():
        docx = folder / f"{Path(book.name).stem}_自评报告.docx"
        write_docx(content, docx)
        message += f"；Word 文档已保存为 {docx}"
    return message + "。黄色标出处需人工填写。"


def user_facing(action: Callable[..., str | None]) -> Callable[..., None]:
    """Run a ribbon action; every outcome, error included, reaches the user as a Chinese box."""

    @functools.wraps(action)
    def run(book: Any = None) -> None:
        book = book or xw.Book.caller()
        io = ExcelIO(book)
        try:
            message = action(book, io)
        except InputError as exc:
            message = exc.message
        except Exception:  # noqa: BLE001 - a user sees a sentence, the log keeps the traceback
            log.exception("xlperf action %s failed", action.__name__)
            message = "xlperf 内部错误，操作未完成。请把工作簿和日志发给管理员。"
        if message:
            io.alert(message)

    return run


@user_facing
def recalc_and_check(book: Any, io: ExcelIO) -> str:
    plan = fix_live(book, io=io)
    errors = sum(f.severity == "error" for f in plan.findings)
    return (
        f"检查完成：填写计算栏 {len(plan.writes)} 个；错误 {errors} 处，警告 {len(plan.findings) - errors} 处，"
        f"已在单元格上标记并列入“{RESULTS_SHEET}”表。"
    )


@user_facing
def clear_flags(book: Any, io: ExcelIO) -> str:
    return f"已清除标记，还原 {clear_live(book, io)} 个单元格。"


@user_facing
def rollup(book: Any, io: ExcelIO) -> str:
    return rollup_live(book, io=io)


@user_facing
def rollup_overwrite(book: Any, io: ExcelIO) -> str:
    return rollup_live(book, io=io, overwrite=True)


@user_facing
def new_project_sheet(book: Any, io: ExcelIO) -> str:
    return new_project_live(book, io)


@user_facing
def generate_report(book: Any, io: ExcelIO) -> str:
    return report_live(book, io)


@user_facing
def about(book: Any, io: ExcelIO) -> str:
    from xlperf import __version__

    return (
        f"xlperf {__version__}：预算绩效自评表的计算、检查与汇总。\n"
        "“重新计算并检查”填写执行率、得分、总分等计算栏，并在有问题的单元格上标记原因与代码；"
        "“清除标记”还原检查前的样子；“汇总到汇总表”由各项目表生成汇总表。"
    )
