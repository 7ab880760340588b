"""Bad input: one Chinese line naming the file, exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from tests.builders import clean_project, write_project


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=120
    )


def _corrupt(tmp: Path) -> Path:
    good = tmp / "good.xlsx"
    openpyxl.Workbook().save(good)
    data = good.read_bytes()
    path = tmp / "损坏.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _encrypted(tmp: Path) -> Path:
    plain = tmp / "plain.xlsx"
    wb = openpyxl.Workbook()
    write_project(wb.active, 1, clean_project())
    wb.save(plain)
    path = tmp / "加密.xlsx"
    with plain.open("rb") as src, path.open("wb") as dst:
        office = OOXMLFile(src)
        office.encrypt("secret", dst)
    return path


def _empty(tmp: Path) -> Path:
    path = tmp / "空白.xlsx"
    openpyxl.Workbook().save(path)
    return path


def _no_form(tmp: Path) -> Path:
    path = tmp / "无表.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "会议纪要"
    wb.active["B3"] = 42
    wb.save(path)
    return path


def _not_excel(tmp: Path) -> Path:
    path = tmp / "说明.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    return path


def _zip_not_excel(tmp: Path) -> Path:
    path = tmp / "压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    return path


CASES = {
    "corrupt": (_corrupt, "损坏"),
    "encrypted": (_encrypted, "密码"),
    "empty": (_empty, "为空"),
    "no_form": (_no_form, "未找到"),
    "not_excel": (_not_excel, "不是 Excel"),
    "zip_not_excel": (_zip_not_excel, "损坏"),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("command", ["check", "extract"])
def test_bad_input_is_one_clear_line(tmp_path: Path, case: str, command: str) -> None:
    make, words = CASES[case]
    path = make(tmp_path)
    result = _run(command, str(path))
    assert result.returncode == 2
    lines = [x for x in result.stderr.splitlines() if x.strip() and not x.startswith("共 ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(str(path)) and words in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_file(tmp_path: Path) -> None:
    result = _run("check", str(tmp_path / "没有.xlsx"))
    assert result.returncode == 2 and "不存在" in result.stderr and "Traceback" not in result.stderr


def test_text_where_numbers_belong_names_the_cell(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目"
    write_project(ws, 1, clean_project())
    ws["E6"] = "见附件"  # 年度资金总额 全年执行数
    path = tmp_path / "文字.xlsx"
    wb.save(path)
    result = _run("check", str(path))
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if "XP000" in x)
    assert line.startswith(f"{path}:项目!E6: XP000") and "见附件" in line


def test_one_bad_file_among_good_ones_still_checks_the_rest(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    write_project(wb.active, 1, clean_project())
    wb.save(good)
    result = _run("check", str(good), str(_not_excel(tmp_path)))
    assert result.returncode == 2
    assert "不是 Excel" in result.stderr
