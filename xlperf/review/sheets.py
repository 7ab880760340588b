"""The sheets of the review workbook, one writer each. Every value taken from a form is written
with :func:`xlperf.ops.literal.put` (text stays text, DOMAIN.md §7)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.compute import Totals, money_totals
from xlperf.findings import CODES
from xlperf.ops.literal import put
from xlperf.ops.results_sheet import sheet_ref
from xlperf.reader.merges import StyleIds, restyle
from xlperf.registry.model import SEVERITY_NAME
from xlperf.review.collect import FileResult, FindingRow, ProjectRow
from xlperf.rules import RuleSet
from xlperf.templates.styles import LINE_HEIGHT, MIN_HEIGHT, _lines, a4_landscape
from xlperf.vocabulary.project import GRADE_LABEL, RATE_SCORE_LABEL, TOTAL_LABEL
from xlperf.vocabulary.review import (
    CODES_HEAD,
    EVERYTHING,
    FINDINGS_HEAD,
    OVERVIEW_HEAD,
    OVERVIEW_TAIL,
    PROJECTS_HEAD,
    SCORE_BANDS_HEAD,
    SCORE_BANDS_TITLE,
    UNREAD_HEAD,
)
from xlperf.vocabulary.sheets import REVIEW_SHEETS
from xlperf.vocabulary.summary import COLUMN_NAMES, SUM_LABEL
from xlperf.vocabulary.words import WEIGHT_SUM

OVERVIEW, FINDINGS, PROJECTS, BY_CODE, UNREAD = REVIEW_SHEETS
ERROR_FILL = PatternFill(fill_type="solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill(fill_type="solid", fgColor="FFEB9C")
HEADER_FILL = PatternFill(fill_type="solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill(fill_type="solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
LINK = Font(color="0563C1", underline="single")
WRAP = Alignment(wrap_text=True, vertical="top")
CELL = Alignment(vertical="top")
HEAD = Alignment(horizontal="center", vertical="center", wrap_text=True)
MONEY, RATE, SCORE = "#,##0.00", "0.00%", "0.00"
SCORE_BANDS = (  # 自评得分分布 for the chart: label, lowest score in the band
    ("60分以下", Decimal(0)),
    ("60–70分", Decimal(60)),
    ("70–80分", Decimal(70)),
    ("80–90分", Decimal(80)),
    ("90分及以上", Decimal(90)),
)


@dataclass
class UnitRow:
    """One unit of the 概况 sheet."""

    name: str
    files: set[str] = field(default_factory=set)
    projects: list[ProjectRow] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0

    @property
    def totals(self) -> Totals:
        """全年预算数, 全年执行数 and 执行率 of the unit (None where a project lacks one)."""
        return money_totals([p.budget for p in self.projects], [p.executed for p in self.projects])

    @property
    def mean_score(self) -> Decimal | None:
        scores = [p.score for p in self.projects if p.score is not None]
        return sum(scores, Decimal(0)) / len(scores) if scores else None

    def grades(self) -> Counter[str]:
        return Counter(p.score_grade for p in self.projects if p.score_grade)

    def conventions(self) -> str:
        return "、".join(dict.fromkeys(p.convention for p in self.projects)) or "未能确定"


def unit_rows(results: Iterable[FileResult]) -> list[UnitRow]:
    """The units in the order the files name them, with what each file holds of them."""
    units: dict[str, UnitRow] = {}
    for r in results:
        if r.error or r.duplicate_of:
            continue
        for name in r.units:
            units.setdefault(name, UnitRow(name)).files.add(r.name)
        for p in r.projects:
            units[p.unit].projects.append(p)
        for f in r.findings:
            u = units.setdefault(f.unit, UnitRow(f.unit))
            u.files.add(r.name)
            if f.severity == "error":
                u.errors += 1
            else:
                u.warnings += 1
    return list(units.values())


def _ids(ws: Worksheet, **looks: object) -> StyleIds:
    """Each look's index in the workbook's style tables (``border=BOX`` → ``("borderId", 3)``):
    openpyxl hashes a style object again for every cell it is set on; the index is the same."""
    book = ws.parent
    return [(f"{name}Id", getattr(book, f"_{name}s").add(look)) for name, look in looks.items()]


def _row(ws: Worksheet, r: int, values: list[object], *, start: int = 1) -> None:
    ids = _ids(ws, border=BOX, alignment=CELL)
    for c, value in enumerate(values, start):
        restyle(put(ws.cell(r, c), value), ids)


def _header(ws: Worksheet, r: int, names: list[str], widths: list[float]) -> None:
    _row(ws, r, list(names))
    for c, width in enumerate(widths, 1):
        cell = ws.cell(r, c)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, HEAD
        ws.column_dimensions[get_column_letter(c)].width = width
    lines = max(_lines(name, width) for name, width in zip(names, widths, strict=True))
    ws.row_dimensions[r].height = max(30, lines * LINE_HEIGHT + 4)


def fit_heights(ws: Worksheet, rows: Iterable[int]) -> None:
    """Row heights for wrapped text (LibreOffice does not grow rows on import), from the cells'
    own text and their columns' widths: linear in the rows, unlike a scan of the whole sheet."""
    widths = {
        c: ws.column_dimensions[get_column_letter(c)].width or 8.43
        for c in range(1, ws.max_column + 1)
    }
    for r in rows:
        lines = 1
        for c, width in widths.items():
            cell = ws._cells.get((r, c))
            if cell is not None and isinstance(cell.value, str) and cell.alignment.wrap_text:
                lines = max(lines, _lines(cell.value, width))
        ws.row_dimensions[r].height = max(MIN_HEIGHT, lines * LINE_HEIGHT + 4)


