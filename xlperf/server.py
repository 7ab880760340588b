"""``xlperf serve``: the ribbon's operations for Excel users without Python.

The add-in in server mode sends the workbook the way xlwings' VBA client does
(``RunServerPython``) to ``POST /xlperf/<action>``; the same live operations as local mode run
on xlwings' remote engine, and the answer is the list of actions the client applies. Requests
carry a shared token (``Authorization``), are limited in size, and a malformed one gets a clear
Chinese message with a 4xx status; nothing a client sends can bring the server down.
"""

from __future__ import annotations

import hmac
import json
import os
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from xlperf import excel

ACTIONS = {
    "recalc_and_check": excel.recalc_and_check,
    "clear_flags": excel.clear_flags,
    "rollup": excel.rollup,
    "new_project_sheet": excel.new_project_sheet,
    "generate_report": excel.generate_report,
    "about": excel.about,
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def _error(status: int, message: str) -> JSONResponse:
    # The VBA client shows the body of a non-200 answer in a message box.
    return JSONResponse({"error": message}, status_code=status)


def create_app(token: str, max_bytes: int = DEFAULT_MAX_BYTES) -> FastAPI:
    if not token:
        raise ValueError("a server needs a shared token")
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    app = FastAPI(title="xlperf", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/xlperf/health")
    def health() -> dict[str, str]:
        from xlperf import __version__

        return {"status": "ok", "version": __version__}

    @app.post("/xlperf/{action}")
    async def run(action: str, request: Request) -> JSONResponse:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return _error(401, "xlperf 服务器：令牌不正确，请检查 xlperf.conf 中的 XLPERF_TOKEN")
        if action not in ACTIONS:
            return _error(404, f"xlperf 服务器：没有“{action}”这项操作")
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            return _error(
                413, f"xlperf 服务器：工作簿数据超过 {max_bytes // (1024 * 1024)} MB 的上限"
            )
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > max_bytes:
                return _error(
                    413, f"xlperf 服务器：工作簿数据超过 {max_bytes // (1024 * 1024)} MB 的上限"
                )
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _error(400, "xlperf 服务器：请求不是有效的 JSON 工作簿数据")
        actions = await _run_in_thread(ACTIONS[action], payload)
        if isinstance(actions, str):
            return _error(400, actions)
        return JSONResponse({"actions": actions})

    return app


async def _run_in_thread(action: Any, payload: Any) -> list[dict[str, Any]] | str:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(run_action, action, payload)


def run_action(action: Any, payload: Any) -> list[dict[str, Any]] | str:
    """Run one ribbon action on a payload; the client's actions, or why the payload is unusable."""
    import xlwings as xw

    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("sheets"), list)
        or "book" not in payload
    ):
        return "xlperf 服务器：请求缺少工作簿数据（book、sheets）"
    try:
        book = xw.Book(json=payload)
    except Exception as exc:  # noqa: BLE001 - e.g. a client of another xlwings version
        return f"xlperf 服务器：无法读取工作簿数据（{exc}）"
    try:
        action(book)
        return book.json()["actions"]
    finally:
        book.close()
