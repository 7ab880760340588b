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
