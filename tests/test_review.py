"""批量审核 (xlperf review) on a folder of 50 unit workbooks made from the seed-000 fixtures and the
example (each copy's units renamed to one unit, some projects dropped), plus a duplicate and
three files that cannot be read. One review for the module; LibreOffice renders it once to PDF
and once to flat ODS (to see where it resolves the hyperlinks)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest

from tests.conftest import FIXTURES, REPO, soffice
from xlperf.findings import CODES
from xlperf.ops.literal import put
from xlperf.review.collect import collect
from xlperf.review.convention import UNKNOWN, form_convention
from xlperf.review.sheets import FINDINGS_HEAD, PROJECTS_HEAD

SOURCES = [
    FIXTURES / "seed000_std.xlsx",
    FIXTURES / "seed000_plain.xlsx",
    REPO / "examples" / "新乡县人社局2021项目自评表.xlsx",
]
SEED_UNITS = [
    "新乡县人力资源和社会保障局",
    "新乡县劳动就业服务中心",
    "新乡县农村社会养老保险管理中心",
    "新乡县劳动保障监察大队",
]
N_UNITS = 50
HOSTILE = '=HYPERLINK("http://127.0.0.1/","点此")单位'  # a unit name typed to look like a formula
DUPLICATE = "重发/单位02.xlsx"
CORRUPT = {"坏文件.xlsx": b"this is not a workbook", "空文件.xlsx": b""}
TRUNCATED = "截断.xlsx"


def unit_name(i: int) -> str:
    return HOSTILE if i == 7 else f"第{i:02d}单位"


def make_unit_book(i: int, out: Path) -> None:
    """Unit ``i``: a copy of a source whose units are all renamed to one, ``i % 4`` of its project
    sheets dropped (so units differ in projects and findings)."""
    wb = openpyxl.load_workbook(SOURCES[i % len(SOURCES)])
    name = unit_name(i)
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and any(u in cell.value for u in SEED_UNITS):
                    text = cell.value
                    for u in SEED_UNITS:
                        text = text.replace(u, name)
                    put(cell, text)
    projects = [ws.title for ws in wb if not ws.title.startswith("汇总表")]
    for title in projects[: i % 4]:
        del wb[title]
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not all(p.exists() for p in SOURCES):
        pytest.skip(f"shared fixtures not found at {FIXTURES}")
    root = tmp_path_factory.mktemp("review") / "各单位报送"
    for i in range(1, N_UNITS + 1):
        make_unit_book(i, root / ("一组" if i % 2 else "二组") / f"单位{i:02d}.xlsx")
    (root / "重发").mkdir()
    shutil.copy(root / "二组" / "单位02.xlsx", root / DUPLICATE)
    for name, data in CORRUPT.items():
        (root / name).write_bytes(data)
    (root / TRUNCATED).write_bytes((root / "一组" / "单位01.xlsx").read_bytes()[:4000])
    return root


@pytest.fixture(scope="module")
def reviewed(folder: Path) -> Path:
    """``xlperf review`` as a user runs it, from the folder above the units' folder."""
    out = folder.parent / "审核结果.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "xlperf", "review", folder.name, "-o", out.name, "--jobs", "2"],
        cwd=folder.parent,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "审核 50 个文件、50 个单位" in proc.stdout
    assert "无法读取 3 个，重复 1 个" in proc.stdout
    assert f"与“{'二组/单位02.xlsx'}”内容完全相同" in proc.stderr
    return out


