"""Every raw WordprocessingML tweak gyokaku makes, in one place.

python-docx covers most of Word; these functions add what it does not: East Asian fonts without
theme fonts, the language, bullet numbering, repeated and shaded header rows, alt text, fields.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html import escape  # not xml.sax.saxutils: it imports urllib and ssl

from docx.document import Document as DocxDocument
from docx.opc.rel import Relationships
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from lxml import etree

from ..docmodel import REVIEW_NS, Cell, text_digest
from . import docx_internals as internals
from .docx_fonts import FontFacts

THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
BULLET_NUM_ID = 90


def _xml_text(text: str, quote: bool = False) -> str:
    """``text`` escaped for XML content (or a double-quoted attribute).

    Not ``xml.sax.saxutils``: it imports urllib and ssl, 30 ms of every start.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def _child(parent: etree._Element, tag: str, first: bool = False) -> etree._Element:
    """``parent``'s child ``tag``, made when missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def _find(parent: etree._Element, tag: str) -> etree._Element:
    """``parent``'s child ``tag`` (python-docx's template has it)."""
    found = parent.find(qn(tag))
    if found is None:
        raise ValueError(f"{tag} missing under {parent.tag}")
    return found


def _drop_attributes(element: etree._Element, names: Iterable[str]) -> None:
    for name in names:
        if qn(name) in element.attrib:
            del element.attrib[qn(name)]


def set_fonts(rpr: etree._Element, name: str) -> None:
    """All four font slots to ``name`` (East Asian included), theme fonts removed."""
    fonts = _child(rpr, "w:rFonts", first=True)
    _drop_attributes(fonts, THEME_ATTRS)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:hint"), "eastAsia")


def strip_theme_fonts(styles_element: etree._Element) -> None:
    """Theme font references out of every style, so no style falls back to the theme's fonts."""
    for fonts in styles_element.iter(qn("w:rFonts")):
        _drop_attributes(fonts, THEME_ATTRS)
        parent = fonts.getparent()
        if not fonts.attrib and parent is not None:
            parent.remove(fonts)


def page_break_before(paragraph: CT_P) -> None:
    """The paragraph starts a new page (no empty paragraph holding a break before it)."""
    paragraph.get_or_add_pPr().pageBreakBefore_val = True


def page_break_paragraph() -> etree._Element:
    """A paragraph holding only a page break, for a page that starts with a table."""
    return parse_xml(f'<w:p xmlns:w="{W_NS}"><w:r><w:br w:type="page"/></w:r></w:p>')


def set_language(rpr: etree._Element, language: str) -> None:
    """``w:lang`` for Latin and East Asian text."""
    lang = _child(rpr, "w:lang")
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)


def set_defaults(styles_element: etree._Element, font: str, language: str) -> None:
    """docDefaults: the body font everywhere a style says nothing, and the language."""
    defaults = _find(styles_element, "w:docDefaults")
    rpr = _find(_find(defaults, "w:rPrDefault"), "w:rPr")
    set_fonts(rpr, font)
    set_language(rpr, language)
    no_autospace(_child(_child(defaults, "w:pPrDefault"), "w:pPr"))


# pPr children that must come after w:autoSpaceDE / w:autoSpaceDN (ECMA-376 schema order)
_AFTER_AUTOSPACE = tuple(
    qn(f"w:{t}")
    for t in (
        "bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
        "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId "
        "cnfStyle rPr sectPr pPrChange"
    ).split()
)


def no_autospace(ppr: etree._Element) -> None:
    """No extra space between Japanese and Latin letters or digits, as in the PDF."""
    successor = next((c for c in ppr if c.tag in _AFTER_AUTOSPACE), None)
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        if successor is not None:
            successor.addprevious(el)
        else:
            ppr.append(el)


def strip_theme_color(rpr: etree._Element) -> None:
    """Remove theme colours so that a style's explicit colour is the one shown."""
    color = rpr.find(qn("w:color"))
    if color is not None:
        _drop_attributes(color, ("w:themeColor", "w:themeShade", "w:themeTint"))


