"""The frame every ``xlperf`` command runs in: click speaking Chinese (help, usage, its own error
messages), and what goes wrong with a file as its one line on stderr with exit status 2."""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from xlperf.errors import DEBUG_ENV, InputError, internal_error

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

# click's own words: headings, the help option, the usage line, the notes after an option.
_HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
_HELP_NOTES = [("[default: ", "[默认："), ("; required]", "；必填]"), ("[required]", "[必填]")]
_METAVARS = {
    "TEXT": "文本",
    "INTEGER": "整数",
    "FLOAT": "数字",
    "PATH": "路径",
    "INTEGER RANGE": "整数",
    "FLOAT RANGE": "数字",
}
_ARG_METAVARS = {
    "paths": "路径...",
    "path": "路径",
    "out_dir": "[输出文件夹]",
    "code": "[代码]",
}
_ERRORS = [
    (re.compile(r"Missing argument '([^']*)'\."), r"缺少参数 \1。"),
    (re.compile(r"Missing option '([^']*)'\."), r"缺少选项 \1。"),
    (re.compile(r"No such option '([^']*)'\."), r"没有选项 \1。"),  # click ≥ 8.2
    (re.compile(r"No such option: (\S+)"), r"没有选项 \1"),
    (re.compile(r"No such command '([^']*)'\."), r"没有命令“\1”。"),
    (re.compile(r"Got unexpected extra arguments? \((.*)\)"), r"多余的参数：\1"),
    (re.compile(r"Option '([^']*)' requires an argument\."), r"选项 \1 需要一个值。"),
    (re.compile(r"Invalid value for '?([^':]*)'?: "), r"选项 \1 的值无效："),
    (re.compile(r"'([^']*)' is not one of (.*)\."), r"“\1”不是 \2 之一。"),
    (re.compile(r"'([^']*)' is not a valid integer( range)?\."), r"“\1”不是整数。"),
    (re.compile(r"Path '([^']*)' does not exist\."), r"路径 \1 不存在。"),
    (re.compile(r"(\S+) is not in the range ([^ ]+)\."), r"\1 不在范围 \2 内。"),
    (re.compile(r"'([^']*)' is not a valid float( range)?\."), r"“\1”不是数字。"),
    (re.compile(r"Did you mean (.*)\?"), r"是否想用 \1？"),
]


def _width(text: str) -> int:
    """Columns a text takes in a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Formatter(click.HelpFormatter):
    """click's help layout with Chinese headings, aligned by display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        self.write(f"{'':>{self.current_indent}}用法：{prog} {args}\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first = min(max((_width(term) for term, _ in rows), default=0), col_max)
        for term, text in rows:
            for english, chinese in _HELP_NOTES:
                text = text.replace(english, chinese)
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            pad = first - _width(term)
            if pad >= 0:
                self.write(" " * (pad + col_spacing))
            else:
                self.write("\n" + " " * (first + col_spacing + self.current_indent))
            self.write(text + "\n")


class _Context(click.Context):
    formatter_class = _Formatter


def chinese_metavars(command: click.Command) -> None:
    """Chinese placeholders (文本, 路径) where click would print TEXT, PATH, PATHS..."""
    for param in command.params:
        if param.metavar is None:
            if isinstance(param, click.Argument):
                param.metavar = _ARG_METAVARS.get(param.name or "")
            elif not getattr(param, "is_flag", False):
                param.metavar = _METAVARS.get(param.type.name.upper())
    for sub in getattr(command, "commands", {}).values():
        chinese_metavars(sub)


def _chinese_error(message: str) -> str:
    for pattern, chinese in _ERRORS:
        message = pattern.sub(chinese, message)
    return message


class Failed(Exception):
    """A file could not be processed; its line is already on stderr."""


@contextmanager
def reporting(name: object) -> Iterator[None]:
    """Turn what goes wrong with one file into its one Chinese line on stderr (then Failed):
    an InputError as it is, anything unexpected as an internal error naming the file."""
    try:
        yield
    except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, Failed):
        raise
    except BrokenPipeError:
        raise  # the reader of stdout went away (``| head``): click ends quietly, no file is at fault
    except InputError as exc:
        click.echo(str(exc), err=True)
        raise Failed from None
    except Exception as exc:  # noqa: BLE001 - the one place internal errors are reported
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        click.echo(str(internal_error(name, exc)), err=True)
        raise Failed from None


def _named_file(ctx: click.Context) -> str:
    """The file a command was given, for the line of an internal error."""
    path = ctx.params.get("path")
    if path is not None:
        return str(path)
    paths = ctx.params.get("paths") or ()
    return "、".join(str(p) for p in paths) if paths else ctx.command_path


class _Chinese:
    """click's help and usage in Chinese."""

    context_class = _Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option


class Command(_Chinese, click.Command):
    """A command whose failures are each one line on stderr and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with reporting(_named_file(ctx)):
                return super().invoke(ctx)
        except Failed:
            sys.exit(EXIT_INPUT)


class Group(_Chinese, click.Group):
    command_class = Command
    group_class = type

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Usage errors in Chinese, exit status 2 (click's own words are English)."""
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as exc:
            hint = ""
            if exc.ctx is not None and exc.ctx.command.get_help_option(exc.ctx) is not None:
                hint = f"\n用 “{exc.ctx.command_path} -h” 查看帮助。"
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
            click.echo(f"错误：{_chinese_error(exc.format_message())}{hint}", err=True)
            sys.exit(EXIT_INPUT)
        except click.ClickException as exc:
            click.echo(f"错误：{exc.format_message()}", err=True)
            sys.exit(EXIT_INPUT)
        except click.Abort:
            click.echo("已中止。", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else EXIT_OK)