@pytest.fixture(scope="module")
def book(reviewed: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(reviewed)


def table(ws, header_row: int = 1) -> list[dict]:
    rows = ws.iter_rows(min_row=header_row, values_only=True)
    head = next(rows)
    return [dict(zip(head, r, strict=False)) for r in rows if any(v is not None for v in r)]


def dec(value) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def overview(book) -> tuple[list[dict], dict]:
    rows = table(book["概况"], 4)
    total_at = next(i for i, r in enumerate(rows) if r["单位"] == "合计（全部门）")
    return rows[:total_at], rows[total_at]


def test_review_has_its_sheets(book) -> None:
    assert book.sheetnames == ["概况", "问题清单", "项目一览", "按代码统计", "未审核文件"]


def test_overview_totals_equal_the_sum_of_the_rows(book) -> None:
    units, total = overview(book)
    assert len(units) == N_UNITS
    assert [u["单位"] for u in units] == sorted(
        (unit_name(i) for i in range(1, N_UNITS + 1)),
        key=lambda n: (0 if int(_index(n)) % 2 else 1, _index(n)),
    )
    for key in ("文件数", "项目数", "等次：优", "等次：良", "等次：中", "等次：差", "错误", "警告"):
        assert total[key] == sum(u[key] for u in units), key
    for key in ("全年预算数", "执行数"):
        assert dec(total[key]) == sum((dec(u[key]) for u in units), Decimal(0)), key
    assert abs(dec(total["执行率"]) - dec(total["执行数"]) / dec(total["全年预算数"])) < Decimal(
        "1e-12"
    )
    assert all(u["文件数"] == 1 for u in units)  # the duplicate is not counted twice
    projects = table(book["项目一览"])
    assert total["项目数"] == len(projects)
    scores = [
        dec(p["总分（表中）"] if p["总分（表中）"] is not None else p["总分（复核）"])
        for p in projects
    ]
    assert dec(total["平均自评得分"]) == (sum(scores, Decimal(0)) / len(scores)).quantize(
        Decimal("0.01")
    )
    per_unit = Counter(p["单位"] for p in projects)
    assert {u["单位"]: u["项目数"] for u in units} == dict(per_unit)
    assert len(set(per_unit.values())) > 1  # the units differ


def _index(name: str) -> str:
    return "07" if name == HOSTILE else name[1:3]


def test_findings_equal_check(folder: Path, book) -> None:
    """Same findings as ``xlperf check`` on the same files (the duplicate left out)."""
    proc = subprocess.run(
        [sys.executable, "-m", "xlperf", "check", str(folder), "--format", "jsonl", "--exit-zero"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 2  # the corrupt files
    checked = [json.loads(line) for line in proc.stdout.splitlines()]
    checked = [f for f in checked if Path(f["file"]) != folder / DUPLICATE]
    listed = table(book["问题清单"])
    assert list(listed[0]) == FINDINGS_HEAD
    assert Counter(f["代码"] for f in listed) == Counter(f["code"] for f in checked)
    key = ("file", "sheet", "cell", "code")
    assert Counter(
        (Path(f["file"]).relative_to(folder).as_posix(), f["sheet"], f["cell"], f["code"])
        for f in checked
    ) == Counter(tuple(f[k] for k in ("文件", "工作表", "单元格", "代码")) for f in listed), key
    by_code = {r["代码"]: r for r in table(book["按代码统计"])}
    total = by_code.pop("合计")
    assert {c: r["条数"] for c, r in by_code.items()} == dict(Counter(f["code"] for f in checked))
    assert total["条数"] == len(listed)
    assert all(r["名称"] == CODES[c][1] for c, r in by_code.items())
    units, overall = overview(book)
    errors = sum(1 for f in listed if f["级别"] == "错误")
    assert overall["错误"] == errors and overall["警告"] == len(listed) - errors


def test_unreadable_and_duplicate_files_are_listed(book) -> None:
    rows = {r["文件"]: r for r in table(book["未审核文件"])}
    assert set(rows) == {*CORRUPT, TRUNCATED, DUPLICATE}
    assert rows[DUPLICATE]["情况"] == "重复文件" and "二组/单位02.xlsx" in rows[DUPLICATE]["原因"]
    assert rows["空文件.xlsx"]["情况"] == "无法读取" and "0 字节" in rows["空文件.xlsx"]["原因"]
    assert "损坏" in rows[TRUNCATED]["原因"]
    assert "不是 Excel 文件" in rows["坏文件.xlsx"]["原因"]
    subtitle = book["概况"]["A2"].value
    assert "收到文件 54 个：已审核 50 个，重复 1 个，无法读取 3 个" in subtitle


def test_every_link_reaches_a_flagged_cell(reviewed: Path, book) -> None:
    ws = book["问题清单"]
    col = FINDINGS_HEAD.index("单元格") + 1
    flagged_dir = reviewed.parent / "审核结果_标记副本"
    opened: dict[Path, openpyxl.Workbook] = {}
    n = 0
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, col)
        link = cell.hyperlink
        assert link is not None, cell.coordinate
        assert not Path(link.target).is_absolute() and not link.target.startswith("file:")
        target = (reviewed.parent / unquote(link.target)).resolve()
        assert target.is_file() and flagged_dir.resolve() in target.parents
        assert target.relative_to(flagged_dir.resolve()).as_posix() == ws.cell(r, 3).value
        sheet, address = link.location.rsplit("!", 1)
        assert sheet.startswith("'") and sheet.endswith("'")
        sheet = sheet[1:-1].replace("''", "'")
        assert (sheet, address) == (ws.cell(r, 5).value, cell.value)
        if target not in opened:
            opened[target] = openpyxl.load_workbook(target)
        marked = opened[target][sheet][address]
        assert marked.fill.fgColor.rgb[-6:] in ("FFC7CE", "FFEB9C")
        assert marked.comment is not None and ws.cell(r, 7).value in marked.comment.text
        n += 1
    assert n > 1000 and len(opened) == N_UNITS


def test_projects_side_by_side_with_differences_marked(book) -> None:
    ws = book["项目一览"]
    rows = table(ws)
    assert list(rows[0]) == PROJECTS_HEAD
    wrong = [r for r in rows if r["项目名称"] == "高校毕业生“三支一扶”计划中央和市补助资金"]
    assert wrong and all("预算执行率得分" in r["差异"] for r in wrong)
    assert all(
        r["预算执行率得分（表中）"] == 7.6 and r["预算执行率得分（复核）"] == 0.76 for r in wrong
    )
    r = next(i for i, row in enumerate(rows, 2) if row["差异"] != "一致")
    flagged = [c for c in ws[r] if c.fill.fgColor.rgb and c.fill.fgColor.rgb.endswith("FFC7CE")]
    assert flagged
    assert any(row["差异"] == "一致" for row in rows) or any(
        "分值合计" in row["差异"] for row in rows
    )


def test_form_text_stays_text(reviewed: Path, book) -> None:
    """A unit named like a formula is written as text everywhere (DOMAIN.md §7)."""
    import zipfile

    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    units, _ = overview(book)
    assert HOSTILE in [u["单位"] for u in units]
    with zipfile.ZipFile(reviewed) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_convention_is_stated_from_the_form(book) -> None:
    from xlperf.reader import read_workbook

    forms = read_workbook(SOURCES[0]).projects
    conventions = {f.project_name.text: form_convention(f) for f in forms}
    assert conventions["建档立卡优秀务工人员奖补"] == UNKNOWN  # weights add up to 90
    assert "全国2020（执行率10分，总分含执行率）" in conventions.values()
    units, _ = overview(book)
    assert all("全国2020" in u["评分口径"] for u in units)


def test_collect_in_one_process_equals_parallel(folder: Path, tmp_path: Path) -> None:
    files = [
        folder / "一组" / "单位01.xlsx",
        folder / "二组" / "单位02.xlsx",
        folder / "坏文件.xlsx",
    ]
    one = collect(files, None, jobs=1)
    two = collect(files, None, jobs=2)
    assert [(r.name, r.error, r.projects, r.findings) for r in one] == [
        (r.name, r.error, r.projects, r.findings) for r in two
    ]
    assert one[2].error and not one[0].error


def test_a_second_review_in_the_same_folder_skips_its_own_output(
    folder: Path, tmp_path: Path
) -> None:
    """Review files placed next to the units (the review's own output inside the folder read)."""
    root = tmp_path / "单位"
    root.mkdir()
    shutil.copy(folder / "一组" / "单位01.xlsx", root / "单位01.xlsx")
    for _ in range(2):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "xlperf",
                "review",
                str(root),
                "-o",
                str(root / "审核结果.xlsx"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert "审核 1 个文件" in proc.stdout
    assert sorted(p.name for p in root.iterdir()) == [
        "单位01.xlsx",
        "审核结果.xlsx",
        "审核结果_标记副本",
    ]


@pytest.fixture(scope="module")
def rendered(reviewed: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The review workbook as LibreOffice opens it: to PDF, and to flat ODS."""
    exe = soffice()
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed")
    work = tmp_path_factory.mktemp("lo")
    profile = (work / "profile").as_uri()
    outputs = []
    for fmt in ("pdf", "fods"):
        subprocess.run(
            [exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt]
            + ["--outdir", str(work), str(reviewed)],
            check=True,
            capture_output=True,
            timeout=600,
        )
        outputs.append(work / f"{reviewed.stem}.{fmt}")
    assert all(p.exists() for p in outputs)
    return outputs[0], outputs[1]


def test_libreoffice_prints_every_sheet_and_the_charts(rendered: tuple[Path, Path]) -> None:
    pdf, _ = rendered
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for sheet in ("概况", "问题清单", "项目一览", "按代码统计", "未审核文件"):
        assert re.search(rf"{sheet}\s+第 \d+ 页", text), sheet  # each sheet's footer: it printed
    assert "预算绩效自评批量审核结果" in text and "合计（全部门）" in text
    # the charts' own titles are no cell's text: they are in the PDF only if the charts are
    assert "各单位错误数" in text and "自评得分分布（项目数）" in text
    pages = subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "3", str(pdf), str(pdf.with_suffix(""))],
        capture_output=True,
        check=True,
    )
    assert pages.returncode == 0
    images = sorted(pdf.parent.glob(f"{pdf.stem}-*.png"))
    assert len(images) == 3 and all(p.stat().st_size > 10_000 for p in images)


def test_libreoffice_resolves_links_to_the_flagged_cells(
    reviewed: Path, rendered: tuple[Path, Path]
) -> None:
    """LibreOffice reads each relative link with its location as ``<copy>#'Sheet'!Cell``."""
    from html import unescape

    _, fods = rendered
    hrefs = [
        unescape(h)
        for h in re.findall(r'xlink:href="([^"]+)"', fods.read_text(encoding="utf-8"))
        if h != ".."  # the charts' own reference to the document
    ]
    book = openpyxl.load_workbook(reviewed)
    ws = book["问题清单"]
    expected = Counter(
        (
            (reviewed.parent / unquote(ws.cell(r, 6).hyperlink.target)).resolve(),
            ws.cell(r, 6).hyperlink.location,
        )
        for r in range(2, ws.max_row + 1)
    )
    seen: Counter = Counter()
    for href in hrefs:
        path, _, location = href.partition("#")
        # LibreOffice writes each link relative to the folder of the document it saves
        seen[(Path(os.path.normpath(fods.parent / unquote(path))).resolve(), location)] += 1
    assert seen == expected
    assert all(p.is_file() for p, _ in seen)


def test_a_flagged_copy_open_in_excel_is_not_overwritten(folder: Path, tmp_path: Path) -> None:
    """The reviewer still has last time's flagged copy of a unit open in Excel (its ``~$`` lock
    file beside it): that unit is reviewed and listed, its copy left alone, its findings carry
    no link, and the other unit's copy goes where --flagged says."""
    root = tmp_path / "报送"
    root.mkdir()
    for name in ("单位01.xlsx", "单位03.xlsx"):
        shutil.copy(folder / "一组" / name, root / name)
    out, flagged = tmp_path / "结果" / "审核结果.xlsx", tmp_path / "副本"
    flagged.mkdir()
    (flagged / "单位03.xlsx").write_bytes(b"last time's copy")
    (flagged / "~$单位03.xlsx").write_bytes(b"lock")
    proc = subprocess.run(
        [sys.executable, "-m", "xlperf", "review", str(root), "-o", str(out)]
        + ["--flagged", str(flagged), "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "审核 2 个文件" in proc.stdout
    assert (flagged / "单位03.xlsx").read_bytes() == b"last time's copy"
    assert openpyxl.load_workbook(flagged / "单位01.xlsx")  # written, and a workbook
    book = openpyxl.load_workbook(out)
    unread = table(book["未审核文件"])
    assert [(r["文件"], r["情况"]) for r in unread] == [("单位03.xlsx", "无标记副本")]
    assert "正在被 Excel/WPS 打开" in unread[0]["原因"]
    ws = book["问题清单"]
    links = {ws.cell(r, 3).value: ws.cell(r, 6).hyperlink for r in range(2, ws.max_row + 1)}
    assert set(links) == {"单位01.xlsx", "单位03.xlsx"}
    assert links["单位03.xlsx"] is None
    assert links["单位01.xlsx"].target == "../副本/单位01.xlsx"
