"""The workbooks of an upload, its .zip archives expanded within fixed bounds (members, total
size, compression ratio; nested archives are not expanded)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlperf import limits
from xlperf.web.files import (
    ARCHIVE_SUFFIX,
    MAX_FILES,
    WORKBOOK_SUFFIXES,
    Upload,
    UploadRefused,
    disk_name,
    refused,
)

# A .zip of workbooks is bounded as the loader bounds a workbook's own package (xlperf.limits):
# parts, ratio, total size; each workbook taken out of it no larger than a workbook may be.
ZIP_MAX_MEMBERS = limits.MAX_ZIP_MEMBERS
ZIP_MAX_MEMBER_BYTES = limits.MAX_FILE_BYTES  # one member, uncompressed
ZIP_MAX_TOTAL_BYTES = limits.MAX_TOTAL_BYTES  # all members of all archives, uncompressed
ZIP_MAX_RATIO = limits.MAX_RATIO  # uncompressed ÷ compressed size of a member over the floor
ZIP_RATIO_FLOOR = limits.RATIO_FLOOR
_CHUNK = 1024 * 1024


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
                refused(
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
                    refused(name, f"压缩包中有 {len(infos)} 个文件，超过上限 {ZIP_MAX_MEMBERS} 个")
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
                    refused(
                        name,
                        f"压缩包中的工作簿解压后共 {limits.mb(total)}，"
                        f"超过上限 {limits.mb(ZIP_MAX_TOTAL_BYTES)}",
                    )
                )
                return
            if out.expanded + total > ZIP_MAX_TOTAL_BYTES:
                out.refused.append(
                    refused(
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
                    out.refused.append(refused(shown, reason))
                    continue
                slot = upload.path.parent / f"zip{len(out.workbooks) + 1:03d}"
                slot.mkdir()
                target = slot / disk_name(member)
                try:
                    _extract(z, info, target)
                except (zipfile.BadZipFile, EOFError, NotImplementedError, OSError, RuntimeError):
                    # a bad CRC, an encrypted member, a stream longer than it says
                    target.unlink(missing_ok=True)
                    out.refused.append(refused(shown, "压缩包中的此文件已损坏或设有密码，无法解压"))
                    continue
                out.workbooks.append(Upload(shown, target))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        out.refused.append(refused(name, f"压缩包已损坏或格式不受支持（{type(exc).__name__}）"))
        return
    except (OSError, RuntimeError) as exc:  # an encrypted directory, a truncated file
        out.refused.append(refused(name, f"压缩包已损坏或设有密码（{type(exc).__name__}）"))
        return
    if nested:
        out.notes.append(
            f"{name}：其中的 {nested} 个压缩包未展开（压缩包中的压缩包请先解压再上传）"
        )
    if skipped:
        out.notes.append(f"{name}：其中的 {skipped} 个文件不是 Excel 工作簿，已跳过")
    if not chosen and not nested:
        out.refused.append(refused(name, "压缩包中没有 .xlsx、.xlsm 或 .xls 工作簿"))


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
