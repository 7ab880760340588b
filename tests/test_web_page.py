"""网上预审: the page ``xlperf serve`` shows at ``/``, on a real server started as the README says.

The HTTP tests send what the page sends (multipart uploads with the token in a header); the
browser tests drive the page itself in Debian's headless chromium through playwright, and skip
only when chromium is not installed (.ci/run installs it).
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import openpyxl
import pytest

from tests.builders import clean_project, write_project
from xlperf import limits
from xlperf.web import ASSETS, asset, upload

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "新乡县人社局2021项目自评表.xlsx"
TOKEN = "web-test-token-8d2f"
MAX_MB = 2
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_SHEET = "<img src=x onerror=alert(2)>"
SHOTS = Path(tempfile.gettempdir())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, tmp: Path, log: Path):
        self.url, self.tmp, self.log = url, tmp, log

    def leftovers(self) -> list[str]:
        """What the server left in its temporary folder (nothing, once a request is answered)."""
        return sorted(p.name for p in self.tmp.iterdir())


@contextmanager
def _serve(base: Path, *options: str) -> Iterator[Server]:
    """``xlperf serve`` as a real process on loopback (the token in XLPERF_TOKEN, as the README
    allows), with its own TMPDIR to watch."""
    tmp = base / "server-tmp"
    tmp.mkdir()
    log = base / "server.log"
    port = _free_port()
    env = dict(os.environ, XLPERF_TOKEN=TOKEN, TMPDIR=str(tmp))
    argv = [sys.executable, "-m", "xlperf", "serve", "--port", str(port), "--max-mb", str(MAX_MB)]
    with log.open("wb") as out:
        proc = subprocess.Popen([*argv, *options], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # two workers start in 10-20 s on a busy machine
        while True:
            assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            assert time.monotonic() < deadline, "server did not start"
            try:
                if httpx.get(f"{url}/xlperf/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield Server(url, tmp, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with _serve(tmp_path_factory.mktemp("web")) as running:
        yield running


def _auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _upload(server: Server, files: list[tuple[str, bytes]], token: str = TOKEN) -> httpx.Response:
    return httpx.post(
        f"{server.url}/web/check",
        files=[("files", (name, data)) for name, data in files],
        headers=_auth(token),
        timeout=120,
    )


def _check_json(path: Path) -> list[dict]:
    """What ``xlperf check --format json`` reports for ``path``."""
    done = subprocess.run(
        [sys.executable, "-m", "xlperf", "check", "--format", "json", "--exit-zero", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def example_findings() -> list[dict]:
    return _check_json(EXAMPLE)


def _corrupt_bytes() -> bytes:
    data = EXAMPLE.read_bytes()
    return data[: len(data) // 2]


def _hostile_workbook(path: Path) -> Path:
    """A form whose project name and sheet name are HTML, with a wrong 总分 (a finding that
    quotes the name)."""
    wb = openpyxl.Workbook()
    wb.active.title = HOSTILE_SHEET
    data = clean_project(HOSTILE_NAME)
    data["total_score"] = 99
    write_project(wb.active, 1, data)
    wb.save(path)
    return path


def _assert_flagged_like_check(flagged: Path, findings: list[dict]) -> None:
    """Every finding of ``xlperf check`` marked on its cell: a fill and a note naming its code."""
    wb = openpyxl.load_workbook(flagged)
    assert findings
    for f in findings:
        cell = wb[f["sheet"]][f["cell"]]
        assert cell.fill.fill_type == "solid", (f["sheet"], f["cell"])
        assert cell.comment is not None and f["code"] in cell.comment.text, (f["sheet"], f["cell"])
    assert "检查结果" in wb.sheetnames


# -- the page and its assets ----------------------------------------------------------------


def test_page_and_assets_are_served_by_xlperf_alone(server: Server) -> None:
    page = httpx.get(f"{server.url}/", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "网上预审" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    for name, kind in ASSETS.items():
        data = asset(name)
        # offline on an intranet: no asset names another host
        assert not re.search(
            rb"(?i)(https?:)?//[a-z0-9]", re.sub(rb"/\*.*?\*/", b"", data, flags=re.S)
        ), name
        if name != "index.html":
            answer = httpx.get(f"{server.url}/web/{name}", timeout=10)
            assert answer.status_code == 200 and answer.content == data
            assert answer.headers["content-type"] == kind
    for src in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert (
            src.startswith("/web/") and httpx.get(server.url + src, timeout=10).status_code == 200
        )
    missing = httpx.get(f"{server.url}/web/secret.py", timeout=10)
    assert missing.status_code == 404 and "没有这个地址" in missing.json()["error"]


def test_page_script_is_es5() -> None:
    """The browsers WPS ships with: no ES2015 syntax or API the old engines lack."""
    js = re.sub(r"/\*.*?\*/|//[^\n]*", "", asset("page.js").decode("utf-8"), flags=re.S)
    js = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', js)  # strings may say anything
    for pattern in (
        r"=>",
        r"`",
        r"\blet\s",
        r"\bconst\s",
        r"\bclass\s",
        r"\bfetch\(",
        r"\bPromise\b",
        r"\basync\b",
        r"\bawait\b",
        r"\.\.\.",
        r"\bfor\s*\([^)]*\bof\b",
    ):
        assert not re.search(pattern, js), pattern
    assert "innerHTML" not in js  # every text goes in as a text node


# -- uploads over HTTP ----------------------------------------------------------------------


def test_wrong_token_is_refused_before_anything_is_read(server: Server) -> None:
    for token in ("wrong-token-1234", TOKEN + "x", TOKEN[:-1]):
        signin = httpx.post(f"{server.url}/web/signin", headers=_auth(token), timeout=10)
        assert signin.status_code == 401 and "令牌不正确" in signin.json()["error"]
        answer = _upload(server, [("a.xlsx", EXAMPLE.read_bytes())], token)
        assert answer.status_code == 401 and "令牌不正确" in answer.json()["error"]
    assert httpx.post(f"{server.url}/web/check", timeout=10).status_code == 401  # no header
    ok = httpx.post(f"{server.url}/web/signin", headers=_auth(), timeout=10)
    assert ok.status_code == 200 and ok.json()["max_mb"] == MAX_MB
    assert (
        httpx.post(
            f"{server.url}/web/signin", headers={"Authorization": TOKEN}, timeout=10
        ).status_code
        == 200
    )
    assert server.leftovers() == []


def test_upload_finds_what_check_finds_and_flags_like_fix(
    server: Server, example_findings: list[dict], tmp_path: Path
) -> None:
    answer = _upload(server, [(EXAMPLE.name, EXAMPLE.read_bytes())])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    (file,) = body["files"]
    assert file["name"] == EXAMPLE.name and file["error"] is None
    found = [
        (form["sheet"], f["cell"], f["code"]) for form in file["forms"] for f in form["findings"]
    ]
    assert found == [(f["sheet"], f["cell"], f["code"]) for f in example_findings]
    assert body["errors"] + body["warnings"] == len(example_findings)
    assert body["errors"] == sum(f["severity"] == "error" for f in example_findings)
    sheets = [form["sheet"] for form in file["forms"]]
    assert len(sheets) == len(set(sheets))  # grouped: one group per form's sheet
    assert file["flagged"]["name"] == "新乡县人社局2021项目自评表_已检查.xlsx"
    flagged = tmp_path / file["flagged"]["name"]
    flagged.write_bytes(base64.b64decode(file["flagged"]["data"]))
    _assert_flagged_like_check(flagged, example_findings)
    assert server.leftovers() == []  # the temporary folder went with the request


def _assert_review(workbook: Path, names: list[str], findings: int) -> None:
    """``xlperf review``'s workbook: its sheets, one 问题清单 row per finding, the files named
    as the unit named them."""
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames == ["概况", "问题清单", "项目一览", "按代码统计", "未审核文件"]
    rows = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == findings
    assert {r[2] for r in rows} <= set(names)


def test_several_files_come_with_the_review_workbook(
    server: Server, example_findings: list[dict], tmp_path: Path
) -> None:
    hostile = _hostile_workbook(tmp_path / "乙单位.xlsx")
    answer = _upload(
        server,
        [
            (EXAMPLE.name, EXAMPLE.read_bytes()),
            ("乙单位.xlsx", hostile.read_bytes()),
            ("损坏.xlsx", _corrupt_bytes()),
        ],
    )
    body = answer.json()
    assert body["review"]["name"] == "审核结果.xlsx"
    review = tmp_path / "审核结果.xlsx"
    review.write_bytes(base64.b64decode(body["review"]["data"]))
    names = [EXAMPLE.name, "乙单位.xlsx", "损坏.xlsx"]
    _assert_review(review, names, len(example_findings) + 1)
    unread = list(openpyxl.load_workbook(review)["未审核文件"].iter_rows(values_only=True))
    assert any("损坏.xlsx" in map(str, row) for row in unread)
    assert body["review_bundle"]["name"] == "审核结果.zip"
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(body["review_bundle"]["data"]))) as z:
        assert sorted(z.namelist()) == sorted(
            ["审核结果.xlsx", f"审核结果_标记副本/{EXAMPLE.name}", "审核结果_标记副本/乙单位.xlsx"]
        )
        z.extractall(tmp_path / "bundle")
    link = openpyxl.load_workbook(tmp_path / "bundle" / "审核结果.xlsx")["问题清单"]["F2"].hyperlink
    assert (tmp_path / "bundle" / link.target).is_file()  # the 问题清单 opens the flagged copy
    _assert_flagged_like_check(
        tmp_path / "bundle" / "审核结果_标记副本" / EXAMPLE.name, example_findings
    )
    one = _upload(server, [(EXAMPLE.name, EXAMPLE.read_bytes())]).json()
    assert one["review"] is None and one["review_bundle"] is None  # one file: its own results
    assert server.leftovers() == []


def test_bad_files_get_a_chinese_message_and_the_server_stays_up(server: Server) -> None:
    answer = _upload(
        server,
        [
            ("损坏.xlsx", _corrupt_bytes()),
            ("说明.txt", "不是表格".encode()),
            ("空.xlsx", b""),
            (EXAMPLE.name, EXAMPLE.read_bytes()),
        ],
    )
    assert answer.status_code == 200
    files = {f["name"]: f for f in answer.json()["files"]}
    assert "损坏" in files["损坏.xlsx"]["error"]
    assert "不是 Excel 工作簿" in files["说明.txt"]["error"]
    assert "为空" in files["空.xlsx"]["error"]
    assert files[EXAMPLE.name]["error"] is None and files[EXAMPLE.name]["flagged"]
    assert httpx.get(f"{server.url}/xlperf/health", timeout=10).json()["status"] == "ok"
    assert server.leftovers() == []


def test_hostile_workbooks_are_refused_within_seconds(server: Server, tmp_path: Path) -> None:
    """The loader's bounds (xlperf.limits) hold for uploads: a far cell in a small file, a merge
    over the whole sheet, a sheet that compresses a thousandfold."""
    from tests.test_hostile_files import SHEET_XML, write_package

    far = tmp_path / "远处.xlsx"
    wb = openpyxl.Workbook()
    write_project(wb.active, 1, clean_project())
    wb.active["XFD1048576"] = "x"
    wb.save(far)
    merged = tmp_path / "全表合并.xlsx"
    merge = '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    write_package(merged, {1: SHEET_XML.replace("</sheetData>", merge).format(text="标题")}).close()
    dense = tmp_path / "高压缩.xlsx"
    body = '<row r="1"/>' * (8 * 1024 * 1024 // 12)
    write_package(dense, {1: f"<worksheet><sheetData>{body}</sheetData></worksheet>"}).close()
    started = time.monotonic()
    answer = _upload(server, [(p.name, p.read_bytes()) for p in (far, merged, dense)])
    assert time.monotonic() - started < 20
    far_file, merged_file, dense_file = answer.json()["files"]
    assert "XFD1048576" in far_file["error"] and f"{limits.MAX_SHEET_AREA:,}" in far_file["error"]
    assert "合并单元格" in merged_file["error"]
    assert "压缩比" in dense_file["error"]
    assert all(str(server.tmp) not in f["error"] for f in answer.json()["files"])
    assert httpx.get(f"{server.url}/xlperf/health", timeout=10).status_code == 200
    assert server.leftovers() == []


def test_too_big_and_malformed_uploads_are_refused_in_chinese(server: Server) -> None:
    big = _upload(server, [("大.xlsx", b"\0" * (MAX_MB * 1024 * 1024 + 1))])
    assert big.status_code == 413 and f"{MAX_MB} MB" in big.json()["error"]
    not_multipart = httpx.post(
        f"{server.url}/web/check",
        content=b"{}",
        headers=_auth() | {"Content-Type": "application/json"},
        timeout=10,
    )
    assert not_multipart.status_code == 400 and "选择文件" in not_multipart.json()["error"]
    cut = httpx.post(
        f"{server.url}/web/check",
        content=b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a"\r\n\r\nPK',
        headers=_auth() | {"Content-Type": "multipart/form-data; boundary=xyz"},
        timeout=10,
    )
    assert cut.status_code == 400 and "不完整" in cut.json()["error"]
    nothing = httpx.post(
        f"{server.url}/web/check",
        content=b"--xyz--\r\n",
        headers=_auth() | {"Content-Type": "multipart/form-data; boundary=xyz"},
        timeout=10,
    )
    assert nothing.status_code == 400 and "没有收到文件" in nothing.json()["error"]
    assert httpx.get(f"{server.url}/xlperf/health", timeout=10).status_code == 200
    assert server.leftovers() == []


def _zip(members: list[tuple[str, bytes]], raw_names: dict[str, bytes] | None = None) -> bytes:
    """A .zip of ``members``; ``raw_names`` replaces an ASCII name by bytes of the same length
    in both places the zip stores it, with no UTF-8 flag (as Windows' own zip tool writes GBK)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    out = buf.getvalue()
    for name, raw in (raw_names or {}).items():
        assert len(raw) == len(name.encode("ascii"))
        out = out.replace(name.encode("ascii"), raw)
    return out


def test_zip_is_expanded_within_bounds(
    server: Server, example_findings: list[dict], tmp_path: Path
) -> None:
    gbk = "单位/人社局.xlsx".encode("gbk")
    placeholder = "A" * 4 + "/" + "B" * 6 + ".xlsx"
    archive = _zip(
        [
            ("各单位/" + EXAMPLE.name, EXAMPLE.read_bytes()),
            ("../../逃逸.xlsx", EXAMPLE.read_bytes()),
            (placeholder, _corrupt_bytes()),
            ("内层.zip", _zip([("x.xlsx", EXAMPLE.read_bytes())])),
            ("说明.docx", b"x"),
            ("__MACOSX/._a.xlsx", b"x"),
            ("~$锁定.xlsx", b"x"),
        ],
        {placeholder: gbk},
    )
    answer = _upload(server, [("全部.zip", archive)])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    names = [f["name"] for f in body["files"]]
    assert names == [
        f"全部.zip/各单位/{EXAMPLE.name}",
        "全部.zip/../../逃逸.xlsx",
        "全部.zip/单位/人社局.xlsx",
    ]
    first, escaped, corrupt = body["files"]
    assert first["errors"] + first["warnings"] == len(example_findings)
    assert escaped["errors"] + escaped["warnings"] == len(example_findings)
    assert escaped["flagged"]["name"] == "逃逸_已检查.xlsx"
    assert "损坏" in corrupt["error"]
    assert any("未展开" in n for n in body["notes"]) and any(
        "不是 Excel" in n for n in body["notes"]
    )
    assert not (tmp_path.parent / "逃逸.xlsx").exists()
    assert server.leftovers() == []


def test_zip_bombs_and_broken_zips_are_refused(server: Server) -> None:
    bomb = _zip([("炸弹.xlsx", b"\0" * (40 * 1024 * 1024))])
    assert len(bomb) < 200 * 1024
    many = _zip([(f"{i:x}", b"") for i in range(limits.MAX_ZIP_MEMBERS + 1)])
    assert len(many) < MAX_MB * 1024 * 1024 - 300 * 1024
    started = time.monotonic()
    answer = _upload(
        server, [("炸弹.zip", bomb), ("很多.zip", many), ("坏.zip", b"PK\x03\x04broken")]
    )
    assert time.monotonic() - started < 20
    assert answer.status_code == 200
    bomb_file, many_file, broken = answer.json()["files"]
    assert "压缩炸弹" in bomb_file["error"]
    assert str(limits.MAX_ZIP_MEMBERS + 1) in many_file["error"] and "上限" in many_file["error"]
    assert "压缩包已损坏" in broken["error"]
    assert httpx.get(f"{server.url}/xlperf/health", timeout=10).status_code == 200
    assert server.leftovers() == []


def test_legacy_xls_is_checked_and_flagged_as_xlsx(
    server: Server, example_findings: list[dict], tmp_path: Path
) -> None:
    from tests.conftest import soffice

    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--headless",
            "--convert-to",
            "xls",
            "--outdir",
            str(tmp_path),
            str(EXAMPLE),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xls = tmp_path / EXAMPLE.with_suffix(".xls").name
    expected = _check_json(xls)
    assert len(expected) == len(example_findings)
    (file,) = _upload(server, [(xls.name, xls.read_bytes())]).json()["files"]
    assert file["error"] is None and file["errors"] + file["warnings"] == len(expected)
    assert file["flagged"]["name"] == "新乡县人社局2021项目自评表_已检查.xlsx"
    flagged = tmp_path / file["flagged"]["name"]
    flagged.write_bytes(base64.b64decode(file["flagged"]["data"]))
    _assert_flagged_like_check(flagged, expected)


def test_concurrent_uploads_get_the_same_answer(server: Server) -> None:
    data = EXAMPLE.read_bytes()
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: _upload(server, [(EXAMPLE.name, data)]), range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    forms = [a.json()["files"][0]["forms"] for a in answers]
    assert all(f == forms[0] for f in forms)
    assert server.leftovers() == []


def test_several_workers_answer_uploads(tmp_path: Path) -> None:
    """``--workers 2``: each answer carries its files, so any worker can answer any upload."""
    data = EXAMPLE.read_bytes()
    with _serve(tmp_path, "--workers", "2") as two:
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda _: _upload(two, [(EXAMPLE.name, data)]), range(4)))
        assert [a.status_code for a in answers] == [200] * 4
        assert all(a.json()["files"][0]["flagged"] for a in answers)
        assert two.leftovers() == []


