"""The chart of the 自评总结报告: each project's 自评得分 and 预算执行率 as horizontal bars (PNG).

The figures come from the report's own table of figures (表1, :func:`chart_rows`), read back
from the text the report prints, so the chart shows exactly what the report states; nothing is
worked out again here. matplotlib is imported only when a chart is drawn (Agg, no pyplot and no
global state), so ``xlperf --help`` and ``xlperf check`` never load it.

Labels are Chinese: the first CJK font matplotlib knows from :data:`CJK_FONTS` (Noto Sans CJK SC
on Debian, installed by .ci/run; Microsoft YaHei / SimHei / DengXian on Windows, PingFang SC on
macOS) draws them. With none installed there is no chart rather than one in boxes. Text from a
form is drawn as text (no mathtext: ``$…$`` stays as typed); a character no font has is drawn
as ``?``, so drawing never warns. Same rows, same PNG bytes: fixed size and dpi, no metadata.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from xlperf.report.blocks import Table
from xlperf.report.projects import FIGURES_HEADER, is_figures_table
from xlperf.vocabulary.department import INDICATOR_NAMES
from xlperf.vocabulary.project import TOTAL_LABEL
from xlperf.vocabulary.review import PROJECT

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "Microsoft YaHei",
    "DengXian",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)
LATIN_FALLBACK = "DejaVu Sans"  # ships with matplotlib
DPI = 200
SCORE_COLOR = "#2F5597"
RATE_COLOR = "#F4B183"
LABEL_PT, VALUE_PT = 9, 8
NAME_WIDTH = 28  # half-width units per line of a project name (a Chinese character counts 2)
NAME_LINES = 3
MAX_ROWS = 14  # projects in one chart: with its caption it fits an A4 page
FIGURE = re.compile(r"-?\d+(?:\.\d+)?")
# matplotlib's settings are global: one chart at a time (the server writes reports in threads)
DRAWING = threading.Lock()


@dataclass(frozen=True)
class ChartRow:
    """One project as the report's table states it: 总分 (分) and 预算执行率 (in %, so 100.00
    for 100.00%), each None where the report states no figure (（未填）, （无法计算）)."""

    name: str
    score: Decimal | None
    rate: Decimal | None
    score_text: str
    rate_text: str


def _stated(text: str, suffix: str = "") -> Decimal | None:
    """The figure a table cell states (``87.97``, ``100.00%``), exactly; None for none."""
    body = text.strip()
    if suffix:
        if not body.endswith(suffix):
            return None
        body = body[: -len(suffix)]
    return Decimal(body) if FIGURE.fullmatch(body) else None


def chart_rows(table: Table) -> list[ChartRow]:
    """Each project's 总分 and 预算执行率 from the report's table of figures (not its 合计 row)."""
    if not is_figures_table(table):
        raise ValueError(f"not a table of figures: {table.caption}")
    name_c = FIGURES_HEADER.index(PROJECT)
    rate_c = FIGURES_HEADER.index(INDICATOR_NAMES["budget_execution_rate"])
    score_c = FIGURES_HEADER.index(TOTAL_LABEL)
    rows = table.rows[:-1] if table.total_row else table.rows
    return [
        ChartRow(
            name=r[name_c],
            score=_stated(r[score_c]),
            rate=_stated(r[rate_c], "%"),
            score_text=r[score_c],
            rate_text=r[rate_c],
        )
        for r in rows
    ]


def chart_parts(rows: Sequence[ChartRow]) -> list[tuple[int, list[ChartRow]]]:
    """``rows`` in charts of at most :data:`MAX_ROWS` projects, as even as can be, each with the
    序号 (in 表1) of its first project."""
    count = max(1, -(-len(rows) // MAX_ROWS))
    size = -(-len(rows) // count) if rows else 0
    return [
        (start + 1, list(rows[start : start + size])) for start in range(0, len(rows), size or 1)
    ]


def chart_caption(number: int, unit: str, count: int, span: tuple[int, int] | None = None) -> str:
    """图N's caption; ``span``: the 序号 of the first and last project, where 表1's projects
    take several charts."""
    projects = ("各" if count > 1 else "") + PROJECT
    part = f"（表1序号{span[0]}—{span[1]}）" if span else ""
    return f"图{number}：{unit}{projects}自评得分与预算执行率{part}"


# ---------------------------------------------------------------- fonts


@functools.cache
def cjk_font(candidates: tuple[str, ...] = CJK_FONTS) -> str | None:
    """The first of ``candidates`` matplotlib can use; fonts installed after matplotlib built
    its font cache are found through fontconfig. None when there is none."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in candidates if name in known), None)
    if found is not None or shutil.which("fc-list") is None:
        return found
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "family", "file"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in listed.splitlines():
        path, _, families = line.partition(":")
        if any(name in families.split(",") for name in candidates):
            try:
                font_manager.fontManager.addfont(path.strip())
            except (OSError, RuntimeError, ValueError):
                continue
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in candidates if name in known), None)


