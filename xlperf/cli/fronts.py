"""The commands that build or run the other fronts: ``xlperf serve``, ``xlperf addin`` and
``xlperf template``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from xlperf.cli.frame import Command, Group


@click.command(cls=Command)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="监听地址（单位内网请填本机内网地址）"
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口")
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


@click.group(cls=Group)
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


@click.group(cls=Group)
def template() -> None:
    """官方模板：由代码生成 workbook_templates/ 下的模板工作簿。"""


@template.command("build")
@click.argument("out_dir", default="workbook_templates", type=click.Path(path_type=Path))
def template_build(out_dir: Path) -> None:
    """生成模板工作簿：项目支出绩效自评表、汇总表、部门项目支出自评工作簿、部门整体支出绩效自评表。"""
    from xlperf.templates import build_templates

    for path in build_templates(out_dir):
        click.echo(str(path))
