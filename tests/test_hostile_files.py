"""Hostile workbooks (DOMAIN.md §7): each is refused, or read, within seconds and bounded memory.

Every file is built here: a cell at XFD1048576 in a 13 KB file, 10,000 sheets, a part that
inflates to over 1 GB (streamed, never held in memory), a FIFO named x.xlsx, entity expansion
and deep nesting in a sheet's XML. The command runs in its own process under a small runner
that reports the process's peak resident memory (``getrusage`` of its child).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.builders import clean_project, write_project
from xlperf import limits

SECONDS = 10
PEAK_MB = 500

RUNNER = """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
sys.stdout.write(r.stdout)
sys.stderr.write(r.stderr)
sys.stderr.write("\\nPEAK_KB=%d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(r.returncode)
"""


def run_bounded(*args: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """``xlperf ARGS`` in a child process: (result, seconds, peak MB of the xlperf process)."""
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, sys.executable, "-m", "xlperf", *args],
        capture_output=True,
        text=True,
        timeout=150,
    )
    seconds = time.monotonic() - start
    lines = result.stderr.rstrip().splitlines()
    assert lines and lines[-1].startswith("PEAK_KB="), result.stderr
    peak_mb = int(lines[-1].removeprefix("PEAK_KB=")) / 1024
    result.stderr = "\n".join(lines[:-1]).strip()
    return result, seconds, peak_mb


def assert_refused(path: Path, *words: str, command: str = "check") -> str:
    args = [command, str(path)]
    if command == "fix":
        args += ["-o", str(path.with_name("out.xlsx"))]
    result, seconds, peak = run_bounded(*args)
    assert seconds < SECONDS, f"{seconds:.1f} s"
    assert peak < PEAK_MB, f"{peak:.0f} MB"
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = [x for x in result.stderr.splitlines() if x.strip() and not x.startswith("共 ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(str(path)), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def _project_book(path: Path) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目"
    write_project(ws, 1, clean_project())
    return wb


# The parts of a minimal .xlsx package, for workbooks written with zipfile directly.
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheets>{sheets}</sheets></workbook>"
)
SHEET_ENTRY = '<sheet name="表{n}" sheetId="{n}" r:id="rId{n}"/>'
BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "{rels}</Relationships>"
)
SHEET_REL = (
    '<Relationship Id="rId{n}" Target="worksheets/sheet{n}.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
)
SHEET_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row></sheetData>'
    "</worksheet>"
)


def write_package(path: Path, sheets: dict[int, str | None]) -> zipfile.ZipFile:
    """A minimal .xlsx whose sheet n is ``sheets[n]`` (None: the part is left for the caller to
    stream into the returned, still open, zip)."""
    z = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
    numbers = sorted(sheets)
    z.writestr(
        "[Content_Types].xml",
        CONTENT_TYPES.format(sheets="".join(SHEET_TYPE.format(n=n) for n in numbers)),
    )
    z.writestr("_rels/.rels", ROOT_RELS)
    z.writestr(
        "xl/workbook.xml",
        WORKBOOK.format(sheets="".join(SHEET_ENTRY.format(n=n) for n in numbers)),
    )
    z.writestr(
        "xl/_rels/workbook.xml.rels",
        BOOK_RELS.format(rels="".join(SHEET_REL.format(n=n) for n in numbers)),
    )
    for n in numbers:
        if sheets[n] is not None:
            z.writestr(f"xl/worksheets/sheet{n}.xml", sheets[n])
    return z


def test_minimal_package_is_a_workbook(tmp_path: Path) -> None:
    """The builder above makes real workbooks: the refusals below are not parse failures."""
    path = tmp_path / "小.xlsx"
    write_package(path, {1: SHEET_XML.format(text="会议纪要")}).close()
    result, _, _ = run_bounded("extract", str(path))
    assert result.returncode == 2 and "未找到" in result.stderr, result.stderr


def test_cell_at_xfd1048576_is_refused_naming_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "远处.xlsx"
    wb = _project_book(path)
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    assert path.stat().st_size < 20_000
    line = assert_refused(path, "XFD1048576", f"{limits.MAX_SHEET_AREA:,}")
    assert ":项目!XFD1048576:" in line
    assert_refused(path, "XFD1048576", command="fix")


def test_formatted_but_empty_far_cell_is_read(tmp_path: Path) -> None:
    """Formatting reaching XFD1048576 (a whole column styled) is not content: the form is read."""
    path = tmp_path / "远处格式.xlsx"
    wb = _project_book(path)
    wb.active["XFD1048576"].number_format = "0.00"
    wb.active.merge_cells("A1048576:XFD1048576")
    wb.save(path)
    result, seconds, peak = run_bounded("check", str(path))
    assert seconds < SECONDS and peak < PEAK_MB, (seconds, peak)
    assert result.returncode == 0, result.stdout + result.stderr


def test_merge_over_the_whole_sheet_is_refused(tmp_path: Path) -> None:
    """openpyxl makes an object for every cell under a merge: 17 billion for A1:XFD1048576."""
    path = tmp_path / "全表合并.xlsx"
    sheet = SHEET_XML.replace(
        "</sheetData>",
        '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
    )
    write_package(path, {1: sheet.format(text="标题")}).close()
    assert_refused(path, "合并单元格", f"{limits.MAX_MERGED_CELLS:,}")


def test_ten_thousand_sheets_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "万表.xlsx"
    write_package(path, {n: SHEET_XML.format(text=n) for n in range(1, 10_001)}).close()
    assert_refused(path, "10000 张工作表", f"上限 {limits.MAX_SHEETS} 张")


@pytest.fixture(scope="module")
def gigabyte_part(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook whose sheet XML inflates to just over 1 GB, written in 1 MB chunks."""
    path = tmp_path_factory.mktemp("bomb") / "炸弹.xlsx"
    with (
        write_package(path, {1: None}) as z,
        z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f,
    ):
        f.write(b'<?xml version="1.0"?><worksheet><sheetData>')
        chunk = b'<row r="1"/>' * (1024 * 1024 // 12)
        written = 0
        while written <= 1024**3:
            f.write(chunk)
            written += len(chunk)
        f.write(b"</sheetData></worksheet>")
    assert path.stat().st_size < 10 * 1024 * 1024
    return path


def test_part_inflating_past_a_gigabyte_is_refused(gigabyte_part: Path) -> None:
    assert_refused(gigabyte_part, "sheet1.xml", limits.mb(limits.MAX_MEMBER_BYTES))


def test_high_compression_ratio_is_refused(tmp_path: Path) -> None:
    """Under the size limit, but 8 MB that compress a thousandfold: a bomb's signature."""
    path = tmp_path / "高压缩.xlsx"
    body = b'<row r="1"/>' * (8 * 1024 * 1024 // 12)
    sheet = (
        b'<?xml version="1.0"?><worksheet><sheetData>' + body + b"</sheetData></worksheet>"
    ).decode()
    write_package(path, {1: sheet}).close()
    assert_refused(path, "压缩比", f"{limits.MAX_RATIO}:1")


def test_too_many_cells_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "多格.xlsx"
    cells = "".join(f'<c r="A{r}"/>' for r in range(1, limits.MAX_CELLS + 2))
    sheet = (
        SHEET_XML.split("<sheetData>")[0] + f"<sheetData><row>{cells}</row></sheetData></worksheet>"
    )
    write_package(path, {1: sheet}).close()
    assert_refused(path, f"{limits.MAX_CELLS:,}")


@pytest.mark.parametrize("command", ["check", "extract", "fix", "clear", "new-sheet", "report"])
def test_fifo_named_xlsx_is_refused_at_once(tmp_path: Path, command: str) -> None:
    path = tmp_path / "x.xlsx"
    os.mkfifo(path)
    assert_refused(path, "不是普通文件", command=command)


def test_device_behind_a_workbook_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "零.xlsx"
    path.symlink_to("/dev/zero")
    assert_refused(path, "不是普通文件")


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    )
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    "</sheetData></worksheet>"
)


def test_entity_expansion_in_a_sheet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "实体.xlsx"
    write_package(path, {1: BILLION_LAUGHS}).close()
    assert_refused(path, "实体")


def test_deeply_nested_xml_in_a_sheet_is_refused_or_read(tmp_path: Path) -> None:
    path = tmp_path / "嵌套.xlsx"
    depth = 200_000
    nested = "<a>" * depth + "</a>" * depth
    sheet = SHEET_XML.replace("<sheetData>", f"<extLst>{nested}</extLst><sheetData>")
    write_package(path, {1: sheet.format(text="会议纪要")}).close()
    result, seconds, peak = run_bounded("check", str(path))
    assert seconds < SECONDS and peak < PEAK_MB, (seconds, peak)
    assert result.returncode == 2 and result.stderr.startswith(str(path)), result.stderr
    assert "Traceback" not in result.stderr


def test_the_limits_leave_room_for_real_workbooks(tmp_path: Path) -> None:
    """Forty forms on forty sheets, with a merged title across the sheet: read as usual."""
    path = tmp_path / "四十张.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i in range(40):
        ws = wb.create_sheet(f"项目{i + 1}")
        write_project(ws, 1, clean_project(name=f"项目{i + 1}"))
    wb.save(path)
    result, seconds, peak = run_bounded("check", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert peak < PEAK_MB


def test_part_lying_about_its_size_is_refused(tmp_path: Path) -> None:
    """The zip says 1,000 bytes; the data inflates to 50 MB: zipfile stops at the declared size
    and the check fails, so the declared sizes bounded above are the ones that count."""
    import struct

    path = tmp_path / "谎报.xlsx"
    body = b'<row r="1"/>' * (50 * 1024 * 1024 // 12)
    sheet = b'<?xml version="1.0"?><worksheet><sheetData>' + body + b"</sheetData></worksheet>"
    write_package(path, {1: sheet.decode()}).close()
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    local = data.find(b"PK\x03\x04")  # every local header: patch the sheet's
    while local >= 0:
        size = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + size] == name:
            struct.pack_into("<I", data, local + 22, 1000)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        size = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + size] == name:
            struct.pack_into("<I", data, central + 24, 1000)
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))
    assert_refused(path, "损坏")


def test_far_cell_in_a_legacy_xls_is_refused(tmp_path: Path) -> None:
    """The same bound for .xls (xlrd): rows are read ragged, never padded to the far cell."""
    from tests.conftest import soffice

    source = tmp_path / "远处旧版.xlsx"
    wb = _project_book(source)
    wb.active["IV65536"] = "x"  # the last cell of a BIFF8 sheet
    wb.save(source)
    subprocess.run(
        [
            soffice(),
            "--headless",
            "--convert-to",
            "xls",
            "--outdir",
            str(tmp_path / "xls"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xls = tmp_path / "xls" / "远处旧版.xls"
    assert xls.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    assert_refused(xls, "IV65536", f"{limits.MAX_SHEET_AREA:,}")
