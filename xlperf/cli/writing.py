"""The commands that write workbooks: ``xlperf fix``, ``report``, ``clear``, ``new-sheet`` and
``rollup``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from xlperf.cli.frame import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, Command
from xlperf.cli.shared import (
    fail,
    format_finding,
    jobs_option,
    rules_from,
    rules_option,
    severity_counts,
    target_path,
)
from xlperf.errors import InputError

if TYPE_CHECKING:
    from xlperf.rules import RuleSet


@click.command(cls=Command)
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(path_type=Path),
    help="输出文件（默认：原文件名加“_已检查”）",
)
@click.option("--in-place", is_flag=True, help="直接写回原文件")
@rules_option
def fix(path: Path, out: Path | None, in_place: bool, rules_path: Path | None) -> None:
    """重新计算并检查：填写空着的计算栏，在单元格上标记问题，生成“检查结果”表。"""
    from xlperf.ops.files import fix_file

    if in_place and out is not None:
        raise click.UsageError("--in-place 与 -o 不能同时使用")
    rules = rules_from(rules_path)
    target = target_path(path, out, in_place, "_已检查")
    if out is None and not in_place and target.suffix.lower() == ".xls":
        target = target.with_suffix(".xlsx")  # a legacy .xls is checked in a new .xlsx
    result = fix_file(path, target, rules)
    click.echo(
        f"{target}: 填写计算栏 {result.filled} 个，标记单元格 {result.flagged} 个；"
        f"{severity_counts(result.findings)}"
    )


@click.command(cls=Command)
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(path_type=Path),
    help="Word 报告文件（默认：原文件名加“_自评报告.docx”）",
)
@click.option("--sheet", is_flag=True, help="同时在工作簿副本中写入“自评报告”工作表")
@click.option(
    "--sheet-output",
    type=click.Path(path_type=Path),
    help="写入“自评报告”表的工作簿（默认：原文件名加“_自评报告”）",
)
@click.option("--in-place", is_flag=True, help="把“自评报告”表直接写入原工作簿")
@rules_option
def report(
    path: Path,
    out: Path | None,
    sheet: bool,
    sheet_output: Path | None,
    in_place: bool,
    rules_path: Path | None,
) -> None:
    """自评总结报告：按自评表生成 Word 报告（数字经复核），需人工填写处以黄色标出。"""
    from xlperf.report.content import build_report
    from xlperf.report.docx_writer import write_docx
    from xlperf.report.sheet_writer import write_report_sheet_file

    if in_place and sheet_output is not None:
        raise click.UsageError("--in-place 与 --sheet-output 不能同时使用")
    sheet = sheet or in_place or sheet_output is not None
    docx_path = out or path.with_name(f"{path.stem}_自评报告.docx")
    target = target_path(path, sheet_output, in_place, "_自评报告") if sheet else None
    try:
        from xlperf.reader import read_workbook

        content = build_report(read_workbook(path), rules_from(rules_path))
        if target is not None:  # the workbook first: a refusal leaves no .docx behind
            write_report_sheet_file(path, target, content)
        write_docx(content, docx_path)
        click.echo(f"{docx_path}: 报告 {len(content.reports)} 份")
        if target is not None:
            click.echo(f"{target}: 已写入“自评报告”工作表")
    except InputError as exc:
        fail(exc)


@click.command(cls=Command)
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", "out", type=click.Path(path_type=Path), help="输出文件（默认写回原文件）"
)
def clear(path: Path, out: Path | None) -> None:
    """清除标记：撤销上次检查写入的填色、批注、计算值和“检查结果”表。"""
    from xlperf.ops.files import NothingToClear, clear_file

    try:
        restored = clear_file(path, out)
    except NothingToClear as exc:
        click.echo(f"{exc}，未做任何更改")
        return
    click.echo(f"{out or path}: 已还原 {restored} 个单元格")


@click.command("new-sheet", cls=Command)
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", "out", type=click.Path(path_type=Path), help="输出文件（默认写回原文件）"
)
@click.option("--name", help="新工作表名（默认“项目N”）")
def new_sheet(path: Path, out: Path | None, name: str | None) -> None:
    """新增项目表：按模板在工作簿中加入一张空白的项目支出绩效自评表。"""
    from xlperf.ops.new_sheet import add_project_file

    title = add_project_file(path, out or path, name)
    click.echo(f"{out or path}: 已新增项目表“{title}”")


@click.command(cls=Command)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="输出的汇总工作簿（只比对时为标出不一致之处的副本）",
)
@click.option(
    "--overwrite", is_flag=True, help="按项目自评表重写人工填写的汇总表（默认只比对，不覆盖）"
)
@click.option("--name", help="部门名称（默认取各表的主管部门）")
@rules_option
@jobs_option
def rollup(
    paths: tuple[Path, ...],
    out: Path,
    overwrite: bool,
    name: str | None,
    rules_path: Path | None,
    jobs: int | None,
) -> None:
    """汇总：由项目自评表生成部门（单位）项目支出自评汇总表，并汇总各单位的收支情况表。

    数字按评分规则复核，与自评表所填不同处以批注注明；重复的文件和项目只汇总一次。"""
    from tqdm import tqdm

    from xlperf.ops.batch import gather
    from xlperf.ops.money_rollup import describe, rollup_money_books
    from xlperf.ops.rollup import rollup_records, unique_files
    from xlperf.reader.loader import workbook_paths

    rules = rules_from(rules_path)
    files, repeated = unique_files(workbook_paths(list(paths)))
    for line in repeated:
        click.echo(line, err=True)
    failed: list[InputError] = []
    try:
        if len(files) == 1 and not any(p.is_dir() for p in paths) and not repeated:
            result, money = _rollup_one(files[0], out, overwrite, rules)
        else:
            bar = tqdm(total=len(files), desc="汇总", unit="个文件", file=sys.stderr, disable=None)
            with bar:
                gathered = gather(files, rules, jobs=jobs, errors=failed, done=bar.update)
            result = rollup_records(gathered.records, out, name=name)
            base = out if result else None
            money = rollup_money_books(gathered.money, out, name=name, base=base)
            if result is None and money is None:
                readable = "可以读取的文件" if failed else "所给文件"
                raise InputError(
                    "、".join(str(p) for p in paths),  # what was given, not one file of it
                    f"{readable}中没有任何项目支出绩效自评表或收支情况表，无法汇总",
                )
    except InputError as exc:
        for line in failed:  # why each file was left out, before saying nothing was left
            click.echo(str(line), err=True)
        fail(exc)
    for exc in failed:
        click.echo(str(exc), err=True)
    if result is not None:
        for line in result.notes:
            click.echo(line, err=True)
    if money is not None:
        for f in money.findings:
            click.echo(format_finding(f))
        click.echo(describe(money, out), err=not money.written)
    if result is None:
        sys.exit(EXIT_FINDINGS if money.findings and not money.written else EXIT_OK)
    if not result.written:
        for f in result.findings:
            click.echo(format_finding(f))
        errors = any(f.severity == "error" for f in result.findings)
        counted = f"发现 {len(result.findings)} 处不一致（{severity_counts(result.findings)}）"
        if not result.flagged:
            found = f"{counted}；-o 即原工作簿，只比对不改动，未写入文件"
        elif result.findings:
            found = f"{counted}，已在 {out} 中涂色并加批注标出，逐条列于其“检查结果”表"
        else:
            found = f"未发现不一致，{out} 为原工作簿的副本"
        click.echo(
            f"{files[0]}: 汇总表已由人工填写，未覆盖，仅与项目自评表比对：{found}。"
            "如需按项目自评表重新汇总（各汇总表保留其单位和位置），请加 --overwrite",
            err=True,
        )
        sys.exit(EXIT_FINDINGS if errors else EXIT_OK)
    corrected = (
        f"；其中 {result.corrected} 个数字与项目自评表所填不同（按评分规则更正，单元格批注中注明原数字及其单元格）"
        if result.corrected
        else ""
    )
    click.echo(
        f"{out}: 汇总 {result.units} 个单位、{result.projects} 个项目，"
        f"写入 {'、'.join(result.sheets)}{corrected}"
    )
    if failed:
        sys.exit(EXIT_INPUT)


def _rollup_one(path: Path, out: Path, overwrite: bool, rules: RuleSet | None):
    """汇总 within one workbook: its 汇总表, then its 收支情况 汇总 rows (either may be absent)."""
    from xlperf.ops.rollup_one import rollup_one_file

    one = rollup_one_file(path, out, overwrite=overwrite, rules=rules)
    return one.result, one.money
