"""Stage 4, render: the document model → DOCX bytes (python-docx), an editable draft."""

from __future__ import annotations

import datetime as dt
import io
from itertools import chain
from pathlib import Path
from typing import TypeVar

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.document import CT_Body
from docx.oxml.ns import qn
from docx.oxml.section import CT_SectPr
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Emu, Inches, Length, Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from .. import docmodel as dm
from ..style import StyleSheet
from . import chart as ch
from . import docx_xml as x
from .raster import measure, to_png

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
TWIPS_PER_MM = 1440 / 25.4
E = TypeVar("E", bound=BaseOxmlElement)
FLUSH_BLOCKS = 64  # body blocks kept as lxml elements before they are serialised (BodyStream)


class DocxWriter:
    """Renders documents with one style sheet; the chart from the same drawing as the PDF's."""

    def __init__(self, style: StyleSheet, font_files: dict[str, Path]) -> None:
        self.style = style
        self.font_files = font_files
        self._orientation = "portrait"
        self._style_ids: dict[str, str | None] = {}
        self._table_style_id: str | None = None
        self._sect: CT_SectPr | None = None
        self._break_pending = False
        self._block_width: Length = Emu(0)
        self._stream = x.BodyStream()
        self._pending = 0
        self._templates: dict[str, bytes] = {}

    def render(self, doc: dm.Document) -> bytes:
        """The whole document as DOCX bytes (entry times and properties from the input)."""
        document = docx.Document(io.BytesIO(self._template(doc.meta.language)))
        self._orientation = doc.orientation
        self._sect = None
        self._break_pending = False
        self._stream = x.BodyStream()
        self._pending = 0
        self._page(document, doc)
        self._properties(document, doc.meta)
        self._block_width = _block_width(document)  # once, not once a table
        if not self._style_ids:  # the same for every document of this writer: looked up once
            self._style_ids = self._paragraph_style_ids(document)
            self._table_style_id = document.part.get_style_id(  # type: ignore[no-untyped-call]  # not annotated
                document.styles["Table Grid"], WD_STYLE_TYPE.TABLE
            )
        body = document.element.body
        for block in doc.blocks:
            self.block(document, block)
            if self._pending >= FLUSH_BLOCKS:
                self._flush(body)
        self._flush(body)
        date = doc.meta.date  # saved with an empty body: the blocks are in the stream
        return x.save_package(document, (date.year, date.month, date.day, 0, 0, 0), self._stream)

    def _flush(self, body: CT_Body) -> None:
        """The finished blocks out of the tree, into the body stream."""
        self._stream.flush(body)
        self._pending = 0

    # --- set-up ------------------------------------------------------------------------

    def _template(self, language: str) -> bytes:
        """python-docx's template set up with this style sheet (styles, numbering, footer).

        Made once per language and kept as a package: defining the styles through python-docx
        costs more than the rest of a short document, and it is the same for every document.
        """
        if language not in self._templates:
            document = docx.Document()
            self._setup(document, language)
            out = io.BytesIO()
            document.save(out)
            self._templates[language] = out.getvalue()
        return self._templates[language]

    def _setup(self, document: DocxDocument, language: str) -> None:
        body = self.style.font_of("body").name
        x.strip_theme_fonts(document.styles.element)
        x.set_defaults(document.styles.element, body, language)
        x.set_theme_font_lang(document.settings.element, language)
        x.set_word_2013_layout(document.settings.element)
        x.drop_template_leftovers(document.part.package.rels, document.part.rels)
        for name in self.style.roles:
            self._define_style(document, name)
        numbering = document.part.numbering_part.element
        bullet = self.style.role("bullet")
        num_id = x.add_bullet_numbering(
            numbering,
            self.style.bullet_mark,
            self.style.font_of("bullet").name,
            round(bullet.indent * TWIPS_PER_MM),
            round(bullet.hanging * TWIPS_PER_MM),
        )
        x.set_numbering(document.styles[bullet.word_style].element.get_or_add_pPr(), num_id)
        self._footer(document)

    def _define_style(self, document: DocxDocument, role_name: str) -> None:
        role = self.style.role(role_name)
        try:
            style = document.styles[role.word_style]
        except KeyError:
            style = document.styles.add_style(role.word_style, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = document.styles["Normal"]
            style.quick_style = True
        font = self.style.fonts[role.font]
        style.font.size = Pt(role.size)
        style.font.bold = font.bold
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        x.set_fonts(rpr, font.name)
        x.strip_theme_color(rpr)
        fmt = style.paragraph_format
        fmt.alignment = ALIGN[role.align]
        fmt.space_before = Pt(role.before * 72 / 25.4)
        fmt.space_after = Pt(role.after * 72 / 25.4)
        fmt.line_spacing = Pt(role.leading)
        fmt.left_indent = Mm(role.indent)
        fmt.first_line_indent = Mm(-role.hanging) if role.hanging else Mm(0)
        if role_name.startswith("heading") or role_name == "caption":
            fmt.keep_with_next = True
        x.remove_borders(style.element.get_or_add_pPr())
        x.no_autospace(style.element.get_or_add_pPr())

    def _page(self, document: DocxDocument, doc: dm.Document) -> None:
        section = document.sections[0]
        width, height = self.style.page(doc.orientation)
        section.orientation = WD_ORIENT.LANDSCAPE if doc.orientation == "landscape" else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(width), Mm(height)
        m = self.style.margins
        section.top_margin, section.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
        section.left_margin, section.right_margin = Mm(m["left"]), Mm(m["right"])
        section.footer_distance = Mm(self.style.footer_distance - self.style.role("footer").size * 0.1)

    def _footer(self, document: DocxDocument) -> None:
        """The page number, centred in the footer (``- 1 -``)."""
        footer = document.sections[0].footer.paragraphs[0]
        footer.style = document.styles[self.style.role("footer").word_style]
        before, _, after = self.style.page_number.partition("{page}")
        if before:
            footer.add_run(before)
        paragraph_element = document.sections[0].footer.part.element.find(qn("w:p"))
        x.add_field(paragraph_element, "PAGE", "1")
        if after:
            footer.add_run(after)

    def _properties(self, document: DocxDocument, meta: dm.Meta) -> None:
        props = document.core_properties
        when = dt.datetime(meta.date.year, meta.date.month, meta.date.day)
        props.title = meta.title
        props.author = meta.author
        props.subject = meta.subject
        props.keywords = ", ".join(meta.keywords)
        props.language = meta.language
        props.comments = "gyokaku"
        props.last_modified_by = meta.author
        props.created = when
        props.modified = when
        props.revision = 1

    # --- blocks ------------------------------------------------------------------------

    def block(self, document: DocxDocument, block: dm.Block) -> None:
        if isinstance(block, dm.DocNumber):
            self.paragraph(document, block.text, "doc_number")
        elif isinstance(block, dm.TitleBlock):
            for line in block.lines:
                self.paragraph(document, line, "title")
        elif isinstance(block, dm.Heading):
            self.paragraph(document, block.display, block.style_role)
        elif isinstance(block, dm.Paragraph):
            self.paragraph(document, block.text, block.role)
        elif isinstance(block, dm.BulletList):
            for item in block.items:
                self.paragraph(document, item, "bullet")
        elif isinstance(block, dm.Caption):
            self.paragraph(document, block.text, "caption")
        elif isinstance(block, dm.Table):
            self.table(document, block)
        elif isinstance(block, dm.Chart):
            self.chart(document, block)
        elif isinstance(block, dm.PageBreak):
            self._break_pending = True  # the next block starts the page: no empty paragraph for it
        else:
            raise TypeError(f"no DOCX rendering for {type(block).__name__}")

    def _append(self, document: DocxDocument, element: E) -> E:
        """Put ``element`` at the end of the body (before its section properties).

        python-docx finds the section properties by scanning the body from its start at every
        insertion: quadratic in the blocks of a document (35 s for 300 sheets of 5 activities).
        """
        if self._sect is None:
            self._sect = document.element.body.sectPr
            if self._sect is None:
                raise ValueError("python-docx's template has no section properties")
        if self._break_pending:
            self._break_pending = False
            if isinstance(element, CT_P):
                x.page_break_before(element)
            else:
                self._sect.addprevious(x.page_break_paragraph())
        self._sect.addprevious(element)
        self._pending += 1
        return element

    def _word_style(self, role: str) -> str:
        return self.style.role(role).word_style

    def _paragraph_style_ids(self, document: DocxDocument) -> dict[str, str | None]:
        """Each role's style id, looked up once (``None`` for the default style, as python-docx).

        As ``get_style_id`` decides, with the default style found once, not once a role.
        """
        styles = document.styles
        default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
        ids = {}
        for name in self.style.roles:
            style = styles[self._word_style(name)]
            if style.type != WD_STYLE_TYPE.PARAGRAPH:
                raise ValueError(f"{style.name}: not a paragraph style")
            ids[name] = None if style == default else style.style_id
        return ids

    def paragraph(self, document: DocxDocument, text: str, role: str) -> None:
        """A paragraph of ``role``; a ``\\n`` becomes a line break inside it."""
        p = self._append(document, _new_paragraph())
        p.style = self._style_ids[role]
        x.add_runs(p, text)

    def _cell_texts(self, rows: tuple[tuple[dm.Cell, ...], ...]) -> list[tuple[str, ...]]:
        """Body cells as text: bullet points each on a line after the style's mark."""
        mark = self.style.bullet_mark
        return [tuple(dm.cell_text(cell, mark) for cell in row) for row in rows]

    def table(self, document: DocxDocument, table: dm.Table) -> None:
        rows = [*table.header, *table.rows, *table.totals]
        n_cols = len(rows[0])
        # as document.add_table(rows=0, cols=n_cols) and grid.style = "Table Grid", without their
        # style look-ups (each scans every style: seconds for a plan's thousands of sheets)
        tbl = self._append(document, CT_Tbl.new_tbl(0, n_cols, self._block_width))
        grid = DocxTable(tbl, document)
        tbl.tblPr.style = self._table_style_id
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        look = self.style.table
        total_mm = self.style.text_width(self._orientation) * look.width
        weights = table.widths or (1.0,) * n_cols
        widths = [Mm(total_mm * w / sum(weights)) for w in weights]
        for column, width in zip(grid.columns, widths):
            column.width = width
        x.set_cell_margins(tbl, round(look.padding * TWIPS_PER_MM))
        twips = [w.twips for w in widths]
        head_looks = [x.CellLook(w, self._style_ids["table_header"]) for w in twips]
        aligns = [ALIGN[table.align[j] if j < len(table.align) else "left"].xml_value for j in range(n_cols)]
        body_looks = [x.CellLook(w, self._style_ids["table_cell"], a) for w, a in zip(twips, aligns)]
        # the rows stay text: written into the package where the table's marker stands
        self._stream.rows_later(
            tbl,
            chain(
                x.rows_chunks(table.header, head_looks, look.header_fill, header=True),
                x.rows_chunks(self._cell_texts(table.rows), body_looks),
                x.rows_chunks(table.totals, body_looks, look.total_fill),
            ),
        )
        spacer = self._append(document, _new_paragraph())
        spacer.style = self._style_ids["body"]
        DocxParagraph(spacer, document).paragraph_format.space_after = Pt(0)

    def chart(self, document: DocxDocument, chart: dm.Chart) -> None:
        drawing = ch.layout(chart, self.style, measure(self.font_files))
        png = to_png(drawing, self.font_files, self.style.chart.dpi)
        p = self._append(document, _new_paragraph())
        p.style = self._style_ids["body"]
        para = DocxParagraph(p, document)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.line_spacing = 1.0
        para.add_run().add_picture(io.BytesIO(png), width=Mm(self.style.chart.width))
        x.set_alt_text(p, "活動数内訳", chart.alt_text)


def _block_width(document: DocxDocument) -> Length:
    """The width between the margins of the last section (as python-docx sizes a new table)."""
    section = document.sections[-1]
    width = (section.page_width or Inches(8.5)) - (section.left_margin or Inches(1))
    return Emu(width - (section.right_margin or Inches(1)))


def _new_paragraph() -> CT_P:
    """An empty ``w:p`` (python-docx makes it a ``CT_P``)."""
    p = OxmlElement("w:p")
    if not isinstance(p, CT_P):
        raise TypeError("python-docx did not make a CT_P for w:p")
    return p
