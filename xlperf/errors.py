"""Errors that end the processing of one input, each a one-line Chinese message."""

from __future__ import annotations


class InputError(Exception):
    """An input that cannot be processed: names the file, and the sheet and cell when known."""

    def __init__(self, path: str, message: str, sheet: str | None = None, cell: str | None = None):
        self.path = path
        self.message = message
        self.sheet = sheet
        self.cell = cell
        super().__init__(str(self))

    def __reduce__(self):  # a worker process sends it back whole, not as its text only
        return (type(self), (self.path, self.message, self.sheet, self.cell))

    def __str__(self) -> str:
        where = self.path
        if self.sheet:
            where += f":{self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        return f"{where}: {self.message}"


DEBUG_ENV = "XLPERF_DEBUG"  # =1: let internal errors raise with their traceback


def internal_error(path: object, exc: BaseException) -> InputError:
    """An unexpected failure on one file as its one Chinese line (never a traceback, never a
    result: the commands exit 2 with it)."""
    lines = str(exc).strip().splitlines()
    detail = lines[0][:200].strip() if lines else ""
    kind = type(exc).__name__ + (f": {detail}" if detail else "")
    return InputError(str(path), f"内部错误（{kind}），请将此文件报告给开发者")
