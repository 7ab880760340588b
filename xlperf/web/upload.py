"""What a unit uploads through the page: parsed, expanded, checked and flagged in one temporary
folder that the server deletes after the request.

Nothing here trusts the upload: file names are display text only (each file is stored under a
name of our own making, so no name reaches outside the folder), a .zip is expanded within fixed
bounds (members, total size, compression ratio; nested archives are not expanded), and each
workbook goes through the same functions as ``xlperf check`` (:func:`read_workbook`,
:func:`check_workbook`) and ``xlperf fix`` (:func:`fix_file`) for its flagged copy, with the
loader's own bounds on what a workbook may make xlperf read. One file that cannot be read is a
Chinese message in the answer, never the end of the request.
"""

from __future__ import annotations

import base64
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from xlperf import limits
from xlperf.errors import InputError
from xlperf.findings import Finding
from xlperf.registry import SEVERITY_NAME

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
ARCHIVE_SUFFIX = ".zip"
MAX_FILES = 200  # workbooks in one upload, archives expanded
MAX_FIELD_BYTES = 1024  # a form field that is not a file (none is expected)
# A .zip of workbooks is bounded as the loader bounds a workbook's own package (xlperf.limits):
# parts, ratio, total size; each workbook taken out of it no larger than a workbook may be.
ZIP_MAX_MEMBERS = limits.MAX_ZIP_MEMBERS
ZIP_MAX_MEMBER_BYTES = limits.MAX_FILE_BYTES  # one member, uncompressed
ZIP_MAX_TOTAL_BYTES = limits.MAX_TOTAL_BYTES  # all members of all archives, uncompressed
ZIP_MAX_RATIO = limits.MAX_RATIO  # uncompressed ÷ compressed size of a member over the floor
ZIP_RATIO_FLOOR = limits.RATIO_FLOOR
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_CHUNK = 1024 * 1024


class UploadRefused(Exception):
    """The whole upload is refused: the HTTP status and the Chinese message for the page."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Upload:
    """One file of the upload: the name the unit gave it (display text) and where it is."""

    name: str
    path: Path


def display_name(name: str) -> str:
    """The last part of a file name as sent (old browsers send the whole Windows path), at most
    200 characters."""
    return re.split(r"[\\/]", name)[-1].strip()[:200] or "未命名"


def disk_name(name: str) -> str:
    """A name for the file on disk made from the one sent: no path, no character a file system
    or a shell treats specially, at most 100 characters, its suffix kept."""
    base = _UNSAFE.sub("_", display_name(name)).strip(" .") or "未命名"
    stem, dot, suffix = base.rpartition(".")
    if not dot or len(suffix) > 8:
        stem, suffix = base, ""
    stem = stem[: 100 - len(suffix) - 1] or "未命名"
    return f"{stem}.{suffix}" if suffix else stem


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


@dataclass
class Expanded:
    """The workbooks of an upload once its archives are expanded, and what was left out."""

    workbooks: list[Upload] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)  # files with their reason
    notes: list[str] = field(default_factory=list)
    expanded: int = 0  # bytes the archives declare for the workbooks taken out of them


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker wrote it: Windows' zip tools store GBK without saying so."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", "replace")
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def _refused(name: str, message: str) -> dict[str, Any]:
    return {"name": name, "error": message, "forms": [], "errors": 0, "warnings": 0}


def expand(uploads: list[Upload], max_files: int = MAX_FILES) -> Expanded:
    """The uploaded workbooks, each archive's workbooks in its place (within the bounds above)."""
    out = Expanded()
    for upload in uploads:
        suffix = Path(upload.name).suffix.lower()
        if suffix == ARCHIVE_SUFFIX:
            _expand_zip(upload, out)
        elif suffix in WORKBOOK_SUFFIXES:
            out.workbooks.append(upload)
        else:
            out.refused.append(
                _refused(
                    upload.name, "不是 Excel 工作簿：只接受 .xlsx、.xlsm、.xls 文件或其 .zip 压缩包"
                )
            )
        if len(out.workbooks) > max_files:
            raise UploadRefused(
                413, f"一次最多检查 {max_files} 个工作簿（含压缩包中的），请分批上传"
            )
    return out


