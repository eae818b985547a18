"""reportlab's internals that gyokaku's PDF writer relies on: the one module that touches them.

Everything else in ``render/`` uses reportlab's documented API and this module. Verified with
reportlab 5.1.0 (``VERIFIED``; the tests ``test_pdftext``, ``test_kinsoku``,
``test_render_pdf_long`` and the sample's byte-identical PDFs check these assumptions, and
``test_pdftext`` fails on a version not listed). What is relied on, and where:

Import (``uri_pat``)
    ``reportlab.platypus.paragraph`` compiles at import a URL pattern beginning
    ``lazyre.REPORTLAB_URI`` (``uri_pat``); it is imported here first with that pattern deferred.

Paragraphs (``reportlab.platypus.paragraph``)
    - ``Paragraph.breakLinesCJK(maxWidths)``: what ``wrap`` calls for ``wordWrap="CJK"``;
      ``LinedParagraph`` overrides it to take its lines from ``lines_for``.
    - ``Paragraph.blPara`` with ``_splitpara``: a paragraph made by reportlab's ``split`` keeps
      the lines it was given; ``Paragraph._JustifyLast``: whether a paragraph's last line is
      justified (true for the head of a split paragraph).
    - ``cleanBlockQuotedText``: what the parser does to markup first.
    - ``Paragraph.frags`` and a frag's ``text``, ``fontName``, ``fontSize``, ``cbDefn.width``,
      ``lineBreak``; ``ABag.clone``; the parser's frags for ``"x<br/>"`` (a text frag, a break).
    - the lines ``breakLinesCJK`` returns: ``ParaLines`` of kind 0 (a clone of the frag with
      ``(extraSpace, [text])`` tuples, ``ascent``, ``descent``) or of kind 1 (``FragLine``\\ s
      with the fields ``makeCJKParaLine`` sets); ``rl_accel.sameFrag`` decides where a kind-1
      line's words begin; ``pdfmetrics.getAscentDescent`` gives a font's ascent and descent.

Flowables and tables (``reportlab.platypus``)
    - ``Flowable.drawOn(canvas, x, y, _sW)``: frames pass the room left beside a flowable as
      ``_sW`` (its alignment); ``DrawnAs`` hands it on to the flowable it draws.
    - ``Table._nrows``: the rows of a table (of the parts ``split`` returns).
    - ``Table(cellStyles=…)`` (a constructor argument the user guide does not document) and
      ``tables.CellStyle`` with the attributes ``fontname``, ``fontsize``, ``valign`` and the four
      paddings: every cell of a row given one shared style (``cell_styles``) instead of
      ``FONT``/``VALIGN``/``*PADDING`` commands, which reportlab applies cell by cell to a new
      ``CellStyle`` each (1,500-activity list with the Additions: 410,000 ``_setCellStyle`` calls,
      about 0.1 s of 1.8; the styles are read, never changed, once no command names a cell).
    - the float operations of ``Table._calc_height`` and ``_listCellGeom`` for a row of one
      flowable per cell (``row_height``): the same, so that heights handed over as
      ``rowHeights`` are those reportlab would compute.

Fonts (``reportlab.pdfbase.ttfonts``)
    - ``TTFont.face.charToGlyph``: the code points a registered font has glyphs for.

The file's objects, for tagging (``pdf_tags.finish``; ``reportlab.pdfbase.pdfdoc``)
    - ``BaseDocTemplate._doSave``: false makes ``build`` leave the canvas unsaved (as
      ``multiBuild`` does), so that objects can be added once every page is laid out.
    - ``Canvas._doc``: the ``PDFDocument``; its ``Catalog`` and ``Pages.pages`` (the finished
      ``PDFPage``\\ s, in order); ``PDFDocument.Reference`` makes an object indirect, numbered
      at once (``idToObjectNumberAndVersion``).
    - ``PDFPage.__NoDefault__`` and ``PDFCatalog.__NoDefault__`` (the same list as its
      ``__Refs__``): the keys ``format`` writes when set; ``StructParents`` and ``Tabs`` are
      added to the page's, ``OutputIntents`` to the catalog's (written as a reference).

The file's pieces (``pdf_pieces``)
    - ``PDFFile.strings``: the formatted pieces ``PDFFile.format`` joins; ``Canvas.getpdfdata``
      returns what ``format`` returns (only text is encoded on the way).

Page content encoded as each page is finished (``PageCompressingCanvas``; memory)
    - ``Canvas.showPage`` leaves the finished ``PDFPage`` last in ``_doc.Pages.pages`` with its
      content as one string in ``stream`` (``setStream``); ``PDFPage.check_format`` makes it a
      ``PDFStream`` (``__Comment__`` "page stream") with the filters ``rl_config.useA85`` says,
      only when ``Contents`` is not set yet; ``PDFStream.format`` applies the filters in reverse
      order (``PDFZCompress``, then ``PDFBase85Encode``) unless its dictionary already has a
      ``Filter``. The same stream made at once, already encoded, gives the same bytes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..lazyre import REPORTLAB_URI, deferred

with deferred(REPORTLAB_URI):  # before anything else of reportlab (40–70 ms of every PDF process)
    from reportlab import rl_config
    from reportlab.lib.rl_accel import sameFrag
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfdoc, pdfmetrics
    from reportlab.pdfbase.pdfdoc import (
        PDFArray,
        PDFBase85Encode,
        PDFDictionary,
        PDFName,
        PDFStream,
        PDFZCompress,
    )
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Flowable, Paragraph
    from reportlab.platypus.doctemplate import BaseDocTemplate
    from reportlab.platypus.paragraph import FragLine, cleanBlockQuotedText
    from reportlab.platypus.paragraph import ParaLines as ParaLines  # re-exported: the lines' type
    from reportlab.platypus.tables import CellStyle, Table

VERIFIED = ("5.1",)  # reportlab versions (major.minor) these internals were checked against
Frag = Any  # reportlab's ParaFrag: an ABag of any attributes
Line = Any  # a kind-0 line tuple or a FragLine
EMPTY = "\x00"  # stands for a frag without text (a <br/>) in a paragraph's text: never input
BR = "<br/>"

clean_markup: Callable[[str], str] = cleanBlockQuotedText


class LinedParagraph(Paragraph):
    """A CJK paragraph whose lines come from ``lines_for`` (reportlab's ``breakLinesCJK`` hook)."""

    def lines_for(self, widths: list[float]) -> ParaLines:
        """The lines for these widths (first line, later lines); subclasses say how."""
        raise NotImplementedError

    def breakLinesCJK(self, maxWidths: float | list[float] | tuple[float, ...]) -> ParaLines:
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            lines: ParaLines = self.blPara
            return lines
        self.height = 0
        return self.lines_for(list(maxWidths))

    def line_count(self, width: float) -> int:
        """How many lines the paragraph takes in a column ``width`` wide."""
        self.wrap(width, 0x7FFFFFFF)
        return len(self.blPara.lines)  # type: ignore[attr-defined]  # set by wrap, not in the stubs


class DrawnAs(Flowable):
    """A flowable drawn as another one (``drawn``), at the place and alignment a frame gives it."""

    def drawn(self) -> Flowable:
        """The flowable to draw; subclasses say which."""
        raise NotImplementedError

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        self.drawn().drawOn(canvas, x, y, _sW)  # type: ignore[call-arg]  # the stubs leave out _sW


def draw_on(flowable: Flowable, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
    """``Flowable.drawOn`` with the room beside it (``_sW``), for a subclass that wraps it."""
    Flowable.drawOn(flowable, canvas, x, y, _sW)  # type: ignore[call-arg]  # the stubs leave out _sW


def first_baseline(para: Paragraph) -> float:
    """Where ``drawPara`` puts a wrapped paragraph's first baseline, from its bottom (one font)."""
    style = para.style
    if rl_config.paraFontSizeHeightOffset:
        return float(para.height) - float(style.fontSize)
    ascent, _ = pdfmetrics.getAscentDescent(style.fontName, style.fontSize)
    return float(para.height) - float(ascent)


def set_justify_last(para: Paragraph, justify: bool) -> None:
    """Whether ``para``'s last line is justified (as reportlab does for a split paragraph's head)."""
    para._JustifyLast = justify  # type: ignore[attr-defined]  # reportlab's, not in the stubs


_PROTOTYPES: dict[int, tuple[ParagraphStyle, Frag, Frag]] = {}


def plain_frags(style: ParagraphStyle, parts: Sequence[str]) -> tuple[list[Frag], Frag]:
    """The frags the parser gives for ``parts`` joined by ``<br/>``, and the text frag's prototype.

    ``parts`` are cleaned markup without entities; the frags are clones of those parsed once
    per style.
    """
    found = _PROTOTYPES.get(id(style))
    if found is None or found[0] is not style:
        word, line_break = Paragraph("x" + BR, style).frags
        found = _PROTOTYPES[id(style)] = (style, word, line_break)
    _, word, line_break = found
    frags: list[Frag] = []
    for i, part in enumerate(parts):
        if i:
            frags.append(line_break.clone())
        if part:
            frags.append(word.clone(text=part))
    return frags, word


@dataclass(frozen=True)
class Runs:
    """A paragraph's characters in plain lists, and its runs of characters of one frag."""

    text: str  # one string, not a list of one-character strings (memory: 15,000 activities)
    widths: list[float]
    hard: list[int]  # a forced line break (<br/>) ends the line after each of these characters
    starts: list[int]  # where each run begins
    frags: list[Frag]  # each run's frag


def runs(frags: Sequence[Frag], measure: Callable[[str, str, float], list[float]]) -> Runs:
    """Each character of the paragraph with its width (``measure(chars, font, size)``)."""
    text: list[str] = []
    widths: list[float] = []
    hard: list[int] = []
    starts: list[int] = []
    owners: list[Frag] = []
    at = 0
    for frag in frags:
        chars = getattr(frag, "text", "") or EMPTY
        if hasattr(frag, "cbDefn"):
            widths += [getattr(frag.cbDefn, "width", 0)] * len(chars)
        else:
            widths += measure(chars, frag.fontName, frag.fontSize)
        if hasattr(frag, "lineBreak"):
            hard += range(at, at + len(chars))
        if not owners or owners[-1] is not frag:
            starts.append(at)
            owners.append(frag)
        text.append(chars)
        at += len(chars)
    return Runs("".join(text), widths, hard, starts, owners)


def sliced_frags(para: Runs, start: int, end: int) -> list[Frag]:
    """The frags of characters ``start:end``: text frags cut, others (a ``<br/>``) whole."""
    out: list[Frag] = []
    starts, frags = para.starts, para.frags
    for r, first in enumerate(starts):
        stop = starts[r + 1] if r + 1 < len(starts) else len(para.text)
        if stop <= start or first >= end:
            continue
        frag = frags[r]
        if getattr(frag, "text", ""):
            out.append(frag.clone(text=para.text[max(start, first) : min(end, stop)]))
        else:
            out.append(frag.clone())
    return out


def _word(text: str, start: int, end: int) -> str:
    word = text[start:end]
    return word.replace(EMPTY, "") if EMPTY in word else word


def _special(frag: Frag) -> bool:
    """reportlab's ``sameFrag`` is false for these, even with the frag itself."""
    return hasattr(frag, "cbDefn") or hasattr(frag, "lineBreak")


def plain_line(para: Runs, start: int, end: int, width: float, used: float, line_break: bool) -> Line:
    """A kind-0 line (one font): the room left and the line's text as one word."""
    return width - used, [_word(para.text, start, end)]


def plain_lines(frag: Frag, lines: list[Line]) -> ParaLines:
    """reportlab's kind-0 lines of a paragraph of one font (``frag``'s), drawn a line at a time."""
    ascent, descent = pdfmetrics.getAscentDescent(frag.fontName, frag.fontSize)
    found: ParaLines = frag.clone(kind=0, lines=lines, ascent=ascent, descent=descent)
    return found


def frag_lines(lines: list[Line]) -> ParaLines:
    """reportlab's kind-1 lines (``FragLine``\\ s), drawn frag by frag."""
    return ParaLines(kind=1, lines=lines)


def frag_line(para: Runs, start: int, end: int, width: float, used: float, line_break: bool) -> Line:
    """reportlab's ``makeCJKParaLine`` (no bounds) for ``text[start:end]``, run by run.

    reportlab compares every character's frag with its word's (``sameFrag``); characters of
    one run share a frag, so one comparison a run decides the same.
    """
    text, starts, frags = para.text, para.starts, para.frags
    words = []
    begin = start  # where the current word begins
    word: Frag = None  # the frag the current word started with
    size: float = 0
    ascent: float = 0
    descent: float = 0
    r = bisect_right(starts, start) - 1
    while r < len(starts) and starts[r] < end:
        frag = frags[r]
        first = max(start, starts[r])
        stop = min(end, starts[r + 1] if r + 1 < len(starts) else end)
        a, d = pdfmetrics.getAscentDescent(frag.fontName, frag.fontSize)
        size, ascent, descent = max(size, frag.fontSize), max(ascent, a), min(descent, d)
        if word is None or not sameFrag(word, frag):
            if word is not None:
                words.append(word.clone(text=_word(text, begin, first)))
            begin, word = first, frag
        if word is frag and _special(frag):  # every further character is a word of its own
            for k in range(first + 1, stop):
                words.append(word.clone(text=_word(text, begin, k)))
                begin = k
        r += 1
    if end > start and word is not None:
        words.append(word.clone(text=_word(text, begin, end)))
    return FragLine(
        kind=1,
        extraSpace=width - used,
        wordCount=1,
        words=words,
        fontSize=size,
        ascent=ascent,
        descent=descent,
        maxWidth=width,
        currentWidth=used,
        lineBreak=line_break,
    )


def row_count(table: Flowable) -> int:
    """How many rows a reportlab table has."""
    if not isinstance(table, Table):
        raise TypeError(f"not a table: {table!r}")
    count: int = table._nrows  # type: ignore[attr-defined]  # reportlab's, not in the stubs
    return count


def row_height(
    cells: Sequence[Flowable], widths: Sequence[float], pads: tuple[float, float, float, float]
) -> float:
    """A row's height as ``Table._calc_height`` and ``_listCellGeom`` compute it (same float operations).

    ``pads`` are the cells' left, right, top and bottom padding.
    """
    left, right, top, bottom = pads
    found: float = 0
    for cell, width in zip(cells, widths):
        _, cell_h = cell.wrap(width - left - right, 72000 - top - bottom)
        before, after = cell.getSpaceBefore(), cell.getSpaceAfter()
        t: float = 0
        t += cell_h + after + before
        t = t - before - after
        t += bottom + top
        if t > found:
            found = t
    return found


@dataclass(frozen=True)
class CellLook:
    """What a table's cells share: font, padding (left, right, top, bottom) and vertical alignment."""

    font: str
    size: float
    pads: tuple[float, float, float, float]
    valign: Literal["TOP", "MIDDLE", "BOTTOM"]


_CELL_STYLES: dict[CellLook, Any] = {}


def cell_styles(looks: Sequence[CellLook], columns: int) -> list[list[Any]]:
    """``Table``'s ``cellStyles``: row ``i``'s cells all share the style of ``looks[i]``."""
    rows = []
    for look in looks:
        style = _CELL_STYLES.get(look)
        if style is None:
            style = _CELL_STYLES[look] = CellStyle(f"gyokaku:{look.valign}")
            style.fontname, style.fontsize = look.font, look.size
            style.leftPadding, style.rightPadding, style.topPadding, style.bottomPadding = look.pads
            style.valign = look.valign
        rows.append([style] * columns)
    return rows


def char_to_glyph(font_name: str) -> frozenset[int]:
    """The code points the registered TrueType font ``font_name`` has glyphs for."""
    font = pdfmetrics.getFont(font_name)
    if not isinstance(font, TTFont):
        raise TypeError(f"{font_name} is not a TrueType font")
    return frozenset(font.face.charToGlyph)


for _key in ("StructParents", "Tabs"):
    if _key not in pdfdoc.PDFPage.__NoDefault__:
        pdfdoc.PDFPage.__NoDefault__.append(_key)
if "OutputIntents" not in pdfdoc.PDFCatalog.__NoDefault__:
    pdfdoc.PDFCatalog.__NoDefault__.append("OutputIntents")


def hold_save(template: BaseDocTemplate) -> None:
    """``template.build`` lays out every page but leaves the canvas unsaved (``canvas.save()`` later)."""
    template._doSave = 0  # type: ignore[attr-defined]  # reportlab's, not in the stubs


@dataclass(frozen=True)
class FileObjects:
    """The objects of the file a canvas is writing: the document, its catalog and its pages."""

    document: Any  # pdfdoc.PDFDocument
    catalog: Any  # pdfdoc.PDFCatalog
    pages: list[Any]  # pdfdoc.PDFPage, in order

    def number(self, obj: Any) -> int:
        """``obj`` made an indirect object (once); its object number."""
        name = self.document.Reference(obj).name
        number: int = self.document.idToObjectNumberAndVersion[name][0]
        return number


def file_objects(canvas: Canvas) -> FileObjects:
    """The objects of the file ``canvas`` writes (every page finished)."""
    doc = canvas._doc  # type: ignore[attr-defined]  # reportlab's, not in the stubs
    return FileObjects(doc, doc.Catalog, list(doc.Pages.pages))


def pdf_pieces(canvas: Canvas) -> list[bytes]:
    """The file's bytes as reportlab's pieces, in order, not joined (the canvas is done).

    ``Canvas.getpdfdata`` returns what ``PDFFile.format`` gives: the join of ``PDFFile.strings``
    (each object, the cross-reference table, the trailer). Taken unjoined, the caller joins
    them once with what it adds, instead of copying a joined file again (29 MB at 15,000
    activities, at the peak).
    """

    def unjoined(self: Any, document: Any) -> list[bytes]:
        strings: list[bytes] = self.strings
        return strings

    joined = pdfdoc.PDFFile.format
    setattr(pdfdoc.PDFFile, "format", unjoined)  # noqa: B010  # for this one call
    try:
        pieces: Any = canvas.getpdfdata()  # type: ignore[no-untyped-call]  # untyped in the stubs
    finally:
        setattr(pdfdoc.PDFFile, "format", joined)  # noqa: B010
    if not isinstance(pieces, list):
        raise TypeError("reportlab's getpdfdata no longer returns what PDFFile.format gives")
    return pieces


class PageCompressingCanvas(Canvas):
    """A canvas that encodes each page's content as soon as the page is finished.

    reportlab keeps every page's content as a string until the file is saved, and only then
    compresses it: at 15,000 activities some 230 MB of text. Here each page's stream is made
    at once, already deflated (and ASCII85-encoded as reportlab's settings say), as
    ``PDFPage.check_format`` and ``PDFStream.format`` would make it at save: the same bytes.
    """

    def showPage(self) -> None:
        super().showPage()
        doc = self._doc  # type: ignore[attr-defined]  # reportlab's, not in the stubs
        encode_page(doc.Pages.pages[-1])


def encode_page(page: Any) -> None:
    """``page``'s content (a ``PDFPage`` not yet formatted) as its encoded ``Contents`` stream."""
    stream = page.stream
    if page.Override_default_compilation or page.Contents or not stream or not page.compression:
        return  # reportlab makes these at save (a test stream, or an uncompressed one)
    filters: list[Any] = [PDFBase85Encode, PDFZCompress] if rl_config.useA85 else [PDFZCompress]
    content = stream
    for f in reversed(filters):
        content = f.encode(content)
    encoded = PDFStream(PDFDictionary({"Filter": PDFArray([PDFName(f.pdfname) for f in filters])}), content)
    encoded.__Comment__ = "page stream"  # type: ignore[attr-defined]  # reportlab's, not in the stubs
    page.Contents = encoded
    page.stream = None