def _stalled_uploads(server: Server, count: int) -> list[socket.socket]:
    """``count`` uploads whose head and first body bytes are sent, and then nothing."""
    host, port = server.url.removeprefix("http://").split(":")
    head = (
        f"POST /web/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 100000\r\n\r\n"
        "--xyz\r\n"
    )
    stalled = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=10)
        sock.sendall(head.encode())
        stalled.append(sock)
    return stalled


def _wait_for_no_leftovers(server: Server) -> None:
    deadline = time.monotonic() + 10
    while server.leftovers():  # the cut uploads' folders go as the server notices
        assert time.monotonic() < deadline, server.leftovers()
        time.sleep(0.2)


def test_uploads_past_the_admitted_ones_wait_their_turn(server: Server) -> None:
    """While a worker receives as many uploads as it admits, the next one is queued, not
    refused, and answered once a place is free: 32 units uploading at once all get an answer."""
    from xlperf.server import UPLOADS_ADMITTED

    stalled = _stalled_uploads(server, UPLOADS_ADMITTED)
    try:
        time.sleep(0.5)  # the server has taken them in before the real one arrives
        with ThreadPoolExecutor(max_workers=1) as pool:
            waiting = pool.submit(_upload, server, [(EXAMPLE.name, EXAMPLE.read_bytes())])
            time.sleep(1.5)
            assert not waiting.done(), waiting.result().text[:200]  # queued, not refused
            for sock in stalled:
                sock.close()
            answer = waiting.result(timeout=120)
        assert answer.status_code == 200, answer.text[:200]
        assert answer.json()["files"][0]["forms"]
    finally:
        for sock in stalled:
            sock.close()
    _wait_for_no_leftovers(server)


