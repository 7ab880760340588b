"""check and rollup of many files in worker processes: the same answer as one by one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

from tests.builders import clean_project, write_project


def _units(folder: Path, n: int) -> Path:
    for u in range(n):
        wb = openpyxl.Workbook()
        data = clean_project(f"单位{u}项目", budget=20 + u, executed=15 + u % 4)
        data["implementer"] = f"单位{u}"
        if u % 2:
            data["total_score"] += 1
        write_project(wb.active, 1, data)
        (folder / f"单位{u}").mkdir(parents=True)
        wb.save(folder / f"单位{u}" / "自评表.xlsx")
    (folder / "单位2" / "坏.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    return folder


def _xlperf(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=300
    )


def test_check_with_workers_answers_as_one_by_one(tmp_path: Path) -> None:
    folder = _units(tmp_path / "报送", 6)
    one = _xlperf("check", str(folder), "--jobs", "1", "--format", "jsonl")
    two = _xlperf("check", str(folder), "--jobs", "2", "--format", "jsonl")
    assert one.returncode == two.returncode == 2  # the broken file
    assert one.stdout == two.stdout and one.stdout.count("\n") >= 3
    assert one.stderr == two.stderr and "坏.xlsx" in two.stderr and "Traceback" not in two.stderr


def test_rollup_with_workers_writes_what_one_by_one_writes(tmp_path: Path) -> None:
    folder = _units(tmp_path / "报送", 6)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"汇总{jobs}.xlsx"
        result = _xlperf("rollup", str(folder), "-o", str(out), "--jobs", jobs)
        assert result.returncode == 2 and "坏.xlsx" in result.stderr, result.stderr
        ws = openpyxl.load_workbook(out).active
        outs.append([[c.value for c in row] for row in ws.iter_rows()])
    assert outs[0] == outs[1] and sum(1 for r in outs[0] if r[1]) > 6
