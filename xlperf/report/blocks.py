"""The report as data: headings, paragraphs of spans and tables, which the writers lay out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A piece of a paragraph; ``blank`` marks a place needing human words (shown highlighted)."""

    text: str
    blank: bool = False


@dataclass(frozen=True)
class Para:
    """A paragraph: ``body`` text, a ``note`` to the reader, an ``item`` of a list, a
    ``finding`` of the check, a ``sign`` (signature line)."""

    spans: tuple[Span, ...]
    kind: str = "body"

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: 一、… ; 2: （一）… / 1、…


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # column widths (cm on A4 portrait; scaled to fit the page)
    total_row: bool = False  # the last row is a 合计 row
    align: tuple[str, ...] = ()  # per column "left"/"center"/"right"; empty: the figures layout
    appendix: bool = False  # an 附表: starts a new page after the report's signature


Block = Heading | Para | Table


@dataclass(frozen=True)
class Report:
    title_lines: tuple[str, ...]  # the title as printed: unit name, then the report's name
    subtitle: str
    blocks: tuple[Block, ...]

    @property
    def title(self) -> str:
        return "".join(self.title_lines)


@dataclass(frozen=True)
class ReportContent:
    """Every report of one workbook, in the order they print."""

    source: str
    reports: tuple[Report, ...]


def blank(what: str) -> Span:
    return Span(f"【待填写：{what}】", blank=True)


def para(*parts: str | Span, kind: str = "body") -> Para:
    return Para(tuple(p if isinstance(p, Span) else Span(p) for p in parts), kind)
