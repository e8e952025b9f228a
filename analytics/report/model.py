"""The content model of a report: an ordered list of blocks, independent of any file format.

Builders in this package (one module per report kind) compute the content from the analytics
functions; a writer (``ui/docx_writer.py``) renders it. Charts travel as Vega-Lite specs (plain
dicts made with Altair), so the writer renders exactly the specs the builders made, offline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from analytics.filters import CaseFilter

Progress = Callable[[float, str], None]
# How a builder calls an analytics function ``fn(con, *args, **kwargs)``: directly, or through the
# app's shared cache (``Ctx.run``), so a report reuses what the pages already computed.
Runner = Callable[..., Any]


def no_progress(_fraction: float, _message: str) -> None:
    """The default progress callback: nothing."""


@dataclass(frozen=True)
class ReportRequest:
    """What to report on: kind, case filter (its year range is ignored), period, layout."""

    kind: str
    flt: CaseFilter
    start: dt.date
    end: dt.date
    brief: bool = False
    meta: Mapping[str, str] = field(default_factory=dict)  # the store's metadata
    ranges: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)  # overrides
    issued: dt.date | None = None  # the date printed on the title page (default: today)

    @property
    def synthetic(self) -> bool:
        """True when the store holds generated demo data."""
        return self.meta.get("dataset") == "synthetic"


@dataclass(frozen=True)
class TitlePage:
    """Cover: title, the issuing court, period, date, classification and an optional notice."""

    title: str
    court: str
    period: str
    date: str
    classification: str = "内部资料"
    notice: str | None = None  # e.g. the synthetic-data notice
    scope: str | None = None  # the filters, when the report does not cover all cases


@dataclass(frozen=True)
class Toc:
    """A table of contents (a Word TOC field, filled when the document is opened/updated)."""

    title: str = "目录"
    levels: int = 2


@dataclass(frozen=True)
class Heading:
    """A numbered heading as text (一、…; （一）…); level 1 or 2."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Body text; ``style`` is 'body', 'note' (small, e.g. sources) or 'lead' (bold first line)."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class Table:
    """A table: a caption, header cells and rows of already formatted text (never NaN)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str | None = None
    font_pt: float = 9.0
    widths: tuple[float, ...] | None = None  # relative column widths (None: equal)


@dataclass(frozen=True)
class Figure:
    """A chart or map as a Vega-Lite spec, rendered to PNG by the writer at ``width_cm``."""

    caption: str
    spec: dict[str, Any]
    width_cm: float = 15.0
    note: str | None = None


@dataclass(frozen=True)
class Grid:
    """Figures or small tables (None: an empty cell) laid out in a borderless table, row by row."""

    cells: tuple[Figure | Table | None, ...]
    columns: int = 2


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = TitlePage | Toc | Heading | Paragraph | Table | Figure | Grid | PageBreak


@dataclass
class Report:
    """A report ready to be written: blocks in order plus what the writer needs to know."""

    kind: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    brief: bool = False  # the one-page 简报 layout (narrow margins, no title page)
    footer: str = ""  # text beside the page number
    indicators: list[str] = field(default_factory=list)  # indicator names used (for 附表)

    def add(self, *blocks: Block | None) -> None:
        """Append blocks, skipping None (a block with nothing to say is left out)."""
        self.blocks.extend(b for b in blocks if b is not None)

    def headings(self) -> list[str]:
        """The headings' texts in order."""
        return [b.text for b in self.blocks if isinstance(b, Heading)]

    def figures(self) -> list[Figure]:
        """Every figure, including those inside grids."""
        out: list[Figure] = []
        for b in self.blocks:
            if isinstance(b, Figure):
                out.append(b)
            elif isinstance(b, Grid):
                out.extend(c for c in b.cells if isinstance(c, Figure))
        return out
