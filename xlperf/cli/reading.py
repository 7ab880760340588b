"""The commands that only read: ``xlperf check``, ``xlperf rule`` and ``xlperf extract``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from xlperf.cli.frame import EXIT_FINDINGS, EXIT_INPUT, Command
from xlperf.cli.shared import (
    format_finding,
    jobs_option,
    rules_from,
    rules_option,
    severity_counts,
)
from xlperf.errors import InputError

if TYPE_CHECKING:
    from xlperf.findings import Finding

# What each command needs is imported when it runs: `xlperf --help` loads only click.

CHECK_FORMATS = ["text", "json", "jsonl", "csv"]


def _codes(value: str | None, option: str = "--select") -> list[str] | None:
    """Codes or prefixes given with --select/--ignore; one matching no check code is an error."""
    from xlperf.findings import CODES

    codes = [c.strip().upper() for c in value.split(",") if c.strip()] if value else None
    for code in codes or ():
        if not any(known.startswith(code) for known in CODES):
            raise click.UsageError(
                f"{option} 中的“{code}”不是任何检查代码或其前缀"
                f"（检查代码如 XP101、XS301、XD401；前缀如 XP1、XS）"
            )
    return codes


@click.command(cls=Command)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(CHECK_FORMATS),
    default="text",
    help="输出格式：text 每条一行；json 一个数组；jsonl 每行一个 JSON 对象；csv 带表头的逗号分隔表",
)
@click.option("--statistics", is_flag=True, help="只输出各代码的条数（按条数从多到少）")
@click.option("--select", "select_", help="只报告这些代码（逗号分隔，前缀匹配，如 XP1,XS301）")
@click.option("--ignore", help="不报告这些代码（逗号分隔，前缀匹配）")
@rules_option
@jobs_option
@click.option("--exit-zero", is_flag=True, help="发现错误时也以 0 退出")
def check(
    paths: tuple[Path, ...],
    fmt: str,
    statistics: bool,
    select_: str | None,
    ignore: str | None,
    rules_path: Path | None,
    jobs: int | None,
    exit_zero: bool,
) -> None:
    """检查工作簿中的项目支出绩效自评表和汇总表。"""
    from xlperf.findings import select
    from xlperf.ops.batch import Job, check_file
    from xlperf.pool import run_jobs
    from xlperf.reader.loader import workbook_paths

    selected, ignored = _codes(select_, "--select"), _codes(ignore, "--ignore")
    rules = rules_from(rules_path)
    findings: list[Finding] = []
    failed = False
    files = workbook_paths(list(paths))
    if not files:
        click.echo("未找到任何 Excel 文件", err=True)
        sys.exit(EXIT_INPUT)
    for result in run_jobs(check_file, [Job(p, rules) for p in files], jobs):
        if isinstance(result, InputError):
            click.echo(str(result), err=True)
            failed = True
            continue
        findings.extend(select(result, selected, ignored))
    emit_findings(findings, fmt, statistics)
    if failed:
        sys.exit(EXIT_INPUT)
    if any(f.severity == "error" for f in findings) and not exit_zero:
        sys.exit(EXIT_FINDINGS)


def emit_findings(findings: list[Finding], fmt: str, statistics: bool) -> None:
    """check's output: the findings (or with ``statistics`` their counts per code) in ``fmt``."""
    from xlperf.findings import FINDING_KEYS
    from xlperf.registry import SEVERITY_NAME

    if statistics:
        rows = finding_statistics(findings)
        keys = ["code", "severity", "title", "count"]
        if fmt == "text":
            for row in rows:
                level = SEVERITY_NAME.get(str(row["severity"]), SEVERITY_NAME["warning"])
                click.echo(f"{row['count']:>6}\t{row['code']}\t[{level}] {row['title']}")
    else:
        rows = [f.model_dump(mode="json", include=set(FINDING_KEYS)) for f in findings]
        keys = list(FINDING_KEYS)
        if fmt == "text":
            for f in findings:
                click.echo(format_finding(f))
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif fmt == "csv":
        import csv
        import io

        from xlperf.ops.literal import csv_value

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_value(row.get(k)) for k in keys} for row in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(f"共 {len(findings)} 条：{severity_counts(findings)}", err=True)


def finding_statistics(findings: list[Finding]) -> list[dict[str, object]]:
    """Counts per code, most frequent first (like ``ruff --statistics``), with each code's title."""
    from collections import Counter

    from xlperf.findings import CODES

    counts = Counter(f.code for f in findings)
    severity = {f.code: f.severity for f in findings}
    return [
        {
            "code": code,
            "severity": severity[code],
            "title": CODES[code][1] if code in CODES else "",
            "count": n,
        }
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


@click.command(cls=Command)
@click.argument("code", required=False)
@click.option(
    "--markdown", is_flag=True, help="输出 Markdown 表格（README 的“检查代码”表由此生成）"
)
def rule(code: str | None, markdown: bool) -> None:
    """显示检查代码的说明：给出代码（如 XP101）时显示其检查内容、原因、示例和修改方法；给出前缀（如 XP1、XD）时列出这些代码；不给时列出全部检查代码。"""
    from xlperf.registry import REGISTRY, markdown_table, matching, rule_text, table_text

    key = (code or "").strip().upper()
    rules = matching(key)
    if not rules:
        raise click.UsageError(
            f"“{code}”不是任何检查代码或其前缀（检查代码如 XP101、XS301、XD401；前缀如 XP1、XS）"
        )
    if markdown:
        click.echo(markdown_table(rules), nl=False)
    elif key in REGISTRY:
        click.echo(rule_text(REGISTRY[key]), nl=False)
    else:
        click.echo(table_text(rules), nl=False)


@click.command(cls=Command)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", help="输出格式")
@rules_option
def extract(path: Path, fmt: str, rules_path: Path | None) -> None:
    """按读取结果输出工作簿中的各表（JSON），含各项目表的评分口径与读法说明。"""
    from xlperf.extract import workbook_dict
    from xlperf.reader import read_workbook

    rules = rules_from(rules_path)
    book = read_workbook(path)
    click.echo(json.dumps(workbook_dict(book, rules), ensure_ascii=False, indent=1))
