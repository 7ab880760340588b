"""``xlperf rules list`` and ``xlperf rules show NAME``: the province presets and their sources."""

from __future__ import annotations

import sys

import click

from xlperf.cli.frame import EXIT_INPUT, Command, Group
from xlperf.presets import PresetError, preset, preset_list_text, preset_text


@click.group(cls=Group)
def rules() -> None:
    """规则预设：各地的评分口径及其依据。"""


@rules.command("list", cls=Command)
def rules_list() -> None:
    """列出规则预设及其依据（--preset 名称 使用其一）。"""
    click.echo(preset_list_text(), nl=False)


@rules.command("show", cls=Command)
@click.argument("name")
def rules_show(name: str) -> None:
    """显示一个规则预设：依据、依据所述、可接受的评分口径。"""
    try:
        click.echo(preset_text(preset(name)), nl=False)
    except PresetError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INPUT)
