"""Inside Excel: the ribbon's operations on a live workbook, through xlwings.

The same plan as on files (:mod:`xlperf.ops.plan`); only reading and writing differ. Every call
into Excel goes through :class:`ExcelIO`, which reads a sheet in one bulk call and writes in
blocks, so an operation costs a few calls per sheet, not per cell. Flags (fills and notes, and
the record of what each flagged cell had before) are applied by the add-in's VBA in one call,
``XlperfMark``, because neither xlwings' remote engine nor its VBA client can read fills or set
notes; ``XlperfUnmark`` undoes them. The functions at the bottom are what the ribbon calls, with
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
from xlperf.ops.files import refuse_foreign_journal, sheet_ref
from xlperf.ops.journal import (
    JOURNAL_SHEET,
    REPORT_SHEET,
    RESULTS_SHEET,
    Journal,
    ValueEntry,
    free_sheet_name,
    is_journal,
)
from xlperf.ops.literal import clean_text, excel_rows
from xlperf.ops.new_sheet import TEMPLATE_MARK, input_ranges, project_title
from xlperf.ops.plan import PREVIOUS_NOTE, FixPlan, ValueWrite, plan_fix, shown_percent
from xlperf.ops.rollup import (
    HEADER,
    SUMMARY_SHEET,
    block_rows,
    drop_duplicates,
    figures_frame,
    fresh_blocks,
    today,
)
from xlperf.reader import read_grids, require_some_form
from xlperf.reader.grid import Grid
from xlperf.report.content import build_report
from xlperf.report.docx_writer import write_docx
from xlperf.report.sheet_writer import report_rows
from xlperf.rules import RuleSet

TITLE = "xlperf 预算绩效自评"
RECORD, FIELD = chr(30), chr(31)
log = logging.getLogger(__name__)


class ExcelIO:
    """The only door to Excel: bulk reads and block writes, counted (tests bound the count)."""

    def __init__(self, book: Any):
        self.book = book
        self.calls = 0

    def sheet_names(self) -> list[str]:
        self.calls += 1
        return [s.name for s in self.book.sheets]

    def read(self, name: str) -> list[list[Any]]:
        """A sheet's values from A1 to the end of its used range, in one read."""
        self.calls += 1
        used = self.book.sheets[name].used_range
        try:
            values = used.options(ndim=2).value or [[]]
        except ValueError:
            # xlwings' remote engine reads text shaped like an ISO date-time
            # ("2021-08-31T00:00:00") as a date and fails on it: take such a sheet as sent
            values = _raw_rows(used.raw_value)
        top, left = used.row - 1, used.column - 1
        if top or left:
            values = [[None] * (left + len(values[0]))] * top + [
                [None] * left + list(r) for r in values
            ]
        return [list(r) for r in values]

    def formulas(self, name: str) -> dict[tuple[int, int], str]:
        """Formula cells of a sheet (desktop Excel); empty where the engine cannot say."""
        used = self.book.sheets[name].used_range
        try:
            self.calls += 1
            rows = used.options(ndim=2).formula
        except NotImplementedError:  # the remote engine ships values only
            return {}
        top, left = used.row - 1, used.column - 1
        found = {}
        for r, row in enumerate(rows if isinstance(rows[0], list | tuple) else [rows]):
            for c, text in enumerate(row):
                if isinstance(text, str) and text.startswith("="):
                    found[(top + r, left + c)] = text
        return found

    def write(self, name: str, cell: str, rows: list[list[Any]]) -> None:
        """Write values as data: text that Excel would parse as a formula gets its ``'``."""
        self.calls += 1
        self.book.sheets[name].range(cell).value = excel_rows(rows)

    def write_formulas(self, name: str, cell: str, rows: list[list[Any]]) -> None:
        """Write xlperf's own formulas (and plain values): nothing in ``rows`` may come from a
        form unless it went through :func:`xlperf.ops.literal.excel_value` first."""
        self.calls += 1
        self.book.sheets[name].range(cell).value = rows

    def local_names(self) -> dict[str, dict[str, str]]:
        """Sheet-scoped defined names: ``{sheet: {name: "C2:I2"}}``, from one read of the names."""
        self.calls += 1
        found: dict[str, dict[str, str]] = {}
        for defined in self.book.names:
            sheet, bang, local = defined.name.rpartition("!")
            if not bang:
                continue
            try:
                address = defined.refers_to_range.address
            except Exception:  # noqa: BLE001 - a name that is not one range is not ours
                continue
            sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
            found.setdefault(sheet, {})[local] = address.replace("$", "")
        return found

    def number_format(self, name: str, cell: str, number_format: str) -> None:
        """Set the number format of a cell or a range (``"G2:H5"``)."""
        self.calls += 1
        self.book.sheets[name].range(cell).number_format = number_format

    def add_sheet(self, name: str) -> None:
        self.calls += 1
        self.book.sheets.add(name, after=self.book.sheets[-1])

    def delete_sheet(self, name: str) -> None:
        self.calls += 1
        self.book.sheets[name].delete()

    def macro(self, name: str, *args: Any) -> None:
        """Run one of the add-in's macros on this workbook. xlwings' remote client passes the
        workbook first by itself; on the desktop the workbook's name is passed instead."""
        self.calls += 1
        if self.remote:
            self._action("runMacro", [name, *args])
        else:
            self.book.app.macro(name)(self.book.name, *args)

    @property
    def remote(self) -> bool:
        return isinstance(self.book.api, dict)

    def _action(self, func: str, args: list[Any]) -> None:
        # On the remote engine, app.macro() and app.alert() go to the *active* book, which is
        # another request's book when a server runs requests side by side: add them to ours.
        self.book.impl.append_json_action(func=func, args=args)

    def alert(self, text: str) -> None:
        self.calls += 1
        if self.remote:
            self._action("alert", [text, TITLE, "", "", ""])
        else:
            self.book.app.alert(text, title=TITLE)