def remove_borders(ppr: etree._Element) -> None:
    """Drop paragraph borders (the built-in Title style underlines itself)."""
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


# parts of python-docx's template that describe it, not the document: Explorer's preview picture
# of the template, Word 2010's copy of the styles (theme fonts included) and the template's
# custom XML (an empty bibliography source list)
LEFTOVER_RELS = ("/metadata/thumbnail", "/stylesWithEffects", "/customXml")


def drop_template_leftovers(package_rels: Relationships, document_rels: Relationships) -> None:
    """Drop the relationships (and so the parts) of ``LEFTOVER_RELS``."""
    for rels in (package_rels, document_rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.endswith(LEFTOVER_RELS):
                del rels[rid]


def set_word_2013_layout(settings_element: etree._Element) -> None:
    """Word 2013+ layout (no 互換モード banner) and no preview picture saved."""
    for setting in settings_element.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    for preview in settings_element.findall(qn("w:savePreviewPicture")):
        settings_element.remove(preview)


def set_theme_font_lang(settings_element: etree._Element, language: str) -> None:
    """settings.xml: the East Asian language Word assumes for theme fonts."""
    lang = settings_element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), language)


def _abstract_and_num(numbering: etree._Element, num_id: int, abstract: etree._Element) -> int:
    """``abstract`` (its id ``num_id``) among the abstract lists, and a ``w:num`` ``num_id`` using it."""
    abstract.set(qn("w:abstractNumId"), str(num_id))
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(num_id))
    num.append(ref)
    numbering.append(num)
    return num_id


def _level(ilvl: int, values: Sequence[tuple[str, str]]) -> etree._Element:
    lvl = OxmlElement("w:lvl")
    lvl.set(qn("w:ilvl"), str(ilvl))
    for tag, value in values:
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        lvl.append(el)
    return lvl


def add_bullet_numbering(
    numbering: etree._Element, mark: str, font: str, left: int, hanging: int, num_id: int = BULLET_NUM_ID
) -> int:
    """A one-level bullet list definition; returns its ``numId``."""
    abstract = OxmlElement("w:abstractNum")
    multi = OxmlElement("w:multiLevelType")
    multi.set(qn("w:val"), "singleLevel")
    abstract.append(multi)
    # suff nothing: the text follows the mark directly, as in the PDF (no tab to the next stop)
    values = (("w:start", "1"), ("w:numFmt", "bullet"), ("w:suff", "nothing"), ("w:lvlText", mark))
    lvl = _level(0, (*values, ("w:lvlJc", "left")))
    ppr = OxmlElement("w:pPr")
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), str(left))
    ind.set(qn("w:hanging"), str(hanging))
    ppr.append(ind)
    lvl.append(ppr)
    rpr = OxmlElement("w:rPr")
    set_fonts(rpr, font)
    lvl.append(rpr)
    abstract.append(lvl)
    return _abstract_and_num(numbering, num_id, abstract)


@dataclass(frozen=True)
class HeadingLevel:
    """One level of the headings' list: its text (``%1 ``, ``（%2）``; None: counted, not shown)
    and the paragraph style linked to it (None: paragraphs join the list by their own numPr)."""

    text: str | None
    style_id: str | None = None


def add_heading_numbering(numbering: etree._Element, num_id: int, levels: Sequence[HeadingLevel]) -> int:
    """A multilevel list for headings (公用文: ``1 `` then ``（1）``), each level restarting
    after a higher one; a level linked to a style numbers every paragraph of that style."""
    abstract = OxmlElement("w:abstractNum")
    multi = OxmlElement("w:multiLevelType")
    multi.set(qn("w:val"), "multilevel")
    abstract.append(multi)
    for i in range(9):
        level = levels[i] if i < len(levels) else HeadingLevel(None)
        values = [("w:start", "1")]
        values.append(("w:numFmt", "decimal" if level.text is not None else "none"))
        if level.style_id:
            values.append(("w:pStyle", level.style_id))
        values += [("w:suff", "nothing"), ("w:lvlText", level.text or ""), ("w:lvlJc", "left")]
        abstract.append(_level(i, values))  # no indent of its own: the style's stays
    return _abstract_and_num(numbering, num_id, abstract)


