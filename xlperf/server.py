"""``xlperf serve``: the ribbon's operations for Excel users without Python.

The add-in in server mode sends the workbook the way xlwings' VBA client does
(``RunServerPython``) to ``POST /xlperf/<action>``; the same live operations as local mode run
on xlwings' remote engine, and the answer is the list of actions the client applies.

Nothing a client sends can bring the server down or hold it: requests carry a shared token
(``Authorization: T`` or ``Authorization: Bearer T``, compared in constant time); a body is
limited in size, its JSON in nesting depth and integer length, and its shape is checked before
xlwings sees it; a connection whose request head is not complete within a few seconds, or whose
body stalls, is closed (:class:`TimeoutH11Protocol`); every refusal and every internal error is
a Chinese message in a JSON body (``{"error": ...}``) with a 4xx/5xx status, never a traceback.

The same server shows the 网上预审 page at ``/`` (xlperf/web/): a unit signs in with the token,
which the page then sends in the same header with each upload to ``POST /web/check``; the
upload is bounded like any request, written into a temporary folder, checked there
(:mod:`xlperf.web.upload`) and the folder deleted before the answer, which carries the flagged
workbooks themselves (so any worker can answer, and nothing is kept). Uploads past those a
worker admits wait their turn; only past that queue a 503 (UPLOADS_ADMITTED, UPLOADS_QUEUED).

``--workers N`` runs N processes under uvicorn's supervisor; on Linux each listens on a socket of
its own (:mod:`xlperf.server_socket`), so connections that arrive together are spread over them.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h11
import xlwings as xw
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from uvicorn.protocols.http.h11_impl import H11Protocol

from xlperf import excel
from xlperf.server_payload import Refused, parse_payload, shape_error
from xlperf.server_socket import WorkerSocket

if sys.platform != "emscripten":
    # xlwings' remote engine tries ``from pyodide.ffi import JsNull`` for every book it opens
    # (it also serves xlwings Lite in the browser); outside Pyodide that import fails only
    # after searching sys.path, 75 µs a time here. Marked absent, it fails in 10 µs.
    sys.modules.setdefault("pyodide", None)

ACTIONS = {
    "recalc_and_check": excel.recalc_and_check,
    "clear_flags": excel.clear_flags,
    "rollup": excel.rollup,
    "rollup_overwrite": excel.rollup_overwrite,
    "new_project_sheet": excel.new_project_sheet,
    "generate_report": excel.generate_report,
    "about": excel.about,
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Connection limits, per worker process (see run()).
HEAD_TIMEOUT = 10.0  # seconds for a request line and headers to arrive in full
BODY_TIMEOUT = 30.0  # seconds a request body may go without a byte arriving
KEEP_ALIVE = 5  # seconds an idle keep-alive connection is kept
LIMIT_CONCURRENCY = 1000  # open connections + running requests; past it uvicorn answers 503
BACKLOG = 2048
MAX_HEAD_BYTES = 16 * 1024  # request line + headers
APP_FACTORY = "xlperf.server:app_from_env"
PROTOCOL = "xlperf.server:TimeoutH11Protocol"
ENV_TOKEN, ENV_MAX_BYTES = "XLPERF_TOKEN", "XLPERF_MAX_BYTES"
ENV_HEAD_TIMEOUT, ENV_BODY_TIMEOUT = "XLPERF_HEAD_TIMEOUT", "XLPERF_BODY_TIMEOUT"
TOKEN_FORM = re.compile(r"[!-~]{8,}")  # printable ASCII, no spaces: what an HTTP header carries
log = logging.getLogger(__name__)
# The 网上预审 page (xlperf/web/): its own files only, nothing from elsewhere, never framed.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
# 网上预审 uploads, per worker process: UPLOAD_SLOTS are checked at once; at most UPLOADS_ADMITTED
# are being written to disk, waiting for a check or checked (bounding the temporary disk to that
# many times --max-mb); the next UPLOADS_QUEUED wait their turn unread (uvicorn buffers at most
# 64 KiB of each, then stops reading it). Past both, a 503 at once: deliberate back-pressure.
UPLOAD_SLOTS = 2
UPLOADS_ADMITTED = 16
UPLOADS_QUEUED = 64
WEB_BAD_TOKEN = "令牌不正确，请向服务器管理员核对令牌后重新登录"


def _error(status: int, message: str) -> JSONResponse:
    # The VBA client shows the body of a non-200 answer in a message box.
    return JSONResponse({"error": message}, status_code=status)


def check_token_form(token: str) -> None:
    """Refuse a token that no client could send intact in an HTTP header."""
    if not TOKEN_FORM.fullmatch(token or ""):
        raise ValueError(
            "令牌至少 8 个字符，只能由英文字母、数字和符号组成（不能有空格或中文），"
            "例如 xlperf-2021-k7Qm9"
        )


def token_matches(header: bytes, token: bytes) -> bool:
    """``Authorization: T`` (what the add-in sends) or ``Authorization: Bearer T``."""
    scheme, _, rest = header.strip().partition(b" ")
    given = rest.strip() if scheme.lower() == b"bearer" and rest.strip() else header.strip()
    return hmac.compare_digest(given, token)


def create_app(token: str, max_bytes: int = DEFAULT_MAX_BYTES) -> FastAPI:
    check_token_form(token)
    secret = token.encode("ascii")
    too_big = f"xlperf 服务器：工作簿数据超过 {max_bytes // (1024 * 1024)} MB 的上限"
    app = FastAPI(title="xlperf", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _error(404, f"xlperf 服务器：没有这个地址（{request.url.path[:60]}）")
        if exc.status_code == 405:
            return _error(405, "xlperf 服务器：请用 POST 发送工作簿数据")
        return _error(exc.status_code, f"xlperf 服务器：请求无法处理（HTTP {exc.status_code}）")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s", request.url.path, exc_info=exc)
        return _error(500, "xlperf 服务器：内部错误，详情已记入服务器日志，请联系管理员")

    @app.get("/xlperf/health")
    def health() -> dict[str, str]:
        from xlperf import __version__

        return {"status": "ok", "version": __version__}

    def authorised(request: Request) -> bool:
        given = b"".join(v for k, v in request.scope["headers"] if k == b"authorization")
        return token_matches(given, secret)

    upload_slots = asyncio.Semaphore(UPLOAD_SLOTS)
    admitted = asyncio.Semaphore(UPLOADS_ADMITTED)
    uploads = [0]  # admitted or queued (the event loop is one thread: no lock needed)
    upload_too_big = (
        f"上传的文件共超过 {max_bytes // (1024 * 1024)} MB 的上限，请分批上传或压缩成 .zip 后上传"
    )

    @app.get("/")
    def page() -> Response:
        from xlperf.web import ASSETS, asset

        return Response(asset("index.html"), media_type=ASSETS["index.html"], headers=PAGE_HEADERS)

    @app.get("/web/{name}")
    def page_file(name: str, request: Request) -> Response:
        from xlperf.web import ASSETS, asset

        if name not in ASSETS or name == "index.html":
            return _error(404, f"xlperf 服务器：没有这个地址（{request.url.path[:60]}）")
        return Response(asset(name), media_type=ASSETS[name], headers=PAGE_HEADERS)

    @app.post("/web/signin")
    def web_signin(request: Request) -> JSONResponse:
        from xlperf import __version__

        if not authorised(request):
            return _error(401, WEB_BAD_TOKEN)
        return JSONResponse({"max_mb": max_bytes // (1024 * 1024), "version": __version__})

    @app.post("/web/check")
    async def web_check(request: Request) -> JSONResponse:
        if not authorised(request):
            return _error(401, WEB_BAD_TOKEN)
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            return _error(413, upload_too_big)
        if uploads[0] >= UPLOADS_ADMITTED + UPLOADS_QUEUED:
            return _error(503, "xlperf 服务器：同时上传的单位过多，请稍后再试")
        uploads[0] += 1
        try:
            async with admitted:
                return await receive_upload(request, max_bytes, upload_too_big, upload_slots)
        finally:
            uploads[0] -= 1

    @app.post("/xlperf/{action}")
    async def run(action: str, request: Request) -> JSONResponse:
        given = b"".join(v for k, v in request.scope["headers"] if k == b"authorization")
        if not token_matches(given, secret):
            return _error(401, "xlperf 服务器：令牌不正确，请检查 xlperf.conf 中的 XLPERF_TOKEN")
        if action not in ACTIONS:
            return _error(404, f"xlperf 服务器：没有“{action[:40]}”这项操作")
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            return _error(413, too_big)
        body = bytearray()
        try:
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > max_bytes:
                    return _error(413, too_big)
        except ClientDisconnect:
            return _error(400, "xlperf 服务器：客户端在发送完数据之前断开了连接")
        from starlette.concurrency import run_in_threadpool

        status, answer = await run_in_threadpool(handle, ACTIONS[action], bytes(body))
        return JSONResponse(answer, status_code=status)

    return app


async def receive_upload(
    request: Request, max_bytes: int, too_big: str, slots: asyncio.Semaphore
) -> JSONResponse:
    """网上预审: the files of one upload, written as they arrive into a temporary folder,
    checked there (:mod:`xlperf.web.upload`) when one of ``slots`` is free, the folder deleted
    before the answer goes out."""
    from starlette.concurrency import run_in_threadpool

    from xlperf.web import upload

    folder = Path(tempfile.mkdtemp(prefix="xlperf-web-"))
    sink: upload.MultipartSink | None = None
    try:
        sink = upload.MultipartSink(folder / "in", request.headers.get("content-type", ""))
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes:
                return _error(413, too_big)
            sink.write(chunk)
        uploads = sink.finish()
        if not uploads:
            return _error(400, "没有收到文件：请先选择要检查的工作簿")
        async with slots:
            answer = await run_in_threadpool(
                upload.check_uploads, uploads, folder, upload.review_workbook
            )
        # The answer carries the flagged workbooks: encoded off the event loop.
        body = await run_in_threadpool(_json_bytes, answer)
        return Response(body, media_type="application/json")
    except upload.UploadRefused as exc:
        return _error(exc.status, exc.message)
    except ClientDisconnect:
        return _error(400, "xlperf 服务器：客户端在发送完数据之前断开了连接")
    finally:
        if sink is not None:
            sink.close()
        await run_in_threadpool(shutil.rmtree, folder, True)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def app_from_env() -> FastAPI:
    """The app of one worker process: uvicorn starts workers from an import string, so the token
    and limits come through the environment (set by ``xlperf serve``)."""
    token = os.environ.get(ENV_TOKEN, "")
    return create_app(token, int(os.environ.get(ENV_MAX_BYTES) or DEFAULT_MAX_BYTES))


def handle(action: Callable[[Any], Any], body: bytes) -> tuple[int, dict[str, Any]]:
    """Run one ribbon action on a request body: the status and the JSON answer."""
    try:
        payload = parse_payload(body)
        return 200, {"actions": run_action(action, payload)}
    except Refused as exc:
        return exc.status, {"error": exc.message}
    except Exception:  # noqa: BLE001 - the client gets a message; the log gets the traceback
        log.exception("action %s failed", getattr(action, "__name__", action))
        return 500, {
            "error": "xlperf 服务器：处理工作簿时出现内部错误，详情已记入服务器日志，请联系管理员"
        }


def run_action(action: Any, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Run one ribbon action on a checked payload; the client's actions."""
    try:
        book = xw.Book(json=payload)
    except xw.LicenseError:
        raise  # the server's fault, not the payload's: a 500, logged
    except Exception as exc:  # noqa: BLE001 - a shape our check let through
        log.warning("xlwings refused a payload: %r", exc)
        raise shape_error("xlwings 无法读取") from None
    try:
        action(book)
        return book.json()["actions"]
    finally:
        book.close()


