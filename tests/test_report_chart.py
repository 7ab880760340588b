"""The chart in the 自评总结报告: one per report, below 表1, showing the figures the report states.

The example workbook's report is written through the CLI and read back with python-docx; the
chart's data (read from the report's table of figures) is compared with the report's own
sentences and with the scorer's figures; the drawn bars and labels are read back out of the
matplotlib Figure; LibreOffice renders the PDF, and poppler lists the images it holds.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import struct
import subprocess
import sys
import warnings
import zlib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.shared import Cm

from tests.conftest import soffice
from tests.test_report import EXAMPLE, scorer_figures
from xlperf.cli import main
from xlperf.reader import read_workbook
from xlperf.report import build_report
from xlperf.report.blocks import Heading, Para, Report, ReportContent, Table
from xlperf.report.chart import (
    DPI,
    ChartRow,
    chart_figure,
    chart_png,
    chart_rows,
    chart_style,
    cjk_font,
    wrap_name,
)
from xlperf.report.docx_writer import TEXT_WIDTH_CM, report_docx
from xlperf.report.projects import FIGURES_HEADER, is_figures_table
from xlperf.scoring.figures import name_key

REPO = Path(__file__).resolve().parents[1]
NUM = r"([\d.]+)"
Q2 = Decimal("0.01")


def font() -> str:
    name = cjk_font()
    if name is None:
        pytest.skip("no CJK font installed (.ci/run installs fonts-noto-cjk)")
    return name


@pytest.fixture(scope="module")
def content():
    return build_report(read_workbook(EXAMPLE))


@pytest.fixture(scope="module")
def example_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    font()
    out = tmp_path_factory.mktemp("chart") / "自评报告.docx"
    result = CliRunner().invoke(main, ["report", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def figures_table(report) -> Table:
    found = [b for b in report.blocks if isinstance(b, Table) and is_figures_table(b)]
    assert len(found) == 1
    return found[0]


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(
            kind + body
        )
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


# ---------------------------------------------------------------- the .docx


def test_one_chart_per_report_below_its_table(example_docx: Path, content) -> None:
    doc = Document(str(example_docx))
    assert len(doc.inline_shapes) == len(content.reports) == 5
    width = Cm(TEXT_WIDTH_CM)
    for shape in doc.inline_shapes:
        assert abs(shape.width - width) < Cm(0.01)  # the text's width: nothing sticks out
        assert shape.height < Cm(29.7 - 3.7 - 3.5 - 1.5)  # fits a page with its caption
    images = [rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/image")]
    assert len(images) == 5 and all(p.content_type == "image/png" for p in images)
    for part in images:
        chunks = dict(png_chunks(part.blob))
        width_px, _ = struct.unpack(">II", chunks[b"IHDR"][:8])
        assert width_px == round(TEXT_WIDTH_CM / 2.54 * DPI)  # 200 dpi at the text's width
        x_ppm, y_ppm, unit = struct.unpack(">IIB", chunks[b"pHYs"])
        assert unit == 1 and round(x_ppm * 0.0254) == DPI
        assert not {b"tEXt", b"iTXt", b"zTXt", b"tIME"} & set(chunks)  # no date, no software

    # in each report: 表1, then the picture, then its caption 图1, before the next heading
    body = doc.element.body
    sequence: list[tuple[str, str]] = []
    for child in body.iterchildren():
        if child.tag.endswith("}tbl"):
            sequence.append(("table", ""))
        elif child.tag.endswith("}p"):
            text = "".join(t.text or "" for t in child.iter(child.tag[:-1] + "t"))
            if child.findall(".//{*}inline"):
                sequence.append(("picture", ""))
            elif text.startswith(("图", "表")) or child.findall(".//{*}pStyle"):
                sequence.append(("text", text))
    pictures = [i for i, (kind, _) in enumerate(sequence) if kind == "picture"]
    assert len(pictures) == 5
    for report, i in zip(content.reports, pictures, strict=True):
        assert sequence[i - 1][0] == "table"
        assert sequence[i - 2][1] == figures_table(report).caption
        unit = report.title_lines[0]
        assert sequence[i + 1][1] in (
            f"图1：{unit}各项目自评得分与预算执行率",
            f"图1：{unit}项目自评得分与预算执行率",
        )
        assert sequence[i + 2][1].startswith(("四、", "五、"))  # the next heading
    assert [s[1] for s in sequence].count(
        "图1：新乡县农村社会养老保险管理中心项目自评得分与预算执行率"
    ) == 1


def test_chart_in_docx_is_the_same_bytes_every_time(content) -> None:
    font()
    first = report_docx(content)
    assert report_docx(content) == first
    # a new process (another hash seed, a fresh matplotlib) draws the same PNG bytes
    code = (
        "import sys, hashlib;"
        "from pathlib import Path;"
        "from xlperf.reader import read_workbook;"
        "from xlperf.report import build_report;"
        "from xlperf.report.docx_writer import report_docx;"
        f"sys.stdout.write(hashlib.sha256(report_docx(build_report(read_workbook(Path({str(EXAMPLE)!r}))))).hexdigest())"
    )
    import hashlib

    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    ).stdout
    assert other == hashlib.sha256(first).hexdigest()


# ---------------------------------------------------------------- the figures plotted


def stated(report) -> dict[str, tuple[Decimal, Decimal]]:
    """Project key -> (总分, 预算执行率 %) as the report's sentences state them."""
    rates: dict[str, Decimal] = {}
    scores: dict[str, Decimal] = {}
    for block in report.blocks:
        if not isinstance(block, Para):
            continue
        text = block.text
        if m := re.match(
            rf"\d+、(.+?)：年初预算数.*?预算执行率（全年执行数÷全年预算数）为{NUM}%", text
        ):
            rates[name_key(m.group(1))] = Decimal(m.group(2))
        if m := re.match(rf"\d+、(.+?)：自评总分{NUM}分", text):
            scores[name_key(m.group(1))] = Decimal(m.group(2))
    assert rates.keys() == scores.keys()
    return {k: (scores[k], rates[k]) for k in scores}


