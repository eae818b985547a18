"""The stages in order, for one input: load → aggregate → assemble → render → write."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import assemble
from .aggregate import aggregate
from .docmodel import Document
from .fonts import locate_all
from .load import InputError, Problem, load
from .model import ReportInput, Text
from .render import FORMATS as REGISTRY
from .render import Writer, default_formats, writer_class
from .style import StyleError, StyleSheet, load_style, printed_texts

FORMATS = default_formats()  # what ``build`` makes unless ``--format`` says otherwise
DOCUMENTS = ("summary", "list", "sheets")  # what ``--only`` chooses from, in build order


@dataclass
class Renderers:
    """The style sheet, its fonts (located and parsed once) and one writer per format."""

    style: StyleSheet
    font_files: dict[str, Path]
    writers: dict[str, Writer] = field(default_factory=dict)
    style_name: str = "default"

    @classmethod
    def create(cls, style_name: str = "default") -> Renderers:
        style = load_style(style_name)
        return cls(style, locate_all(style), style_name=style_name)

    def check_printed_texts(self) -> None:
        """Refuse a style sheet whose printed texts (bullet mark, page number) the fonts lack."""
        missing = unprintable_texts(printed_texts(self.style_name), self.covered())
        if missing:
            lines = "\n".join(f"  {problem}" for problem in missing)
            raise StyleError(f"スタイルシートにフォントで印刷できない文字があります。\n{lines}", missing)

    def writer(self, fmt: str) -> Writer:
        """The writer of format ``fmt``, made on first use (see ``render.FORMATS``)."""
        if fmt not in self.writers:
            self.writers[fmt] = writer_class(fmt)(self.style, self.font_files)
        return self.writers[fmt]

    def covered(self) -> frozenset[int]:
        """Code points every font of the style sheet can print."""
        from .render.pdf import covered_codepoints

        return covered_codepoints(self.font_files)


def documents(data: ReportInput, only: tuple[str, ...] = DOCUMENTS) -> list[Document]:
    """The documents of one input named in ``only``, assembled, in ``DOCUMENTS`` order."""
    counts = aggregate(data)
    makers = {
        "summary": lambda: assemble.summary(data, counts),
        "list": lambda: assemble.activity_list(data, counts),
        "sheets": lambda: assemble.sheets(data, counts),
    }
    return [makers[name]() for name in DOCUMENTS if name in only]


def file_name(source: Path, name: str, fmt: str) -> str:
    """hiratsuka-2022-h1.pdf for the summary, hiratsuka-2022-h1-list.pdf, …-sheets.pdf."""
    suffix = REGISTRY[fmt].suffix if fmt in REGISTRY else fmt
    if name == "summary":
        return f"{source.stem}.{suffix}"
    return f"{source.stem}-{name}.{suffix}"


def unprintable(data: ReportInput, covered: frozenset[int]) -> list[Problem]:
    """Characters of the input that the fonts cannot print, located."""
    return unprintable_texts(data.texts, covered)


def unprintable_texts(texts: Iterable[Text], covered: frozenset[int]) -> list[Problem]:
    """Characters of located texts that the fonts cannot print, one problem per character and text."""
    problems = []
    for text in texts:
        missing = sorted({ch for ch in text.value if ch != "\n" and ord(ch) not in covered})
        for ch in missing:
            problems.append(
                Problem(
                    text.loc,
                    text.path,
                    f"文字「{ch}」（U+{ord(ch):04X}）はフォントにないため印刷できません。",
                )
            )
    return problems


@dataclass
class Result:
    """What building one input gave: files to write and warnings to show."""

    files: dict[Path, bytes]
    warnings: list[Problem]


def render_input(
    source: Path,
    renderers: Renderers,
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    strict: bool = False,
    only: tuple[str, ...] = DOCUMENTS,
) -> Result:
    """Load, check, assemble and render one input (nothing is written here)."""
    data = load(source)
    warnings = checked(data, renderers, strict)
    return Result(render_tasks(data, source, renderers, out_dir, tasks(formats, only)), warnings)


def checked(data: ReportInput, renderers: Renderers, strict: bool) -> list[Problem]:
    """What to warn about: the loader's warnings (a renamed activity, the end of the previous
    reports), then characters the fonts cannot print, which ``strict`` refuses."""
    missing = unprintable(data, renderers.covered())
    if missing and strict:
        raise InputError(missing)
    return [*data.warnings, *missing]


Task = tuple[str, str]  # a document's name and a format


def tasks(formats: tuple[str, ...], only: tuple[str, ...] = DOCUMENTS) -> list[Task]:
    """The files of one input in build order: each document (``DOCUMENTS`` order), each format."""
    return [
        (name, fmt)
        for name in DOCUMENTS
        if name in only
        for fmt in formats
        if fmt not in REGISTRY or REGISTRY[fmt].makes(name)
    ]


def render_tasks(
    data: ReportInput, source: Path, renderers: Renderers, out_dir: Path, chosen: list[Task]
) -> dict[Path, bytes]:
    """The files of ``chosen`` (documents assembled once each), in the order given."""
    names = tuple(dict.fromkeys(name for name, _ in chosen))
    docs = {doc.name: doc for doc in documents(data, names)}
    files: dict[Path, bytes] = {}
    for name, fmt in chosen:
        doc = docs[name]
        files[out_dir / file_name(source, name, fmt)] = renderers.writer(fmt).render(doc)
    return files
