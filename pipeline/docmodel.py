"""The neutral document model that assemble builds and every writer reads.

It says what a document contains, in order, with the role of each piece; how a role looks
(font, size, spacing) is the style sheet's business, never this model's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

R = TypeVar("R")
T = TypeVar("T")

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Source:
    """Where part of a printed text comes from: ``text[start:end]`` is the value of the input's
    field ``path`` (``perspectives[1].businesses[2].highlights[1]``). The Word draft marks it, so
    that a reviewer's edit there can be written back into the input (``pipeline.review``)."""

    path: str
    start: int
    end: int


Sources = tuple[Source, ...]  # the parts of one text that come from fields (none: all gyokaku's)


def whole(path: str, text: str, start: int = 0) -> Sources:
    """``text`` from ``start`` to its end is the field ``path``'s value."""
    return (Source(path, start, len(text)),)


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
    sources: tuple[Sources, ...] = field(default=(), compare=False)  # per line


@dataclass(frozen=True)
class Heading:
    """A heading at depth ``level`` of the document's outline, printed in the style of ``role``.

    Levels have no gaps: 1 is a top section under the title (1 進捗状況, a perspective of the list,
    a business of the sheets), 2 a section within it, and so on; PDF bookmarks, tags and Word's
    outline follow them. ``role`` is the style-sheet role (``heading1``…``heading3``), by default
    ``heading{level}``: the sheets' activities are level 2 in the look of ``heading3``. A numbered
    heading keeps its number apart from its text, so that Word can number it as a list.
    """

    level: int
    text: str
    role: str = ""
    number: int | None = None
    number_format: str = ""  # how ``number`` is printed before the text: ``{n} `` → 1 進捗状況
    sources: Sources = field(default=(), compare=False)  # in ``text`` (not the number)

    @property
    def label(self) -> str:
        """The printed number (``1 ``, ``（2）``), or nothing."""
        return self.number_format.format(n=self.number) if self.number is not None else ""

    @property
    def display(self) -> str:
        """The heading as printed: its number, then its text."""
        return self.label + self.text

    @property
    def style_role(self) -> str:
        """The style-sheet role it is printed in."""
        return self.role or f"heading{self.level}"


@dataclass(frozen=True)
class Paragraph:
    """Running text; ``role`` names its style (body, note…)."""

    text: str
    role: str = "body"
    sources: Sources = field(default=(), compare=False)


@dataclass(frozen=True)
class BulletList:
    """Bulleted points; a ``\\n`` in an item is a line break inside that point."""

    items: tuple[str, ...]
    sources: tuple[Sources, ...] = field(default=(), compare=False)  # per item


@dataclass(frozen=True)
class Caption:
    """A caption over a chart or table, such as 【活動数一覧】."""

    text: str


@dataclass(frozen=True)
class Column(Generic[R, T]):
    """One column of a table, specified once: its header, relative width, body alignment, and
    what fills its cells: ``source`` of a body record ``R``, ``total`` of a total record ``T``
    (an empty cell when ``total`` is None); ``marks``: the parts of a text cell that come from
    fields of the input (a ``Bullets`` cell carries its own)."""

    header: str
    width: float
    align: Align
    source: Callable[[R], Cell]
    total: Callable[[T], str] | None = None
    marks: Callable[[R], Sources] | None = None


@dataclass(frozen=True)
class Bullets:
    """Points inside a table cell, one list item each (a writer hangs an item's wrapped lines)."""

    items: tuple[str, ...]
    sources: tuple[Sources, ...] = field(default=(), compare=False)  # per item

    def text(self, mark: str) -> str:
        """The points as plain cell text: each on its own line after ``mark``, continued lines indented."""
        return "\n".join(mark + item.replace("\n", "\n\u3000") for item in self.items)


Cell = str | Bullets  # what a table cell holds


def cell_text(cell: Cell, mark: str = "・") -> str:
    """A cell as plain text (bullet points marked with ``mark``)."""
    return cell if isinstance(cell, str) else cell.text(mark)


@dataclass(frozen=True)
class Table:
    """A ruled table: header rows, body rows, and total rows at the foot.

    ``widths`` are relative column widths; ``align`` is ``left``, ``center`` or ``right``
    per column for the body cells.
    """

    header: tuple[tuple[str, ...], ...]
    rows: tuple[tuple[Cell, ...], ...]
    totals: tuple[tuple[str, ...], ...] = ()
    widths: tuple[float, ...] = ()
    align: tuple[str, ...] = ()
    sources: tuple[tuple[Sources, ...], ...] = field(default=(), compare=False)  # body cells'

    @classmethod
    def of(cls, columns: Sequence[Column[R, T]], records: Iterable[R], totals: Iterable[T] = ()) -> Table:
        """The table of ``columns``: one header row, a row per record, a total row per total record."""
        records = tuple(records)
        marked = any(c.marks for c in columns)
        return cls(
            header=(tuple(c.header for c in columns),),
            rows=tuple(tuple(c.source(r) for c in columns) for r in records),
            sources=tuple(tuple(c.marks(r) if c.marks else () for c in columns) for r in records)
            if marked
            else (),
            totals=tuple(tuple(c.total(t) if c.total else "" for c in columns) for t in totals),
            widths=tuple(c.width for c in columns),
            align=tuple(c.align for c in columns),
        )


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