def _raw_rows(raw: Any) -> list[list[Any]]:
    """Values as the client sent them, empty cells as None (what ``.value`` would give)."""
    rows = (
        raw
        if isinstance(raw, list | tuple) and raw and isinstance(raw[0], list | tuple)
        else [[raw]]
    )
    return [[None if v == "" else v for v in row] for row in rows]


def read_journal_live(io: ExcelIO, names: list[str]) -> tuple[Journal, bool]:
    """The journal, and whether the sheet named like it is ours (not a user's sheet)."""
    if JOURNAL_SHEET not in names:
        return Journal(), False
    rows = io.read(JOURNAL_SHEET)
    return Journal.from_rows(rows), is_journal(rows)


def read_live(io: ExcelIO) -> tuple[list[Grid], Journal, list[str]]:
    grids, journal, names, _ = _read_live(io)
    return grids, journal, names


def _read_live(io: ExcelIO) -> tuple[list[Grid], Journal, list[str], bool]:
    """The sheets as grids (xlperf's own left out), the journal, the sheet names, and whether a
    sheet named like the journal is ours."""
    names = io.sheet_names()
    journal, ours = read_journal_live(io, names)
    skip = {REPORT_SHEET}
    if ours:
        skip |= {JOURNAL_SHEET, journal.results_sheet}
    grids = []
    for name in names:
        if name in skip:
            continue
        grids.append(Grid(name, io.read(name), formulas=io.formulas(name)))
    return grids, journal, names, ours


