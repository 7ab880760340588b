"""The command line: ``xlperf check``, ``xlperf extract`` and the operations built on them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from xlperf import __version__
from xlperf.checks import check_workbook
from xlperf.cli_frame import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    Group,
    _chinese_metavars,
    _Failed,
    reporting,
)
from xlperf.errors import InputError
from xlperf.extract import workbook_dict
from xlperf.findings import CODES, FINDING_KEYS, Finding, select
from xlperf.loader import workbook_paths
from xlperf.reader import read_workbook
from xlperf.rules import RuleSet, RulesFileError, load_rules


def _codes(value: str | None, option: str = "--select") -> list[str] | None:
    """Codes or prefixes given with --select/--ignore; one matching no check code is an error."""
    codes = [c.strip().upper() for c in value.split(",") if c.strip()] if value else None
    for code in codes or ():
        if not any(known.startswith(code) for known in CODES):
            raise click.UsageError(
                f"{option} 中的“{code}”不是任何检查代码或其前缀"
                f"（检查代码如 XP101、XS301、XD401；前缀如 XP1、XS）"
            )
    return codes


def _rules(path: Path | None) -> RuleSet | None:
    """The rule file given with --rules; None lets each workbook's 参数 sheet (or the national
    rules) apply. A rule file that cannot be used stops the command: exit status 2."""
    if path is None:
        return None
    try:
        return load_rules(path)
    except RulesFileError as exc:
        click.echo(f"{path}: 规则文件有误：{exc}", err=True)
    except OSError as exc:
        click.echo(f"{path}: 规则文件无法读取（{exc.strerror or exc}）", err=True)
    sys.exit(EXIT_INPUT)


rules_option = click.option(
    "--rules",
    "rules_path",
    type=click.Path(path_type=Path),
    help="评分规则文件（.json/.toml）；不给时用工作簿的“参数”表，没有则用全国规则",
)
CHECK_FORMATS = ["text", "json", "jsonl", "csv"]


def _target(path: Path, out: Path | None, in_place: bool, tag: str) -> Path:
    """Where a command writes the workbook: back to ``path``, to ``out``, else beside it as
    ``<name><tag>.xlsx`` (never over the input unless asked)."""
    return path if in_place else out or path.with_name(f"{path.stem}{tag}{path.suffix}")


def format_finding(f: Finding) -> str:
    level = "错误" if f.severity == "error" else "警告"
    return f"{f.file}:{f.sheet}!{f.cell}: {f.code} [{level}] {f.message}"


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, prog_name="xlperf", message="%(prog)s 版本 %(version)s", help="显示版本并退出。"
)
def main() -> None:
    """预算绩效自评表：读取、评分、检查、汇总。"""


@main.command()
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
@click.option("--exit-zero", is_flag=True, help="发现错误时也以 0 退出")
def check(
    paths: tuple[Path, ...],
    fmt: str,
    statistics: bool,
    select_: str | None,
    ignore: str | None,
    rules_path: Path | None,
    exit_zero: bool,
) -> None:
    """检查工作簿中的项目支出绩效自评表和汇总表。"""
    selected, ignored = _codes(select_, "--select"), _codes(ignore, "--ignore")
    rules = _rules(rules_path)
    findings: list[Finding] = []
    failed = False
    files = workbook_paths(list(paths))
    if not files:
        click.echo("未找到任何 Excel 文件", err=True)
        sys.exit(EXIT_INPUT)
    for path in files:
        try:
            with reporting(path):
                book = read_workbook(path)
                found = select(check_workbook(book, rules), selected, ignored)
        except _Failed:
            failed = True
            continue
        findings.extend(found)
    emit_findings(findings, fmt, statistics)
    if failed:
        sys.exit(EXIT_INPUT)
    if any(f.severity == "error" for f in findings) and not exit_zero:
        sys.exit(EXIT_FINDINGS)


def emit_findings(findings: list[Finding], fmt: str, statistics: bool) -> None:
    """check's output: the findings (or with ``statistics`` their counts per code) in ``fmt``."""
    if statistics:
        rows = finding_statistics(findings)
        keys = ["code", "severity", "title", "count"]
        if fmt == "text":
            for row in rows:
                level = "错误" if row["severity"] == "error" else "警告"
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
        errors = sum(f.severity == "error" for f in findings)
        click.echo(f"共 {len(findings)} 条：错误 {errors}，警告 {len(findings) - errors}", err=True)


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


