"""Defects still open after the hardening issue, found by running xlperf as a new user would.

Each test runs the real command (a subprocess with a time limit where the defect was a hang) on
the bundled example or on a file made here, and fails on the behaviour that was seen.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "新乡县人社局2021项目自评表.xlsx"
LIMIT = 30  # seconds: a refusal comes within seconds, a hang hits this


def _xlperf(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, in its own process (a hang fails the test, not the run)."""
    return subprocess.run(
        [sys.executable, "-m", "xlperf", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=LIMIT,
        env={**os.environ, "XLPERF_DEBUG": ""},
        stdin=subprocess.DEVNULL,
    )


def test_rollup_refuses_a_fifo_named_xlsx(tmp_path: Path) -> None:
    fifo = tmp_path / "x.xlsx"
    os.mkfifo(fifo)
    run = _xlperf("rollup", str(fifo), "-o", str(tmp_path / "out.xlsx"), cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "不是普通文件" in run.stderr
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_rules_file_that_is_no_regular_file_is_refused(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        rules = tmp_path / "rules.json"
        os.mkfifo(rules)
    else:
        rules = Path("/dev/zero")  # never ends: read whole it would fill the memory
    run = _xlperf("check", str(EXAMPLE), "--rules", str(rules), cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "规则文件有误" in run.stderr and "不是普通文件" in run.stderr


def test_an_oversized_rules_file_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text('{"name": "' + "x" * (2 * 1024 * 1024) + '"}', encoding="utf-8")
    run = _xlperf("check", str(EXAMPLE), "--rules", str(rules), cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "文件过大" in run.stderr and "1 MB" in run.stderr


def test_rollup_of_a_folder_says_why_each_file_was_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "报送"
    folder.mkdir()
    wb = openpyxl.Workbook()
    for i in range(1000):  # one over the limit of 1000 sheets
        wb.create_sheet(f"表{i}")
    wb.save(folder / "多表.xlsx")
    run = _xlperf("rollup", str(folder), "-o", str(tmp_path / "out.xlsx"), cwd=tmp_path)
    assert run.returncode == 2
    # the refusal itself, not only "no forms in 多表.xlsx" (which would be untrue)
    assert "多表.xlsx: 工作簿有 1001 张工作表，超过可读取的上限 1000 张" in run.stderr
    assert f"{folder}: 可以读取的文件中没有任何项目支出绩效自评表" in run.stderr


def test_check_into_a_closed_pipe_blames_no_file(tmp_path: Path) -> None:
    """``xlperf check … | head -1``: the reader leaving is no internal error of the workbook."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "xlperf", "check", "--exit-zero", str(EXAMPLE)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before xlperf writes its first line: every write meets a closed pipe
    try:
        err = proc.stderr.read().decode("utf-8")
        proc.wait(timeout=LIMIT)
    finally:
        proc.kill()
    assert "内部错误" not in err and "Traceback" not in err, err
    assert proc.returncode == 1


def test_readme_benchmark_commands_name_the_venv_python() -> None:
    """The README's commands run in a clean shell after its install line: there ``python`` is
    the system's (or absent), without openpyxl, so a benchmark needs the venv's interpreter."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    named = re.findall(r"(\S*) benchmarks/(\w+\.py)", readme)
    assert {"run.py", "fuzz.py"} <= {script for _, script in named}, named
    for python, script in named:
        assert python == "`.venv/bin/python", (python, script)
        assert (REPO / "benchmarks" / script).is_file(), script


def test_csv_output_keeps_text_from_the_workbook_from_becoming_a_formula(tmp_path: Path) -> None:
    """A sheet name is the sending unit's text: opened in Excel, 检查结果.csv must not run it."""
    import csv

    wb = openpyxl.load_workbook(EXAMPLE)
    wb.worksheets[0].title = "=SUM(1,2)"
    wb.worksheets[2].title = "@x+1"
    book = tmp_path / "名.xlsx"
    wb.save(book)
    run = _xlperf("check", str(book), "--format", "csv", "--exit-zero", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(run.stdout.splitlines()))
    sheets = {row["sheet"] for row in rows}
    assert "'=SUM(1,2)" in sheets and "'@x+1" in sheets and "事业单位招聘" in sheets
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "@"), row
            if value.startswith("-"):  # only a signed number, which Excel reads as a number
                float(value)
    plain = _xlperf("check", str(EXAMPLE), "--format", "csv", "--exit-zero", cwd=tmp_path)
    assert "'" not in "".join(r["sheet"] for r in csv.DictReader(plain.stdout.splitlines()))


def test_review_refuses_a_fifo_named_xlsx(tmp_path: Path) -> None:
    fifo = tmp_path / "x.xlsx"
    os.mkfifo(fifo)
    out = tmp_path / "审核结果.xlsx"
    run = _xlperf("review", str(fifo), str(EXAMPLE), "-o", str(out), "--jobs", "1", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stderr
    assert "无法读取 1 个" in run.stdout + run.stderr
    unread = openpyxl.load_workbook(out)["未审核文件"]
    assert any("不是普通文件" in str(c.value) for row in unread.iter_rows() for c in row)


@pytest.mark.parametrize("command", ["fix", "rollup", "report", "review"])
def test_an_output_that_is_a_folder_is_refused_in_chinese(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "输出"
    folder.mkdir()
    extra = ["--overwrite"] if command == "rollup" else []
    run = _xlperf(command, str(EXAMPLE), "-o", str(folder), *extra, cwd=tmp_path)
    assert run.returncode == 2
    assert "内部错误" not in run.stderr
    assert f"{folder}: 输出位置是一个文件夹" in run.stderr
    assert list(folder.iterdir()) == [] and not list(tmp_path.glob(".xlperf-*"))


@pytest.mark.parametrize("link", [False, True])
def test_an_output_that_is_a_fifo_is_not_replaced(tmp_path: Path, link: bool) -> None:
    """As root, ``-o /dev/null`` renamed over the device would make it a regular file."""
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    out = fifo
    if link:
        out = tmp_path / "链接.xlsx"
        out.symlink_to(fifo)
    run = _xlperf("fix", str(EXAMPLE), "-o", str(out), cwd=tmp_path)
    assert run.returncode == 2, run.stdout
    assert "输出位置不是普通文件" in run.stderr and "内部错误" not in run.stderr
    assert fifo.is_fifo()


def test_a_folder_holding_an_earlier_review_is_not_checked_twice(tmp_path: Path) -> None:
    """``xlperf review 报送 -o 报送/审核结果.xlsx`` puts its workbook and flagged copies inside
    the folder; checking or reviewing the folder again must count each form once."""
    folder = tmp_path / "报送"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "新乡县.xlsx")
    once = _xlperf("check", str(folder), "--statistics", "--exit-zero", cwd=tmp_path)
    review = _xlperf(
        "review", str(folder), "-o", str(folder / "审核结果.xlsx"), "--jobs", "1", cwd=tmp_path
    )
    assert review.returncode in (0, 1), review.stderr
    assert (folder / "审核结果_标记副本" / "新乡县.xlsx").is_file()
    again = _xlperf("check", str(folder), "--statistics", "--exit-zero", cwd=tmp_path)
    assert again.stdout == once.stdout
    assert (
        "审核结果_标记副本/新乡县.xlsx: xlperf 先前生成的文件（审核结果的标记副本），已跳过"
        in again.stderr
    )
    assert "审核结果.xlsx: xlperf 先前生成的文件（审核结果工作簿），已跳过" in again.stderr
    second = _xlperf(
        "review", str(folder), "-o", str(tmp_path / "第二次.xlsx"), "--jobs", "1", cwd=tmp_path
    )
    assert "审核 1 个文件" in second.stdout + second.stderr
