"""The 自评总结报告 (xlperf report): checked figure by figure against seed 000's own reports.

The seed's four unit reports state budgets, spending, rates, scores and grades in prose. The
test extracts those figures from the seed text with patterns, reads the generated .docx back
with python-docx, and asserts that the report states the seed's figure wherever the seed is
right, and the correct figure (plus a note naming the form's figure) where it is not. The wrong
seed figures are listed in ``WRONG`` with the arithmetic that makes them wrong.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from tests.conftest import SHARED, fixture_path, soffice
from xlperf.checks import check_workbook
from xlperf.cli import main
from xlperf.reader import read_workbook
from xlperf.report import build_report
from xlperf.report.docx_writer import report_docx
from xlperf.report.sheet_writer import report_rows
from xlperf.scoring.figures import name_key
from xlperf.vocabulary.sheets import REPORT_SHEET

SEED = SHARED / "seeds" / "000_36bbbe4670b73e8a.txt"
NUM = r"([\d.]+)"

# The seed's names for projects where they differ from the forms' (typo, short names).
ALIASES = {
    "其他惠普发展支出": "其他普惠发展支出",
    "执法服装": "劳动监察执法服装",
    "办公经费": "劳动保障监察日常办公经费",
    "自筹人员工资及保险": "自筹人员工资及社保缴费支出",
    "自筹人员工资及社保缴费": "自筹人员工资及社保缴费支出",
    "劳动保障监察日常办公经费": "劳动保障监察日常办公经费",
    "劳动监察执法服装": "劳动监察执法服装",
}

SANZHI = "高校毕业生三支一扶计划中央和市补助资金"
# (project, field) -> (what the seed's report says, what is correct, the form states the seed's
# figure itself, so the report must say in a note that the form's figure differs).
WRONG: dict[tuple[str, str], tuple[str, str, bool]] = {
    # 事业单位招聘: 执行率 1.33 ÷ 1.33 = 100% → 10 points; indicators 50 + 20 + 9.8 = 79.8.
    ("事业单位招聘", "total"): ("99.6", "89.80", True),
    ("事业单位招聘", "output_rate"): ("97.86", "100.00", False),  # 50 of 50
    ("事业单位招聘", "benefit_rate"): ("92.86", "100.00", False),  # 20 of 20
    ("事业单位招聘", "satisfaction_rate"): ("89.5", "98.00", False),  # 9.8 of 10
    # 人事局工作经费: 7.14 + 37.14 + 28 + 9.68 = 81.96.
    ("人事局工作经费", "total"): ("91.79", "81.96", True),
    ("人事局工作经费", "output_rate"): ("98.6", "92.85", False),  # 37.14 of 40
    ("人事局工作经费", "benefit_rate"): ("98.6", "93.33", False),  # 28 of 30
    ("人事局工作经费", "satisfaction_rate"): ("96.8", "48.40", False),  # 9.68 of 20
    # 建档立卡: 执行率 16.06 ÷ 16.06 = 100% → 10; 10 + 50 + 18.5 + 9.47 = 87.97.
    ("建档立卡优秀务工人员奖补", "total"): ("96.97", "87.97", True),
    ("建档立卡优秀务工人员奖补", "benefit_rate"): ("91.67", "92.50", False),  # 18.5 of 20
    # 三支一扶: 1.57 ÷ 20.7 = 7.58% → 0.76 points (not 7.6); 0.76 + 43 + 27.75 + 9.47 = 80.98.
    (SANZHI, "total"): ("97.22", "80.98", True),
    (SANZHI, "output_rate"): ("97.34", "100.00", False),  # 43 of 43
    (SANZHI, "satisfaction_rate"): ("94.5", "94.70", False),  # 9.47 of 10
    # 其他普惠发展支出: its 产出 indicators weigh and score 49, not 50; 10 + 49 + 30 + 10 = 99.
    ("其他普惠发展支出", "total"): ("100", "99.00", True),
    ("其他普惠发展支出", "output_score"): ("50", "49.00", False),
    # 社会保险经办工作经费: 3.97 ÷ 5 = 79.4% → 7.94 points (the form: 80%, 8); 7.94 + 90.
    ("社会保险经办工作经费", "rate_score"): ("8", "7.94", True),
    ("社会保险经办工作经费", "total"): ("98", "97.94", True),
    # 劳动保障监察日常办公经费: 4.49 ÷ 4.54 = 98.90%, shown as 99% (right to the precision shown)
    # and scored 9.9 from it, which the rule accepts (the narrative says 10);
    # 9.9 + 49 + 30 + 10 = 98.90 (both say 99).
    ("劳动保障监察日常办公经费", "rate_score"): ("10", "9.90", False),
    ("劳动保障监察日常办公经费", "total"): ("99", "98.90", True),
}


def canon(name: str) -> str:
    name = ALIASES.get(name.strip(), name.strip())
    return name_key(name)


def dec(text: str) -> Decimal:
    return Decimal(text)


def same_figure(seed: str, stated: Decimal) -> bool:
    """The report's figure equals the seed's at the precision the seed shows."""
    places = len(seed.split(".")[1]) if "." in seed else 0
    q = Decimal(1).scaleb(-places)
    return stated.quantize(q, rounding=ROUND_HALF_UP) == Decimal(seed).quantize(q)


# ---------------------------------------------------------------- the seed's figures


def seed_reports() -> list[str]:
    if not SEED.exists():
        pytest.skip(f"seed 000 not found at {SEED}")
    text = SEED.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"项目支出绩效\s*自评(?:总结)?报告\n", text)]
    out = []
    for s in starts:
        end = text.find("六、其他需要说明的问题", s)
        out.append(text[s : text.find("\n\n", end + 12) if end > 0 else None])
    assert len(out) == 4, "seed 000 has four unit reports"
    return out


def seed_figures() -> dict[str, dict[tuple[str, str], str]]:
    """unit -> {(project, field): figure as the seed writes it}; project '' is the unit."""
    r1, r2, r3, r4 = seed_reports()
    units: dict[str, dict[tuple[str, str], str]] = {}

    f: dict[tuple[str, str], str] = {}
    f[("", "count")] = re.search(r"项目支出构成为\s*(\d+)\s*项", r1).group(1)
    for m in re.finditer(
        rf"\d、(.+?)：年初预算为 {NUM} 万元，支出决算为 {NUM} 万元。完成年初预算的 {NUM}%", r1
    ):
        p = canon(m.group(1))
        f[(p, "initial_budget")], f[(p, "executed")], f[(p, "initial_rate")] = m.groups()[1:]
    for m in re.finditer(
        rf"\d、(.+?)：总分：{NUM}\s*分，产出指标完成\s*{NUM}%，效益指标完成\s*{NUM}%，满意度指标完成\s*{NUM}%",
        r1,
    ):
        p = canon(m.group(1))
        for field, value in zip(
            ("total", "output_rate", "benefit_rate", "satisfaction_rate"),
            m.groups()[1:],
            strict=True,
        ):
            f[(p, field)] = value
    units["新乡县人力资源和社会保障局"] = f

    f = {}
    f[("", "count")] = re.search(r"由\s*(\d+)\s*个项目构成", r2).group(1)
    m = re.search(rf"全年预算数为 {NUM} 万元，执行数为 {NUM} 万元", r2)
    f[("", "annual_budget")], f[("", "executed")] = m.groups()
    for line in r2.splitlines():
        m = re.match(r"\d、(\S+?)，", line)
        if not m or "自评分为" not in line:
            continue
        p = canon(m.group(1))
        f[(p, "annual_budget")], f[(p, "executed")] = re.search(
            rf"预算数为 {NUM} 万元，全年执行数 {NUM} 万元", line
        ).groups()
        if rate := re.search(rf"全年执行率为 {NUM}%", line):
            f[(p, "rate")] = rate.group(1)
        scores = re.search(
            rf"自评分为 {NUM} 分，预算执行率得分 {NUM} 分，产出指标得分 {NUM} 分，效益指标得分 {NUM} 分，满意度指标 {NUM} 分",
            line,
        ).groups()
        for field, value in zip(
            ("total", "rate_score", "output_score", "benefit_score", "satisfaction_score"),
            scores,
            strict=True,
        ):
            f[(p, field)] = value
    units["新乡县劳动就业服务中心"] = f

    f = {}
    p = canon("社会保险经办工作经费")
    m = re.search(rf"财政拨款 {NUM} 万元，上年结余 {NUM} 万元。.*?全年执行数 {NUM} 万元", r3)
    f[(p, "appropriation")], f[(p, "carryover")], f[(p, "executed")] = m.groups()
    f[(p, "total")] = re.search(rf"自评分数 {NUM} 分", r3).group(1)
    f[(p, "grade")] = re.search(r"等次为“(.)”", r3).group(1)
    m = re.search(
        rf"项目资金执行得分 {NUM} 分，产出指标得分 {NUM}，效益指标得分 {NUM}，满意度指标得分 {NUM}",
        r3,
    )
    for field, value in zip(
        ("rate_score", "output_score", "benefit_score", "satisfaction_score"),
        m.groups(),
        strict=True,
    ):
        f[(p, field)] = value
    units["新乡县农村社会养老保险管理中心"] = f

    f = {}
    for m in re.finditer(
        rf"(?:\d{{4}} 年)?([^；，\s]+?)项目财政拨款 {NUM} 万元，上年(?:结余|结转) {NUM} 万元，全年执行 {NUM} 万元",
        r4,
    ):
        p = canon(m.group(1))
        f[(p, "appropriation")], f[(p, "carryover")], f[(p, "executed")] = m.groups()[1:]
    blocks = re.split(r"\n(?:（一）、|\d、)(执法服装|办公经费|自筹人员工资及保险)[：:]?\n", r4)
    for name, block in zip(blocks[1::2], blocks[2::2], strict=True):
        p = canon(name)
        f[(p, "output_score")] = re.search(rf"产出指标自评得分 {NUM} 分", block).group(1)
        f[(p, "benefit_score")] = re.search(rf"效益指标自评得分 {NUM} 分", block).group(1)
        f[(p, "satisfaction_score")] = re.search(rf"满意度指标自评得分 {NUM} 分", block).group(1)
        f[(p, "total")] = re.search(rf"项目支出自评分数 {NUM} 分", block).group(1)
        f[(p, "rate_score")] = re.search(rf"项\s*目资金执行得分 {NUM} 分", block).group(1)
    units["新乡县劳动保障监察大队"] = f
    return units


# ---------------------------------------------------------------- the report's figures


LEVEL_FIELDS = {"产出指标": "output", "效益指标": "benefit", "满意度指标": "satisfaction"}


def doc_reports(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Title (first line) -> [(style, text)] of the paragraphs of that report."""
    reports: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for p in Document(str(path)).paragraphs:
        if p.style.name == "Title":
            current = reports.setdefault(p.text.split("\n")[0], [])
            continue
        current.append((p.style.name, p.text))
    return reports


