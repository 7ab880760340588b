"""What a unit uploads through the page: parsed, expanded, checked and flagged in one temporary
folder that the server deletes after the request.

Nothing here trusts the upload: file names are display text only (each file is stored under a
name of our own making, :mod:`xlperf.web.files`), a .zip is expanded within fixed bounds
(:mod:`xlperf.web.archive`), and each workbook goes through the same functions as ``xlperf
check`` (:func:`read_workbook`, :func:`check_workbook`) and ``xlperf fix`` (:func:`fix_file`)
for its flagged copy, with the loader's own bounds on what a workbook may make xlperf read. One
file that cannot be read is a Chinese message in the answer, never the end of the request.
"""

from __future__ import annotations

import base64
import logging
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from xlperf.errors import InputError
from xlperf.findings import Finding
from xlperf.registry import SEVERITY_NAME
from xlperf.vocabulary import department, project, summary
from xlperf.web.archive import expand
from xlperf.web.files import MAX_FILES, Upload, UploadRefused, disk_name, display_name, refused

log = logging.getLogger(__name__)

MAX_FIELD_BYTES = 1024  # a form field that is not a file (none is expected)


class MultipartSink:
    """A multipart/form-data body, fed in chunks, each file part written to its own folder under
    ``folder`` as it arrives (nothing is held in memory, nothing written elsewhere)."""

    def __init__(self, folder: Path, content_type: str, max_files: int = MAX_FILES):
        mime, params = parse_options_header(content_type or "")
        boundary = params.get(b"boundary")
        if mime != b"multipart/form-data" or not boundary:
            raise UploadRefused(400, "请用网页上的“选择文件”上传工作簿（multipart/form-data）")
        self.folder, self.max_files = folder, max_files
        self.files: list[Upload] = []
        self._headers: dict[str, bytes] = {}
        self._field, self._value = b"", b""
        self._out: Any = None
        self._field_bytes = 0
        callbacks = {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }
        self.parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]

    def write(self, chunk: bytes) -> None:
        try:
            self.parser.write(chunk)
        except UploadRefused:
            raise
        except (FormParserError, ValueError) as exc:
            log.info("malformed upload: %r", exc)
            raise UploadRefused(400, "上传的数据不完整或格式不正确，请重新选择文件上传") from None

    def close(self) -> None:
        """Close any file left open (a body cut short)."""
        if self._out is not None:
            self._out.close()
            self._out = None

    def finish(self) -> list[Upload]:
        try:
            self.parser.finalize()
        except (FormParserError, ValueError):
            raise UploadRefused(400, "上传的数据不完整，请重新上传") from None
        if self._out is not None:
            self.close()
            raise UploadRefused(400, "上传的数据不完整，请重新上传")
        return self.files

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get("content-disposition", b""))
        filename = params.get(b"filename")
        if filename is None:
            return  # a plain field: counted, ignored
        if not filename.strip():
            return  # a file input left empty
        name = display_name(filename.decode("utf-8", "replace"))
        if len(self.files) >= self.max_files:
            raise UploadRefused(413, f"一次最多上传 {self.max_files} 个文件，请分批上传")
        slot = self.folder / f"{len(self.files) + 1:03d}"
        slot.mkdir(parents=True)
        path = slot / disk_name(name)
        self._out = path.open("wb")
        self.files.append(Upload(name, path))

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._out is not None:
            self._out.write(data[start:end])
            return
        self._field_bytes += end - start
        if self._field_bytes > MAX_FIELD_BYTES:
            raise UploadRefused(400, "上传的数据中有过长的非文件字段，请用网页上传")

    def _part_end(self) -> None:
        self.close()


def _finding(f: Finding) -> dict[str, str]:
    return {
        "cell": f.cell,
        "code": f.code,
        "severity": f.severity,
        "level": SEVERITY_NAME[f.severity],
        "message": f.message,
    }


def _forms(book: Any, findings: list[Finding]) -> list[dict[str, Any]]:
    """The findings grouped by form (sheet), in the workbook's sheet order; every form read is
    listed, one without findings too."""
    titles: dict[str, list[str]] = {}
    for p in book.projects:
        titles.setdefault(p.sheet, []).append(p.project_name.text or project.FORM_TITLE)
    for s in book.summaries:
        titles.setdefault(s.sheet, []).append(summary.SHORT_TITLE)
    for d in book.departments:
        titles.setdefault(d.sheet, []).append(department.FORM_TITLE)
    for m in book.money:
        titles.setdefault(m.sheet, []).append(m.title)
    by_sheet: dict[str, list[dict[str, str]]] = {}
    for f in findings:
        by_sheet.setdefault(f.sheet, []).append(_finding(f))
    order = {s: i for i, s in enumerate(book.sheets)}
    sheets = sorted(set(titles) | set(by_sheet), key=lambda s: (order.get(s, len(order)), s))
    return [
        {
            "sheet": s,
            "title": "、".join(dict.fromkeys(titles.get(s, []))),
            "findings": by_sheet.get(s, []),
        }
        for s in sheets
    ]


