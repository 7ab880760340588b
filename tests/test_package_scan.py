"""The package scan that runs before python-calamine: what calamine does not give (formats,
error values) and the bounds it must not be let past (a far cell however it is written)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from tests.test_hostile_files import SHEET_XML, write_package
from xlperf import limits
from xlperf.errors import InputError
from xlperf.reader import package
from xlperf.reader.grid import Budget, grid_from_openpyxl
from xlperf.reader.loader import load_grids
from xlperf.reader.scan import scan_in_order


def _sheet(cells: str) -> str:
    head = SHEET_XML.split("<sheetData>")[0]
    return f"{head}<sheetData>{cells}</sheetData></worksheet>"


def test_values_formats_and_errors_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "样.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["C1"] = 5, 5.5, "  文字 "
    ws["D1"] = dt.datetime(2021, 3, 4)
    ws["E1"] = "#DIV/0!"  # openpyxl writes it as an error cell (t="e")
    ws["A2"] = 0.803
    ws["A2"].number_format = "0.0%"
    ws["B2"] = 12.5
    ws["B2"].number_format = "0.00"
    ws["Z99"].number_format = "0.00"  # formatting only: not content
    ws.merge_cells("A4:C5")
    wb.save(path)
    (grid,) = load_grids(path)
    (old,) = [
        grid_from_openpyxl(s, budget=Budget("x")) for s in openpyxl.load_workbook(path).worksheets
    ]
    assert grid.values == old.values
    assert [type(v) for row in grid.values for v in row] == [
        type(v) for row in old.values for v in row
    ]
    assert grid.get(0, 4) == "#DIV/0!"
    assert grid.fmt(1, 0) == "0.0%" and grid.fmt(1, 1) == "0.00" and grid.fmt(0, 0) is None
    assert grid.merged == old.merged and (grid.n_rows, grid.n_cols) == (old.n_rows, old.n_cols)


def test_cells_without_r_are_placed_in_order(tmp_path: Path) -> None:
    path = tmp_path / "无序号.xlsx"
    cells = (
        '<row><c t="inlineStr"><is><t>甲</t></is></c><c t="inlineStr"><is><t>乙</t></is></c></row>'
        '<row><c/><c t="e"><v>#N/A</v></c></row>'
    )
    write_package(path, {1: _sheet(cells)}).close()
    (grid,) = load_grids(path)
    assert grid.values == [["甲", "乙"], [None, "#N/A"]]


@pytest.mark.parametrize(
    "cell",
    [
        "<c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c>",  # single quotes
        '<c r = "XFD1048576" t="inlineStr"><is><t>x</t></is></c>',  # spaces around =
        '<c t="inlineStr" r="XFD1048576"><is><t>x</t></is></c>',  # r not first
    ],
)
def test_a_far_cell_is_refused_however_its_tag_is_written(tmp_path: Path, cell: str) -> None:
    path = tmp_path / "远处.xlsx"
    write_package(path, {1: _sheet(f'<row r="1048576">{cell}</row>')}).close()
    with pytest.raises(InputError) as caught:
        load_grids(path)
    assert "XFD1048576" in str(caught.value) and f"{limits.MAX_SHEET_AREA:,}" in str(caught.value)


def test_cells_are_counted_exactly_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small chunks: every tag straddling a chunk boundary is still counted once."""
    monkeypatch.setattr(package, "_CHUNK", 997)
    monkeypatch.setattr(package, "_KEEP", 50)
    monkeypatch.setattr(limits, "MAX_CELLS", 5000)
    cells = "".join(f'<c r="A{r}" s="0"><v>{r}</v></c>' for r in range(1, 5001))
    path = tmp_path / "多.xlsx"
    write_package(path, {1: _sheet(f"<row>{cells}</row>")}).close()
    assert package.check_package(path).sheets["表1"].rows == 5000
    more = tmp_path / "更多.xlsx"
    write_package(more, {1: _sheet(f'<row>{cells}<c r="A5001"/></row>')}).close()
    with pytest.raises(InputError, match="5,000"):
        package.check_package(more)


def test_a_huge_merge_is_refused_however_its_tag_is_written(tmp_path: Path) -> None:
    merges = '<mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref=\'A1:XFD1048576\'/></mergeCells>'
    sheet = SHEET_XML.replace("</sheetData>", f"</sheetData>{merges}").format(text="标题")
    path = tmp_path / "合并.xlsx"
    write_package(path, {1: sheet}).close()
    with pytest.raises(InputError, match=f"{limits.MAX_MERGED_CELLS:,}"):
        package.check_package(path)


STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0&quot;分&quot;"/></numFmts>'
    '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="10"/><xf numFmtId="164"/></cellXfs>'
    '<dxfs count="1"><dxf><numFmt numFmtId="165" formatCode="@"/></dxf></dxfs></styleSheet>'
)


def _styled(path: Path, cells: str) -> Path:
    z = write_package(path, {1: _sheet(cells)})
    z.writestr("xl/styles.xml", STYLES)
    z.close()
    return path


def test_cells_written_otherwise_are_read_as_tag_by_tag(tmp_path: Path) -> None:
    """The one-pass scan (plain cells skipped in C) learns what the tag-by-tag scan learns."""
    cells = (
        '<row r="1"><c r="A1" s="1" t="n"><v>0.5</v></c><c r="B1" t="n" s="2"><v>3</v></c>'
        '<c r=\'C1\' s=\'1\'><v>0.25</v></c><c r="D1" s="1"/><c r="E1" t="e"><v>#N/A</v></c>'
        '<c r="F1" s="2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="G1" s="0"><v>7</v></c></row>'
        '<row r="1500"><c r="AB1500" s="1" t="n"><v>0.1</v></c><c r="B1500"><v>1</v></c></row>'
    )
    path = _styled(tmp_path / "写法.xlsx", cells)
    scan = package.check_package(path).sheets["表1"]
    parts = package._Parts(str(path), path.read_bytes())
    info = parts.get("xl/worksheets/sheet1.xml")
    styles = package._cell_formats(parts.read(parts.get("xl/styles.xml")))
    exact = scan_in_order(info.filename, lambda: parts.chunks(info), styles, package._Counter("x"))
    assert styles == ("General", "0.00%", '0.0"分"')
    assert (
        scan.formats
        == exact.formats
        == {
            (0, 0): "0.00%",
            (0, 1): '0.0"分"',
            (0, 2): "0.00%",
            (0, 5): '0.0"分"',
            (1499, 27): "0.00%",
        }
    )
    assert scan.errors == exact.errors == {(0, 4): "#N/A", (0, 5): "#DIV/0!"}
    assert (exact.rows, exact.cols, exact.far) == (1500, 28, (1499, 27))
    assert scan.rows >= exact.rows and scan.cols >= exact.cols and not scan.exact
    (grid,) = load_grids(path)
    assert grid.get(0, 4) == "#N/A" and grid.get(1499, 27) == 0.1 and grid.fmt(0, 1) == '0.0"分"'


def test_a_prefixed_far_cell_is_refused(tmp_path: Path) -> None:
    """calamine reads a cell by its local name: ``<x:c>`` counts as a cell, and is bounded."""
    sheet = (
        '<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr">'
        '<x:is><x:t>甲</x:t></x:is></x:c><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    path = tmp_path / "前缀.xlsx"
    write_package(path, {1: sheet}).close()
    with pytest.raises(InputError, match="XFD1048576"):
        load_grids(path)


def test_bounds_that_may_pass_a_limit_are_made_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain cells are bounded by A1:Z999 as a whole; when the bounds of all sheets pass the
    book's limit, the sheets are scanned tag by tag and only their exact reach counts."""
    monkeypatch.setattr(limits, "MAX_BOOK_AREA", 60_000)
    path = tmp_path / "三表.xlsx"
    write_package(path, {n: SHEET_XML.format(text=n) for n in (1, 2, 3)}).close()
    scans = package.check_package(path).sheets
    assert all(s.exact and (s.rows, s.cols) == (1, 1) for s in scans.values())
    assert [g.values for g in load_grids(path)] == [[["1"]], [["2"]], [["3"]]]


def test_calamine_reads_the_parts_scanned(tmp_path: Path) -> None:
    """The package handed to calamine holds every part, those inflated stored as they are."""
    import io
    import zipfile

    path = _styled(tmp_path / "重装.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    repacked = zipfile.ZipFile(io.BytesIO(package.check_package(path).data))
    with zipfile.ZipFile(path) as original:
        assert repacked.namelist() == original.namelist()
        assert all(repacked.read(n) == original.read(n) for n in original.namelist())
    assert repacked.testzip() is None
    assert repacked.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_STORED


def test_a_prefixed_r_does_not_hide_the_cells_own(tmp_path: Path) -> None:
    """calamine places a cell by its ``r`` attribute, not by ``x:r``: so does the scan."""
    cell = '<c x:r="A1" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
    path = tmp_path / "假序号.xlsx"
    write_package(path, {1: _sheet(f'<row r="1">{cell}</row>')}).close()
    with pytest.raises(InputError, match="XFD1048576"):
        load_grids(path)
