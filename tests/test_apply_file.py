"""The file adapter's shortcuts give what openpyxl's own calls give: styles copied as style
indices, merges added without openpyxl's rescan of every merge."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import openpyxl.reader.excel
import pytest
from openpyxl.styles import Font as XlFont
from openpyxl.worksheet._reader import WorksheetReader
from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import FIXTURES, REPO
from xlperf.ops.apply_file import _cells, _style_values, apply_sheet
from xlperf.ops.edits import Align, Font, SheetEdit, Style
from xlperf.reader.loader import open_ooxml

STYLES = [
    Style("A1:D4", font=Font(name="宋体", size=16, bold=True), align=Align(horizontal="center")),
    Style("B2:F6", number_format="0.00%", border=True),  # overlaps: the font above stays
    Style("H1:H9", font=Font(name="宋体", size=16, bold=True), align=Align(horizontal="center")),
    Style("C3", fill="FFC7CE"),
    Style("J2:K3", border=True),  # a cell styled beforehand keeps its own font
    Style("Z1:Z1", number_format="0.00"),
]
MERGES = ["A1:D1", "B3:C4", "B3:C3", "A1:D1", "H2:H5", "F8:G9"]  # one inside another, one twice


def _sheet() -> Worksheet:
    ws = openpyxl.Workbook().active
    ws.title = "汇总表"
    ws["A1"] = "标题"
    ws["J2"].font = XlFont(italic=True, color="FF0000")
    ws.merge_cells("M1:N2")  # there before the edit
    return ws


def _state(ws: Worksheet) -> tuple:
    cells = {
        c.coordinate: (
            type(c).__name__,
            c.value,
            c.number_format,
            *(repr(getattr(c, a)) for a in ("font", "fill", "border", "alignment", "protection")),
        )
        for row in ws.iter_rows(1, 12, 1, 26)
        for c in row
    }
    return cells, sorted(str(m) for m in ws.merged_cells.ranges)


def test_styles_and_merges_as_openpyxl_sets_them_cell_by_cell() -> None:
    ours = _sheet()
    apply_sheet(ours.parent, SheetEdit("汇总表", styles=STYLES, merges=MERGES))
    plain = _sheet()
    for style in STYLES:
        for cell in _cells(plain, style.ref):
            for attr, value in _style_values(style).items():
                setattr(cell, attr, value)
    for area in MERGES:
        plain.merge_cells(area)
    assert _state(ours) == _state(plain)
    assert ours["J2"].font.italic and ours["J2"].border.left.style == "thin"
    assert "B3:C3" not in {str(m) for m in ours.merged_cells.ranges}  # inside B3:C4


def _whole(wb: openpyxl.Workbook) -> list[tuple]:
    return [
        (
            ws.title,
            sorted(str(m) for m in ws.merged_cells.ranges),
            [
                (c.coordinate, type(c).__name__, c.value, c._style and tuple(c._style))
                for c in cells
            ],
        )
        for ws in wb.worksheets
        for cells in [[c for row in ws.iter_rows() for c in row]]
    ]


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES / "seed000_std.xlsx",
        FIXTURES / "seed000_plain.xlsx",
        REPO / "workbook_templates" / "项目支出绩效自评表.xlsx",
        REPO / "workbook_templates" / "部门整体支出绩效自评表.xlsx",
    ],
    ids=lambda p: p.stem,
)
def test_loading_merges_as_openpyxl_does(path, monkeypatch: pytest.MonkeyPatch) -> None:
    """open_ooxml's sheet reader (xlperf.reader.merges) gives every cell the style openpyxl's
    own reader gives it, and the workbook saves to the same sheets."""
    if not path.exists():
        pytest.skip(f"not found: {path}")
    ours = open_ooxml(path, data_only=False)
    monkeypatch.setattr(openpyxl.reader.excel, "WorksheetReader", WorksheetReader)
    with path.open("rb") as f:
        plain = openpyxl.load_workbook(f)
    assert _whole(ours) == _whole(plain)
    saved = []
    for wb in (ours, plain):
        buffer = io.BytesIO()
        wb.save(buffer)
        with zipfile.ZipFile(buffer) as z:
            saved.append({n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"})
    assert saved[0] == saved[1]