def undo_live(io: ExcelIO, journal: Journal, names: list[str], grids: list[Grid]) -> list[str]:
    """清除标记 on a live workbook, and the same undo applied to grids already read; returns the
    sheet names left. Only the sheets the journal says xlperf made are deleted."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    if journal.marks:
        io.macro("XlperfUnmark")
    by_name = {g.sheet: g for g in grids}
    for entry in reversed(journal.values):
        if entry.sheet not in names:
            continue
        io.write(entry.sheet, entry.cell, [[entry.value]])
        if entry.number_format is not None:  # the file front changed it: put it back
            io.number_format(entry.sheet, entry.cell, entry.number_format)
        grid = by_name.get(entry.sheet)
        if grid is not None:
            col, row = coordinate_from_string(entry.cell)
            r, c = row - 1, column_index_from_string(col) - 1
            while len(grid.values) <= r:
                grid.values.append([])
            line = grid.values[r]
            line.extend([None] * (c + 1 - len(line)))
            line[c] = entry.value
    gone = {JOURNAL_SHEET}
    io.delete_sheet(JOURNAL_SHEET)
    if journal.results_sheet and journal.results_sheet in names:
        io.delete_sheet(journal.results_sheet)
        gone.add(journal.results_sheet)
    return [n for n in names if n not in gone]


def _runs(writes: list[ValueWrite]) -> list[tuple[str, str, list[ValueWrite]]]:
    """Writes grouped into vertical runs of adjacent cells: one block write each."""
    from openpyxl.utils.cell import coordinate_from_string

    runs: list[tuple[str, str, list[ValueWrite]]] = []
    ordered = sorted(
        writes,
        key=lambda w: (
            w.sheet,
            coordinate_from_string(w.cell)[0],
            coordinate_from_string(w.cell)[1],
        ),
    )
    for w in ordered:
        col, row = coordinate_from_string(w.cell)
        if runs:
            sheet, start, group = runs[-1]
            last_col, last_row = coordinate_from_string(group[-1].cell)
            if sheet == w.sheet and last_col == col and last_row + 1 == row:
                group.append(w)
                continue
        runs.append((w.sheet, w.cell, [w]))
    return runs


def _formula_text(text: str) -> str:
    """``text`` as a string literal inside a formula."""
    return '"' + clean_text(text).replace('"', '""') + '"'


def results_with_links(plan: FixPlan) -> list[list[Any]]:
    """The 检查结果 table for Excel: every value as data (text that looks like a formula gets its
    ``'``), and in column 5 our own HYPERLINK formula to the cell. A 期望值/实际值 the message
    writes as a percentage is given as that text (``80.3%``), which Excel takes as the number
    0.803 shown as 80.3%: the number format the file front sets, without a call per cell."""
    rows = excel_rows(plan.results_rows())
    for row, finding in zip(rows[1:], plan.findings, strict=True):
        target = _formula_text("#" + sheet_ref(finding.sheet, finding.cell))
        row[4] = f"=HYPERLINK({target},{_formula_text(finding.cell)})"
        for c, value in ((6, finding.expected), (7, finding.actual)):
            shown = shown_percent(value, finding.message)
            if shown is not None:
                row[c] = shown
    return rows


def fix_live(book: Any, rules: RuleSet | None = None, io: ExcelIO | None = None) -> FixPlan:
    """重新计算并检查 on an open workbook."""
    io = io or ExcelIO(book)
    grids, journal, names, ours = _read_live(io)
    refuse_foreign_journal(names, ours, book.name)
    names_now = undo_live(io, journal, names, grids) if ours else names
    forms = require_some_form(read_grids(grids, book.name))
    plan = plan_fix(forms, rules)
    new = Journal(results_sheet=free_sheet_name(RESULTS_SHEET, names_now))
    for sheet, start, group in _runs(plan.writes):
        io.write(sheet, start, [[w.value] for w in group])
        new.values.extend(ValueEntry(sheet=w.sheet, cell=w.cell) for w in group)
    io.add_sheet(new.results_sheet)
    io.write_formulas(new.results_sheet, "A1", results_with_links(plan))
    io.add_sheet(JOURNAL_SHEET)
    io.write(JOURNAL_SHEET, "A1", new.rows())
    if plan.marks:
        payload = RECORD.join(
            FIELD.join(clean_text(t) for t in (m.sheet, m.cell, m.color, m.note))
            for m in plan.marks
        )
        io.macro("XlperfMark", payload, PREVIOUS_NOTE)
    return plan


def clear_live(book: Any, io: ExcelIO | None = None) -> int:
    """清除标记 on an open workbook; returns the number of cells restored."""
    io = io or ExcelIO(book)
    names = io.sheet_names()
    journal, ours = read_journal_live(io, names)
    if not ours:
        raise InputError(book.name, "没有 xlperf 的检查标记可清除")
    undo_live(io, journal, names, [])
    return len(journal.values) + len(journal.marks)


def rollup_live(book: Any, rules: RuleSet | None = None, io: ExcelIO | None = None) -> str:
    """汇总到汇总表 in an open workbook: write an empty or missing 汇总表, else compare by checking.
    Figures are the scorer's (as the file path writes them), text from the forms stays text."""
    io = io or ExcelIO(book)
    grids, _, names = read_live(io)
    forms = read_grids(grids, book.name)
    if not forms.projects:
        raise InputError(book.name, "没有项目支出绩效自评表，无法汇总")
    rules = forms.rule_set(rules)
    filled = [s for s in forms.summaries if s.rows]
    if filled:
        plan = fix_live(book, rules, io)
        xs = sum(f.code.startswith("XS") for f in plan.findings)
        sheets = "、".join(dict.fromkeys(s.sheet for s in filled))
        return f"“{sheets}”已由人工填写，未覆盖；已比对并标记 {xs} 处与项目表不一致"
    frame, repeated = drop_duplicates(figures_frame([forms], rules))
    if SUMMARY_SHEET not in names:
        io.add_sheet(SUMMARY_SHEET)
    rows: list[list[Any]] = []
    for unit, part in fresh_blocks(frame):
        rows += block_rows(unit, part, today(), with_total=True) + [[None] * len(HEADER)] * 2
    io.write(SUMMARY_SHEET, "A1", excel_rows(rows[:-2]))
    corrected = sum(len(n) for n in frame["notes"])
    tail = f"；{corrected} 个数字按评分规则更正了项目表所填" if corrected else ""
    tail += f"；{len(repeated)} 组重复的项目未重复汇总" if repeated else ""
    return f"已汇总 {len(frame)} 个项目到“{SUMMARY_SHEET}”{tail}"


def new_project_live(book: Any, io: ExcelIO | None = None) -> str:
    """新增项目表 in an open workbook: copy a template project sheet there and empty its inputs."""
    io = io or ExcelIO(book)
    names = io.sheet_names()
    regions = io.local_names()
    source = next((s for s in names if TEMPLATE_MARK in regions.get(s, {})), None)
    if source is None:
        raise InputError(
            book.name,
            "本工作簿中没有按 xlperf 模板制作的项目表可供复制：请在模板工作簿中操作，"
            "或在命令行运行 xlperf new-sheet 为本文件新增项目表",
        )
    title = project_title(names, None, book.name)
    io.macro("XlperfCopySheet", source, title, ",".join(input_ranges(regions[source])))
    return f"已新增项目表“{title}”：格式、公式同“{source}”，填写内容已清空。"


def report_live(book: Any, io: ExcelIO | None = None) -> str:
    """生成自评报告 in an open workbook: the 自评报告 sheet, and on the desktop the .docx beside the
    workbook (a server cannot write on the user's disk)."""
    io = io or ExcelIO(book)
    grids, _, names = read_live(io)
    content = build_report(read_grids(grids, book.name))
    if REPORT_SHEET in names:
        io.delete_sheet(REPORT_SHEET)
    io.add_sheet(REPORT_SHEET)
    io.write(REPORT_SHEET, "A1", report_rows(content))
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
