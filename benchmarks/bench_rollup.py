"""Rolling up 1,000 unit workbooks against merely loading the same files.

Run: ``python benchmarks/bench_rollup.py [--units 1000]``. Builds the unit workbooks (two project
forms each) in a temporary folder, then times, in this run: loading every file with openpyxl, and
``xlperf rollup`` over the folder (read, score, write the department workbook), which shows its
progress bar. Prints both times and their ratio.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.builders import clean_project, write_project  # noqa: E402


def build(folder: Path, units: int) -> list[Path]:
    paths = []
    for u in tqdm(range(units), desc="生成单位工作簿", unit="个"):
        wb = openpyxl.Workbook()
        for p in range(2):
            ws = wb.active if p == 0 else wb.create_sheet(f"项目{p + 1}")
            data = clean_project(f"单位{u}项目{p + 1}", budget=20 + p, executed=15 + u % 5)
            data["implementer"] = f"单位{u}"
            write_project(ws, 1, data)
        path = folder / f"单位{u:04d}" / "项目自评表.xlsx"
        path.parent.mkdir()
        wb.save(path)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "units"
        folder.mkdir()
        paths = build(folder, args.units)
        t0 = time.perf_counter()
        for path in tqdm(paths, desc="仅加载", unit="个"):
            openpyxl.load_workbook(path, data_only=True)
        load = time.perf_counter() - t0
        out = Path(tmp) / "部门汇总.xlsx"
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "xlperf", "rollup", str(folder), "-o", str(out)], check=True
        )
        rollup = time.perf_counter() - t0
    print(f"unit workbooks:          {args.units}")
    print(f"load only (openpyxl):    {load:.2f} s")
    print(f"xlperf rollup (CLI):     {rollup:.2f} s")
    print(f"ratio rollup / load:     {rollup / load:.2f}")


if __name__ == "__main__":
    main()