@main.command()
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


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", help="输出格式")
def extract(path: Path, fmt: str) -> None:
    """按读取结果输出工作簿中的各表（JSON）。"""
    click.echo(json.dumps(workbook_dict(read_workbook(path)), ensure_ascii=False, indent=1))


def _fail(exc: InputError) -> None:
    click.echo(str(exc), err=True)
    sys.exit(EXIT_INPUT)


@main.command()
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
    rules = _rules(rules_path)
    target = _target(path, out, in_place, "_已检查")
    if out is None and not in_place and target.suffix.lower() == ".xls":
        target = target.with_suffix(".xlsx")  # a legacy .xls is checked in a new .xlsx
    result = fix_file(path, target, rules)
    errors = sum(f.severity == "error" for f in result.findings)
    click.echo(
        f"{target}: 填写计算栏 {result.filled} 个，标记单元格 {result.flagged} 个；错误 {errors}，警告 {len(result.findings) - errors}"
    )


@main.command()
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
    target = _target(path, sheet_output, in_place, "_自评报告") if sheet else None
    try:
        content = build_report(read_workbook(path), _rules(rules_path))
        if target is not None:  # the workbook first: a refusal leaves no .docx behind
            write_report_sheet_file(path, target, content)
        write_docx(content, docx_path)
        click.echo(f"{docx_path}: 报告 {len(content.reports)} 份")
        if target is not None:
            click.echo(f"{target}: 已写入“自评报告”工作表")
    except InputError as exc:
        _fail(exc)


@main.command()
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


@main.command("new-sheet")
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


@main.command()
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
def rollup(
    paths: tuple[Path, ...], out: Path, overwrite: bool, name: str | None, rules_path: Path | None
) -> None:
    """汇总：由项目自评表生成部门（单位）项目支出自评汇总表，并汇总各单位的收支情况表。

    数字按评分规则复核，与自评表所填不同处以批注注明；重复的文件和项目只汇总一次。"""
    from tqdm import tqdm

    from xlperf.department.money import MoneyBook
    from xlperf.department.money_rollup import describe, rollup_money_books
    from xlperf.ops.rollup import read_books, rollup_books, unique_files

    def bar(items):
        return tqdm(items, desc="汇总", unit="个文件", file=sys.stderr, disable=None)

    rules = _rules(rules_path)
    files, repeated = unique_files(workbook_paths(list(paths)))
    for line in repeated:
        click.echo(line, err=True)
    failed: list[InputError] = []
    try:
        if len(files) == 1 and not any(p.is_dir() for p in paths) and not repeated:
            result, money = _rollup_one(files[0], out, overwrite, rules)
        else:
            books = read_books(files, progress=bar, errors=failed)
            result = rollup_books(books, out, rules=rules, name=name)
            money_books = [MoneyBook(path=b.path, tables=b.money) for b in books]
            money = rollup_money_books(money_books, out, name=name, base=out if result else None)
            if result is None and money is None:
                readable = "可以读取的文件" if failed else "所给文件"
                raise InputError(
                    "、".join(str(p) for p in paths),  # what was given, not one file of it
                    f"{readable}中没有任何项目支出绩效自评表或收支情况表，无法汇总",
                )
    except InputError as exc:
        for line in failed:  # why each file was left out, before saying nothing was left
            click.echo(str(line), err=True)
        _fail(exc)
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
        errors = sum(f.severity == "error" for f in result.findings)
        counted = f"发现 {len(result.findings)} 处不一致（错误 {errors}，警告 {len(result.findings) - errors}）"
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
    from xlperf.department.money_rollup import rollup_money_workbook
    from xlperf.ops.rollup import rollup_workbook

    try:
        result = rollup_workbook(path, out, overwrite=overwrite, rules=rules)
    except InputError as exc:
        result, no_projects = None, exc  # the workbook may hold money tables only
    saved = result is not None and (result.written or result.flagged)
    money = rollup_money_workbook(out if saved else path, out, overwrite=overwrite, rules=rules)
    if result is None and money is None:
        raise no_projects
    return result, money


@main.command()
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
@click.option("--jobs", type=click.IntRange(min=1), help="同时读取的文件数（默认：本机 CPU 核数）")
@rules_option
def review(
    paths: tuple[Path, ...],
    out: Path,
    flagged_dir: Path | None,
    jobs: int | None,
    rules_path: Path | None,
) -> None:
    """批量审核：检查文件夹中的全部工作簿，生成审核结果工作簿（概况、问题清单、项目一览、按代码统计）和各文件的标记副本。"""
    review_command(list(paths), out, flagged_dir, jobs, _rules(rules_path))


