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
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.document import CT_Body
from docx.oxml.ns import qn
from docx.oxml.section import CT_SectPr
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Emu, Inches, Length, Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from .. import __version__
from .. import docmodel as dm
from ..review import bookmark_name, field_code
from ..style import StyleSheet
from . import docx_chart, docx_fonts
from . import docx_xml as x
from .kinsoku import CANNOT_END, CANNOT_START

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
TWIPS_PER_MM = 1440 / 25.4
E = TypeVar("E", bound=BaseOxmlElement)
FLUSH_BLOCKS = 64  # body blocks kept as lxml elements before they are serialised (BodyStream)
CELL_BULLET_NUM_ID = 91  # the list of bullet points inside table cells
HEADING_NUM_ID = 92  # the headings' multilevel list (one a document)
LONG_TABLE_ROWS = 4  # as pdf.py: a table of more body and total rows may start at a page's foot
KEPT_ROWS = 2  # the body rows a long table keeps with its header (the PDF: room for 3 rows)
JST = dt.timedelta(hours=9)  # the documents' dates are Japanese days: midnight in Tokyo, as the PDF's
RT_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
RT_PACKAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"


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
        self._after_table = False
        self._numbered: dict[int, x.HeadingLevel] = {}  # heading level → its list level
        self._linked: dict[str, int] = {}  # role → list level its style is linked to
        self._charts = 0
        self._printed: dict[str, int] = {}  # field path → its printings so far (bookmark names)
        self._bookmarks = 0  # bookmark ids given so far

    def render(self, doc: dm.Document) -> bytes:
        """The whole document as DOCX bytes (entry times and properties from the input)."""
        document = docx.Document(io.BytesIO(self._template(doc.meta.language)))
        self._orientation = doc.orientation
        self._sect = None
        self._break_pending = False
        self._after_table = False
        self._charts = 0
        self._printed, self._bookmarks = {}, 0
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
        self._heading_numbering(document, doc.blocks)
        body = document.element.body
        for block in doc.blocks:
            self.block(document, block)
            if self._pending >= FLUSH_BLOCKS:
                self._flush(body)
        self._flush(body)
        x.add_review_part(document, {field_code(p): text for p, text in dm.field_texts(doc).items()})
        date = doc.meta.date  # saved with an empty body: the blocks are in the stream
        app = {x.APP_PART: x.app_xml("gyokaku", __version__), x.FONT_TABLE_PART: self._font_table()}
        return x.save_package(document, (date.year, date.month, date.day, 0, 0, 0), self._stream, app)

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
        x.set_japanese_layout(document.settings.element, language, _chars(CANNOT_START), _chars(CANNOT_END))
        x.drop_template_leftovers(document.part.package.rels, document.part.rels)
        for name in self.style.roles:
            self._define_style(document, name)
        cell = self.style.role("table_cell")
        em = round(cell.size * 20)  # the mark's width, one em of the cell text, in twips
        x.add_bullet_numbering(
            document.part.numbering_part.element,
            self.style.bullet_mark,
            self.style.font_of("table_cell").name,
            em,
            em,
            CELL_BULLET_NUM_ID,
        )
        numbering = document.part.numbering_part.element
        bullet = self.style.role("bullet")
        num_id = x.add_bullet_numbering(
            numbering,
            self.style.bullet_mark,
            self.style.font_of("bullet").name,
            round(bullet.indent * TWIPS_PER_MM),
            round(bullet.hanging * TWIPS_PER_MM),
        )
        x.set_numbering(document.styles[bullet.word_style].element.get_or_add_pPr(), num_id, None)
        self._footer(document)
        used = [document.styles[self.style.role(r).word_style].style_id for r in self.style.roles]
        x.prune_styles(document.styles.element, [*used, document.styles["Table Grid"].style_id])
        x.prune_numbering(numbering, document.styles.element, (num_id, CELL_BULLET_NUM_ID))

    def _font_table(self) -> bytes:
        """``word/fontTable.xml``: the style sheet's families, described for Word and LibreOffice."""
        names = sorted({f.name for f in self.style.fonts.values()})
        return x.font_table_xml([docx_fonts.facts(n) or docx_fonts.unknown(n) for n in names])

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
        x.clean_run_look(rpr)
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
        sect_pr = document.element.body.sectPr
        if sect_pr is not None:  # the lines a page as the PDF's: no grid, the body's line pitch
            x.set_doc_grid(sect_pr, round(self.style.role("body").leading * 20))

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
        when = dt.datetime(meta.date.year, meta.date.month, meta.date.day) - JST  # UTC, as python-docx writes
        props.title = meta.title
        props.author = meta.author
        props.subject = meta.subject
        props.keywords = ", ".join(meta.keywords)
        props.language = meta.language
        props.comments = ""
        props.last_modified_by = meta.author
        props.created = when
        props.modified = when
        props.revision = 1

    # --- blocks ------------------------------------------------------------------------

    def block(self, document: DocxDocument, block: dm.Block) -> None:
        if isinstance(block, dm.DocNumber):
            self.paragraph(document, block.text, "doc_number")
        elif isinstance(block, dm.TitleBlock):
            for i, line in enumerate(block.lines):
                self.paragraph(document, line, "title", _nth(block.sources, i))
        elif isinstance(block, dm.Heading):
            self.heading(document, block)
        elif isinstance(block, dm.Paragraph):
            self.paragraph(document, block.text, block.role, block.sources)
        elif isinstance(block, dm.BulletList):
            for i, item in enumerate(block.items):
                self.paragraph(document, item, "bullet", _nth(block.sources, i))
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

    def marks(self, sources: dm.Sources, shift: int = 0) -> tuple[x.Mark, ...]:
        """Hidden bookmarks for the parts of a text that come from fields of the input: each
        printing of a field named after its path (``pipeline.review``), ``_2``… after the first."""
        out = []
        for source in sources:
            n = self._printed[source.path] = self._printed.get(source.path, 0) + 1
            self._bookmarks += 1
            name = bookmark_name(source.path, n)
            out.append(x.Mark(source.start + shift, source.end + shift, self._bookmarks, name))
        return tuple(out)

    def paragraph(
        self, document: DocxDocument, text: str, role: str, sources: dm.Sources = (), shift: int = 0
    ) -> CT_P:
        """A paragraph of ``role``; a ``\\n`` becomes a line break inside it; the parts of it from
        ``sources`` (moved by ``shift`` characters) in hidden bookmarks.

        The first paragraph after a table keeps the PDF's gap after it (no empty paragraph).
        """
        p = self._append(document, _new_paragraph())
        p.style = self._style_ids[role]
        if self._after_table:
            self._after_table = False
            gap = self.style.role(role).before + self.style.role("body").after
            x.set_space_before(p.get_or_add_pPr(), round(gap * TWIPS_PER_MM))
        x.add_runs(p, text, self.marks(sources, shift))
        return p

    # --- headings: numbered by Word --------------------------------------------------------

    def _heading_numbering(self, document: DocxDocument, blocks: tuple[dm.Block, ...]) -> None:
        """One multilevel list for the document's numbered headings, when Word's counting gives
        exactly their numbers; a role always at one level of the list has its style linked to it.

        A level whose headings are never numbered is in the list unshown (so the levels under it
        restart after each); numbered headings of one level share one format. Otherwise (or when
        Word's count would differ) the numbers are typed, as before.
        """
        self._numbered, self._linked = {}, {}
        headings = [b for b in blocks if isinstance(b, dm.Heading)]
        formats: dict[int, set[str]] = {}
        for h in headings:
            formats.setdefault(h.level, set()).add(h.number_format if h.number is not None else "")
        levels: dict[int, x.HeadingLevel] = {}
        deepest = max((h.level for h in headings if h.number is not None), default=0)
        for level, seen in sorted(formats.items()):
            if level > deepest:
                break  # unnumbered levels under the last numbered one: nothing to restart
            numbered = seen - {""}
            if level > 9 or len(numbered) > 1:
                continue
            if numbered:
                fmt = numbered.pop()
                if fmt.count("{n}") != 1 or "%" in fmt:
                    continue
                levels[level] = x.HeadingLevel(fmt.replace("{n}", f"%{level}"))
            else:
                levels[level] = x.HeadingLevel(None)
        members = [h for h in headings if self._in_list(h, levels)]
        if not any(h.number is not None for h in members) or not _counts_match(members):
            return
        roles: dict[str, set[int]] = {}
        for h in headings:
            roles.setdefault(h.style_role, set()).add(h.level if self._in_list(h, levels) else 0)
        styles = document.styles
        for role, at in sorted(roles.items()):
            if len(at) == 1 and 0 not in at:
                level = next(iter(at))
                style = styles[self._word_style(role)]
                levels[level] = x.HeadingLevel(levels[level].text, style.style_id)
                self._linked[role] = level
                x.set_numbering(style.element.get_or_add_pPr(), HEADING_NUM_ID, level - 1)
        numbering = document.part.numbering_part.element
        top = max(levels)
        x.add_heading_numbering(
            numbering, HEADING_NUM_ID, [levels.get(i, x.HeadingLevel(None)) for i in range(1, top + 1)]
        )
        self._numbered = levels

    @staticmethod
    def _in_list(h: dm.Heading, levels: dict[int, x.HeadingLevel]) -> bool:
        """Is ``h`` counted by the headings' list (shown or not)?"""
        level = levels.get(h.level)
        if level is None:
            return False
        return (h.number is not None) == (level.text is not None)

    def heading(self, document: DocxDocument, h: dm.Heading) -> None:
        """A heading: its number from the list when Word numbers it, its outline level ``level``."""
        in_list = bool(self._numbered) and self._in_list(h, self._numbered)
        shift = 0 if in_list else len(h.label)
        p = self.paragraph(document, h.text if in_list else h.display, h.style_role, h.sources, shift)
        ppr = p.get_or_add_pPr()
        linked = self._linked.get(h.style_role)
        if in_list and linked is None:
            x.set_numbering(ppr, HEADING_NUM_ID, h.level - 1)
            indent = DocxParagraph(p, document).paragraph_format  # the style's, not the list's
            indent.left_indent, indent.first_line_indent = Mm(self.style.role(h.style_role).indent), Mm(0)
        elif not in_list and linked is not None:
            x.set_numbering(ppr, 0, None)  # a style numbered, this paragraph not
        if _outline_level(self._word_style(h.style_role)) != h.level:
            x.set_outline_level(ppr, min(h.level, 9) - 1)

    def table(self, document: DocxDocument, table: dm.Table) -> None:
        if self._after_table:  # Word joins two tables with nothing between: a gap paragraph
            gap = self._append(document, _new_paragraph())
            gap.style = self._style_ids["body"]
            self._after_table = False
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
        # as the PDF: a short table kept whole on one page, a long one starts where at least its
        # header and first rows fit (Word's keep with next on those rows' paragraphs)
        body, totals = len(table.rows), len(table.totals)
        rows_kept = body + totals - 1 if body + totals <= LONG_TABLE_ROWS else KEPT_ROWS
        # the rows stay text: written into the package where the table's marker stands
        self._stream.rows_later(
            tbl,
            chain(
                x.rows_chunks(table.header, head_looks, look.header_fill, True, keep=len(table.header)),
                x.rows_chunks(
                    table.rows,
                    body_looks,
                    bullet_num=CELL_BULLET_NUM_ID,
                    keep=rows_kept,
                    marks=self._cell_marks(table),
                    keep_last=1 if totals else 0,  # the last body row stays with the total rows
                ),
                x.rows_chunks(table.totals, body_looks, look.total_fill, keep=rows_kept - body),
            ),
        )
        self._after_table = True  # the next paragraph keeps the gap: no empty paragraph

    def _cell_marks(self, table: dm.Table) -> list[list[list[tuple[x.Mark, ...]]]]:
        """The bookmarks of the body cells' paragraphs, per row and cell (a point of a Bullets cell
        is a paragraph of its own), given now: in the order the document prints them."""
        if not table.sources and not any(
            isinstance(c, dm.Bullets) and c.sources for r in table.rows for c in r
        ):
            return []
        out = []
        for r, row in enumerate(table.rows):
            row_sources = table.sources[r] if r < len(table.sources) else ()
            cells = []
            for c, cell in enumerate(row):
                if isinstance(cell, dm.Bullets):
                    cells.append([self.marks(_nth(cell.sources, k)) for k in range(len(cell.items))])
                else:
                    cells.append([self.marks(_nth(row_sources, c))])
            out.append(cells)
        return out

    def chart(self, document: DocxDocument, chart: dm.Chart) -> None:
        """A native chart (Word's chart part and its workbook), centred in a paragraph."""
        self._charts += 1
        n = self._charts
        package = document.part.package
        xml = docx_chart.chart_xml(chart, self.style)
        chart_part = Part(PackURI(f"/word/charts/chart{n}.xml"), docx_chart.CHART_CT, xml, package)
        book = Part(
            PackURI(f"/word/embeddings/Microsoft_Excel_Worksheet{n}.xlsx"),
            docx_chart.XLSX_CT,
            docx_chart.workbook(chart, document_date(document)),
            package,
        )
        chart_part.relate_to(book, RT_PACKAGE)  # rId1, as the chart's c:externalData says
        rel_id = document.part.relate_to(chart_part, RT_CHART)
        p = self.paragraph(document, "", "body")
        para = DocxParagraph(p, document)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.line_spacing = 1.0
        look = self.style.chart
        run = x.chart_run(rel_id, Mm(look.width), Mm(look.height), 1000 + n, "活動数内訳", chart.alt_text)
        for old in list(p.iter(qn("w:r"))):
            p.remove(old)
        p.append(parse_xml(run))


def document_date(document: DocxDocument) -> dt.date:
    """The document's date (its core properties' created time, in Japan)."""
    created: dt.datetime | None = document.core_properties.created
    if created is None:
        raise ValueError("the document's properties have no created time")
    return (created + JST).date()


def _nth(sources: tuple[dm.Sources, ...], i: int) -> dm.Sources:
    """The sources of a block's ``i``-th text (none when the block gives fewer)."""
    return sources[i] if i < len(sources) else ()


def _chars(chars: frozenset[str]) -> str:
    """A set of characters as one sorted string (for Word's kinsoku lists)."""
    return "".join(sorted(chars))


def _outline_level(word_style: str) -> int | None:
    """The outline level a built-in heading style has (Heading 2 → 2), else None."""
    name, _, number = word_style.rpartition(" ")
    return int(number) if name == "Heading" and number.isdigit() else None


def _counts_match(members: list[dm.Heading]) -> bool:
    """Would Word's counting (each level restarting after a higher one) give these numbers?"""
    counters = [0] * 10
    for h in members:
        counters[h.level] += 1
        for deeper in range(h.level + 1, 10):
            counters[deeper] = 0
        if h.number is not None and h.number != counters[h.level]:
            return False
    return True


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
