"""What several commands share: the --rules option, where a written workbook goes, a finding's
line, and the exit on a bad input."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from xlperf.cli.frame import EXIT_INPUT
from xlperf.errors import InputError

if TYPE_CHECKING:
    from xlperf.findings import Finding
    from xlperf.rules import RuleSet

PRESET_KEY = "xlperf_preset"


def rules_from(path: Path | None) -> RuleSet | None:
    """The rule set of --rules and --preset; None lets each workbook's 参数 sheet (or the
    default, which accepts every known convention) apply. With both, the file's rules follow the
    preset's conventions. A rule file or preset that cannot be used stops the command: exit 2."""
    ctx = click.get_current_context(silent=True)
    named = ctx.meta.get(PRESET_KEY) if ctx is not None else None
    base = None
    if named is not None:
        from xlperf.presets import PresetError, preset

        try:
            base = preset(named).rules
        except PresetError as exc:
            click.echo(f"--preset：{exc}", err=True)
            sys.exit(EXIT_INPUT)
    if path is None:
        return base
    from xlperf.rules import RulesFileError, load_rules

    try:
        rules = load_rules(path)
    except RulesFileError as exc:
        click.echo(f"{path}: 规则文件有误：{exc}", err=True)
        sys.exit(EXIT_INPUT)
    except OSError as exc:
        click.echo(f"{path}: 规则文件无法读取（{exc.strerror or exc}）", err=True)
        sys.exit(EXIT_INPUT)
    if base is None:
        return rules
    return rules.model_copy(update={"conventions": base.conventions, "preset": base.preset})


def _remember_preset(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[PRESET_KEY] = value


def rules_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--rules FILE and --preset NAME, read together by :func:`rules_from`."""
    command = click.option(
        "--preset",
        callback=_remember_preset,
        expose_value=False,
        metavar="名称",
        help="规则预设（xlperf rules list 列出）；收窄可接受的评分口径",
    )(command)
    return click.option(
        "--rules",
        "rules_path",
        type=click.Path(path_type=Path),
        help="评分规则文件（.json/.toml）；不给时用工作簿的“参数”表，没有则接受全部已知评分口径",
    )(command)


jobs_option = click.option(
    "--jobs",
    type=click.IntRange(1, 61),  # Windows runs at most 61 worker processes (ProcessPoolExecutor)
    help="同时处理的文件数（默认：本机 CPU 核数）",
)


def target_path(path: Path, out: Path | None, in_place: bool, tag: str) -> Path:
    """Where a command writes the workbook: back to ``path``, to ``out``, else beside it as
    ``<name><tag>.xlsx`` (never over the input unless asked)."""
    return path if in_place else out or path.with_name(f"{path.stem}{tag}{path.suffix}")


def severity_counts(findings: list[Finding]) -> str:
    """The count every command prints: 错误 N，警告 M (and ，提示 K when there are any)."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    infos = len(findings) - errors - warnings
    return f"错误 {errors}，警告 {warnings}" + (f"，提示 {infos}" if infos else "")


def format_finding(f: Finding) -> str:
    from xlperf.registry import SEVERITY_NAME

    level = SEVERITY_NAME.get(f.severity, SEVERITY_NAME["warning"])
    return f"{f.file}:{f.sheet}!{f.cell}: {f.code} [{level}] {f.message}"


def fail(exc: InputError) -> NoReturn:
    click.echo(str(exc), err=True)
    sys.exit(EXIT_INPUT)
