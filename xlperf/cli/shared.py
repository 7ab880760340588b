"""What several commands share: the --rules option, where a written workbook goes, a finding's
line, and the exit on a bad input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from xlperf.cli.frame import EXIT_INPUT
from xlperf.errors import InputError
from xlperf.findings import Finding
from xlperf.rules import RuleSet, RulesFileError, load_rules


def rules_from(path: Path | None) -> RuleSet | None:
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


def target_path(path: Path, out: Path | None, in_place: bool, tag: str) -> Path:
    """Where a command writes the workbook: back to ``path``, to ``out``, else beside it as
    ``<name><tag>.xlsx`` (never over the input unless asked)."""
    return path if in_place else out or path.with_name(f"{path.stem}{tag}{path.suffix}")


def format_finding(f: Finding) -> str:
    level = "错误" if f.severity == "error" else "警告"
    return f"{f.file}:{f.sheet}!{f.cell}: {f.code} [{level}] {f.message}"


def fail(exc: InputError) -> NoReturn:
    click.echo(str(exc), err=True)
    sys.exit(EXIT_INPUT)