def _formats(ws: Worksheet, r: int, formats: dict[int, str]) -> None:
    for c, fmt in formats.items():
        ws.cell(r, c).number_format = fmt


def _footer(ws: Worksheet, title: str) -> None:
    ws.oddFooter.center.text = f"{title}　第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


def _title(ws: Worksheet, text: str, subtitle: str, width: int) -> None:
    put(ws.cell(1, 1), text).font = Font(size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 28
    put(ws.cell(2, 1), subtitle).alignment = Alignment(horizontal="left")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


OVERVIEW_FIRST = 4  # the header row of the unit table


@dataclass
class OverviewLayout:
    """Where the 概况 sheet put what the charts refer to."""

    first: int  # first unit row
    last: int  # last unit row
    error_col: int
    bands_first: int  # first row of the 自评得分分布 table
    bands_last: int
    chart_row: int


def write_overview(
    ws: Worksheet, units: list[UnitRow], results: list[FileResult], rules: RuleSet, when: str
) -> OverviewLayout:
    grades = [b.grade for b in sorted(rules.grade_bands, key=lambda b: -b.min_score)]
    head = OVERVIEW_HEAD + [f"等次：{g}" for g in grades] + OVERVIEW_TAIL
    width = len(head)
    read = [r for r in results if not r.error and not r.duplicate_of]
    dup = sum(1 for r in results if r.duplicate_of)
    bad = sum(1 for r in results if r.error)
    _title(
        ws,
        "预算绩效自评批量审核结果",
        f"审核时间：{when}　收到文件 {len(results)} 个：已审核 {len(read)} 个，重复 {dup} 个，"
        f"无法读取 {bad} 个　金额单位：万元　自评得分为表中所填总分（未填时为复核值）",
        width,
    )
    widths = [6, 30, 7, 7, 13, 13, 9, 10] + [7] * len(grades) + [7, 7, 46]
    _header(ws, OVERVIEW_FIRST, head, widths)
    money = {5: MONEY, 6: MONEY, 7: RATE, 8: SCORE}
    r = OVERVIEW_FIRST
    for i, u in enumerate(units, 1):
        r += 1
        g = u.grades()
        _row(
            ws,
            r,
            [i, u.name, len(u.files), len(u.projects), *u.totals]
            + [_round(u.mean_score)]
            + [g.get(x, 0) for x in grades]
            + [u.errors, u.warnings, u.conventions()],
        )
        _formats(ws, r, money)
        ws.cell(r, width).alignment = WRAP
        ws.cell(r, 2).alignment = WRAP
    first, last = OVERVIEW_FIRST + 1, r
    r += 1
    everything = UnitRow(EVERYTHING)
    for u in units:
        everything.projects.extend(u.projects)
        everything.errors += u.errors
        everything.warnings += u.warnings
    g = everything.grades()
    _row(
        ws,
        r,
        ["", everything.name, len(read), len(everything.projects)]
        + [*everything.totals, _round(everything.mean_score)]
        + [g.get(x, 0) for x in grades]
        + [everything.errors, everything.warnings, everything.conventions()],
    )
    _formats(ws, r, money)
    for c in range(1, width + 1):
        ws.cell(r, c).font, ws.cell(r, c).fill = BOLD, TOTAL_FILL
    ws.cell(r, width).alignment = WRAP
    total_row = r
    fit_heights(ws, set(range(first, total_row + 1)))
    # 自评得分分布: the chart's data, printed as a small table of its own
    r += 2
    put(ws.cell(r, 2), SCORE_BANDS_TITLE).font = BOLD
    r += 1
    _row(ws, r, SCORE_BANDS_HEAD)
    for c in (2, 3):
        ws.cell(r, c).font, ws.cell(r, c).fill = BOLD, HEADER_FILL
    bands_first = r + 1
    counts = score_bands(everything.projects)
    for label, _ in SCORE_BANDS:
        r += 1
        _row(ws, r, ["", label, counts[label]])
    ws.cell(bands_first - 1, 1).border = Border()
    for row in range(bands_first, r + 1):
        ws.cell(row, 1).border = Border()
    ws.freeze_panes = ws.cell(OVERVIEW_FIRST + 1, 3)
    a4_landscape(ws, fit_height=0, title_rows=f"{OVERVIEW_FIRST}:{OVERVIEW_FIRST}")
    _footer(ws, OVERVIEW)
    return OverviewLayout(first, last, width - 2, bands_first, r, r + 2)


def score_bands(projects: Iterable[ProjectRow]) -> dict[str, int]:
    counts = {label: 0 for label, _ in SCORE_BANDS}
    for p in projects:
        if p.score is None:
            continue
        label = next(lab for lab, low in reversed(SCORE_BANDS) if p.score >= low or low == 0)
        counts[label] += 1
    return counts


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


FINDINGS_WIDTHS = [7, 24, 26, 24, 18, 8, 8, 6, 70]
LINK_COL = 6
URL_ESCAPES = {"%": "%25", " ": "%20", "#": "%23", "?": "%3F"}


def link_target(flagged: str, review_dir: Path) -> str:
    """The flagged copy as a link from the review workbook: a path relative to the review's
    folder (so the two can be moved together), in URL form (``/``, ``%``, ``#``, ``?`` and
    spaces escaped; other characters as they are, as Excel writes them)."""
    rel = Path(os.path.relpath(flagged, review_dir)).as_posix()
    return "".join(URL_ESCAPES.get(ch, ch) for ch in rel)


def write_findings(ws: Worksheet, results: list[FileResult], review_dir: Path) -> int:
    """问题清单: every finding, its 单元格 a link into the file's flagged copy."""
    _header(ws, 1, FINDINGS_HEAD, FINDINGS_WIDTHS)
    r = 1
    for res in results:
        if res.error or res.duplicate_of:
            continue
        target = link_target(res.flagged, review_dir) if res.flagged else None
        for f in res.findings:
            r += 1
            _finding_row(ws, r, f, target)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(FINDINGS_HEAD))}{max(r, 2)}"
    a4_landscape(ws, fit_height=0, title_rows="1:1")
    _footer(ws, FINDINGS)
    fit_heights(ws, set(range(2, r + 1)))
    return r - 1