def test_chart_data_are_the_figures_the_report_states(content) -> None:
    truth = scorer_figures(EXAMPLE)
    in_units: dict[str, tuple[Decimal, Decimal]] = {}
    for report in content.reports[:-1]:
        said = stated(report)
        rows = chart_rows(figures_table(report))
        assert [name_key(r.name) for r in rows] == list(said)
        for r in rows:
            key = name_key(r.name)
            assert (r.score, r.rate) == said[key]  # exactly, digit for digit
            assert r.score == truth[key]["total"].quantize(Q2, ROUND_HALF_UP)
            assert r.rate == truth[key]["rate"].quantize(Q2, ROUND_HALF_UP)
            assert (r.score_text, r.rate_text) == (f"{r.score}", f"{r.rate}%")
            in_units[key] = (r.score, r.rate)
    department = chart_rows(figures_table(content.reports[-1]))
    assert len(department) == 11 and len(in_units) == 11
    assert {name_key(r.name): (r.score, r.rate) for r in department} == in_units
    # the seed's known corrections are what is plotted, not the forms' figures
    by_name = {name_key(r.name): r for r in department}
    assert by_name[name_key("事业单位招聘")].score == Decimal("89.80")  # the form: 99.6
    assert by_name[name_key("社会保险经办工作经费")].rate == Decimal("79.40")  # the form: 80%


