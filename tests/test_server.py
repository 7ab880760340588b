"""``xlperf serve`` on loopback: a real uvicorn server, sent what xlwings' VBA client sends."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openpyxl
import pytest
import uvicorn

from tests.conftest import fixture_path
from tests.remote_client import apply_actions, payload
from tests.test_excel import _flags
from xlperf.ops.files import fix_file
from xlperf.server import create_app

TOKEN = "test-token-4f9c2e"
MAX_BYTES = 2 * 1024 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        create_app(TOKEN, MAX_BYTES), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def _auth() -> dict[str, str]:
    return {"Authorization": TOKEN}


def test_server_answers_with_the_flags_of_fix(server: str, tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    shutil.copy(fixture_path("std"), source)
    by_file = tmp_path / "file.xlsx"
    fix_file(source, by_file)
    answer = httpx.post(
        f"{server}/xlperf/recalc_and_check", json=payload(source), headers=_auth(), timeout=60
    )
    assert answer.status_code == 200
    wb = openpyxl.load_workbook(source)
    alerts = apply_actions(wb, answer.json()["actions"])
    wb.save(tmp_path / "server.xlsx")
    assert _flags(tmp_path / "server.xlsx") == _flags(by_file)
    assert len(alerts) == 1 and alerts[0].startswith("检查完成")


def test_fifty_concurrent_requests(server: str, tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    shutil.copy(fixture_path("plain"), source)
    body = payload(source)
    with httpx.Client(timeout=120) as client, ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(
            pool.map(
                lambda _: client.post(
                    f"{server}/xlperf/recalc_and_check", json=body, headers=_auth()
                ),
                range(50),
            )
        )
    assert [a.status_code for a in answers] == [200] * 50
    first = answers[0].json()["actions"]
    assert all(a.json()["actions"] == first for a in answers)
    macros = [a["args"][0] for a in first if a["func"] == "runMacro"]
    assert macros == ["XlperfLayout", "XlperfFormats", "XlperfMark"]  # 检查结果, formats, flags


def test_refuses_unauthenticated_oversized_and_malformed_requests(server: str) -> None:
    url = f"{server}/xlperf/recalc_and_check"
    assert httpx.post(url, json={}, timeout=10).status_code == 401
    assert (
        httpx.post(url, json={}, headers={"Authorization": "wrong"}, timeout=10).status_code == 401
    )
    big = b"[" + b"0," * MAX_BYTES + b"0]"
    answer = httpx.post(
        url, content=big, headers=_auth() | {"Content-Type": "application/json"}, timeout=30
    )
    assert answer.status_code == 413 and "上限" in answer.json()["error"]
    bad = httpx.post(url, content=b"{not json", headers=_auth(), timeout=10)
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]
    odd = httpx.post(url, json={"sheets": "x"}, headers=_auth(), timeout=10)
    assert odd.status_code == 400 and "工作簿数据" in odd.json()["error"]
    other_version = httpx.post(
        url,
        json={"client": "VBA", "version": "0.1", "book": {}, "sheets": []},
        headers=_auth(),
        timeout=10,
    )
    assert other_version.status_code == 400
    assert (
        httpx.post(f"{server}/xlperf/format_disk", json={}, headers=_auth(), timeout=10).status_code
        == 404
    )
    assert httpx.get(f"{server}/xlperf/health", timeout=10).json()["status"] == "ok"


def test_benchmark_load_generator_counts_answers_and_failures(server: str, tmp_path: Path) -> None:
    """benchmarks/load.py, which the server figure rests on: keep-alive requests answered and
    counted, a refused one counted as failed."""
    import json
    import subprocess
    import sys

    source = tmp_path / "in.xlsx"
    shutil.copy(fixture_path("plain"), source)
    body = tmp_path / "body.json"
    body.write_text(json.dumps(payload(source)), encoding="utf-8")
    host, port = server.removeprefix("http://").split(":")
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "load.py"

    def load(token: str, *options: str) -> dict:
        argv = [sys.executable, str(script), host, port, "/xlperf/recalc_and_check", str(body)]
        done = subprocess.run(
            [*argv, "--token", token, "--clients", "3", *options],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    good = load(TOKEN, "--seconds", "1")
    assert good["requests"] >= 3 and good["failed"] == 0
    assert good["statuses"] == {"200": good["requests"]}
    bad = load("wrong-token-123", "--once")
    assert bad == bad | {"requests": 3, "failed": 3, "statuses": {"401": 3}}
