"""Snapshots of ``check`` and of every value read on every fixture, template and builder workbook.

A refactor must not change a finding or a value read. When a change is meant to, regenerate with
``XLPERF_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_snapshots.py`` and review the
diff of ``tests/snapshots/`` like code.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from tests.builders import Layout, clean_project, write_project
from tests.conftest import FIXTURES, REPO
from xlperf.checks import check_workbook
from xlperf.reader import read_workbook

SNAPSHOTS = REPO / "tests" / "snapshots"
UPDATE = os.environ.get("XLPERF_UPDATE_SNAPSHOTS") == "1"


def _stacked_forms(path: Path) -> Path:
    """The benchmark's workbook, small: stacked forms, merged and plain, a mistake every third."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目1"
    row = 1
    for i in range(12):
        data = clean_project(f"项目{i + 1}", budget=40 + i % 7, executed=30 + i % 5)
        if i % 3 == 0:
            data["total_score"] += 1
        row = write_project(ws, row, data, Layout(merged=i % 2 == 0)) + 1
    wb.save(path)
    return path


def _unit_file(path: Path) -> Path:
    """The roll-up benchmark's unit workbook: two forms on two sheets, the unit named."""
    wb = openpyxl.Workbook()
    for p in range(2):
        ws = wb.active if p == 0 else wb.create_sheet(f"项目{p + 1}")
        data = clean_project(f"单位7项目{p + 1}", budget=20 + p, executed=15 + 2 * p)
        data["implementer"] = "单位7"
        if p == 1:
            data["total_score"] += 2
        write_project(ws, 1, data)
    wb.save(path)
    return path


def _money(path: Path) -> Path:
    from tests.test_money import seed_workbook

    seed_workbook().save(path)
    return path


def _department_plain(path: Path) -> Path:
    from tests.test_department import _plain_sheet

    return _plain_sheet(path)


def _fixture(name: str) -> Callable[[Path], Path]:
    def get(_: Path) -> Path:
        path = FIXTURES / name
        if not path.exists():
            pytest.skip(f"shared fixtures not found at {FIXTURES}")
        return path

    return get


def _template(name: str) -> Callable[[Path], Path]:
    return lambda _: REPO / "workbook_templates" / name


CASES: dict[str, Callable[[Path], Path]] = {
    "seed000_std": _fixture("seed000_std.xlsx"),
    "seed000_plain": _fixture("seed000_plain.xlsx"),
    "template_project": _template("项目支出绩效自评表.xlsx"),
    "template_summary": _template("部门（单位）项目支出自评汇总表.xlsx"),
    "template_workbook": _template("部门项目支出绩效自评工作簿.xlsx"),
    "template_department": _template("部门整体支出绩效自评表.xlsx"),
    "stacked_forms": _stacked_forms,
    "unit_file": _unit_file,
    "money_seed002": _money,
    "department_plain": _department_plain,
}


def _snapshot(path: Path) -> dict:
    book = read_workbook(path, require_forms=False)
    findings = [
        {k: v for k, v in f.model_dump(mode="json").items() if k != "file"}
        for f in check_workbook(book)
    ]
    values: dict[str, object] = {}
    _collect(book.model_dump(mode="json", exclude={"path", "rules"}), "", values)
    return {"findings": findings, "values": values}


def _collect(node: object, sheet: str, out: dict[str, object]) -> None:
    """Every value read, as ``sheet!cell -> value``: independent of how the forms are modelled."""
    if isinstance(node, dict):
        sheet = node.get("sheet", sheet) if isinstance(node.get("sheet"), str) else sheet
        if isinstance(node.get("cell"), str) and "value" in node:
            out[f"{sheet}!{node['cell']}"] = node["value"]
        for child in node.values():
            _collect(child, sheet, out)
    elif isinstance(node, list):
        for child in node:
            _collect(child, sheet, out)


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_and_extract_match_the_snapshot(name: str, tmp_path: Path) -> None:
    path = CASES[name](tmp_path / f"{name}.xlsx")
    got = _snapshot(path)
    file = SNAPSHOTS / f"{name}.json"
    if UPDATE or not file.exists():
        file.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{file.name} was missing and has been written; commit it")
    want = json.loads(file.read_text(encoding="utf-8"))
    assert got["findings"] == want["findings"]
    assert got["values"] == want["values"]
