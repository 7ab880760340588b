"""``xlperf review``: the review workbook (审核结果.xlsx) from every workbook under some paths."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from xlperf.ops.files import atomic_save, refuse_if_open
from xlperf.review.charts import add_charts
from xlperf.review.collect import FileResult, collect
from xlperf.review.sheets import (
    BY_CODE,
    FINDINGS,
    OVERVIEW,
    PROJECTS,
    UNREAD,
    unit_rows,
    write_codes,
    write_findings,
    write_overview,
    write_projects,
    write_unread,
)
from xlperf.rules import DEFAULT_RULES, RuleSet


@dataclass
class ReviewResult:
    out: Path
    flagged_dir: Path
    files: list[FileResult]
    units: int
    findings: int

    @property
    def reviewed(self) -> list[FileResult]:
        return [r for r in self.files if not r.error and not r.duplicate_of]

    @property
    def unreadable(self) -> list[FileResult]:
        return [r for r in self.files if r.error]

    @property
    def duplicates(self) -> list[FileResult]:
        return [r for r in self.files if r.duplicate_of]


def default_flagged_dir(out: Path) -> Path:
    """Beside the review workbook: ``审核结果_标记副本/`` for ``审核结果.xlsx``."""
    return out.with_name(f"{out.stem}_标记副本")


def review(
    paths: list[Path],
    out: Path,
    *,
    flagged_dir: Path | None = None,
    jobs: int | None = None,
    rules: RuleSet | None = None,
    progress: bool = False,
) -> ReviewResult:
    """Review every workbook under ``paths``: flagged copies under ``flagged_dir`` and the
    review workbook at ``out`` (written atomically)."""
    refuse_if_open(out)
    flagged_dir = flagged_dir or default_flagged_dir(out)
    files = collect(
        paths,
        flagged_dir,
        rules=rules,
        jobs=jobs,
        exclude=[out, flagged_dir],
        progress=progress,
    )
    units = unit_rows(files)
    wb = Workbook()
    ws = wb.active
    ws.title = OVERVIEW
    now = dt.datetime.now()
    when = f"{now.year}年{now.month}月{now.day}日 {now:%H:%M}"
    layout = write_overview(ws, units, files, rules or DEFAULT_RULES, when)
    add_charts(ws, layout)
    n = write_findings(wb.create_sheet(FINDINGS), files, out.resolve().parent)
    write_projects(wb.create_sheet(PROJECTS), files)
    write_codes(wb.create_sheet(BY_CODE), files)
    write_unread(wb.create_sheet(UNREAD), files)
    atomic_save(wb, out)
    return ReviewResult(out, flagged_dir, files, len(units), n)
