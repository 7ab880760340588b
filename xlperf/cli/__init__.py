"""The command line `xlperf`: the group, with its commands one module per family (reading,
writing, batch review, the other fronts) and click's Chinese frame (frame.py)."""

from __future__ import annotations

import click

from xlperf import __version__
from xlperf.cli import batch, fronts, presets, reading, writing
from xlperf.cli.frame import Group, chinese_metavars


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, prog_name="xlperf", message="%(prog)s 版本 %(version)s", help="显示版本并退出。"
)
def main() -> None:
    """预算绩效自评表：读取、评分、检查、汇总。"""


for command in (
    reading.check,
    reading.rule,
    reading.extract,
    presets.rules,
    writing.fix,
    writing.report,
    writing.clear,
    writing.new_sheet,
    writing.rollup,
    batch.review,
    fronts.serve,
    fronts.addin,
    fronts.template,
):
    main.add_command(command)
chinese_metavars(main)