def _finding_row(ws: Worksheet, r: int, f: FindingRow, target: str | None) -> None:
    _row(
        ws,
        r,
        [
            r - 1,
            f.unit,
            f.file,
            f.project,
            f.sheet,
            f.cell,
            f.code,
            SEVERITY_NAME[f.severity],
            f.message,
        ],
    )
    wrap = _ids(ws, alignment=WRAP)
    for c in (2, 3, 4, 5, 9):
        restyle(ws.cell(r, c), wrap)
    ws.cell(r, 8).fill = ERROR_FILL if f.severity == "error" else WARNING_FILL
    if target is not None:
        cell = ws.cell(r, LINK_COL)
        cell.hyperlink = Hyperlink(
            ref=cell.coordinate,
            target=target,
            # Excel keeps an external link's cell as its location; LibreOffice joins the two
            location=sheet_ref(f.sheet, f.cell),
            tooltip=f"打开标记副本：{f.file} {f.sheet}!{f.cell}"[:255],
        )
        cell.font = LINK


PROJECTS_WIDTHS = [6, 22, 22, 28, 22, 12, 12, 10, 10, 11, 11, 9, 9, 7, 7, 8, 26]
DIFF_PAIRS = (  # flag, columns marked, what the 差异 column says
    ("rate_differs", (8, 9), COLUMN_NAMES["rate"]),
    ("rate_score_differs", (10, 11), RATE_SCORE_LABEL),
    ("total_differs", (12, 13), TOTAL_LABEL),
    ("grade_differs", (14, 15), GRADE_LABEL),
    ("weight_differs", (16,), f"{WEIGHT_SUM}不为100"),
)