def _message(exc: InputError) -> str:
    where = (
        f"{exc.sheet}!{exc.cell}："
        if exc.sheet and exc.cell
        else f"{exc.sheet}："
        if exc.sheet
        else ""
    )
    return where + exc.message


def flagged_name(name: str) -> str:
    """``xlperf fix``'s default output name: the file's name with ``_已检查`` (a legacy .xls
    flagged as a new .xlsx: the .xls format cannot carry the marks)."""
    p = Path(display_name(name))
    suffix = ".xlsx" if p.suffix.lower() == ".xls" else p.suffix
    return f"{p.stem}_已检查{suffix}"


def check_file(upload: Upload, out_dir: Path) -> dict[str, Any]:
    """One workbook as the page shows it: findings by form, and its flagged copy (base64)."""
    from xlperf.checks import check_workbook
    from xlperf.ops.files import fix_file
    from xlperf.reader import read_workbook

    result: dict[str, Any] = {"name": upload.name, "error": None, "flagged": None, "note": None}
    try:
        book = read_workbook(upload.path)
        findings = check_workbook(book)
    except InputError as exc:
        return refused(upload.name, _message(exc))
    except RecursionError:
        return refused(upload.name, "工作簿结构嵌套过深，无法读取")
    except Exception:  # noqa: BLE001 - one file must not end the request; the log has it
        log.exception("checking an uploaded workbook failed")
        return refused(
            upload.name, "处理此文件时出现内部错误（详情已记入服务器日志），请联系管理员"
        )
    errors = sum(f.severity == "error" for f in findings)
    result |= {
        "errors": errors,
        "warnings": len(findings) - errors,
        "forms": _forms(book, findings),
    }
    target = out_dir / disk_name(flagged_name(upload.path.name))
    try:
        fix_file(upload.path, target)
    except InputError as exc:
        result["note"] = f"未生成标记后的工作簿：{exc.message}"
        return result
    except Exception:  # noqa: BLE001
        log.exception("flagging an uploaded workbook failed")
        result["note"] = "未生成标记后的工作簿：处理时出现内部错误（详情已记入服务器日志）"
        return result
    result["flagged"] = {
        "name": flagged_name(upload.name),
        "data": base64.b64encode(target.read_bytes()).decode("ascii"),
    }
    return result


ReviewFn = Callable[[list[Upload], Path], "dict[str, Any]"]


def check_uploads(
    uploads: list[Upload], folder: Path, review: ReviewFn | None = None
) -> dict[str, Any]:
    """The page's answer for one upload: every file's findings and flagged copy, notes about
    what was left out and, for several workbooks, the review workbook."""
    expanded = expand(uploads)
    files: list[dict[str, Any]] = []
    for i, upload in enumerate(expanded.workbooks, 1):
        out_dir = folder / "out" / f"{i:03d}"
        out_dir.mkdir(parents=True)
        files.append(check_file(upload, out_dir))
    files.extend(expanded.refused)
    read = [f for f in files if not f["error"]]
    answer: dict[str, Any] = {
        "files": files,
        "notes": expanded.notes,
        "errors": sum(f["errors"] for f in read),
        "warnings": sum(f["warnings"] for f in read),
        "review": None,
        "review_bundle": None,
    }
    if review is not None and len(expanded.workbooks) > 1:
        answer |= review(expanded.workbooks, folder / "review")
    return answer


REVIEW_NAME = "审核结果.xlsx"
BUNDLE_NAME = "审核结果.zip"


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def review_workbook(workbooks: list[Upload], folder: Path) -> dict[str, Any]:
    """``xlperf review``'s results for the uploaded workbooks, each named in them as the unit
    named it: ``review``, the review workbook alone, and ``review_bundle``, a .zip of it with
    its folder of flagged copies as ``xlperf review`` lays them out (so that the links of its
    问题清单 open the flagged cells). Neither when the review cannot be made (the page then
    offers each file's flagged copy alone)."""
    import os

    from xlperf.review import review
    from xlperf.review.workbook import default_flagged_dir

    src = folder / "files"
    taken: set[str] = set()
    for upload in workbooks:
        parts = [disk_name(p) for p in re.split(r"[\\/]", upload.name) if p not in ("", ".", "..")]
        relative = first = "/".join(parts) or disk_name(upload.name)
        stem, suffix = os.path.splitext(first)
        n = 2
        while relative.casefold() in taken:  # the same name twice: a number added
            relative = f"{stem}_{n}{suffix}"
            n += 1
        taken.add(relative.casefold())
        target = src / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(upload.path, target)
    out_dir = folder / "out"
    out = out_dir / REVIEW_NAME
    flagged = default_flagged_dir(out)
    try:
        review([src], out, flagged_dir=flagged, jobs=1)
        bundle = folder / BUNDLE_NAME
        with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(out, REVIEW_NAME)
            for path in sorted(flagged.rglob("*")):
                if path.is_file():
                    z.write(path, path.relative_to(out_dir).as_posix())
    except Exception:  # noqa: BLE001 - the findings and flagged copies still go out
        log.exception("the review workbook of an upload failed")
        return {}
    return {
        "review": {"name": REVIEW_NAME, "data": _b64(out)},
        "review_bundle": {"name": BUNDLE_NAME, "data": _b64(bundle)},
    }
