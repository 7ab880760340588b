"""check's machine formats (--format jsonl|csv) and --statistics, against its --format json."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from click.testing import CliRunner

from tests.conftest import REPO, fixture_path
from xlperf.cli import main
from xlperf.findings import CODES, FINDING_KEYS

EXAMPLE = REPO / "examples" / "新乡县人社局2021项目自评表.xlsx"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def paths() -> list[str]:
    return [str(fixture_path("std")), str(EXAMPLE)]


@pytest.fixture(scope="module")
def as_json(paths: list[str]) -> list[dict]:
    code, out = run(*paths, "--format", "json")
    assert code == 1  # the seed forms hold errors
    data = json.loads(out)
    assert len(data) > 100
    return data


def test_jsonl_is_one_json_object_per_line(paths: list[str], as_json: list[dict]) -> None:
    code, out = run(*paths, "--format", "jsonl")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == len(as_json)
    assert [json.loads(line) for line in lines] == as_json
    assert all(line.startswith("{") and line.endswith("}") for line in lines)


def test_csv_parses_with_the_csv_module(paths: list[str], as_json: list[dict]) -> None:
    code, out = run(*paths, "--format", "csv")
    assert code == 1
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames == list(FINDING_KEYS)
    rows = list(reader)
    assert len(rows) == len(as_json)
    for row, item in zip(rows, as_json, strict=True):
        for key in FINDING_KEYS:
            expected = "" if item[key] is None else str(item[key])
            assert row[key] == expected, (key, row, item)
    # messages hold commas and quotes: csv quoting keeps them in one field
    assert any("，" in r["message"] or "," in r["message"] for r in rows)


def test_statistics_counts_per_code(paths: list[str], as_json: list[dict]) -> None:
    expected = Counter(f["code"] for f in as_json)
    code, out = run(*paths, "--statistics")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == len(expected)
    counts = []
    for line in lines:
        count, code_, rest = line.split("\t")
        assert int(count) == expected[code_]
        level = "错误" if CODES[code_][0] == "error" else "警告"
        assert rest == f"[{level}] {CODES[code_][1]}"
        counts.append(int(count))
    assert counts == sorted(counts, reverse=True)  # most frequent first


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_statistics_in_machine_formats(paths: list[str], as_json: list[dict], fmt: str) -> None:
    expected = Counter(f["code"] for f in as_json)
    _, out = run(*paths, "--statistics", "--format", fmt)
    if fmt == "json":
        rows = json.loads(out)
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in out.splitlines()]
    else:
        rows = [dict(r, count=int(r["count"])) for r in csv.DictReader(io.StringIO(out))]
    assert {r["code"]: r["count"] for r in rows} == dict(expected)
    assert all(r["title"] == CODES[r["code"]][1] for r in rows)
    assert all(r["severity"] == CODES[r["code"]][0] for r in rows)


def test_select_and_exit_zero_apply_to_the_new_formats(paths: list[str]) -> None:
    code, out = run(*paths, "--format", "jsonl", "--select", "XP207", "--exit-zero")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and {r["code"] for r in rows} == {"XP207"}
    code, out = run(*paths, "--statistics", "--format", "csv", "--select", "XP207")
    assert code == 0  # XP207 is a warning: no error selected
    assert out.splitlines()[0] == "code,severity,title,count"


def test_unreadable_file_keeps_exit_code_2(tmp_path) -> None:
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    result = CliRunner().invoke(main, ["check", str(bad), str(EXAMPLE), "--format", "csv"])
    assert result.exit_code == 2
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["file"] == str(EXAMPLE) for r in rows)