def test_uploads_past_the_queue_get_a_503_at_once(server: Server) -> None:
    """Past the admitted uploads and the queue behind them, one more is told to come back."""
    from xlperf.server import UPLOADS_ADMITTED, UPLOADS_QUEUED

    stalled = _stalled_uploads(server, UPLOADS_ADMITTED + UPLOADS_QUEUED)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:  # until the server has taken in every stalled upload (a probe that times out
                # waits in the queue too)
                answer = httpx.post(
                    f"{server.url}/web/check",
                    files=[("files", (EXAMPLE.name, EXAMPLE.read_bytes()))],
                    headers=_auth(),
                    timeout=1,
                )
                if answer.status_code == 503:
                    break
            except httpx.TimeoutException:
                pass
            assert time.monotonic() < deadline, "no 503 past the queue"
        assert "稍后再试" in answer.json()["error"]
        readme = (REPO / "README.md").read_text(encoding="utf-8")  # the documented limits
        assert f"至多 {UPLOADS_ADMITTED} 个上传" in readme and f"最多 {UPLOADS_QUEUED} 个" in readme
    finally:
        for sock in stalled:
            sock.close()
    deadline = time.monotonic() + 30
    while _upload(server, [(EXAMPLE.name, EXAMPLE.read_bytes())]).status_code != 200:
        assert time.monotonic() < deadline, "uploads not accepted again"
        time.sleep(0.2)
    _wait_for_no_leftovers(server)


