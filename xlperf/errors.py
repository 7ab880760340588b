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

    def __str__(self) -> str:
        where = self.path
        if self.sheet:
            where += f":{self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        return f"{where}: {self.message}"