def _expand_zip(upload: Upload, out: Expanded) -> None:
    name = upload.name
    try:
        with zipfile.ZipFile(upload.path) as z:
            infos = z.infolist()
            if len(infos) > ZIP_MAX_MEMBERS:
                out.refused.append(
                    _refused(name, f"压缩包中有 {len(infos)} 个文件，超过上限 {ZIP_MAX_MEMBERS} 个")
                )
                return
            chosen, skipped, nested = _choose_members(infos)
            if len(out.workbooks) + len(chosen) > MAX_FILES:
                raise UploadRefused(
                    413, f"一次最多检查 {MAX_FILES} 个工作簿（含压缩包中的），请分批上传"
                )
            total = sum(info.file_size for _, info in chosen)
            if total > ZIP_MAX_TOTAL_BYTES:
                out.refused.append(
                    _refused(
                        name,
                        f"压缩包中的工作簿解压后共 {limits.mb(total)}，"
                        f"超过上限 {limits.mb(ZIP_MAX_TOTAL_BYTES)}",
                    )
                )
                return
            if out.expanded + total > ZIP_MAX_TOTAL_BYTES:
                out.refused.append(
                    _refused(
                        name,
                        f"各压缩包中的工作簿解压后合计超过上限 "
                        f"{limits.mb(ZIP_MAX_TOTAL_BYTES)}，请分批上传",
                    )
                )
                return
            out.expanded += total
            for member, info in chosen:
                shown = f"{name}/{member[:200]}"
                reason = _member_refusal(info)
                if reason:
                    out.refused.append(_refused(shown, reason))
                    continue
                slot = upload.path.parent / f"zip{len(out.workbooks) + 1:03d}"
                slot.mkdir()
                target = slot / disk_name(member)
                try:
                    _extract(z, info, target)
                except (zipfile.BadZipFile, EOFError, NotImplementedError, OSError, RuntimeError):
                    # a bad CRC, an encrypted member, a stream longer than it says
                    target.unlink(missing_ok=True)
                    out.refused.append(
                        _refused(shown, "压缩包中的此文件已损坏或设有密码，无法解压")
                    )
                    continue
                out.workbooks.append(Upload(shown, target))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        out.refused.append(_refused(name, f"压缩包已损坏或格式不受支持（{type(exc).__name__}）"))
        return
    except (OSError, RuntimeError) as exc:  # an encrypted directory, a truncated file
        out.refused.append(_refused(name, f"压缩包已损坏或设有密码（{type(exc).__name__}）"))
        return
    if nested:
        out.notes.append(
            f"{name}：其中的 {nested} 个压缩包未展开（压缩包中的压缩包请先解压再上传）"
        )
    if skipped:
        out.notes.append(f"{name}：其中的 {skipped} 个文件不是 Excel 工作簿，已跳过")
    if not chosen and not nested:
        out.refused.append(_refused(name, "压缩包中没有 .xlsx、.xlsm 或 .xls 工作簿"))


def _choose_members(
    infos: list[zipfile.ZipInfo],
) -> tuple[list[tuple[str, zipfile.ZipInfo]], int, int]:
    chosen, skipped, nested = [], 0, 0
    for info in infos:
        if info.is_dir():
            continue
        member = _member_name(info).replace("\\", "/")
        base = member.rsplit("/", 1)[-1]
        if member.startswith("__MACOSX/") or base.startswith(("~$", "._")):
            continue
        suffix = Path(base).suffix.lower()
        if suffix == ARCHIVE_SUFFIX:
            nested += 1
        elif suffix in WORKBOOK_SUFFIXES:
            chosen.append((member.lstrip("/"), info))
        else:
            skipped += 1
    return chosen, skipped, nested


def _member_refusal(info: zipfile.ZipInfo) -> str | None:
    if info.file_size > ZIP_MAX_MEMBER_BYTES:
        return (
            f"解压后为 {limits.mb(info.file_size)}，"
            f"超过单个文件的上限 {limits.mb(ZIP_MAX_MEMBER_BYTES)}"
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO:
        return f"压缩比为 {ratio:.0f}:1，超过上限 {ZIP_MAX_RATIO}:1（疑似压缩炸弹），未解压"
    return None


def _extract(z: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Copy one member, never more than it declares (zipfile stops there and checks its CRC)."""
    written = 0
    with z.open(info) as src, target.open("wb") as dst:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > info.file_size:
                raise OSError("member larger than declared")
            dst.write(chunk)


def _finding(f: Finding) -> dict[str, str]:
    return {
        "cell": f.cell,
        "code": f.code,
        "severity": f.severity,
        "level": SEVERITY_NAME.get(f.severity, "警告"),
        "message": f.message,
    }


def _forms(book: Any, findings: list[Finding]) -> list[dict[str, Any]]:
    """The findings grouped by form (sheet), in the workbook's sheet order; every form read is
    listed, one without findings too."""
    titles: dict[str, list[str]] = {}
    for p in book.projects:
        titles.setdefault(p.sheet, []).append(p.project_name.text or "项目支出绩效自评表")
    for s in book.summaries:
        titles.setdefault(s.sheet, []).append("项目支出自评汇总表")
    for d in book.departments:
        titles.setdefault(d.sheet, []).append("部门整体支出绩效自评表")
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
        return _refused(upload.name, _message(exc))
    except RecursionError:
        return _refused(upload.name, "工作簿结构嵌套过深，无法读取")
    except Exception:  # noqa: BLE001 - one file must not end the request; the log has it
        log.exception("checking an uploaded workbook failed")
        return _refused(
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
