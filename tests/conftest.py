"""Shared test fixtures: the seed-000 workbooks in ../shared/fixtures and their maps."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import xlperf  # noqa: F401 - sets xlwings' licence key before a test module imports xlwings

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("XLPERF_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures"
VARIANTS = ("std", "plain")


def fixture_path(variant: str) -> Path:
    path = FIXTURES / f"seed000_{variant}.xlsx"
    if not path.exists():
        pytest.skip(f"shared fixtures not found at {FIXTURES}")
    return path


def fixture_map(variant: str) -> dict:
    return json.loads((FIXTURES / f"seed000_{variant}.map.json").read_text(encoding="utf-8"))


def truth(form: dict) -> dict:
    return json.loads((FIXTURES / form["truth"]).read_text(encoding="utf-8"))


@pytest.fixture(params=VARIANTS)
def variant(request: pytest.FixtureRequest) -> str:
    fixture_path(request.param)
    return request.param


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    return exe