def _env_seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        return default
    return value if value > 0 else default


class TimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the read timeouts it lacks.

    uvicorn closes an idle keep-alive connection, but not one that sends half a request head and
    then nothing: a few hundred such clients would hold their sockets for ever. Here the request
    line and headers must arrive in full within ``XLPERF_HEAD_TIMEOUT`` seconds of the connection
    (or of the previous response), and a body may not stall for ``XLPERF_BODY_TIMEOUT`` seconds;
    otherwise the connection is closed (with a 408 when no request has started).
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.head_timeout = _env_seconds(ENV_HEAD_TIMEOUT, HEAD_TIMEOUT)
        self.body_timeout = _env_seconds(ENV_BODY_TIMEOUT, BODY_TIMEOUT)
        self._read_timer: Any = None
        self._waiting_for: str | None = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.limit_concurrency is not None and len(self.connections) > self.limit_concurrency:
            # Refused at once, in Chinese; uvicorn would read the head, then answer in English.
            self._refuse(b"503 Service Unavailable", "xlperf 服务器：连接数已满，请稍后再试")
            return
        self._watch_reading()

    def data_received(self, data: bytes) -> None:
        if self._head_too_big(data):
            self._stop_read_timer()
            self.send_400_response("")
            return
        super().data_received(data)
        self._watch_reading()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_read_timer()
        super().connection_lost(exc)

    def _stop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
        self._read_timer, self._waiting_for = None, None

    def _watch_reading(self) -> None:
        if self.transport is None or self.transport.is_closing():
            self._stop_read_timer()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            if self._waiting_for != "head":  # a deadline for the whole head, not per byte
                self._stop_read_timer()
                self._waiting_for = "head"
                self._read_timer = self.loop.call_later(self.head_timeout, self._timed_out)
        elif state is h11.SEND_BODY:
            self._stop_read_timer()  # reset on every chunk: a slow line is fine, a stall is not
            self._waiting_for = "body"
            self._read_timer = self.loop.call_later(self.body_timeout, self._timed_out)
        else:
            self._stop_read_timer()

    def send_400_response(self, msg: str) -> None:
        """A request h11 cannot parse: our Chinese JSON, not uvicorn's English text."""
        self._refuse(b"400 Bad Request", "xlperf 服务器：请求头过大或不是有效的 HTTP 请求")

    def _head_too_big(self, data: bytes) -> bool:
        """h11 bounds only a head still incomplete; one that arrives whole in one read is
        bounded here."""
        if self.conn.their_state is not h11.IDLE:
            return False
        buffered = self.conn.trailing_data[0] + data
        end = buffered.find(b"\r\n\r\n")
        return (end if end >= 0 else len(buffered)) > MAX_HEAD_BYTES

    def _refuse(self, status: bytes, message: str) -> None:
        """Answer and close, whatever state h11 is in (this answer ends the connection)."""
        body = json.dumps({"error": message}, ensure_ascii=False).encode()
        self.transport.write(
            b"HTTP/1.1 %s\r\nContent-Type: application/json; charset=utf-8\r\n"
            b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (status, len(body), body)
        )
        self.transport.close()

    def _timed_out(self) -> None:
        waiting_for = self._waiting_for
        self._read_timer, self._waiting_for = None, None
        if self.transport.is_closing():
            return
        if waiting_for == "body" and self.flow.read_paused:  # we are not reading: not a stall
            self._waiting_for = "body"
            self._read_timer = self.loop.call_later(self.body_timeout, self._timed_out)
            return
        self.logger.debug(
            "closing a connection whose request %s did not arrive in time", waiting_for
        )
        if waiting_for == "head" and self.conn.our_state is h11.IDLE:
            self._refuse(
                b"408 Request Timeout", "xlperf 服务器：请求没有在规定时间内发送完，连接已断开"
            )
        else:
            self.transport.close()


def run(
    host: str, port: int, *, workers: int = 1, max_connections: int = LIMIT_CONCURRENCY
) -> None:
    """Serve until stopped; the token and limits are in the environment (see app_from_env)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    options: dict[str, Any] = dict(
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=PROTOCOL,
        ws="none",
        timeout_keep_alive=KEEP_ALIVE,
        limit_concurrency=max_connections,
        backlog=BACKLOG,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        timeout_graceful_shutdown=30,
        log_level="info",
    )
    if workers == 1:
        uvicorn.run(APP_FACTORY, **options)
        return
    config = uvicorn.Config(APP_FACTORY, **options)
    linux = sys.platform.startswith("linux")  # elsewhere SO_REUSEPORT does not spread
    sock = WorkerSocket.bound_to(host, port) if linux else config.bind_socket()
    Multiprocess(config, sockets=[sock]).run()