def test_the_bars_and_labels_drawn_are_the_rows(content) -> None:
    name = font()
    rows = chart_rows(figures_table(content.reports[0]))
    rows.append(ChartRow("未填报项目", None, None, "（未填）", "（无法计算）"))
    with chart_style(name):
        fig = chart_figure(rows, name, TEXT_WIDTH_CM)
        fig.canvas.draw()
        (ax,) = fig.axes
        score_bars, rate_bars = ax.containers
        assert [b.get_width() for b in score_bars] == [
            float(r.score) if r.score is not None else 0.0 for r in rows
        ]
        assert [b.get_width() for b in rate_bars] == [
            float(r.rate) if r.rate is not None else 0.0 for r in rows
        ]
        labels = [t.get_text() for t in ax.texts]
        expected = []
        for r in rows:
            expected += [r.score_text if r.score is not None else "未填"]
            expected += [r.rate_text if r.rate is not None else "无法计算"]
        assert labels == expected
        assert labels[:2] == ["87.97", "100.00%"]
        ticks = [t.get_text().replace("\n", "") for t in ax.get_yticklabels()]
        assert ticks == [r.name for r in rows]
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert legend == ["自评得分（分）", "预算执行率（%）"]
        # everything inside the figure: no label cut at an edge
        renderer = fig.canvas.get_renderer()
        box = fig.bbox
        for text in [*ax.texts, *ax.get_yticklabels(), *fig.legends[0].get_texts()]:
            extent = text.get_window_extent(renderer)
            assert extent.x0 >= box.x0 - 0.5 and extent.x1 <= box.x1 + 0.5, text.get_text()
            assert extent.y0 >= box.y0 - 0.5 and extent.y1 <= box.y1 + 0.5, text.get_text()


def test_names_from_forms_are_drawn_as_text_and_nothing_warns(caplog) -> None:
    name = font()
    hostile = [
        ChartRow("$\\notacommand{$ 项目", Decimal("80"), Decimal("50.5"), "80.00", "50.50%"),
        ChartRow(
            '=HYPERLINK("x")\t换行\n名称', Decimal("120.5"), Decimal("130"), "120.50", "130.00%"
        ),
        ChartRow("象形𓀀项目\x00", Decimal("0"), None, "0.00", "（无法计算）"),
        ChartRow("很长" * 40, None, Decimal("7.58"), "（未填）", "7.58%"),
    ]
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = chart_png(hostile, TEXT_WIDTH_CM)
        with chart_style(name):
            fig = chart_figure(hostile, name, TEXT_WIDTH_CM)
            fig.canvas.draw()
    assert png is not None and not caplog.records
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[0] == "$\\notacommand{$ 项目"  # as typed: mathtext would fail on it
    assert ticks[1] == '=HYPERLINK("x") 换行 名称'
    assert ticks[2] == "象形?项目?"  # no font draws the hieroglyph or NUL: no warning, no box
    assert ticks[3].count("\n") == 2 and ticks[3].endswith("…")
    assert fig.axes[0].get_xlim()[1] > 130  # a rate over 100% still fits


def test_many_projects_take_several_charts_each_on_a_page() -> None:
    font()
    rows = tuple(
        (
            str(i),
            f"第{i}个项目",
            "10.00",
            "9.00",
            f"{90 + i % 10}.00%",
            "9.00",
            "—",
            "—",
            "—",
            f"{80 + i % 20}.50",
            "良",
        )
        for i in range(1, 31)
    )
    table = Table("表1：某局项目支出绩效自评结果", FIGURES_HEADER, rows, (1.0,) * 11)
    report = Report(("某局", "项目支出绩效自评总结报告"), "2021年度", (Heading("三、结果"), table))
    doc = Document(io.BytesIO(report_docx(ReportContent("x.xlsx", (report,)))))
    assert len(doc.inline_shapes) == 3
    for shape in doc.inline_shapes:
        assert shape.height < Cm(29.7 - 3.7 - 3.5 - 1.5)
    captions = [p.text for p in doc.paragraphs if p.text.startswith("图")]
    assert captions == [
        f"图{n}：某局各项目自评得分与预算执行率（表1序号{a}—{b}）"
        for n, (a, b) in enumerate(((1, 10), (11, 20), (21, 30)), 1)
    ]


