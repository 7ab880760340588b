"""``xlperf serve`` started the way the README says, as a subprocess with no licence key set,
sent real workbooks and hostile requests over loopback sockets."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import openpyxl
import pytest
import uvicorn
from click.testing import CliRunner

from tests.remote_client import apply_actions, payload
from tests.test_excel import _flags
from xlperf import server
from xlperf.cli import main
from xlperf.ops.files import fix_file

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "新乡县人社局2021项目自评表.xlsx"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _readme_commands() -> list[str]:
    """The ``xlperf serve`` command lines of the README's server section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("（服务器模式）") : text.index("## 开发")]
    return [
        line.strip() for line in section.splitlines() if "xlperf serve " in line and "`" not in line
    ]


def _argv(command: str, port: int) -> tuple[list[str], dict[str, str]]:
    """A README line as argv and extra environment: loopback and a free port instead of
    0.0.0.0:8000, this checkout's venv for ``.venv/``; everything else as written."""
    words = shlex.split(command)
    extra = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        extra[name] = value
    assert words[0] == ".venv/bin/xlperf", command
    script = Path(sys.executable).with_name("xlperf")  # the venv running the tests
    words[:1] = [str(script)] if script.exists() else [sys.executable, "-m", "xlperf"]
    words[words.index("--host") + 1] = "127.0.0.1"
    words[words.index("--port") + 1] = str(port)
    return words, extra