def set_numbering(ppr: etree._Element, num_id: int, level: int | None = 0) -> None:
    """Attach a paragraph (or a paragraph style) to list ``num_id`` at ``level`` (ilvl before numId).

    ``level`` None writes the ``numId`` alone, as Word writes a style linked to a list.
    """
    for old in ppr.findall(qn("w:numPr")):
        ppr.remove(old)
    numpr = OxmlElement("w:numPr")
    if level is not None:
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), str(level))
        numpr.append(ilvl)
    num = OxmlElement("w:numId")
    num.set(qn("w:val"), str(num_id))
    numpr.append(num)
    _insert_ordered(ppr, numpr, PPR_ORDER)


# the children of w:pPr in schema order (CT_PPrBase, then CT_PPr's own)
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr "
    "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN "
    "bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
    "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
# the children of w:tblPr in schema order
TBLPR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription "
    "tblPrChange"
).split()
# the children of w:rPr in schema order
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
    "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
    "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
).split()


def _insert_ordered(parent: etree._Element, child: etree._Element, order: Sequence[str]) -> None:
    """Put ``child`` among ``parent``'s children where the schema's ``order`` wants it."""
    local = etree.QName(child).localname
    later = {qn(f"w:{t}") for t in order[order.index(local) + 1 :]}
    successor = next((c for c in parent if c.tag in later), None)
    if successor is not None:
        successor.addprevious(child)
    else:
        parent.append(child)


def set_ppr_value(ppr: etree._Element, tag: str, value: str | None = None) -> etree._Element:
    """A ``w:pPr`` child ``tag`` (``w:val`` ``value`` when given), replacing one already there."""
    for old in ppr.findall(qn(f"w:{tag}")):
        ppr.remove(old)
    el = OxmlElement(f"w:{tag}")
    if value is not None:
        el.set(qn("w:val"), value)
    _insert_ordered(ppr, el, PPR_ORDER)
    return el