# --- a plain-text dump of a document, for review and golden tests ---------------------------------


def dump(doc: Document) -> str:
    """``doc`` as stable, line-oriented text: its properties, then every block in order.

    One block starts one unindented line (its kind, then level or role, then ``:`` and its text);
    what a block holds follows indented by two spaces. A line break inside a text continues it on
    the next line, indented two spaces further. Table rows are ``| cell | cell |`` lines; a table
    with a line break in any cell shows each row as one ``header: text`` line per cell instead.
    """
    meta = doc.meta
    out = [f"document {doc.name} {doc.orientation}"]
    out += _text("  title: ", meta.title)
    out += _text("  author: ", meta.author)
    out += _text("  subject: ", meta.subject)
    out.append(f"  date: {meta.date.isoformat()}")
    out.append(f"  language: {meta.language}")
    out += _text("  keywords: ", " / ".join(meta.keywords))
    for block in doc.blocks:
        out += _block(block)
    return "\n".join(out) + "\n"


def _text(prefix: str, text: str) -> list[str]:
    """``prefix`` and the text's first line; further lines two spaces deeper than the prefix."""
    first, *rest = text.split("\n")
    indent = " " * (len(prefix) - len(prefix.lstrip(" ")) + 2)
    head = prefix + first if first else prefix.rstrip(" ")
    return [head, *(indent + line if line else "" for line in rest)]


def _block(block: Block) -> list[str]:
    if isinstance(block, DocNumber):
        return _text("docnumber: ", block.text)
    if isinstance(block, TitleBlock):
        return ["title:", *(line for text in block.lines for line in _text("  ", text))]
    if isinstance(block, Heading):
        look = f" ({block.role})" if block.role else ""
        return _text(f"heading {block.level}{look}: ", block.display)
    if isinstance(block, Paragraph):
        return _text(f"paragraph {block.role}: ", block.text)
    if isinstance(block, BulletList):
        return ["bullets:", *(line for item in block.items for line in _text("  - ", item))]
    if isinstance(block, Caption):
        return _text("caption: ", block.text)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        lines = ["chart:", *(f"  slice {s.label}: {s.value}" for s in block.slices)]
        lines += _text("  center: ", " / ".join(block.center))
        return lines + _text("  alt: ", block.alt_text)
    return ["pagebreak"]


def _table(table: Table) -> list[str]:
    n = max((len(r) for r in (*table.header, *table.rows, *table.totals)), default=0)
    lines = [f"table: {n} columns"]
    lines.append("  widths: " + " ".join(f"{w:g}" for w in table.widths))
    lines.append("  align: " + " ".join(table.align))
    for row in table.header:
        lines += _text("  header: ", "| " + " | ".join(row) + " |")
    texts = tuple(tuple(cell_text(cell) for cell in row) for row in table.rows)
    groups = (("row", texts), ("total", table.totals))
    if not any("\n" in cell for _, rows in groups for row in rows for cell in row):
        return lines + [f"  {kind}: | " + " | ".join(row) + " |" for kind, rows in groups for row in rows]
    names = table.header[-1] if table.header else tuple(str(j) for j in range(1, n + 1))
    for kind, rows in groups:
        for i, row in enumerate(rows, start=1):
            lines.append(f"  {kind} {i}:")
            for name, cell in zip(names, row):
                lines += _text(f"    {name}: ", cell)
    return lines


REVIEW_NS = "urn:gyokaku:review:1"  # the Word draft's part holding ``field_texts``' digests


def text_digest(text: str) -> str:
    """A short digest of a field's printed text: what the Word draft keeps of it as built (12 hex
    digits of BLAKE2b: the draft only needs to tell whether a text is still the one it was)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def field_texts(doc: Document) -> dict[str, str]:
    """Each input field the document prints, by path: its text as printed (the first printing),
    read from the blocks' sources (what the Word draft carries as the review's starting point)."""
    out: dict[str, str] = {}

    def take(text: str, sources: Sources) -> None:
        for s in sources:
            out.setdefault(s.path, text[s.start : s.end])

    for block in doc.blocks:
        if isinstance(block, TitleBlock):
            for line, line_sources in zip(block.lines, block.sources):
                take(line, line_sources)
        elif isinstance(block, (Heading, Paragraph)):
            take(block.text, block.sources)
        elif isinstance(block, BulletList):
            for item, item_sources in zip(block.items, block.sources):
                take(item, item_sources)
        elif isinstance(block, Table):
            for r, row in enumerate(block.rows):
                row_sources = block.sources[r] if r < len(block.sources) else ()
                for c, cell in enumerate(row):
                    if isinstance(cell, Bullets):  # a Bullets cell carries its own, per item
                        for item, item_sources in zip(cell.items, cell.sources):
                            take(item, item_sources)
                    elif c < len(row_sources):
                        take(cell, row_sources[c])
    return out
