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

from docx.document import Document as DocxDocument
from docx.opc.rel import Relationships
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from lxml import etree

from . import docx_internals as internals

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
# of the template and Word 2010's copy of the styles (theme fonts included)
LEFTOVER_RELS = ("/metadata/thumbnail", "/stylesWithEffects")


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


def add_bullet_numbering(numbering: etree._Element, mark: str, font: str, left: int, hanging: int) -> int:
    """A one-level bullet list definition; returns its ``numId``."""
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(BULLET_NUM_ID))
    multi = OxmlElement("w:multiLevelType")
    multi.set(qn("w:val"), "singleLevel")
    abstract.append(multi)
    lvl = OxmlElement("w:lvl")
    lvl.set(qn("w:ilvl"), "0")
    # suff nothing: the text follows the mark directly, as in the PDF (no tab to the next stop)
    for tag, value in (
        ("w:start", "1"),
        ("w:numFmt", "bullet"),
        ("w:suff", "nothing"),
        ("w:lvlText", mark),
        ("w:lvlJc", "left"),
    ):
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        lvl.append(el)
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
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(BULLET_NUM_ID))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(BULLET_NUM_ID))
    num.append(ref)
    numbering.append(num)
    return BULLET_NUM_ID


def set_numbering(ppr: etree._Element, num_id: int) -> None:
    """Attach a paragraph (or a paragraph style) to list ``num_id``, level 0."""
    numpr = _child(ppr, "w:numPr", first=True)
    ilvl = _child(numpr, "w:ilvl")
    ilvl.set(qn("w:val"), "0")
    num = _child(numpr, "w:numId")
    num.set(qn("w:val"), str(num_id))


def set_cell_margins(tbl: CT_Tbl, twips: int) -> None:
    """Padding inside every cell of a table."""
    tblpr = tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(twips if side in ("left", "right") else twips // 2))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblpr.append(mar)


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
    document: DocxDocument, date_time: tuple[int, int, int, int, int, int], body: BodyStream | None = None
) -> bytes:
    """The document as DOCX bytes: what ``document.save`` writes, with fixed entry times.

    Equal input gives equal bytes (no clock in the file). With ``body``, its blocks are put into
    ``word/document.xml`` (saved with an empty body) as the entry is written. The parts come
    from python-docx's own saving steps (``docx_internals``: deflated once), else from
    ``document.save`` read back (the same bytes, each part inflated and deflated again).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:

        def write(name: str, blob: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
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


def text_runs(text: str) -> str:
    """A text's lines as runs separated by line breaks, as python-docx's ``add_run`` writes them."""
    parts = []
    for i, line in enumerate(text.split("\n")):
        if i:
            parts.append("<w:r><w:br/></w:r>")
        if not line:
            parts.append("<w:r/>")
        elif len(line.strip()) < len(line):
            parts.append(f'<w:r><w:t xml:space="preserve">{_xml_text(line)}</w:t></w:r>')
        else:
            parts.append(f"<w:r><w:t>{_xml_text(line)}</w:t></w:r>")
    return "".join(parts)


def add_runs(p: etree._Element, text: str) -> None:
    """Append ``text_runs(text)`` to a paragraph."""
    p.extend(list(parse_xml(f'<w:p xmlns:w="{W_NS}">{text_runs(text)}</w:p>')))


@dataclass(frozen=True)
class CellLook:
    """How the cells of one column look in a group of rows: width in twips, style, alignment."""

    width: int
    style_id: str | None
    align: str | None = None


def rows_xml(
    rows: Iterable[Sequence[str]], looks: Sequence[CellLook], fill: str | None = None, header: bool = False
) -> str:
    """Table rows of text cells, vertically centred, shaded with ``fill``; header rows repeat.

    Written as lxml serialises the same elements (``BodyStream`` puts this text in the package).
    """
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    tr = '<w:tr><w:trPr><w:cantSplit/><w:tblHeader w:val="true"/></w:trPr>' if header else "<w:tr>"
    heads = [
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{look.width}"/>{shd}<w:vAlign w:val="center"/></w:tcPr>'
        for look in looks
    ]
    paras = [_cell_paragraph_start(look) for look in looks]
    parts = []
    for values in rows:
        parts.append(tr)
        for head, para, value in zip(heads, paras, values):
            parts += (head, para, text_runs(value), "</w:p></w:tc>")
        parts.append("</w:tr>")
    return "".join(parts)


def _cell_paragraph_start(look: CellLook) -> str:
    """A cell paragraph's start tag and properties."""
    props = (f'<w:pStyle w:val="{_xml_text(look.style_id, quote=True)}"/>' if look.style_id else "") + (
        f'<w:jc w:val="{look.align}"/>' if look.align else ""
    )
    return f"<w:p><w:pPr>{props}</w:pPr>" if props else "<w:p><w:pPr/>"


ROWS_PER_CHUNK = 200


def rows_chunks(
    rows: Sequence[Sequence[str]],
    looks: Sequence[CellLook],
    fill: str | None = None,
    header: bool = False,
) -> Iterator[str]:
    """``rows_xml`` of ``rows``, ``ROWS_PER_CHUNK`` rows at a time (a long table is never one string)."""
    for start in range(0, len(rows), ROWS_PER_CHUNK):
        yield rows_xml(rows[start : start + ROWS_PER_CHUNK], looks, fill, header)