def write_projects(ws: Worksheet, results: list[FileResult]) -> int:
    """项目一览: each project as the form states it and as recomputed, differences marked."""
    _header(ws, 1, PROJECTS_HEAD, PROJECTS_WIDTHS)
    r = 1
    for res in results:
        for p in res.projects if not (res.error or res.duplicate_of) else ():
            r += 1
            diffs = [label for flag, _, label in DIFF_PAIRS if getattr(p, flag)]
            _row(
                ws,
                r,
                [
                    r - 1,
                    p.unit,
                    p.file,
                    p.name,
                    p.convention,
                    p.budget,
                    p.executed,
                    p.stated_rate,
                    p.rate,
                    p.stated_rate_score,
                    p.rate_score,
                    p.stated_total,
                    p.total,
                    p.stated_grade,
                    p.grade,
                    p.weight_total,
                    "、".join(diffs) or "一致",
                ],
            )
            _formats(ws, r, {6: MONEY, 7: MONEY, 8: RATE, 9: RATE, 10: SCORE, 11: SCORE})
            _formats(ws, r, {12: SCORE, 13: SCORE, 16: SCORE})
            for c in (2, 3, 4, 5, 17):
                ws.cell(r, c).alignment = WRAP
            for flag, cols, _ in DIFF_PAIRS:
                if getattr(p, flag):
                    for c in cols:
                        ws.cell(r, c).fill = ERROR_FILL
            if diffs:
                ws.cell(r, 17).fill = ERROR_FILL
    ws.freeze_panes = "E2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(PROJECTS_HEAD))}{max(r, 2)}"
    a4_landscape(ws, fit_height=0, title_rows="1:1")
    _footer(ws, PROJECTS)
    fit_heights(ws, set(range(2, r + 1)))
    return r - 1


def code_counts(results: Iterable[FileResult]) -> Counter[str]:
    return Counter(f.code for r in results if not (r.error or r.duplicate_of) for f in r.findings)


def write_codes(ws: Worksheet, results: list[FileResult]) -> None:
    """按代码统计: how often each code was found, in how many files and units."""
    _header(ws, 1, CODES_HEAD, [9, 7, 52, 8, 11, 11])
    counts = code_counts(results)
    files: dict[str, set[str]] = {}
    units: dict[str, set[str]] = {}
    for res in results:
        if res.error or res.duplicate_of:
            continue
        for f in res.findings:
            files.setdefault(f.code, set()).add(res.name)
            units.setdefault(f.code, set()).add(f.unit)
    r = 1
    for code in sorted(counts):
        r += 1
        severity, title = CODES.get(code, ("error", ""))
        _row(
            ws,
            r,
            [
                code,
                SEVERITY_NAME[severity],
                title,
                counts[code],
                len(files[code]),
                len(units[code]),
            ],
        )
        ws.cell(r, 2).fill = ERROR_FILL if severity == "error" else WARNING_FILL
    r += 1
    _row(ws, r, [SUM_LABEL, "", "", sum(counts.values()), "", ""])
    for c in range(1, 7):
        ws.cell(r, c).font, ws.cell(r, c).fill = BOLD, TOTAL_FILL
    ws.freeze_panes = "A2"
    a4_landscape(ws, fit_height=0, title_rows="1:1")
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    _footer(ws, BY_CODE)


def write_unread(ws: Worksheet, results: list[FileResult]) -> int:
    """未审核文件: files that could not be read, duplicates, and files reviewed without a
    flagged copy, each with its reason."""
    _header(ws, 1, UNREAD_HEAD, [6, 40, 14, 80])
    r = 1
    for res in results:
        if res.error:
            kind, why = "无法读取", res.error
        elif res.duplicate_of:
            kind, why = "重复文件", f"与“{res.duplicate_of}”内容完全相同，未重复计入"
        elif res.flagged_note:
            kind, why = "无标记副本", f"已审核，但未能生成标记副本：{res.flagged_note}"
        else:
            continue
        r += 1
        _row(ws, r, [r - 1, res.name, kind, why])
        ws.cell(r, 2).alignment = ws.cell(r, 4).alignment = WRAP
    if r == 1:
        put(ws.cell(2, 2), "所有文件均已审核")
    ws.freeze_panes = "A2"
    a4_landscape(ws, fit_height=0, title_rows="1:1")
    _footer(ws, UNREAD)
    fit_heights(ws, set(range(2, r + 1)))
    return r - 1
