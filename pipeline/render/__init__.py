"""Stage 4, render: one writer per format, each reading the document model and the style sheet.

``FORMATS`` is the one registry of formats: the command line's ``--format``, the build and the
batch all read it. A new format is one module in this package with a class that follows
``Writer`` and one line below. A writer's module is imported only when its format is used
(reportlab's and python-docx's imports cost 0.1–0.2 s each), so this module imports no format
library.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from ..docmodel import Document
from ..style import StyleSheet


class RenderError(Exception):
    """A document a writer cannot make with this style sheet (the message says why, in Japanese)."""


class Writer(Protocol):
    """Turns an assembled document into the bytes of one file; computes nothing of its own."""

    def __init__(self, style: StyleSheet, font_files: dict[str, Path]) -> None: ...

    def render(self, doc: Document) -> bytes:
        """The file's bytes: the same document and style always give the same bytes."""
        ...


@dataclass(frozen=True)
class Format:
    """A format: its file suffix, where its writer lives, and whether ``build`` makes it by default."""

    suffix: str
    module: str
    writer: str
    default: bool
    label: str
    documents: tuple[str, ...] | None = None  # the documents it can make (None: all)

    def makes(self, document: str) -> bool:
        """Whether this format has a file for ``document`` (``summary``, ``list``, ``sheets``)."""
        return self.documents is None or document in self.documents


FORMATS: dict[str, Format] = {
    "docx": Format("docx", "pipeline.render.docx", "DocxWriter", True, "Word（確認・編集用の原稿）"),
    "pdf": Format("pdf", "pipeline.render.pdf", "PdfWriter", True, "PDF（公表用）"),
    "html": Format("html", "pipeline.render.html", "HtmlWriter", False, "HTML（ウェブ掲載用）"),
    "csv": Format("csv", "pipeline.render.csvdata", "CsvWriter", False, "CSV（オープンデータ）", ("list",)),
}


def default_formats() -> tuple[str, ...]:
    """The formats ``build`` makes when ``--format`` is not given, in registry order."""
    return tuple(name for name, fmt in FORMATS.items() if fmt.default)


def writer_class(name: str) -> type[Writer]:
    """The writer class of format ``name`` (its module imported now)."""
    fmt = FORMATS[name]
    return cast("type[Writer]", getattr(importlib.import_module(fmt.module), fmt.writer))
