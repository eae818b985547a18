"""The neutral document model that assemble builds and every writer reads.

It says what a document contains, in order, with the role of each piece; how a role looks
(font, size, spacing) is the style sheet's business, never this model's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Meta:
    """Document properties: what a PDF's info dictionary and a DOCX's core properties carry."""

    title: str
    author: str
    subject: str
    date: dt.date
    language: str = "ja-JP"
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocNumber:
    """A document number such as 資料1-1, printed at the top right of the first page."""

    text: str


@dataclass(frozen=True)
class TitleBlock:
    """The title lines at the head of a document."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    """A heading; level 1 is a numbered section (1 進捗状況), 2 a perspective, 3 a business."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """Running text; ``role`` names its style (body, note…)."""

    text: str
    role: str = "body"


@dataclass(frozen=True)
class BulletList:
    """Bulleted points; a ``\\n`` in an item is a line break inside that point."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Caption:
    """A caption over a chart or table, such as 【活動数一覧】."""

    text: str


@dataclass(frozen=True)
class Table:
    """A ruled table: header rows, body rows, and total rows at the foot.

    ``widths`` are relative column widths; ``align`` is ``left``, ``center`` or ``right``
    per column for the body cells.
    """

    header: tuple[tuple[str, ...], ...]
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[tuple[str, ...], ...] = ()
    widths: tuple[float, ...] = ()
    align: tuple[str, ...] = ()


@dataclass(frozen=True)
class Slice:
    """One slice of a chart."""

    label: str
    value: int


@dataclass(frozen=True)
class Chart:
    """A doughnut chart of counts; ``center`` is printed in its hole."""

    slices: tuple[Slice, ...]
    alt_text: str
    center: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = DocNumber | TitleBlock | Heading | Paragraph | BulletList | Caption | Table | Chart | PageBreak


@dataclass(frozen=True)
class Document:
    """One document: its properties, page orientation and blocks in reading order."""

    name: str
    meta: Meta
    blocks: tuple[Block, ...]
    orientation: str = "portrait"
