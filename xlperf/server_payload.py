"""The request body of ``POST /xlperf/<action>``: bounded JSON in the shape xlwings' remote engine
reads, or a :class:`Refused` with the Chinese message for the client."""

from __future__ import annotations

import itertools
import json
from typing import Any

import xlwings as xw

# The JSON the VBA client sends nests 5 deep (payload, sheets, sheet, values, row) and its
# numbers are doubles; anything far beyond is not a workbook.
MAX_DEPTH = 8
MAX_INT_DIGITS = 30
SCALARS = frozenset((str, int, float, bool, type(None)))  # exact types, as json.loads makes


class Refused(Exception):
    """A request the server will not run: the status and the Chinese message for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class _TooLong(ValueError):
    pass


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _TooLong(text[:20])
    return int(text)


def _no_constant(text: str) -> Any:
    raise ValueError(text)  # NaN, Infinity: not JSON, and not sent by the VBA client


def parse_payload(body: bytes) -> dict[str, Any]:
    """The request's JSON, bounded, in the shape xlwings' remote engine reads."""
    try:
        payload = json.loads(body, parse_int=_parse_int, parse_constant=_no_constant)
    except _TooLong:
        raise Refused(
            400, f"xlperf 服务器：数据中有超过 {MAX_INT_DIGITS} 位的整数，不是工作簿数据"
        ) from None
    except RecursionError:
        raise Refused(400, "xlperf 服务器：数据嵌套层数过多，不是工作簿数据") from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        raise Refused(400, "xlperf 服务器：请求不是有效的 JSON 工作簿数据") from None
    _check_shape(payload)
    # The cells were checked to be scalars in rows; the depth check walks the rest.
    sheets = [{k: v for k, v in sheet.items() if k != "values"} for sheet in payload["sheets"]]
    _check_depth({k: v for k, v in payload.items() if k != "sheets"} | {"sheets": sheets})
    return payload


def _check_depth(value: Any) -> None:
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Refused(400, "xlperf 服务器：数据嵌套层数过多，不是工作簿数据")
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))


def shape_error(what: str) -> Refused:
    return Refused(400, f"xlperf 服务器：工作簿数据格式不正确（{what}），请用随附的加载项发送")


def _check_shape(payload: Any) -> None:
    if not isinstance(payload, dict):
        raise shape_error("应为 JSON 对象")
    for key, kind, name in (
        ("client", str, "文字"),
        ("version", str, "文字"),
        ("book", dict, "对象"),
        ("sheets", list, "列表"),
    ):
        if key not in payload:
            raise shape_error(f"缺少 {key}")
        if not isinstance(payload[key], kind):
            raise shape_error(f"{key} 应为{name}")
    if payload["client"] != "Office.js" and payload["version"] != xw.__version__:
        raise Refused(
            400,
            f"xlperf 服务器：加载项的 xlwings 版本（{payload['version'][:20]}）与服务器"
            f"（{xw.__version__}）不一致，请安装与服务器同一版本生成的加载项",
        )
    book = payload["book"]
    if not isinstance(book.get("name"), str):
        raise shape_error("book.name 应为文字")
    if not isinstance(book.get("active_sheet_index", 0), int):
        raise shape_error("book.active_sheet_index 应为整数")
    if not payload["sheets"]:
        raise shape_error("sheets 为空")
    names = payload.get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, dict) for n in names):
        raise shape_error("names 应为对象列表")
    for i, sheet in enumerate(payload["sheets"], 1):
        if not isinstance(sheet, dict):
            raise shape_error(f"第 {i} 张表应为对象")
        if not isinstance(sheet.get("name"), str):
            raise shape_error(f"第 {i} 张表缺少表名")
        values = sheet.get("values")
        if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
            raise shape_error(f"第 {i} 张表的 values 应为二维列表")
        if not SCALARS.issuperset(map(type, itertools.chain.from_iterable(values))):
            raise shape_error(f"第 {i} 张表的单元格值只能是文字、数字、逻辑值或空")
        for key in ("pictures", "tables"):
            if not isinstance(sheet.get(key, []), list):
                raise shape_error(f"第 {i} 张表的 {key} 应为列表")