def doc_tables(path: Path) -> dict[str, list[list[list[str]]]]:
    """Title (both lines, joined by a line break) -> the tables of that report, as cell texts."""
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    doc = Document(str(path))
    out: dict[str, list[list[list[str]]]] = {}
    current: list[list[list[str]]] = []
    for child in doc.element.body.iterchildren():
        if child.tag.endswith("}p"):
            para = Paragraph(child, doc)
            if para.style.name == "Title":
                current = out.setdefault(para.text, [])
        elif child.tag.endswith("}tbl"):
            table = DocxTable(child, doc)
            current.append([[c.text for c in row.cells] for row in table.rows])
    return out


def appendix(tables: list[list[list[str]]]) -> list[dict[str, str]]:
    """The rows of a report's 附表, by column name."""
    found = [t for t in tables if t[0][:4] == ["序号", "工作表", "单元格", "代码"]]
    assert len(found) <= 1
    return [dict(zip(found[0][0], row, strict=True)) for row in found[0][1:]] if found else []


def doc_figures(paragraphs: list[tuple[str, str]]) -> dict[tuple[str, str], Decimal | str]:
    """What the report states, by (project, field), read back out of its own sentences."""
    f: dict[tuple[str, str], Decimal | str] = {}
    for _, text in paragraphs:
        if m := re.search(r"由(\d+)个项目构成", text):
            f[("", "count")] = Decimal(m.group(1))
        if m := re.search(rf"全年预算数合计{NUM}万元，全年执行数合计{NUM}万元", text):
            f[("", "annual_budget")], f[("", "executed")] = map(dec, m.groups())
        if m := re.match(
            rf"\d+、(.+?)：年初预算数{NUM}万元，全年预算数{NUM}万元"
            rf"(?:（其中当年财政拨款{NUM}万元、上年结转资金{NUM}万元、其他资金{NUM}万元）)?"
            rf"，全年执行数{NUM}万元(?:，完成年初预算的{NUM}%)?，预算执行率（全年执行数÷全年预算数）为{NUM}%",
            text,
        ):
            p = name_key(m.group(1))
            keys = ("initial_budget", "annual_budget", "appropriation", "carryover", "other")
            keys += ("executed", "initial_rate", "rate")
            for key, value in zip(keys, m.groups()[1:], strict=True):
                if value is not None:
                    f[(p, key)] = dec(value)
        if m := re.match(
            rf"\d+、(.+?)：自评总分{NUM}分(?:，等次为“(.)”)?。其中预算执行率得分{NUM}分", text
        ):
            p = name_key(m.group(1))
            f[(p, "total")] = dec(m.group(2))
            if m.group(3):
                f[(p, "grade")] = m.group(3)
            f[(p, "rate_score")] = dec(m.group(4))
            levels = "|".join(LEVEL_FIELDS)
            for lm in re.finditer(rf"({levels})得分{NUM}分（分值{NUM}分，得分率{NUM}%）", text):
                kind = LEVEL_FIELDS[lm.group(1)]
                f[(p, f"{kind}_score")] = dec(lm.group(2))
                f[(p, f"{kind}_rate")] = dec(lm.group(4))
    return f


