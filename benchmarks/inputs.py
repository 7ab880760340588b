"""The workbooks ``benchmarks/run.py`` measures, built with the tests' own form writer.

The 500-form workbook (50 sheets × 10 stacked project forms, a mistake in every third form,
every other form with merged cells), a one-form workbook, and folders of unit workbooks (two
forms each): one built with openpyxl, the others byte copies with the unit's name changed in
their strings, so 3,000 files take seconds to build instead of minutes.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl

from tests.builders import Layout, clean_project, write_project

FORMS_PER_SHEET = 10


def build_forms(path: Path, forms: int) -> None:
    """``forms`` project forms, ten to a sheet; every third one's 总分 is off by one."""
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


def one_form(path: Path) -> Path:
    if not path.exists():
        build_forms(path, 1)
    return path


def _unit_workbook(path: Path) -> None:
    """The seed unit workbook: two clean project forms of 单位0."""
    wb = openpyxl.Workbook()
    for p in range(2):
        ws = wb.active if p == 0 else wb.create_sheet(f"项目{p + 1}")
        data = clean_project(f"单位0项目{p + 1}", budget=20 + p, executed=15)
        data["implementer"] = "单位0"
        write_project(ws, 1, data)
    wb.save(path)


def unit_folder(folder: Path, units: int) -> list[Path]:
    """``units`` distinct unit workbooks of two forms each under ``folder`` (kept if built)."""
    existing = sorted(folder.glob("*/*.xlsx"))
    if len(existing) == units and (folder / "built").exists():
        return existing
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = folder / "seed.xlsx"
    _unit_workbook(source)
    with zipfile.ZipFile(source) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    source.unlink()
    paths = []
    for u in range(units):
        path = folder / f"单位{u:04d}" / "项目自评表.xlsx"
        path.parent.mkdir()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                if name.startswith("xl/") and name.endswith(".xml"):  # shared or inline strings
                    unit = f"单位{u:04d}_".encode()
                    data = data.replace("单位0".encode(), unit)
                    data = data.replace(b"&#21333;&#20301;0", unit)  # 单位0 as openpyxl escapes it
                z.writestr(name, data)
        paths.append(path)
    (folder / "built").touch()
    return paths