def test_a_table_without_figures_gets_no_chart_and_no_caption() -> None:
    rows = (
        (
            "1",
            "某项目",
            "（未填）",
            "（未填）",
            "（无法计算）",
            "（未填）",
            "—",
            "—",
            "—",
            "（未填）",
            "—",
        ),
    )
    table = Table("表1：某局项目支出绩效自评结果", FIGURES_HEADER, rows, (1.0,) * 11)
    report = Report(("某局", "项目支出绩效自评总结报告"), "2021年度", (table,))
    doc = Document(io.BytesIO(report_docx(ReportContent("x.xlsx", (report,)))))
    assert len(doc.inline_shapes) == 0
    assert not [p.text for p in doc.paragraphs if p.text.startswith("图")]
    assert len(doc.tables) == 1


def test_charts_drawn_in_threads_are_the_same_bytes(content) -> None:
    """The server writes reports in worker threads; matplotlib's settings are global."""
    from concurrent.futures import ThreadPoolExecutor

    font()
    tables = [chart_rows(figures_table(r)) for r in content.reports]
    serial = [chart_png(rows, TEXT_WIDTH_CM) for rows in tables]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda rows: chart_png(rows, TEXT_WIDTH_CM), tables * 2))
    assert threaded == serial * 2


def test_wrap_name_balances_lines() -> None:
    assert wrap_name("自筹人员工资及社保缴费支出") == "自筹人员工资及社保缴费支出"
    assert wrap_name("高校毕业生“三支一扶”计划中央和市补助资金") == (
        "高校毕业生“三支一扶”\n计划中央和市补助资金"
    )


def test_no_font_no_data_no_chart_and_no_warning(caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="matplotlib")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cjk_font(("没有这种字体 XLPERF",)) is None
        empty = [ChartRow("项目", None, None, "（未填）", "（无法计算）")]
        assert chart_png(empty, TEXT_WIDTH_CM) is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    with pytest.raises(ValueError):
        chart_rows(Table("附表", ("序号",), (), (1.0,), appendix=True))


def test_help_and_check_do_not_import_matplotlib() -> None:
    code = (
        "import sys;"
        "from click.testing import CliRunner;"
        "from xlperf.cli import main;"
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output;"
        f"r = CliRunner().invoke(main, ['check', '--exit-zero', {str(EXAMPLE)!r}]);"
        "assert r.exit_code == 0, r.output;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- the PDF


def test_pdf_shows_the_charts(example_docx: Path, tmp_path: Path) -> None:
    exe = soffice()
    if shutil.which("pdfimages") is None or shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed")
    subprocess.run(
        [exe, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(example_docx)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / (example_docx.stem + ".pdf")
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    images = [line.split() for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    assert len(images) == 5
    pages = [int(row[0]) for row in images]
    assert pages == sorted(set(pages))  # one chart on each of five pages
    width_px = round(TEXT_WIDTH_CM / 2.54 * DPI)
    for row in images:
        assert int(row[3]) == width_px
        assert abs(int(row[12]) - DPI) <= 1  # printed at the text's width
    for page in pages:
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "图1：" in "".join(text.split())  # the caption is on the chart's page
    # the chart's page rendered: ink where the chart is (not a blank page)
    png = tmp_path / "page"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "30",
            "-png",
            "-f",
            str(pages[0]),
            "-l",
            str(pages[0]),
            str(pdf),
            str(png),
        ],
        check=True,
        timeout=60,
    )
    (rendered,) = tmp_path.glob("page*.png")
    from PIL import Image

    with Image.open(rendered) as img:
        colours = img.convert("RGB").getcolors(1 << 20)
    blue = sum(n for n, (r, g, b) in colours if b > 120 and r < 90 and g < 120)
    assert blue > 100  # the 自评得分 bars