def test_readme_page_section(server: Server) -> None:
    """The README's 网上预审 steps: the address they give and the check the administrator runs."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### 方式三：网上预审") : text.index("**安全提示**")]
    steps = ("登录", "选择文件", "上传并检查", "下载标记后的工作簿", "_已检查")
    for step in (*steps, "下载审核结果工作簿", "审核结果.zip"):
        assert step in section, step
    (curl,) = [line for line in section.splitlines() if line.startswith("curl ")]
    url = curl.split()[-1].replace("http://127.0.0.1:8000", server.url)
    assert "http://127.0.0.1:8000/" in curl and "http://服务器地址:8000/" in section
    assert httpx.get(url, timeout=10).status_code == 200


def test_a_zip_of_too_many_workbooks_is_refused_before_expanding(server: Server) -> None:
    archive = _zip([(f"{i}.xlsx", b"") for i in range(upload.MAX_FILES + 1)])
    answer = _upload(server, [("全县.zip", archive)])
    assert answer.status_code == 413
    assert f"一次最多检查 {upload.MAX_FILES} 个工作簿" in answer.json()["error"]
    assert server.leftovers() == []


def test_a_damaged_member_leaves_the_rest_of_its_zip(server: Server) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("好.xlsx", EXAMPLE.read_bytes())
        z.writestr("坏.xlsx", b"A" * 1000)
    damaged = buf.getvalue().replace(b"A" * 1000, b"A" * 999 + b"B")  # its CRC no longer holds
    answer = _upload(server, [("单位.zip", damaged)])
    good, bad = answer.json()["files"]
    assert good["name"] == "单位.zip/好.xlsx" and good["error"] is None and good["flagged"]
    assert bad["name"] == "单位.zip/坏.xlsx" and "无法解压" in bad["error"]
    assert server.leftovers() == []


def test_archives_together_are_bounded(server: Server) -> None:
    """Each archive within bounds, but all of them together over the expansion limit."""
    big = _zip([("大.xlsx", b"\0" * (150 * 1024 * 1024))])
    answer = _upload(server, [("一.zip", big), ("二.zip", big)])
    first, second = answer.json()["files"]
    assert first["name"] == "一.zip/大.xlsx" and "单个文件的上限" in first["error"]
    assert second["name"] == "二.zip" and "合计超过上限" in second["error"]
    assert server.leftovers() == []


def test_hostile_text_comes_back_as_data(server: Server, tmp_path: Path) -> None:
    path = _hostile_workbook(tmp_path / "h.xlsx")
    answer = _upload(server, [("<svg onload=alert(3)>.xlsx", path.read_bytes())])
    (file,) = answer.json()["files"]
    assert file["name"] == "<svg onload=alert(3)>.xlsx"
    (form,) = file["forms"]
    assert form["sheet"] == HOSTILE_SHEET and form["title"] == HOSTILE_NAME
    assert any(HOSTILE_NAME in f["message"] for f in form["findings"])


# -- the page in a real browser -------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    from playwright import sync_api  # a test extra: installed wherever the tests run

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh --user-data-dir
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            accept_downloads=True,
            locale="zh-CN",
            viewport={"width": 1200, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, server: Server):
    """A fresh tab on the page; any request to another host than the server is refused and
    recorded (the page must work offline), any dialog recorded (no script from a cell runs)."""
    tab = browser.new_page()
    tab.foreign = []
    tab.dialogs = []

    def route(r):
        if r.request.url.startswith(server.url + "/") or r.request.url.startswith(
            ("blob:", "data:")
        ):
            r.continue_()
        else:
            tab.foreign.append(r.request.url)
            r.abort()

    tab.route("**/*", route)
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.goto(server.url + "/")
    yield tab
    assert tab.foreign == []
    assert tab.dialogs == []
    tab.close()


def _sign_in(page, token: str = TOKEN) -> None:
    page.fill("#token", token)
    page.click("#signin-btn")


def _upload_in_page(page, paths: list[Path]) -> None:
    page.set_input_files("#files", [str(p) for p in paths])
    page.click("#upload-btn")


def test_browser_wrong_token_is_refused(page) -> None:
    _sign_in(page, "not-the-token-0000")
    page.wait_for_selector("#signin-msg.error")
    assert "令牌不正确" in page.inner_text("#signin-msg")
    assert not page.is_visible("#upload-panel")
    page.screenshot(path=str(SHOTS / "xlperf_web_wrong_token.png"), full_page=True)
    _sign_in(page, "短")
    assert "至少 8 个字符" in page.inner_text("#signin-msg")


def test_browser_upload_check_and_download(
    page, example_findings: list[dict], server: Server, tmp_path: Path
) -> None:
    _sign_in(page)
    page.wait_for_selector("#upload-panel:not(.hidden)")
    assert f"{MAX_MB} MB" in page.inner_text("#limit")
    assert page.input_value("#token") == ""  # the token is kept in the page's memory only
    assert page.context.cookies() == [] and TOKEN not in page.url
    page.screenshot(path=str(SHOTS / "xlperf_web_signed_in.png"), full_page=True)
    _upload_in_page(page, [EXAMPLE])
    page.wait_for_selector("#summary", timeout=60_000)
    assert page.get_attribute("#summary", "data-findings") == str(len(example_findings))
    assert page.locator("tr.finding").count() == len(example_findings)
    assert f"问题 {len(example_findings)} 条" in page.inner_text("#summary")
    groups = page.locator(".form h4").all_inner_texts()
    assert any("建档立卡优秀务工人员奖补" in g for g in groups)
    first = example_findings[0]
    row = page.locator("tr.finding").first
    assert row.locator("td.cell").inner_text() == first["cell"]
    assert row.locator("td.code").inner_text() == first["code"]
    assert row.locator("td.text").inner_text() == first["message"]
    page.screenshot(path=str(SHOTS / "xlperf_web_results.png"), full_page=False)
    with page.expect_download() as info:
        page.click("button.download-flagged")
    download = info.value
    assert download.suggested_filename == "新乡县人社局2021项目自评表_已检查.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(str(saved))
    _assert_flagged_like_check(saved, example_findings)
    assert server.leftovers() == []


def test_browser_corrupt_file_shows_the_chinese_message(page, tmp_path: Path) -> None:
    bad = tmp_path / "损坏的自评表.xlsx"
    bad.write_bytes(_corrupt_bytes())
    _sign_in(page)
    page.wait_for_selector("#upload-panel:not(.hidden)")
    _upload_in_page(page, [bad])
    page.wait_for_selector(".file-error", timeout=60_000)
    text = page.inner_text(".file-error")
    assert "无法检查" in text and "文件已损坏" in text
    assert page.locator("button.download-flagged").count() == 0
    page.screenshot(path=str(SHOTS / "xlperf_web_corrupt.png"), full_page=True)


def test_browser_too_big_is_refused_before_sending(page, tmp_path: Path) -> None:
    big = tmp_path / "大.xlsx"
    big.write_bytes(b"\0" * (MAX_MB * 1024 * 1024 + 1))
    _sign_in(page)
    page.wait_for_selector("#upload-panel:not(.hidden)")
    _upload_in_page(page, [big])
    page.wait_for_selector("#status.error")
    assert f"超过 {MAX_MB} MB 的上限" in page.inner_text("#status")


def test_browser_shows_hostile_text_as_text(page, tmp_path: Path) -> None:
    path = _hostile_workbook(tmp_path / "<svg onload=alert(3)>.xlsx")
    _sign_in(page)
    page.wait_for_selector("#upload-panel:not(.hidden)")
    _upload_in_page(page, [path])
    page.wait_for_selector("#summary", timeout=60_000)
    assert page.inner_text(".file-name") == "<svg onload=alert(3)>.xlsx"
    heading = page.inner_text(".form h4")
    assert HOSTILE_SHEET in heading and HOSTILE_NAME in heading
    assert any(HOSTILE_NAME in t for t in page.locator("td.text").all_inner_texts())
    assert page.locator("#results script, #results img, #results svg").count() == 0
    assert page.evaluate("document.scripts.length") == 1
    page.screenshot(path=str(SHOTS / "xlperf_web_hostile.png"), full_page=True)


def test_browser_drop_several_files(page, example_findings: list[dict], tmp_path: Path) -> None:
    """Files dropped on the page (a real drop event with a DataTransfer), checked together."""
    hostile = _hostile_workbook(tmp_path / "第二个单位.xlsx")
    _sign_in(page)
    page.wait_for_selector("#upload-panel:not(.hidden)")
    files = [
        {"name": EXAMPLE.name, "data": base64.b64encode(EXAMPLE.read_bytes()).decode()},
        {"name": hostile.name, "data": base64.b64encode(hostile.read_bytes()).decode()},
    ]
    page.evaluate(
        """files => {
            const dt = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
                dt.items.add(new File([bytes], f.name));
            }
            const drop = document.getElementById("drop");
            const how = {dataTransfer: dt, bubbles: true, cancelable: true};
            drop.dispatchEvent(new DragEvent("dragover", how));
            drop.dispatchEvent(new DragEvent("drop", how));
        }""",
        files,
    )
    assert page.locator("#chosen li").count() == 2
    page.click("#upload-btn")
    page.wait_for_selector("#summary", timeout=60_000)
    assert page.locator(".file-name").all_inner_texts() == [EXAMPLE.name, hostile.name]
    assert page.get_attribute("#summary", "data-findings") == str(len(example_findings) + 1)
    assert page.locator("button.download-flagged").count() == 2
    rows = page.locator("table.overview tbody tr")
    assert rows.count() == 2
    assert rows.nth(1).locator("td").all_inner_texts()[:3] == [hostile.name, "1", "0"]
    page.screenshot(path=str(SHOTS / "xlperf_web_several.png"), full_page=False)
    with page.expect_download() as info:
        page.click("button.download-review")
    assert info.value.suggested_filename == "审核结果.xlsx"
    review = tmp_path / "审核结果.xlsx"
    info.value.save_as(str(review))
    _assert_review(review, [EXAMPLE.name, hostile.name], len(example_findings) + 1)
    with page.expect_download() as info:
        page.click("button.download-bundle")
    assert info.value.suggested_filename == "审核结果.zip"
