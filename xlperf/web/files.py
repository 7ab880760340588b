"""One file of an upload: the name the unit gave it (display text only) and the name of our own
making it is stored under, so that no name reaches outside the request's folder; and the refusal
of a whole upload."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
ARCHIVE_SUFFIX = ".zip"
MAX_FILES = 200  # workbooks in one upload, archives expanded
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


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


def refused(name: str, message: str) -> dict[str, Any]:
    """A file left out of the check, as the answer lists it: its name and the reason."""
    return {"name": name, "error": message, "forms": [], "errors": 0, "warnings": 0}
