"""What a check run changed, kept inside the workbook so that 清除标记 can undo it exactly.

The journal is a very hidden sheet of JSON lines, one per changed cell, holding what the cell was
before: its value and number format for a filled computed field, its fill and note for a flag.
It travels with the workbook, so a server that sees only cell values can clear flags too.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel

JOURNAL_SHEET = "xlperf_记录"
RESULTS_SHEET = "检查结果"
JOURNAL_HEADER = "xlperf journal v1"


class Entry(BaseModel):
    kind: Literal["value", "mark"]
    sheet: str
    cell: str
    value: Any = None  # previous value (kind "value")
    number_format: str | None = None  # previous number format (kind "value")
    fill: str | None = None  # previous fill as openpyxl XML (file front)
    color: str | None = None  # previous fill colour as hex RGB, "" for none (both fronts)
    note: str | None = None  # previous note text, None when the cell had none
    note_author: str | None = None


class Journal(BaseModel):
    entries: list[Entry] = []
    results_sheet_created: bool = True

    def to_rows(self) -> list[str]:
        meta = json.dumps({"results_sheet_created": self.results_sheet_created})
        return [
            JOURNAL_HEADER,
            meta,
            *(e.model_dump_json(exclude_none=False) for e in self.entries),
        ]

    @classmethod
    def from_rows(cls, rows: list[Any]) -> Journal:
        texts = [r for r in rows if isinstance(r, str) and r.strip()]
        if not texts or texts[0] != JOURNAL_HEADER:
            return cls()
        meta = json.loads(texts[1]) if len(texts) > 1 else {}
        entries = [Entry.model_validate_json(t) for t in texts[2:]]
        return cls(entries=entries, results_sheet_created=meta.get("results_sheet_created", True))
