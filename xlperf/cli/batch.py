"""``xlperf review``: the batch review of a folder of workbooks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from xlperf.cli.frame import EXIT_INPUT, Command
from xlperf.cli.shared import fail, jobs_option, rules_from, rules_option
from xlperf.errors import InputError

if TYPE_CHECKING:
    from xlperf.rules import RuleSet


@click.command(cls=Command)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option(
    "-o",
    "--output",
    "out",
    default="审核结果.xlsx",
    show_default=True,
    type=click.Path(path_type=Path),
    help="审核结果工作簿",
)
@click.option(
    "--flagged",
    "flagged_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="标记副本（同 xlperf fix 的结果）写入的文件夹（默认：审核结果工作簿旁的“<文件名>_标记副本”）",
)
@jobs_option
@rules_option
def review(
    paths: tuple[Path, ...],
    out: Path,
    flagged_dir: Path | None,
    jobs: int | None,
    rules_path: Path | None,
) -> None:
    """批量审核：检查文件夹中的全部工作簿，生成审核结果工作簿（概况、问题清单、项目一览、按代码统计）和各文件的标记副本。"""
    review_command(list(paths), out, flagged_dir, jobs, rules_from(rules_path))


def review_command(
    paths: list[Path], out: Path, flagged_dir: Path | None, jobs: int | None, rules: RuleSet | None
) -> None:
    from xlperf.review import review as run_review

    try:
        result = run_review(
            paths, out, flagged_dir=flagged_dir, jobs=jobs, rules=rules, progress=True
        )
    except InputError as exc:
        fail(exc)
    for r in result.unreadable:
        click.echo(f"{r.path}: {r.error}", err=True)
    for r in result.duplicates:
        click.echo(f"{r.path}: 与“{r.duplicate_of}”内容完全相同，未重复计入", err=True)
    if not result.reviewed:
        click.echo("未找到任何可以审核的工作簿", err=True)
        sys.exit(EXIT_INPUT)
    errors = sum(f.severity == "error" for r in result.reviewed for f in r.findings)
    click.echo(
        f"{out}: 审核 {len(result.reviewed)} 个文件、{result.units} 个单位；问题 {result.findings} 条"
        f"（错误 {errors}）；无法读取 {len(result.unreadable)} 个，重复 {len(result.duplicates)} 个；"
        f"标记副本在 {result.flagged_dir}"
    )