@pytest.fixture(scope="module")
def report_doc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "seed000_report.docx"
    result = CliRunner().invoke(
        main, ["report", str(fixture_path("std")), "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out


def test_report_states_seed_figures_or_the_correct_ones(report_doc: Path) -> None:
    reports = doc_reports(report_doc)
    seed = seed_figures()
    checked = wrong_seen = 0
    for unit, figures in seed.items():
        paragraphs = reports[unit]
        stated = doc_figures(paragraphs)
        corrections = appendix(doc_tables(report_doc)[f"{unit}\n项目支出绩效自评总结报告"])
        prose = "\n".join(t for _, t in paragraphs)
        for (project, field), seed_value in figures.items():
            key = (project, field)
            assert key in stated, f"{unit}: the report does not state {key}"
            value = stated[key]
            if key in WRONG:
                said, correct, form_says_so = WRONG[key]
                assert seed_value == said, f"{key}: seed extraction changed"
                assert value == Decimal(correct), f"{key}: states {value}, correct is {correct}"
                assert value != Decimal(said)
                if form_says_so:  # the 附表 lists the form's figure and the correct one
                    code = {"total": "XP204", "rate_score": "XP102"}[field]
                    assert any(
                        r["代码"] == code and r["表中所填"] == said and r["更正为"] == correct
                        for r in corrections
                    ), f"{key}: the 附表 does not correct {said} to {correct}"
                    assert re.search(rf"自评表所填\S*?{re.escape(said)}分", prose), (
                        f"{key}: the prose does not mention the form's {said}"
                    )
                wrong_seen += 1
            elif isinstance(value, str):
                assert value == seed_value, f"{unit} {key}: {value} ≠ seed {seed_value}"
            else:
                assert same_figure(seed_value, value), f"{unit} {key}: {value} ≠ seed {seed_value}"
            checked += 1
    assert wrong_seen == len(WRONG)
    # every figure the four seed reports state: 人社局 1 + 4×3 + 4×4 = 29; 就业中心 1 + 2 + 3×7
    # + 2 rates = 26; 社保中心 3 + 1 + 1 + 4 = 9; 监察大队 3×3 + 3×5 = 24
    assert checked == 29 + 26 + 9 + 24


def test_seed_figures_right_where_the_forms_are_right(report_doc: Path) -> None:
    """Spot checks in the seed's own words: the figures an accountant would look up first."""
    text = "\n".join(t for ps in doc_reports(report_doc).values() for _, t in ps)
    # 就业服务中心: 3 projects, 873 万元 budgeted and spent (828.44 + 24.52 + 20.04).
    assert "全年预算数合计873.00万元，全年执行数合计873.00万元，预算执行率100.00%" in text
    # 人社局: 完成年初预算的 80.3% is 16.06 ÷ 20 — right as stated; the 执行率 is 100%.
    assert (
        "完成年初预算的80.30%，预算执行率（全年执行数÷全年预算数）为100.00%（自评表填为80.3%，有误）"
        in text
    )
    # 社保中心: 3.97 ÷ 5 = 79.4%, the form's 80% is noted.
    assert "为79.40%（自评表填为80%，有误）" in text
    # 创业贷款贴息: sources 6.26 + 6.26 ≠ 24.52 are not split but flagged.
    assert "各资金来源之和为12.52万元，与全年预算数不符" in text


def test_report_marks_places_for_human_words_in_yellow(report_doc: Path) -> None:
    doc = Document(str(report_doc))
    runs = [r for p in doc.paragraphs for r in p.runs]
    blanks = [r for r in runs if r.text.startswith("【待填写")]
    assert blanks and all(r.font.highlight_color is not None for r in blanks)
    assert all(r.font.highlight_color is None for r in runs if not r.text.startswith("【"))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:6] == [
        "一、项目支出基本情况",
        "二、绩效评价工作开展情况",
        "三、绩效自评结果及分析",
        "四、自评发现的问题及整改措施",
        "五、绩效自评工作建议及预算安排建议",
        "六、其他需要说明的问题",
    ]
    assert "八、其他需要说明的问题" in headings  # the department report follows the units'


def test_docx_layout_a4_fonts_tables_page_numbers(report_doc: Path) -> None:
    doc = Document(str(report_doc))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "仿宋"
    )
    footer = section.footer._element.xml
    assert "PAGE" in footer
    # five reports (4 units + department), one figures table each, with a 合计 row where many,
    # and each report's 附表 of corrections
    figures = [t for t in doc.tables if t.rows[0].cells[1].text == "项目"]
    appendices = [t for t in doc.tables if t.rows[0].cells[1].text == "工作表"]
    assert len(figures) == 5 and len(appendices) == 5 and len(doc.tables) == 10
    department = figures[-1]
    assert len(department.rows) == 1 + 11 + 1
    assert department.rows[-1].cells[1].text == "合计"
    assert department.rows[-1].cells[2].text == "1011.60"  # Σ 全年预算数 of the 11 forms
    assert department.rows[-1].cells[3].text == "988.53"  # Σ 全年执行数