def review_command(
    paths: list[Path], out: Path, flagged_dir: Path | None, jobs: int | None, rules: RuleSet | None
) -> None:
    from xlperf.review import review as run_review

    try:
        result = run_review(
            paths, out, flagged_dir=flagged_dir, jobs=jobs, rules=rules, progress=True
        )
    except InputError as exc:
        _fail(exc)
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


@main.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="监听地址（单位内网请填本机内网地址）"
)
@click.option("--port", default=8000, show_default=True, help="端口")
@click.option(
    "--token",
    envvar="XLPERF_TOKEN",
    required=True,
    help="共享令牌（或环境变量 XLPERF_TOKEN）：至少 8 个字符，英文字母、数字和符号",
)
@click.option(
    "--max-mb",
    default=20,
    show_default=True,
    type=click.IntRange(1, 1024),
    help="单个请求的大小上限（MB）",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="工作进程数（多个进程可同时处理多个请求，建议不超过 CPU 核数）",
)
@click.option(
    "--header-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.5, 600),
    help="请求头须在多少秒内发送完，否则断开连接",
)
@click.option(
    "--body-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0.5, 600),
    help="发送请求数据时最多停顿多少秒，否则断开连接",
)
@click.option(
    "--max-connections",
    default=1000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="每个工作进程同时保持的连接数上限，超过时答复“连接数已满”",
)
def serve(
    host: str,
    port: int,
    token: str,
    max_mb: int,
    workers: int,
    header_timeout: float,
    body_timeout: float,
    max_connections: int,
) -> None:
    """服务器模式：为未装 Python 的电脑上的加载项提供“重新计算并检查”等操作，并在首页提供“网上预审”网页。"""

    from xlperf import server

    try:
        server.check_token_form(token)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--token") from None
    # Each worker process builds its app from these (server.app_from_env).
    os.environ[server.ENV_TOKEN] = token
    os.environ[server.ENV_MAX_BYTES] = str(max_mb * 1024 * 1024)
    os.environ[server.ENV_HEAD_TIMEOUT] = str(header_timeout)
    os.environ[server.ENV_BODY_TIMEOUT] = str(body_timeout)
    shown = "本机内网地址" if host in ("0.0.0.0", "::") else host
    click.echo(
        f"xlperf 服务器：http://{host}:{port}/xlperf/ （加载项的 XLPERF_SERVER_URL 填 http://{shown}:{port}）"
    )
    click.echo(f"网上预审页面：http://{shown}:{port}/ （各单位用浏览器打开，输入令牌后上传工作簿）")
    server.run(host, port, workers=workers, max_connections=max_connections)


@main.group()
def addin() -> None:
    """Excel 加载项：生成、安装、卸载、查看状态。"""


@addin.command("build")
def addin_build() -> None:
    """由 addin/ 下的文本源生成 addin/xlperf.xlam（含工作表函数的 VBA 包装）。"""
    from xlperf.addin.build import ADDIN_PATH, SOURCE_DIR, build_addin
    from xlperf.addin.udf_wrappers import write_udf_module

    write_udf_module(SOURCE_DIR)
    click.echo(str(build_addin(SOURCE_DIR, ADDIN_PATH)))


@addin.command("install")
def addin_install() -> None:
    """把加载项放到 Excel 启动时加载的位置。"""
    from xlperf.addin.install import install

    click.echo(install())


@addin.command("remove")
def addin_remove() -> None:
    """从 Excel 启动位置移除加载项。"""
    from xlperf.addin.install import remove

    click.echo(remove())


@addin.command("status")
def addin_status() -> None:
    """显示加载项是否已安装。"""
    from xlperf.addin.install import status

    click.echo(status())


@main.group()
def template() -> None:
    """官方模板：由代码生成 workbook_templates/ 下的模板工作簿。"""


@template.command("build")
@click.argument("out_dir", default="workbook_templates", type=click.Path(path_type=Path))
def template_build(out_dir: Path) -> None:
    """生成模板工作簿：项目支出绩效自评表、汇总表、部门项目支出自评工作簿、部门整体支出绩效自评表。"""
    from xlperf.templates import build_templates

    for path in build_templates(out_dir):
        click.echo(str(path))


_chinese_metavars(main)