def _covered(font_name: str):
    """A test of whether the chart's fonts (the CJK font, then DejaVu Sans) draw a character."""
    from matplotlib import font_manager

    fonts = [
        font_manager.get_font(
            font_manager.findfont(
                font_manager.FontProperties(family=name), fallback_to_default=False
            )
        )
        for name in (font_name, LATIN_FALLBACK)
    ]
    return lambda ch: any(f.get_char_index(ord(ch)) for f in fonts)


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap_name(name: str, covered=lambda ch: True) -> str:
    """A project name in balanced lines of at most :data:`NAME_WIDTH` half-width units, at most
    :data:`NAME_LINES` lines (then …); characters no font draws become ``?``."""
    text = "".join(ch if ch.isprintable() and covered(ch) else "?" for ch in " ".join(name.split()))
    total = sum(_width(ch) for ch in text)
    count = max(1, -(-total // NAME_WIDTH))
    target = -(-total // count)  # "自筹人员工资及社保缴费支出" in one line, not 12 + 1
    lines, line, used = [], "", 0
    for ch in text:
        if line and used + _width(ch) > target:
            lines.append(line)
            line, used = "", 0
        line += ch
        used += _width(ch)
    lines.append(line)
    if len(lines) > NAME_LINES:
        lines = lines[:NAME_LINES]
        lines[-1] = lines[-1][:-1] + "…"
    return "\n".join(lines)


# ---------------------------------------------------------------- drawing


def chart_size_in(count: int, width_cm: float) -> tuple[float, float]:
    """Figure size in inches: the text width, and a height growing with the projects."""
    return width_cm / 2.54, max(1.8, 0.8 + 0.52 * count)


def chart_figure(rows: Sequence[ChartRow], font: str, width_cm: float):
    """The matplotlib Figure of ``rows`` (Agg canvas). Call inside :func:`chart_style`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    covered = _covered(font)
    fig = Figure(figsize=chart_size_in(len(rows), width_cm), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = list(range(len(rows)))
    bar = 0.38
    scores = [float(r.score) if r.score is not None else 0.0 for r in rows]
    rates = [float(r.rate) if r.rate is not None else 0.0 for r in rows]
    ax.barh(
        [y - bar / 2 for y in positions],
        scores,
        height=bar,
        color=SCORE_COLOR,
        label="自评得分（分）",
    )
    ax.barh(
        [y + bar / 2 for y in positions],
        rates,
        height=bar,
        color=RATE_COLOR,
        label="预算执行率（%）",
    )
    top = max([100.0, *scores, *rates])
    pad = top * 0.01
    for y, r, s, e in zip(positions, rows, scores, rates, strict=True):
        score_label = r.score_text if r.score is not None else "未填"
        rate_label = r.rate_text if r.rate is not None else "无法计算"
        ax.text(s + pad, y - bar / 2, score_label, va="center", ha="left", fontsize=VALUE_PT)
        ax.text(e + pad, y + bar / 2, rate_label, va="center", ha="left", fontsize=VALUE_PT)
    ax.set_xlim(0, top * 1.16)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the first project on top, as the table lists them
    ax.set_yticks(positions, [wrap_name(r.name, covered) for r in rows], fontsize=LABEL_PT)
    ax.set_xticks([t for t in range(0, int(top) + 1, 20)])
    ax.tick_params(axis="x", labelsize=LABEL_PT)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.grid(True, color="#D9D9D9", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.legend(loc="outside upper center", ncols=2, frameon=False, fontsize=LABEL_PT)
    return fig


def chart_style(font: str):
    """The settings every chart is drawn with: the CJK font, text as text (no mathtext)."""
    import matplotlib

    return matplotlib.rc_context(
        {
            "font.family": [font, LATIN_FALLBACK],
            "text.parse_math": False,
            "text.usetex": False,
            "axes.unicode_minus": False,
            "svg.hashsalt": "xlperf",
        }
    )


def chart_png(rows: Sequence[ChartRow], width_cm: float, font: str | None = None) -> bytes | None:
    """The chart as PNG bytes (``width_cm`` wide at :data:`DPI`); None when there is nothing to
    draw or no CJK font to draw it with."""
    if not any(r.score is not None or r.rate is not None for r in rows):
        return None
    font = font or cjk_font()
    if font is None:
        return None
    with DRAWING, chart_style(font):
        fig = chart_figure(rows, font, width_cm)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