def _token(command: str) -> str:
    words = shlex.split(command)
    if "--token" in words:
        return words[words.index("--token") + 1]
    return next(w.partition("=")[2] for w in words if w.startswith("XLPERF_TOKEN="))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _serve(command: str, *options: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = _free_port()
    argv, extra = _argv(command, port)
    # A clean shell: nothing of xlwings' or ours set beforehand (conftest's import of xlperf set
    # XLWINGS_LICENSE_KEY in this process).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XLWINGS_", "XLPERF_")) and k != "PYTHONPATH"
    }
    proc = subprocess.Popen(
        [*argv, *options],
        env=env | extra,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            assert time.monotonic() < deadline, "server did not start"
            try:
                if httpx.get(f"{url}/xlperf/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
        assert not any(e.startswith(b"XLWINGS_LICENSE_KEY=") for e in environ)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        proc.stdout.close()


@pytest.fixture(scope="module")
def readme_server() -> Iterator[str]:
    command = _readme_commands()[0]
    with _serve(command) as (url, _):
        yield url


@pytest.fixture(scope="module")
def quick_server() -> Iterator[str]:
    """The README's command with short read timeouts, so the test waits seconds, not minutes."""
    command = _readme_commands()[0]
    with _serve(command, "--header-timeout", "2", "--body-timeout", "2") as (url, _):
        yield url


def _token_header(form: str = "{}") -> dict[str, str]:
    return {"Authorization": form.format(_token(_readme_commands()[0]))}


def _check_example(url: str, headers: dict[str, str], tmp_path: Path) -> list[dict]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "in.xlsx"
    shutil.copy(EXAMPLE, source)
    by_file = tmp_path / "file.xlsx"
    fix_file(source, by_file)
    answer = httpx.post(
        f"{url}/xlperf/recalc_and_check", json=payload(source), headers=headers, timeout=120
    )
    assert answer.status_code == 200, answer.text
    wb = openpyxl.load_workbook(source)
    alerts = apply_actions(wb, answer.json()["actions"])
    wb.save(tmp_path / "server.xlsx")
    assert _flags(tmp_path / "server.xlsx") == _flags(by_file)
    assert len(alerts) == 1 and alerts[0].startswith("检查完成")
    return answer.json()["actions"]


def test_readme_server_section_has_the_commands_the_tests_run() -> None:
    commands = _readme_commands()
    assert len(commands) == 3, commands
    assert all(c.startswith((".venv/bin/xlperf serve ", "XLPERF_TOKEN=")) for c in commands)
    assert "--workers" in commands[2]
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "Authorization: Bearer 令牌" in text and "HTTPS" in text and "内网" in text


def test_readme_command_answers_a_real_workbook_request(readme_server: str, tmp_path: Path) -> None:
    plain = _check_example(readme_server, _token_header("{}"), tmp_path / "plain")
    bearer = _check_example(readme_server, _token_header("Bearer {}"), tmp_path / "bearer")
    assert plain == bearer


def test_readme_command_with_the_token_in_the_environment(tmp_path: Path) -> None:
    command = _readme_commands()[1]
    with _serve(command) as (url, _):
        source = tmp_path / "in.xlsx"
        shutil.copy(EXAMPLE, source)
        headers = {"Authorization": f"Bearer {_token(command)}"}
        answer = httpx.post(
            f"{url}/xlperf/about", json=payload(source), headers=headers, timeout=60
        )
        assert answer.status_code == 200 and answer.json()["actions"]
        assert httpx.post(f"{url}/xlperf/about", json={}, timeout=10).status_code == 401


def _deep(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def test_hostile_requests_get_a_chinese_4xx_and_the_server_goes_on(readme_server: str) -> None:
    good = payload(EXAMPLE)
    url = f"{readme_server}/xlperf/recalc_and_check"
    auth = _token_header()
    missing_version = {k: v for k, v in good.items() if k != "version"}
    big_cell = json.dumps(good).replace(
        '"sheets": [', '"sheets": [{"name": "x", "values": [[' + "7" * 5000 + "]]},", 1
    )
    cases = [
        ("nested 50,000 deep (arrays)", b"[" * 50_000 + b"]" * 50_000, auth, 400),
        ("nested 50,000 deep (objects)", _deep(50_000), auth, 400),
        ("nested 20 deep", _deep(20), auth, 400),
        ("5,000-digit integer", b'{"version": ' + b"9" * 5000 + b"}", auth, 400),
        ("5,000-digit integer in a cell", big_cell.encode(), auth, 400),
        ("NaN", b'{"version": NaN}', auth, 400),
        ("missing version", json.dumps(missing_version).encode(), auth, 400),
        ("sheets not a list", json.dumps(good | {"sheets": "x"}).encode(), auth, 400),
        (
            "values not a 2-D list",
            json.dumps(good | {"sheets": [{"name": "a", "values": "abc"}]}).encode(),
            auth,
            400,
        ),
        (
            "a cell holding an object",
            json.dumps(good | {"sheets": [{"name": "a", "values": [[{"x": 1}]]}]}).encode(),
            auth,
            400,
        ),
        ("book a list", json.dumps(good | {"book": []}).encode(), auth, 400),
        ("version a number", json.dumps(good | {"version": 37}).encode(), auth, 400),
        ("other xlwings version", json.dumps(good | {"version": "0.1"}).encode(), auth, 400),
        ("a list, not an object", b"[1, 2, 3]", auth, 400),
        ("not UTF-8", b'{"a": "\xff\xfe"}', auth, 400),
        ("empty body", b"", auth, 400),
        ("no token", json.dumps(good).encode(), {}, 401),
        ("wrong token", json.dumps(good).encode(), {"Authorization": "Bearer wrong-token-1"}, 401),
        ("token twice", json.dumps(good).encode(), _token_header("{0}{0}"), 401),
        ("another scheme", json.dumps(good).encode(), _token_header("Basic {}"), 401),
        ("token not ASCII", json.dumps(good).encode(), {"Authorization": "令牌".encode()}, 401),
    ]
    for label, body, headers, status in cases:
        answer = httpx.post(url, content=body, headers=headers, timeout=30)
        assert answer.status_code == status, (label, answer.text)
        message = answer.json()["error"]
        assert CHINESE.search(message), (label, message)
        assert "Traceback" not in message and "Error" not in message, (label, message)
        assert httpx.get(f"{readme_server}/xlperf/health", timeout=10).status_code == 200, label
    for method, path, status in (
        ("POST", "/xlperf/format_disk", 404),
        ("GET", "/xlperf/recalc_and_check", 405),
        ("GET", "/etc/passwd", 404),
    ):
        answer = httpx.request(method, readme_server + path, headers=auth, timeout=10)
        assert answer.status_code == status and CHINESE.search(answer.json()["error"]), path
    answer = httpx.post(url, json=good, headers=auth, timeout=120)
    assert answer.status_code == 200 and answer.json()["actions"]


def test_malformed_http_gets_a_chinese_400(readme_server: str) -> None:
    port = int(readme_server.rsplit(":", 1)[1])
    for raw in (
        b"GET /xlperf/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n",
        b"GET /xlperf/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000,
        b"HELLO THERE\r\n\r\n",
        b"POST /xlperf/about HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(raw)
            answer = _closed_within([s], 10)[0]
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400"), answer[:200]
        assert CHINESE.search(json.loads(body)["error"]), body
    assert httpx.get(f"{readme_server}/xlperf/health", timeout=10).status_code == 200


def test_an_internal_error_is_a_chinese_message_not_a_traceback() -> None:
    body = json.dumps(payload(EXAMPLE)).encode()

    def broken(book: object) -> None:
        raise ZeroDivisionError("division by zero in secret_module.py")

    status, answer = server.handle(broken, body)
    assert status == 500 and CHINESE.search(answer["error"])
    assert "secret" not in answer["error"] and "Division" not in answer["error"]
    assert server.handle(server.excel.about, body)[0] == 200

    # An error outside the action (here a route that fails) gets the same kind of answer.
    app = server.create_app("route-token-1")

    @app.get("/xlperf/broken")
    def failing() -> None:
        raise KeyError("version")

    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", http=server.PROTOCOL)
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not srv.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        answer = httpx.get(f"http://127.0.0.1:{port}/xlperf/broken", timeout=10)
        assert answer.status_code == 500 and CHINESE.search(answer.json()["error"])
        assert "version" not in answer.text and "Traceback" not in answer.text
        health = httpx.get(f"http://127.0.0.1:{port}/xlperf/health", timeout=10)
        assert health.json()["status"] == "ok"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def _closed_within(socks: list[socket.socket], seconds: float) -> list[bytes]:
    """What each socket received before the server closed it; fails if one stays open."""
    deadline = time.monotonic() + seconds
    received = []
    for s in socks:
        data = b""
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"a socket was still open after {seconds} s"
            s.settimeout(left)
            try:
                chunk = s.recv(4096)
            except ConnectionResetError:
                chunk = b""
            except TimeoutError:
                pytest.fail(f"a socket was still open after {seconds:.1f} s")
            if not chunk:
                break
            data += chunk
        received.append(data)
        s.close()
    return received


def test_half_requests_do_not_hold_the_server(quick_server: str, tmp_path: Path) -> None:
    port = int(quick_server.rsplit(":", 1)[1])
    partial_heads = [
        b"",
        b"PO",
        b"POST /xlperf/recalc_and_check HTTP/1.1\r\n",
        b"POST /xlperf/recalc_and_check HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n",
    ]
    head = f"POST /xlperf/about HTTP/1.1\r\nHost: x\r\nAuthorization: {_token(_readme_commands()[0])}\r\n"
    partial_body = (head + "Content-Length: 100000\r\n\r\n").encode() + b'{"client": "VBA"'
    socks = []
    try:
        opened = time.monotonic()
        for i in range(300):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(partial_heads[i % 4] if i % 10 else partial_body)
            socks.append(s)
        # The server still answers at once, health and a real workbook alike, while the 300
        # half-requests are open.
        assert httpx.get(f"{quick_server}/xlperf/health", timeout=5).status_code == 200
        assert time.monotonic() - opened < 5
        with ThreadPoolExecutor(max_workers=1) as pool:
            workbook = pool.submit(_check_example, quick_server, _token_header(), tmp_path)
            # The half-requests are closed within the 2 s timeout (+ a margin for a busy machine).
            received = _closed_within(socks, 2 + 6 - (time.monotonic() - opened))
            workbook.result(timeout=120)
        # A keep-alive connection that starts a second request and stalls is closed too.
        alive = socket.create_connection(("127.0.0.1", port), timeout=10)
        socks.append(alive)
        alive.sendall(b"GET /xlperf/health HTTP/1.1\r\nHost: x\r\n\r\n")
        first = b""
        while not first.endswith(b"}"):  # the whole first answer: head and JSON body
            first += alive.recv(4096)
        assert first.startswith(b"HTTP/1.1 200")
        alive.sendall(b"GET /xlperf/health HTTP/1.1\r\n")
        assert _closed_within([alive], 2 + 6)[0].startswith(b"HTTP/1.1 408")
    finally:
        for s in socks:
            s.close()
    timed_out = [r for i, r in enumerate(received) if i % 10]
    assert all(r.startswith(b"HTTP/1.1 408") for r in timed_out)
    message = json.loads(timed_out[0].split(b"\r\n\r\n", 1)[1])["error"]
    assert CHINESE.search(message)
    assert all(r == b"" for i, r in enumerate(received) if not i % 10)  # a stalled body
    assert httpx.get(f"{quick_server}/xlperf/health", timeout=5).status_code == 200


def test_connections_past_the_limit_get_a_chinese_503(tmp_path: Path) -> None:
    with _serve(_readme_commands()[0], "--max-connections", "50") as (url, _):
        port = int(url.rsplit(":", 1)[1])
        socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(60)]
        try:
            refused = _closed_within(socks[50:], 10)
            assert all(r.startswith(b"HTTP/1.1 503") for r in refused), refused[0][:100]
            assert CHINESE.search(json.loads(refused[0].split(b"\r\n\r\n", 1)[1])["error"])
            busy = httpx.get(f"{url}/xlperf/health", timeout=5)
            assert busy.status_code == 503 and CHINESE.search(busy.json()["error"])
        finally:
            for s in socks:
                s.close()
        deadline = time.monotonic() + 10
        while True:  # the server forgets the closed connections and answers again
            try:
                if httpx.get(f"{url}/xlperf/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not recover"
            time.sleep(0.2)


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(c) for c in text.split()]


def test_two_workers_answer(tmp_path: Path) -> None:
    command = _readme_commands()[2]
    with _serve(command.replace("--workers 4", "--workers 2")) as (url, proc):
        workers = [
            c
            for c in _children(proc.pid)
            if b"multiprocessing" in Path(f"/proc/{c}/cmdline").read_bytes()
            and b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()
        ]
        assert len(workers) == 2, workers
        source = tmp_path / "in.xlsx"
        shutil.copy(EXAMPLE, source)
        body = payload(source)
        with httpx.Client(timeout=120) as client, ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(
                pool.map(
                    lambda _: client.post(
                        f"{url}/xlperf/recalc_and_check", json=body, headers=_token_header()
                    ),
                    range(8),
                )
            )
        assert [a.status_code for a in answers] == [200] * 8
        assert all(a.json() == answers[0].json() for a in answers)
        # Connections opened at once are spread over the workers (each has a socket of its own),
        # not all accepted by the first one awake, where keep-alive would hold them.
        port = int(url.rsplit(":", 1)[1])
        burst = [socket.socket() for _ in range(32)]
        try:
            for sock in burst:  # all at once, as a crowd of clients would
                sock.setblocking(False)
                sock.connect_ex(("127.0.0.1", port))
            deadline = time.monotonic() + 10
            while sum(held := [_connections_held(w, port) for w in workers]) < 32:
                assert time.monotonic() < deadline, held
                time.sleep(0.1)
            # Linux hashes each connection to one worker's socket: 32 split 16 ± 3, and fewer
            # than 6 on one worker has odds of 1 in 9,000 (one shared socket gave 32/0, 31/1).
            assert min(held) >= 6, held
        finally:
            for sock in burst:
                sock.close()


def _connections_held(pid: int, port: int) -> int:
    """Established connections to ``port`` whose socket process ``pid`` holds (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    held = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            held += local_port == port and fields[3] == "01" and fields[9] in inodes
    return held


def test_tokens_and_header_forms() -> None:
    token = b"xlperf-2021-k7Qm9"
    for header in (
        b"xlperf-2021-k7Qm9",
        b"Bearer xlperf-2021-k7Qm9",
        b"bearer  xlperf-2021-k7Qm9 ",
    ):
        assert server.token_matches(header, token), header
    for header in (
        b"",
        b"Bearer",
        b"Bearer ",
        b"Basic xlperf-2021-k7Qm9",
        b"xlperf-2021-k7Qm",
        b"Bearer x Bearer",
    ):
        assert not server.token_matches(header, token), header
    for bad in ("自定义令牌", "short", "has a space1", ""):
        with pytest.raises(ValueError, match="令牌"):
            server.check_token_form(bad)
    result = CliRunner().invoke(main, ["serve", "--token", "自定义令牌"])
    assert result.exit_code == 2 and "令牌至少 8 个字符" in result.output
