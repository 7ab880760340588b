"""Checking a workbook of 500 project forms against merely loading the same file.

Run: ``python benchmarks/bench_check.py [--forms 500] [--repeat 3]``. Prints the best time of each
and the ratio check / load, both measured in this run on this machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.builders import Layout, clean_project, write_project  # noqa: E402
from xlperf.checks import check_workbook  # noqa: E402
from xlperf.reader import read_workbook  # noqa: E402

FORMS_PER_SHEET = 10


def build(path: Path, forms: int) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for start in range(0, forms, FORMS_PER_SHEET):
        ws = wb.create_sheet(f"项目{start // FORMS_PER_SHEET + 1}")
        row = 1
        for i in range(start, min(forms, start + FORMS_PER_SHEET)):
            data = clean_project(f"项目{i + 1}", budget=40 + i % 7, executed=30 + i % 5)
            if i % 3 == 0:
                data["total_score"] += 1  # a mistake every third form
            row = write_project(ws, row, data, Layout(merged=i % 2 == 0)) + 1
    wb.save(path)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forms", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "forms.xlsx"
        build(path, args.forms)
        found: list = []
        load = best(lambda: openpyxl.load_workbook(path, data_only=True), args.repeat)
        check = best(lambda: found.append(check_workbook(read_workbook(path))), args.repeat)
        book = read_workbook(path)
    print(f"forms read: {len(book.projects)}, findings per run: {len(found[-1])}")
    print(f"load only (openpyxl):   {load:.3f} s")
    print(f"read + check (xlperf):  {check:.3f} s")
    print(f"ratio check / load:     {check / load:.2f}")


if __name__ == "__main__":
    main()