def test_docx_is_deterministic() -> None:
    content = build_report(read_workbook(fixture_path("std")))
    assert report_docx(content) == report_docx(content)


def test_plain_layout_gives_the_same_report() -> None:
    """The other fixture layout reads to the same forms, so the same report text."""
    std = build_report(read_workbook(fixture_path("std")))
    plain = build_report(read_workbook(fixture_path("plain")))

    def texts(content):
        return [
            re.sub(r"（位置：.*?，代码", "（代码", re.sub(r"[^\s，（）]+![A-Z]+\d+", "", row[0]))
            for row in report_rows(content)
            if not any(row[1:])  # a paragraph: one text in column A
        ]

    assert texts(std) == texts(plain)


def test_pdf_via_libreoffice(report_doc: Path, tmp_path: Path) -> None:
    exe = soffice()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    subprocess.run(
        [exe, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(report_doc)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / (report_doc.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    assert pages > 5
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    assert "项目支出绩效自评总结报告" in flat
    assert "部门（单位）整体自评总结报告" in flat
    for figure in ("89.80", "873.00", "97.94", "1011.60", "【待填写"):
        assert figure in flat
    assert "—2—" in flat  # page numbers in the footer


def _cells(ws: Any) -> dict[str, Any]:
    """Every non-empty cell of a sheet by address."""
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def test_cli_sheet_keeps_every_typed_cell(tmp_path: Path) -> None:
    src = fixture_path("std")
    out_docx, out_xlsx = tmp_path / "r.docx", tmp_path / "r.xlsx"
    result = CliRunner().invoke(
        main,
        ["report", str(src), "-o", str(out_docx), "--sheet-output", str(out_xlsx)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    before, after = load_workbook(src), load_workbook(out_xlsx)
    assert after.sheetnames == before.sheetnames + [REPORT_SHEET]
    for name in before.sheetnames:
        assert _cells(after[name]) == _cells(before[name])
    ws = after[REPORT_SHEET]
    rows = report_rows(build_report(read_workbook(src)))
    for r, cells in enumerate(rows, 1):
        for c, text in enumerate(cells, 1):
            assert (ws.cell(r, c).value or "") == (text or "")
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1  # A4
    yellow = [
        ws.cell(r, 1) for r in range(1, ws.max_row + 1) if "【待填写" in str(ws.cell(r, 1).value)
    ]
    assert yellow and all(c.fill.fgColor.rgb.endswith("FFF2CC") for c in yellow)
    # the report sheet is not mistaken for a form: the check finds exactly what it found before
    codes = [(f.sheet, f.cell, f.code) for f in check_workbook(read_workbook(src))]
    assert [(f.sheet, f.cell, f.code) for f in check_workbook(read_workbook(out_xlsx))] == codes


def test_cli_in_place_and_bad_input(tmp_path: Path) -> None:
    work = tmp_path / "book.xlsx"
    shutil.copy(fixture_path("std"), work)
    runner = CliRunner()
    result = runner.invoke(main, ["report", str(work), "--in-place"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "book_自评报告.docx").exists()
    assert REPORT_SHEET in load_workbook(work).sheetnames
    again = runner.invoke(main, ["report", str(work), "--in-place"], catch_exceptions=False)
    assert again.exit_code == 0  # the sheet is replaced, not added twice
    assert load_workbook(work).sheetnames.count(REPORT_SHEET) == 1

    summaries_only = tmp_path / "summaries.xlsx"
    wb = load_workbook(fixture_path("std"))
    for name in wb.sheetnames:
        if not name.startswith("汇总表"):
            del wb[name]
    wb.save(summaries_only)
    result = runner.invoke(main, ["report", str(summaries_only)])
    assert result.exit_code == 2
    assert "没有项目支出绩效自评表" in result.output

    bad = tmp_path / "notes.xlsx"
    bad.write_text("这不是工作簿", encoding="utf-8")
    result = runner.invoke(main, ["report", str(bad), "-o", str(tmp_path / "x.docx")])
    assert result.exit_code == 2
    assert "notes.xlsx" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.docx").exists()


# ---------------------------------------------------------------- the department form


def seed_department_rows() -> list[tuple[str, str, Decimal, Decimal]]:
    """(一级指标, 三级指标, 分值, 得分) of seed 000's 部门整体绩效自评表, read from the seed text."""
    if not SEED.exists():
        pytest.skip(f"seed 000 not found at {SEED}")
    text = SEED.read_text(encoding="utf-8")
    table = text[
        text.index("一级指标\t二级指标\t三级指标\t指标值") : text.index("注：1. 自评采用打分评价")
    ]
    rows, level1 = [], ""
    for line in table.splitlines()[1:]:
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        if cells and re.match(r"(投入|过程|产出|效益)指标", cells[0]):
            level1 = cells[0].split("(")[0].strip()
        if len(cells) >= 4 and all(re.fullmatch(r"[\d.]+", c) for c in cells[-2:]):
            rows.append((level1, cells[-5], Decimal(cells[-2]), Decimal(cells[-1])))
    return rows


def test_department_form_figures_in_the_department_report() -> None:
    """Seed 000's department table scores 15 + 25 + 30 + 25.5 = 95.5; its report says 94.99."""
    from xlperf.forms.base import Val
    from xlperf.forms.department import BudgetLine, DepartmentForm, DepartmentIndicator

    rows = seed_department_rows()
    assert len(rows) == 5 + 14 + 15 + 5  # 投入, 过程, 产出, 效益 indicators
    form = DepartmentForm(
        sheet="部门整体",
        first_row=1,
        last_row=60,
        header_row=10,
        unit_name=Val(cell="B2", value="新乡县人力资源和社会保障局"),
        indicators=[
            DepartmentIndicator(
                row=11 + i,
                level1=Val(cell=f"A{11 + i}", value=level1),
                name=Val(cell=f"C{11 + i}", value=name),
                weight=Val(cell=f"F{11 + i}", value=weight),
                score=Val(cell=f"G{11 + i}", value=score),
            )
            for i, (level1, name, weight, score) in enumerate(rows)
        ],
        total_score=Val(cell="G60", value=Decimal("94.99")),
    )
    form.money.total = BudgetLine(annual_budget=Val(cell="C5", value=Decimal("1687.40")))
    book = read_workbook(fixture_path("std"))
    book.departments.append(form)
    report = build_report(book).reports[-1]
    text = "\n".join(b.text for b in report.blocks if hasattr(b, "spans"))
    assert "部门整体绩效自评得分95.50分，等次为“优”" in text
    for part in (
        "投入指标得分15.00分（分值15.00分）",
        "过程指标得分25.00分（分值25.00分）",
        "产出指标得分30.00分（分值30.00分）",
        "效益指标得分25.50分（分值30.00分）",  # the seed's sub-scores are right
    ):
        assert part in text
    assert "自评表所填总分为94.99分（部门整体!G60）" in text  # the seed's total is not
    assert "部门预算总额1687.40万元" in text


# ---------------------------------------------------------------- one document, one set of figures

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "新乡县人社局2021项目自评表.xlsx"
CJK = r"[\u4e00-\u9fff]"
Q2 = Decimal("0.01")


@pytest.fixture(scope="module")
def example_doc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "example.docx"
    result = CliRunner().invoke(main, ["report", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def scorer_figures(path: Path) -> dict[str, dict[str, Decimal | str]]:
    """Project name key -> what the rules give from the form's inputs (xlperf.scoring and
    xlperf.compute), independently of the report; checked against the findings' own figures."""
    from xlperf.compute import project_computed
    from xlperf.scoring.project import execution_rate, level_rate
    from xlperf.vocabulary.project import level1_kind

    book = read_workbook(path)
    rules = book.rule_set()
    findings = check_workbook(book, rules)
    out: dict[str, dict[str, Decimal | str]] = {}
    for form in book.projects:
        total = form.funds.total
        rate = execution_rate(total)
        rule_score = rules.round_score(rules.rate_score(rate, total.weight.number))
        computed = {c.field: c.value for c in project_computed(form, rules)}
        assert computed["funds.total.score"] == rule_score
        # a score worked out from the 执行率 as the form shows it (right to its precision) stands
        shown = total.rate.rate_fraction()
        shown_score = rules.round_score(rules.rate_score(shown, total.weight.number))
        shown_ok = rules.tolerance.rates_agree(shown, rate, total.rate.rate_decimals())
        rate_score = shown_score if shown_ok and total.score.number == shown_score else rule_score
        assert computed["funds.total.rate"] == rate.quantize(Decimal("0.0001"), ROUND_HALF_UP)
        score = rate_score + sum(i.score.number for i in form.scored_indicators())
        f: dict[str, Decimal | str] = {
            "annual_budget": total.annual_budget.number,
            "executed": total.executed.number,
            "rate": rate * 100,
            "rate_score": rate_score,
            "total": score,
            "grade": rules.grade(score),
        }
        if total.initial_budget.number:
            f["initial_budget"] = total.initial_budget.number
            f["initial_rate"] = total.executed.number / total.initial_budget.number * 100
        for field, row in (
            ("appropriation", form.funds.current_appropriation),
            ("carryover", form.funds.carryover),
            ("other", form.funds.other),
        ):
            f[field] = row.annual_budget.number or Decimal(0)
        for kind in ("output", "benefit", "satisfaction"):
            if (lr := level_rate(form, kind)) is not None:
                f[f"{kind}_rate"] = lr * 100
                f[f"{kind}_score"] = sum(
                    i.score.number
                    for i in form.scored_indicators()
                    if level1_kind(i.level1.text) == kind
                )
        # the findings on this form state the same figures
        mine = [x for x in findings if x.sheet == form.sheet]
        for x in mine:
            if x.code == "XP101" and x.cell == total.rate.cell:
                assert x.expected == rate
            if x.code == "XP102":
                assert x.expected == rate_score, x.message
            if x.code == "XP204":
                assert x.expected == score, x.message
            if x.code == "XP208":
                assert x.expected == f["grade"]
        out[name_key(form.project_name.text)] = f
    return out


def same(stated: Decimal | str, correct: Decimal | str) -> bool:
    if isinstance(correct, str) or isinstance(stated, str):
        return stated == correct
    return stated == correct.quantize(Q2, ROUND_HALF_UP)


def test_report_states_no_figure_that_contradicts_another(example_doc: Path) -> None:
    truth = scorer_figures(EXAMPLE)
    stated: list[tuple[str, str, Decimal | str, str]] = []  # (project, field, figure, where)
    for _, text in [(s, t) for ps in doc_reports(example_doc).values() for s, t in ps]:
        for (p, field), value in doc_figures([("", text)]).items():
            if p:
                stated.append((p, field, value, "prose"))
    fields = ("annual_budget", "executed", "rate", "rate_score", "output_rate", "benefit_rate")
    fields += ("satisfaction_rate", "total", "grade")
    book = read_workbook(EXAMPLE)
    by_sheet = {f.sheet: f for f in book.projects}
    for title, tables in doc_tables(example_doc).items():
        for table in tables:
            if table[0][1] == "项目":  # a figures table
                for row in table[1:]:
                    if row[1] == "合计":
                        continue
                    for field, text in zip(fields, row[2:], strict=True):
                        if text != "—":
                            value = text if field == "grade" else Decimal(text.rstrip("%"))
                            stated.append((name_key(row[1]), field, value, title))
            for r in appendix([table]):
                form = by_sheet.get(r["工作表"])
                field = {"XP102": "rate_score", "XP204": "total", "XP208": "grade"}.get(r["代码"])
                if r["代码"] == "XP101" and form and r["单元格"] == form.funds.total.rate.cell:
                    field = "rate"
                if form is not None and field is not None:
                    text = r["更正为"]
                    value = text if field == "grade" else Decimal(text.rstrip("%"))
                    stated.append((name_key(form.project_name.text), field, value, "附表"))
    differ = [
        (p, field, value, where, truth[p][field])
        for p, field, value, where in stated
        if not same(value, truth[p][field])
    ]
    assert not differ
    seen = {(p, field) for p, field, _, _ in stated}
    assert len(truth) == 11 and all(
        (p, f) in seen
        for p in truth
        for f in ("rate", "rate_score", "total", "grade", "annual_budget")
    )
    assert sum(where == "附表" for *_, where in stated) >= 14  # corrections of those figures


def test_report_reads_as_a_summary_with_an_appendix(example_doc: Path) -> None:
    doc = Document(str(example_doc))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    text = "\n".join(paragraphs + cells)
    assert not re.findall(rf"{CJK} +\d|\d%? +{CJK}", text), "spaces between CJK and digits"
    assert not re.findall(r"(?<![\d.])0 *[处个项]", text), "a '0 处' sentence"
    assert "（位置：" not in text and not re.search(r"代码 ?X[PSD]\d", text)
    assert paragraphs.count("附表：自评表填报问题及更正") == 5
    units = doc_tables(example_doc)
    first = appendix(units["新乡县人力资源和社会保障局\n项目支出绩效自评总结报告"])
    assert {"XP101", "XP102", "XP202", "XP204", "XS301", "XP207"} <= {r["代码"] for r in first}
    row = next(r for r in first if r["代码"] == "XP101" and r["单元格"] == "H5")
    assert (row["工作表"], row["表中所填"], row["更正为"]) == (
        "建档立卡优秀务工人员奖补",
        "80.3%",
        "100.00%",
    )
    # the prose summarises: counts by kind, no item list
    summary = [p for p in paragraphs if p.startswith("经按评分规则复核")]
    assert len(summary) == 5 and all("处" in p for p in summary)
    assert any("见附表" in p for p in paragraphs)
    # a 汇总表 figure that is already right is not "corrected" to a project form's mistake
    assert not [r for r in first if r["代码"] == "XS301" and r["单元格"] == "E5"]  # 100% is right