def set_cell_margins(tbl: CT_Tbl, twips: int) -> None:
    """Padding inside every cell of a table."""
    tblpr = tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(twips if side in ("left", "right") else twips // 2))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    _insert_ordered(tblpr, mar, TBLPR_ORDER)


def set_alt_text(run_element: etree._Element, title: str, description: str) -> None:
    """Alt text of the picture in a run (``wp:docPr`` title and descr)."""
    for doc_pr in run_element.iter(qn("wp:docPr")):
        doc_pr.set("title", title)
        doc_pr.set("descr", description)


def add_field(paragraph_element: etree._Element, instruction: str, shown: str) -> None:
    """A field such as PAGE, as Word writes it: begin, instruction, separate, result, end."""

    def run(*children: etree._Element) -> None:
        r = OxmlElement("w:r")
        for c in children:
            r.append(c)
        paragraph_element.append(r)

    def fld(kind: str) -> etree._Element:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    instr = OxmlElement("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = f" {instruction} "
    text = OxmlElement("w:t")
    text.text = shown
    run(fld("begin"))
    run(instr)
    run(fld("separate"))
    run(text)
    run(fld("end"))


def save_package(
    document: DocxDocument,
    date_time: tuple[int, int, int, int, int, int],
    body: BodyStream | None = None,
    replace: dict[str, bytes] | None = None,
) -> bytes:
    """The document as DOCX bytes: what ``document.save`` writes, with fixed entry times.

    Equal input gives equal bytes (no clock in the file). With ``body``, its blocks are put into
    ``word/document.xml`` (saved with an empty body) as the entry is written; ``replace`` gives
    other entries' bytes (``docProps/app.xml``). The parts come
    from python-docx's own saving steps (``docx_internals``: deflated once), else from
    ``document.save`` read back (the same bytes, each part inflated and deflated again).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:

        def write(name: str, blob: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if replace and name in replace:
                blob = replace[name]
            if body is not None and name == DOCUMENT_PART:
                with package.open(info, "w") as dest:
                    for piece in body.spliced(blob):
                        dest.write(piece)
            else:
                package.writestr(info, blob)

        if not internals.write_package(document, write):
            saved = io.BytesIO()
            document.save(saved)
            with zipfile.ZipFile(saved) as parts:
                for item in parts.infolist():
                    write(item.filename, parts.read(item))
    return out.getvalue()


# --- the body written as it is made: serialised XML, kept compressed until the package is saved ---

DOCUMENT_PART = "word/document.xml"
BODY_OPEN = b"<w:body>"
ROWS_MARK = "gyokaku-rows"  # a processing instruction standing where a table's rows go
_ROWS_MARK = re.compile(rb"<\?" + ROWS_MARK.encode() + rb" (\d+)\?>")


class BodyStream:
    """A document's body blocks as XML bytes, serialised and dropped from the tree in batches.

    python-docx would keep every block as lxml elements until it saves (about 300 bytes an
    element: 800 MB for the 個票 of 15,000 activities). Here finished blocks are serialised,
    removed from the body and kept deflated (fast level: the package deflates them again);
    a table's rows never become elements at all: their XML text goes where the table's
    marker stands. The document is saved with an empty body and these bytes spliced in.
    """

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(1, zlib.DEFLATED, -15)
        self._parts: deque[bytes] = deque()
        self._rows: dict[int, Iterable[str]] = {}
        self._marks = 0

    def rows_later(self, tbl: etree._Element, chunks: Iterable[str]) -> None:
        """``chunks`` (rows' XML text) become the last children of ``tbl`` when it is flushed."""
        self._marks += 1
        self._rows[self._marks] = chunks
        tbl.append(etree.ProcessingInstruction(ROWS_MARK, str(self._marks)))

    def flush(self, body: etree._Element) -> None:
        """Every block of ``body`` before its section properties: serialised here, then removed.

        The body is serialised whole (one call) without its section properties (taken out
        for the call), and its start and end tags cut off (the start tag holds the namespace
        declarations); the blocks then read as they do inside the document.
        """
        blocks = list(body)[:-1]
        if not blocks:
            return
        sect = body[-1]
        body.remove(sect)
        try:
            data = etree.tostring(body, encoding="utf-8")
        finally:
            body.append(sect)
        inner = data[data.index(b">") + 1 : data.rindex(b"</")]
        for i, piece in enumerate(_ROWS_MARK.split(inner)):
            if i % 2:
                for chunk in self._rows.pop(int(piece)):
                    self._write(chunk.encode())
            else:
                self._write(piece)
        for block in blocks:
            body.remove(block)

    def _write(self, data: bytes) -> None:
        packed = self._deflate.compress(data)
        if packed:
            self._parts.append(packed)

    def spliced(self, document_xml: bytes) -> Iterator[bytes]:
        """``document_xml`` (an empty body) with the blocks after ``<w:body>``; once only."""
        at = document_xml.index(BODY_OPEN) + len(BODY_OPEN)
        yield document_xml[:at]
        self._parts.append(self._deflate.flush())
        inflate = zlib.decompressobj(-15)
        while self._parts:
            yield inflate.decompress(self._parts.popleft())
        yield inflate.flush()
        yield document_xml[at:]


# --- bulk content: written as XML text and parsed once (python-docx's objects are slow) ---------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def text_runs(text: str, marks: Sequence[Mark] = ()) -> str:
    """A text's lines as runs separated by line breaks, as python-docx's ``add_run`` writes them;
    each of ``marks`` wraps its part of the text in a bookmark (the runs split at its ends)."""
    if marks:
        return _marked_runs(text, marks)
    parts = []
    for i, line in enumerate(text.split("\n")):
        if i:
            parts.append("<w:r><w:br/></w:r>")
        if not line:
            parts.append("<w:r/>")
        else:
            parts.append(_run(line))
    return "".join(parts)


def _run(line: str) -> str:
    """One run of text without line breaks."""
    if len(line.strip()) < len(line):
        return f'<w:r><w:t xml:space="preserve">{_xml_text(line)}</w:t></w:r>'
    return f"<w:r><w:t>{_xml_text(line)}</w:t></w:r>"


@dataclass(frozen=True)
class Mark:
    """A hidden bookmark around ``text[start:end]`` of one paragraph: where a field of the input
    is printed (``pipeline.review`` names it and reads it back)."""

    start: int
    end: int
    id: int
    name: str


def _marked_runs(text: str, marks: Sequence[Mark]) -> str:
    """``text``'s runs with each mark's ``w:bookmarkStart`` and ``w:bookmarkEnd`` at its offsets
    (at one offset, the bookmarks ending there close before those starting there open; an empty
    one opens and closes there)."""
    if len(marks) == 1 and marks[0].start == 0 and marks[0].end == len(text) and text:  # a whole text
        m = marks[0]
        name = _xml_text(m.name, quote=True)
        end = f'<w:bookmarkEnd w:id="{m.id}"/>'
        return f'<w:bookmarkStart w:id="{m.id}" w:name="{name}"/>{_plain_runs(text)}{end}'
    starts: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    for m in marks:
        name = _xml_text(m.name, quote=True)
        starts.setdefault(m.start, []).append(f'<w:bookmarkStart w:id="{m.id}" w:name="{name}"/>')
        end = f'<w:bookmarkEnd w:id="{m.id}"/>'
        if m.end == m.start:
            starts[m.start].append(end)
        else:
            ends.setdefault(m.end, []).append(end)
    parts = []
    at = 0
    for cut in sorted(starts.keys() | ends.keys()):
        parts.append(_plain_runs(text[at:cut]))
        parts += ends.get(cut, []) + starts.get(cut, [])
        at = cut
    parts.append(_plain_runs(text[at:]))
    return "".join(parts)


def _plain_runs(text: str) -> str:
    """A piece of a text: its lines' runs and line breaks, no empty run."""
    parts = []
    for i, line in enumerate(text.split("\n")):
        if i:
            parts.append("<w:r><w:br/></w:r>")
        if line:
            parts.append(_run(line))
    return "".join(parts)


def add_runs(p: etree._Element, text: str, marks: Sequence[Mark] = ()) -> None:
    """Append ``text_runs(text, marks)`` to a paragraph."""
    p.extend(list(parse_xml(f'<w:p xmlns:w="{W_NS}">{text_runs(text, marks)}</w:p>')))


CellMarks = Sequence[Sequence[Mark]]  # a cell's marks, per paragraph (a Bullets cell: per point)


@dataclass(frozen=True)
class CellLook:
    """How the cells of one column look in a group of rows: width in twips, style, alignment."""

    width: int
    style_id: str | None
    align: str | None = None


def rows_xml(
    rows: Iterable[Sequence[Cell]],
    looks: Sequence[CellLook],
    fill: str | None = None,
    header: bool = False,
    bullet_num: int | None = None,
    keep: bool = False,
    marks: Sequence[Sequence[CellMarks]] = (),
) -> str:
    """Table rows, vertically centred, shaded with ``fill``; header rows repeat on every page;
    ``keep``: each row kept on the page of the next (Word's keep with next, on its paragraphs).

    A text cell is one paragraph (a ``\\n`` a line break); a ``Bullets`` cell is one list
    paragraph of list ``bullet_num`` per point (its mark and hanging indent from the list).
    ``marks``: per row and cell, the bookmarks of each of its paragraphs (``text_runs``).
    Written as lxml serialises the same elements (``BodyStream`` puts this text in the package).
    """
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    tr = "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:tr>"
    heads = [
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{look.width}"/>{shd}<w:vAlign w:val="center"/></w:tcPr>'
        for look in looks
    ]
    paras = [_cell_paragraph_start(look, None, keep) for look in looks]
    items = [_cell_paragraph_start(look, bullet_num, keep) for look in looks]
    parts = []
    for r, values in enumerate(rows):
        parts.append(tr)
        row_marks = marks[r] if r < len(marks) else ()
        for c, (head, para, item, value) in enumerate(zip(heads, paras, items, values)):
            parts.append(head)
            cell_marks = row_marks[c] if c < len(row_marks) else ()
            if isinstance(value, str):
                parts += (para, text_runs(value, cell_marks[0] if cell_marks else ()), "</w:p>")
            elif bullet_num is None:
                raise ValueError("a cell of bullet points needs a list (bullet_num)")
            else:
                for k, point in enumerate(value.items or ("",)):
                    point_marks = cell_marks[k] if k < len(cell_marks) else ()
                    parts += (item, text_runs(point, point_marks), "</w:p>")
            parts.append("</w:tc>")
        parts.append("</w:tr>")
    return "".join(parts)


def _cell_paragraph_start(look: CellLook, num_id: int | None = None, keep: bool = False) -> str:
    """A cell paragraph's start tag and properties (a list item's when ``num_id`` is given)."""
    props = (
        (f'<w:pStyle w:val="{_xml_text(look.style_id, quote=True)}"/>' if look.style_id else "")
        + ("<w:keepNext/>" if keep else "")
        + (f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>' if num_id is not None else "")
        + (f'<w:jc w:val="{look.align}"/>' if look.align else "")
    )
    return f"<w:p><w:pPr>{props}</w:pPr>" if props else "<w:p><w:pPr/>"


ROWS_PER_CHUNK = 200


def rows_chunks(
    rows: Sequence[Sequence[Cell]],
    looks: Sequence[CellLook],
    fill: str | None = None,
    header: bool = False,
    bullet_num: int | None = None,
    keep: int = 0,
    marks: Sequence[Sequence[CellMarks]] = (),
    keep_last: int = 0,
) -> Iterator[str]:
    """``rows_xml`` of ``rows``, ``ROWS_PER_CHUNK`` rows at a time (a long table is never one string);
    the first ``keep`` rows and the last ``keep_last`` rows kept with the next (a total row never
    starts a page alone); ``marks`` per row as ``rows_xml``'s."""
    n = len(rows)

    def kept(i: int) -> bool:
        return i < keep or i >= n - keep_last

    for start in range(0, n, ROWS_PER_CHUNK):
        end = min(start + ROWS_PER_CHUNK, n)
        run = start
        for i in range(start + 1, end + 1):  # runs of rows kept alike
            if i == end or kept(i) != kept(run):
                yield rows_xml(rows[run:i], looks, fill, header, bullet_num, kept(run), marks[run:i])
                run = i


# --- the package's description: fonts, styles, settings, application properties -------------------


FONT_TABLE_PART = "word/fontTable.xml"


def font_table_xml(entries: Sequence[FontFacts]) -> bytes:
    """``word/fontTable.xml``: one ``w:font`` per family the document uses, nothing else."""
    parts = [
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n",
        f'<w:fonts xmlns:w="{W_NS}">',
    ]
    for f in entries:
        parts.append(f'<w:font w:name="{_xml_text(f.name, True)}">')
        if f.alt_names:
            parts.append(f'<w:altName w:val="{_xml_text(",".join(f.alt_names), True)}"/>')
        if f.panose:
            parts.append(f'<w:panose1 w:val="{f.panose}"/>')
        parts.append(f'<w:charset w:val="{f.charset}"/><w:family w:val="{f.family}"/>')
        parts.append(f'<w:pitch w:val="{f.pitch}"/>')
        if f.usb:
            usb = "".join(f' w:usb{i}="{v}"' for i, v in enumerate(f.usb))
            csb = "".join(f' w:csb{i}="{v}"' for i, v in enumerate(f.csb))
            parts.append(f"<w:sig{usb}{csb}/>")
        parts.append("</w:font>")
    parts.append("</w:fonts>")
    return "".join(parts).encode()


def prune_styles(styles_element: etree._Element, used: Iterable[str]) -> None:
    """Only the styles ``used`` (by id), what they are based on, link to or are followed by, and
    each type's default style (Normal, Default Paragraph Font, Table Normal, No List)."""
    by_id = {s.get(qn("w:styleId")): s for s in styles_element.findall(qn("w:style"))}
    keep = {sid for sid, s in by_id.items() if s.get(qn("w:default")) in ("1", "true", "on")}
    todo = [*keep, *used]
    while todo:
        sid = todo.pop()
        style = by_id.get(sid)
        if style is None:
            continue
        keep.add(sid)
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in keep:
                todo.append(ref.get(qn("w:val")) or "")
    for sid, style in by_id.items():
        if sid not in keep:
            styles_element.remove(style)
    latent = styles_element.find(qn("w:latentStyles"))
    if latent is not None:  # Word's list of its built-in styles' defaults: not styles of this file
        styles_element.remove(latent)


def clean_run_look(rpr: etree._Element) -> None:
    """No letter spacing, kerning, width scaling or position left from the template's style."""
    for tag in ("w:spacing", "w:kern", "w:w", "w:position"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)


def set_space_before(ppr: etree._Element, twips: int) -> None:
    """The paragraph's space before (``w:spacing w:before``), its other spacing kept."""
    spacing = ppr.find(qn("w:spacing"))
    if spacing is None:
        spacing = set_ppr_value(ppr, "spacing")
    spacing.set(qn("w:before"), str(twips))


def set_outline_level(ppr: etree._Element, level: int) -> None:
    """The paragraph's outline level (0 = level 1, as Word counts), whatever its style says."""
    set_ppr_value(ppr, "outlineLvl", str(level))


def set_japanese_layout(
    settings_element: etree._Element, language: str, cannot_start: str, cannot_end: str
) -> None:
    """settings.xml: punctuation set solid (no compression) and explicit kinsoku characters.

    ``w:noLineBreaksBefore`` / ``After`` list the characters a line may not start / end with for
    ``language`` (the PDF writer's rules), instead of the level Word's options happen to have.
    """
    order = ("characterSpacingControl", "noLineBreaksAfter", "noLineBreaksBefore")
    for tag in order:
        for old in settings_element.findall(qn(f"w:{tag}")):
            settings_element.remove(old)
    control = OxmlElement("w:characterSpacingControl")
    control.set(qn("w:val"), "doNotCompress")
    after = OxmlElement("w:noLineBreaksAfter")
    after.set(qn("w:lang"), language)
    after.set(qn("w:val"), cannot_end)
    before = OxmlElement("w:noLineBreaksBefore")
    before.set(qn("w:lang"), language)
    before.set(qn("w:val"), cannot_start)
    # CT_Settings: ... defaultTabStop autoHyphenation ... characterSpacingControl ... noLineBreaksAfter
    # noLineBreaksBefore savePreviewPicture ... hdrShapeDefaults footnotePr endnotePr compat ...
    successor = next(
        (
            c
            for c in settings_element
            if c.tag
            in {
                qn(f"w:{t}")
                for t in (
                    "printTwoOnOne strictFirstAndLastChars savePreviewPicture doNotValidateAgainstSchema "
                    "saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText doNotDemarcateInvalidXml "
                    "saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags alwaysMergeEmptyNamespace "
                    "updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids mathPr "
                    "attachedSchema themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats "
                    "doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType "
                    "schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator"
                ).split()
            }
        ),
        None,
    )
    for el in (control, after, before):
        if successor is not None:
            successor.addprevious(el)
        else:
            settings_element.append(el)


def set_doc_grid(sect_pr: etree._Element, line_pitch: int) -> None:
    """No document grid (lines spaced by the styles, as in the PDF); ``line_pitch`` (twips) the
    body's line, so 文字数と行数 shows the PDF's lines a page."""
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "default")
    grid.set(qn("w:linePitch"), str(line_pitch))
    after = {qn(f"w:{t}") for t in ("printerSettings", "sectPrChange")}
    successor = next((c for c in sect_pr if c.tag in after), None)
    if successor is not None:
        successor.addprevious(grid)
    else:
        sect_pr.append(grid)


APP_PART = "docProps/app.xml"


def app_xml(application: str, version: str) -> bytes:
    """``docProps/app.xml`` naming gyokaku (no page or word counts: Word recounts them)."""
    major, _, minor = version.partition(".")
    app_version = f"{int(major or 0):02d}.{int((minor.split('.')[0] or '0')[:4] or 0):04d}"
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>{_xml_text(application)}</Application>"
        "<DocSecurity>0</DocSecurity>"
        f"<AppVersion>{app_version}</AppVersion>"
        "</Properties>"
    ).encode()


# --- a chart in a paragraph: the inline drawing pointing at a chart part ----------------------------

CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def chart_run(
    rel_id: str, width_emu: int, height_emu: int, shape_id: int, title: str, description: str
) -> str:
    """A run holding the chart ``rel_id`` inline, ``width``×``height`` EMU, with its alt text."""
    return (
        f'<w:r xmlns:w="{W_NS}"><w:drawing>'
        f'<wp:inline xmlns:wp="{WP_NS}" distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{width_emu}" cy="{height_emu}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="{_xml_text(title, True)}" '
        f'title="{_xml_text(title, True)}" descr="{_xml_text(description, True)}"/>'
        "<wp:cNvGraphicFramePr/>"
        f'<a:graphic xmlns:a="{A_NS}"><a:graphicData uri="{CHART_URI}">'
        f'<c:chart xmlns:c="{CHART_URI}" xmlns:r="{R_NS}" r:id="{rel_id}"/>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


def prune_numbering(numbering: etree._Element, styles_element: etree._Element, keep: Iterable[int]) -> None:
    """Only the lists ``keep`` and those the remaining styles use (the template's others dropped)."""
    used = {str(n) for n in keep}
    used |= {n.get(qn("w:val")) or "" for n in styles_element.iter(qn("w:numId"))}
    abstracts = set()
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) in used:
            ref = num.find(qn("w:abstractNumId"))
            abstracts.add(ref.get(qn("w:val")) if ref is not None else "")
        else:
            numbering.remove(num)
    for abstract in numbering.findall(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) not in abstracts:
            numbering.remove(abstract)


# --- the review's starting point: each field's text as built, in a custom XML part -------------

REVIEW_ITEM = "/customXml/item1.xml"
REVIEW_PROPS = "/customXml/itemProps1.xml"
REVIEW_ITEM_ID = "{6A3C1E2B-5D4F-4B7A-9C1E-67796F6B616B}"  # fixed: equal input gives equal bytes
_CUSTOM_XML_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"


def add_review_part(document: DocxDocument, fields: dict[str, str]) -> None:
    """Keep a digest of each of ``fields`` (a field's code, as in its bookmark's name → its text
    as printed) in the draft, as a custom XML data store item: ``<gk:f c="p1b2n" h="…"/>``.

    Word keeps custom XML parts with a document (its data store, as for content controls'
    bindings), and LibreOffice 7.4 writes them back (tested). ``review`` reads them to tell a
    reviewer's change from a value the input changed after the draft was built.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    items = "".join(f'<gk:f c="{escape(code)}" h="{text_digest(text)}"/>' for code, text in fields.items())
    blob = f'<gk:fields xmlns:gk="{REVIEW_NS}">{items}</gk:fields>'.encode()
    package = document.part.package
    item = Part(PackURI(REVIEW_ITEM), "application/xml", blob, package)
    props_xml = (
        '<ds:datastoreItem xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"'
        f' ds:itemID="{REVIEW_ITEM_ID}"><ds:schemaRefs/></ds:datastoreItem>'
    )
    props = Part(
        PackURI(REVIEW_PROPS),
        "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
        props_xml.encode(),
        package,
    )
    item.relate_to(props, _CUSTOM_XML_PROPS)
    document.part.relate_to(item, RT.CUSTOM_XML)
