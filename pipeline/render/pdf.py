"""Stage 4, render: the document model → tagged PDF bytes (reportlab).

Every flowable draws its content inside the marked-content sequence of its structure element
(``pdf_tags``): headings, paragraphs, list labels and bodies, table cells, the chart's Figure;
table rules and shading and the page number are artifacts. The structure tree follows the
document model's blocks in order.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache, lru_cache, partial
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from . import rl_internals as rli  # first: reportlab's URL pattern compiled only when used

# isort: split
from reportlab.graphics import shapes
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    LayoutError,
    PageBreak,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import LongTable as RLTable
from reportlab.platypus import TableStyle as RLTableStyle
from reportlab.platypus.tables import Table, TableRenderCB

from .. import docmodel as dm
from ..style import StyleSheet
from . import RenderError, fontcache
from . import chart as ch
from .chart import MM
from .pdf_tags import Elem, Tagger, complete, finish
from .pdftext import Label, Para, Points, para
from .raster import measure

ANCHORS: dict[str, Literal["start", "middle", "end"]] = {"start": "start", "middle": "middle", "end": "end"}
ALIGN: dict[str, Literal[0, 1, 2, 4]] = {
    "left": TA_LEFT,
    "center": TA_CENTER,
    "right": TA_RIGHT,
    "justify": TA_JUSTIFY,
}


class PdfLayoutError(RenderError):
    """Something of a document cannot be laid out on a page (the message says what, in Japanese)."""


@cache
def register_font(key: str, path: Path) -> str:
    """Register a TrueType file once per process; the name reportlab knows it by."""
    name = f"gyokaku-{key}"
    pdfmetrics.registerFont(fontcache.ttfont(name, path, 0))
    return name


def covered_codepoints(font_files: dict[str, Path]) -> frozenset[int]:
    """Code points that every one of the fonts has a glyph for."""
    return _covered(tuple(sorted(font_files.items())))


@lru_cache(maxsize=8)
def _covered(fonts: tuple[tuple[str, Path], ...]) -> frozenset[int]:
    sets = [rli.char_to_glyph(register_font(k, p)) for k, p in fonts]
    return frozenset.intersection(*sets)


Cell = Para | Points  # what a table cell is drawn as


class _Rows:
    """A table's rows as reportlab cells, made when first asked for and each measured once.

    The height of a row is what reportlab's table would compute (``rli.row_height``); handing
    it to the table spares it wrapping every cell again each time a window or a split part of
    the table is measured. Rows a page has used are forgotten. A row split between pages
    holds, once its first page is made, only what is left of its cells (``replace``).
    """

    def __init__(
        self,
        table: dm.Table,
        styles: list[list[ParagraphStyle]],
        widths: list[float],
        pads: tuple[float, float, float, float],
        mark: str,
        tags: tuple[Tagger, Elem],
        hanging: dict[int, tuple[ParagraphStyle, ParagraphStyle, float]],
    ) -> None:
        body = [tuple(dm.cell_text(cell, mark) for cell in row) for row in table.rows]
        self.texts = [*table.header, *body, *table.totals]
        self.raw: list[tuple[dm.Cell, ...]] = [*table.header, *table.rows, *table.totals]
        self.mark = mark
        self._hanging = hanging
        self.styles, self.widths, self.pads = styles, widths, pads
        self.n_head = len(table.header)
        self.n_total = len(table.totals)
        self.tagger, self.elem = tags
        self.made = 0  # rows whose elements are made (in order)
        self.row_cells: dict[int, list[Elem]] = {}  # each row's TH/TD, until its cells are made
        self.points: dict[tuple[int, int], list[tuple[Elem, Elem]]] = {}  # a cell's points' Lbl, LBody
        self._cells: dict[int, list[Cell]] = {}
        self._heights: dict[int, float] = {}
        self._replaced: dict[int, list[Cell]] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def cells(self, i: int) -> list[Cell]:
        found = self._cells.get(i)
        if found is None:
            found = self._replaced.get(i)
        if found is None:
            styles = self.styles[min(i, self.n_head)]
            found = []
            elems = self._cell_elems(i)
            for j, (raw, text, style, elem) in enumerate(zip(self.raw[i], self.texts[i], styles, elems)):
                if isinstance(raw, dm.Bullets):
                    found.append(self._points(raw, style, self.points.pop((i, j))))
                    continue
                cell = para(text, style, one_font=True)
                cell.gk_tag = (self.tagger, elem)
                found.append(cell)
            self._cells[i] = found
        return found

    def _points(self, cell: dm.Bullets, style: ParagraphStyle, elems: list[tuple[Elem, Elem]]) -> Points:
        """A cell's points, each hanging under its text (``elems``: each point's Lbl and LBody)."""
        found = self._hanging.get(id(style))
        if found is None or found[0] is not style:
            hang = stringWidth(self.mark, style.fontName, style.fontSize)
            hanging = ParagraphStyle(f"{style.name}:points", parent=style, leftIndent=style.leftIndent + hang)
            found = self._hanging[id(style)] = (style, hanging, hang)
        _, hanging, hang = found
        items = []
        for text, (label, body) in zip(cell.items, elems):
            item = para(text, hanging, one_font=True)
            item.gk_tag = (self.tagger, body)
            item.gk_label = Label(label, self.mark, hang)
            items.append(item)
        return Points(items, hanging)

    def _cell_elems(self, i: int) -> list[Elem]:
        """Row ``i``'s TH/TD elements, made with those of every row before it (reading order)."""
        tagger = self.tagger
        while self.made <= i:
            k = self.made
            row = tagger.add(self.elem, "TR")
            head, total = k < self.n_head, k >= len(self.texts) - self.n_total
            cells = []
            for j, raw in enumerate(self.raw[k]):
                if isinstance(raw, dm.Bullets):
                    cell = tagger.add(row, "TD")
                    points = tagger.add(cell, "L")
                    made = []
                    for _ in raw.items:
                        item = tagger.add(points, "LI")
                        made.append((tagger.add(item, "Lbl"), tagger.add(item, "LBody")))
                    self.points[(k, j)] = made
                elif head:  # drawn again on later pages: artifacts there
                    cell = tagger.add(row, "TH", scope="Column", repeat=True)
                elif total and j == 0:
                    cell = tagger.add(row, "TH", scope="Row")
                else:
                    cell = tagger.add(row, "TD")
                cells.append(cell)
            self.row_cells[k] = cells
            self.made += 1
        return self.row_cells.pop(i) if i >= self.n_head else self.row_cells[i]

    def height(self, i: int) -> float:
        """Row ``i``'s height, as reportlab computes it."""
        found = self._heights.get(i)
        if found is None:
            found = self._heights[i] = rli.row_height(self.cells(i), self.widths, self.pads)
        return found

    def replace(self, i: int, cells: list[Cell]) -> None:
        """Row ``i`` is now ``cells`` (part of what it was)."""
        self._cells.pop(i, None)
        self._heights.pop(i, None)
        self._replaced[i] = cells

    def forget(self, below: int) -> None:
        """Drop the cells of body rows before ``below`` (a page has taken them)."""
        for cache_ in (self._cells, self._replaced):
            for i in [k for k in cache_ if self.n_head <= k < below]:
                del cache_[i]

    def split(self, i: int, room: float) -> tuple[list[Cell], list[Cell]] | None:
        """Row ``i``'s cells cut so that the first part is at most ``room`` high.

        ``None`` when fewer than ``MIN_LINES`` lines would fit. A cell that fits whole goes
        into the first part, leaving an empty cell in the second.
        """
        left, right, top, bottom = self.pads
        content = room - top - bottom
        heads: list[Cell] = []
        tails: list[Cell] = []
        for cell, width in zip(self.cells(i), self.widths):
            inner = width - left - right
            fit = int(content / cell.style.leading)
            if fit < MIN_LINES:
                return None
            if cell.line_count(inner) <= fit:
                heads.append(cell)
                tails.append(para("", cell.style, one_font=True))
            else:
                head, tail = cell.split_at(inner, fit)
                heads.append(head)
                tails.append(tail)
        if all(not tail.frags for tail in tails):
            return None  # it fits after all (the last bit of a float): no empty row on the next page
        return heads, tails


WINDOW_ROWS = 120  # a table longer than this is given to reportlab a page at a time
GAP_SHARE = 0.25  # a row is split rather than moved on when moving it leaves this share of a page empty
MIN_LINES = 2  # the fewest lines of a split row's cells on its first page

MakeTable = Callable[[int, int, bool, bool], RLTable]


class _Table(rli.DrawnAs):
    """A table given to reportlab a window of rows at a time, whose tall rows split between pages.

    reportlab splits a table at a page end by building a new table of every remaining row, so
    a table of n rows costs n²; here each page is split from a window of the next rows only.
    Pages break where they would in the one big table (reportlab's own split decides), except
    at a row that does not fit: when it is taller than a page, or moving it on would leave
    more than ``GAP_SHARE`` of the page empty, the lines that fit stay and the rest of the row
    goes on the next page, under the header rows again (as Word splits a row).
    """

    def __init__(
        self,
        make: MakeTable,
        rows: _Rows,
        page_height: float,
        first: int = 0,
        window: int = 32,
        continued: bool = False,
    ) -> None:
        super().__init__()
        self.make, self.rows, self.page_height = make, rows, page_height
        self.n_rows = len(rows) - rows.n_head  # body and total rows, from the table's first
        self.first, self.continued = first, continued
        self.hAlign = "CENTER"
        self._window = window  # twice what the last page held: reportlab measures every row given
        self._table: RLTable | None = None
        self._table_rows = 0

    def _current(self) -> tuple[RLTable, bool]:
        """The table of the window's rows, and whether that is every remaining row."""
        count = min(self._window, self.n_rows - self.first)
        whole = self.first + self._window >= self.n_rows
        if self._table is None or self._table_rows != count:
            self._table = self.make(self.first, count, self.continued, False)
            self._table_rows = count
        return self._table, whole

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        while True:
            table, whole = self._current()
            width, height = table.wrap(availWidth, availHeight)
            if whole or height > availHeight:
                self.width, self.height = width, height if whole else max(height, availHeight + 1)
                return self.width, self.height
            self._window *= 2  # short rows: a page holds more than the window

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        cut = self._split_row(availHeight)
        if cut:
            return cut
        table, whole = self._current()
        parts = table.split(availWidth, availHeight)
        if len(parts) < 2:
            return parts
        done = rli.row_count(parts[0]) - table.repeatRows
        return [parts[0], self._rest(self.first + done, done, False)]

    def room_to_start(self) -> float:
        """The room under a heading that keeps its table's start on its page.

        The header rows and the first row, or as much of it as makes it split rather than move on.
        """
        rows = self.rows
        header = sum(rows.height(i) for i in range(rows.n_head))
        first = rows.height(rows.n_head + self.first)
        return header + min(first, GAP_SHARE * self.page_height)

    def _rest(self, first: int, done: int, continued: bool) -> _Table:
        return _Table(self.make, self.rows, self.page_height, first, max(16, 2 * done + 4), continued)

    def _split_row(self, avail: float) -> list[Flowable]:
        """This page's part and the rest, split inside the first row that does not fit; or none."""
        rows, n_head = self.rows, self.rows.n_head
        used: float = 0
        for i in range(n_head):
            used = used + rows.height(i)
        header = used
        i = n_head + self.first
        while i < n_head + self.n_rows and used + rows.height(i) <= avail:
            used = used + rows.height(i)
            i += 1
        if i == n_head + self.n_rows:
            return []
        room = avail - used
        if rows.height(i) <= self.page_height - header and room < GAP_SHARE * self.page_height:
            return []  # the row moves on whole (reportlab's split)
        parts = rows.split(i, room)
        if parts is None:
            return []
        row = i - n_head
        rows.replace(i, parts[0])
        page = self.make(self.first, row - self.first + 1, self.continued, True)
        rows.replace(i, parts[1])
        return [page, self._rest(row, row - self.first, True)]

    def drawn(self) -> Flowable:
        """What is drawn where reportlab places this flowable: the window's table."""
        return self._current()[0]


PDF_VERSION = (1, 7)  # PDF/UA-1 and PDF/A-2 are built on ISO 32000-1 (PDF 1.7)
LOOKAHEAD = 32  # flowables made ahead of layout (reportlab looks ahead for keepWithNext chains)


class _Template(BaseDocTemplate):
    """Lays out flowables as they are made; adds outline entries (bookmarks) for headings.

    ``BaseDocTemplate.build`` takes a list and keeps every flowable until it is laid out: the
    whole document in memory at once. ``build_from`` keeps the list a few flowables long,
    topping it up from an iterator, so memory stays flat with the size of a plan.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._outline_levels: list[int] = []
        self._more: Iterator[Flowable] = iter(())
        self._queue: list[Flowable] = []

    def build_from(self, flowables: Iterator[Flowable]) -> None:
        self._more = flowables
        self._queue = list(islice(flowables, LOOKAHEAD))
        self.build(self._queue, canvasmaker=partial(rli.PageCompressingCanvas, pdfVersion=PDF_VERSION))

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        self._top_up(flowables)
        super().handle_flowable(flowables)
        self._top_up(flowables)  # build() stops when the list is empty

    def _top_up(self, flowables: list[Flowable]) -> None:
        """Refill the list being built (not reportlab's others, such as the hanging ones)."""
        if flowables is self._queue and len(flowables) < LOOKAHEAD:
            flowables.extend(islice(self._more, LOOKAHEAD - len(flowables)))

    def afterFlowable(self, flowable: Flowable) -> None:
        outline = getattr(flowable, "gk_outline", None)
        if outline is None:
            return
        level, text = outline
        previous = self._outline_levels[-1] if self._outline_levels else -1
        level = min(level, previous + 1)
        self._outline_levels.append(level)
        key = f"h{len(self._outline_levels)}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=False)


class PdfWriter:
    """Renders documents with one style sheet and its located fonts."""

    def __init__(self, style: StyleSheet, font_files: dict[str, Path]) -> None:
        self.style = style
        self.font_files = font_files
        self.fonts = {key: register_font(key, path) for key, path in font_files.items()}
        self.para_styles = {name: self._para_style(name) for name in style.roles}
        page_h = self.style.page("portrait")[1] * MM
        self.body_height = page_h - (self.style.margins["top"] + self.style.margins["bottom"]) * MM
        self.tagger = Tagger()
        # the points' hanging styles, one per cell style for the writer's life: one per table
        # kept every table's style (and its frags, cached by style) to the end of the document
        self._hanging: dict[int, tuple[ParagraphStyle, ParagraphStyle, float]] = {}
        bullet = self.para_styles["bullet"]
        self.para_styles["bullet:text"] = ParagraphStyle("bullet:text", parent=bullet, firstLineIndent=0)

    def _para_style(self, name: str) -> ParagraphStyle:
        role = self.style.role(name)
        return ParagraphStyle(
            name,
            fontName=self.fonts[role.font],
            fontSize=role.size,
            leading=role.leading,
            alignment=ALIGN[role.align],
            spaceBefore=role.before * MM,
            spaceAfter=role.after * MM,
            leftIndent=role.indent * MM,
            firstLineIndent=-role.hanging * MM,
            wordWrap="CJK",
            textColor=colors.black,
        )

    def paragraph(self, text: str, role: str, elem: Elem | None = None) -> Para:
        """A paragraph of ``role``'s style, its text tagged as ``elem``'s content."""
        made = para(text, self.para_styles[role])
        if elem is not None:
            made.gk_tag = (self.tagger, elem)
        return made

    def render(self, doc: dm.Document) -> bytes:
        """The whole document as PDF bytes (deterministic: invariant mode, dates from the input)."""
        page_w, page_h = (v * MM for v in self.style.page(doc.orientation))
        m = {k: v * MM for k, v in self.style.margins.items()}
        out = io.BytesIO()
        template = _Template(
            out,
            pagesize=(page_w, page_h),
            leftMargin=m["left"],
            rightMargin=m["right"],
            topMargin=m["top"],
            bottomMargin=m["bottom"],
            title=doc.meta.title,
            author=doc.meta.author,
            subject=doc.meta.subject,
            keywords=", ".join(doc.meta.keywords),
            creator="gyokaku",
            producer=PRODUCER,
            lang=doc.meta.language,
            invariant=1,
            displayDocTitle=1,
            initialFontName=self.fonts[self.style.role("body").font],
            initialFontSize=self.style.role("body").size,
        )
        frame = Frame(
            m["left"],
            m["bottom"],
            page_w - m["left"] - m["right"],
            page_h - m["top"] - m["bottom"],
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        decorate = self._page_decorator(doc, page_w)
        page = PageTemplate("page", [frame], onPage=_start_page(doc), onPageEnd=decorate)
        template.addPageTemplates([page])
        self.body_height = page_h - m["top"] - m["bottom"]
        self.tagger = Tagger()
        rli.hold_save(template)  # saved below, once the tags are added
        try:
            template.build_from(self.flowables(doc, page_w - m["left"] - m["right"]))
        except LayoutError as err:
            raise PdfLayoutError(
                f"{doc.meta.title}: PDF のページに収まらない部分があり、組版できませんでした。"
                "スタイルシートの文字の大きさ・行送り・余白を見直してください。"
            ) from err
        done = finish(template.canv, self.tagger, doc.meta, PRODUCER)
        # the file's pieces as reportlab makes them, joined once with the structure (not also
        # joined by reportlab, nor copied into ``out``: copies of a 29 MB file at the peak)
        return complete(rli.pdf_pieces(template.canv), done)

    def _page_decorator(self, doc: dm.Document, page_w: float) -> Callable[[Canvas, Any], None]:
        """The page number, drawn last on each page (read last) as a pagination artifact."""
        role = self.style.role("footer")

        def decorate(canvas: Canvas, _template: Any) -> None:
            Tagger.artifact(canvas, "Pagination", "Footer")
            canvas.saveState()
            canvas.setFont(self.fonts[role.font], role.size)
            text = self.style.page_number.format(page=canvas.getPageNumber())
            canvas.drawCentredString(page_w / 2, self.style.footer_distance * MM, text)
            canvas.restoreState()
            Tagger.end(canvas)

        return decorate

    # --- blocks ------------------------------------------------------------------------

    def flowables(self, doc: dm.Document, text_width: float) -> Iterator[Flowable]:
        """The document's flowables, made as layout reaches them: a page break at a time.

        The passes over the flowables look at neighbours only, never across a page break, so
        doing them for each stretch between page breaks gives what doing them once gives.
        """
        out: list[Flowable] = []
        for block in doc.blocks:
            if isinstance(block, dm.PageBreak) and out:
                yield from self._passes(out)
                out = []
            out.extend(self.block(block, text_width))
        yield from self._passes(out)

    def _passes(self, out: list[Flowable]) -> list[Flowable]:
        _headings_over_long_tables(out, self.para_styles["table_cell"].leading)
        _headings_kept_together(out)
        return out

    def block(self, block: dm.Block, text_width: float) -> list[Flowable]:
        """A block's flowables, each tagged as the structure element made for it here."""
        tagger = self.tagger
        root = tagger.root
        if isinstance(block, dm.DocNumber):
            return [self.paragraph(block.text, "doc_number", tagger.add(root, "P"))]
        if isinstance(block, dm.TitleBlock):
            title = tagger.add(root, "H1")
            lines = [self.paragraph(line, "title", title) for line in block.lines]
            for above, below in zip(lines, lines[1:]):  # one marked-content sequence: one heading
                above.gk_closes = below.gk_opens = False
                above.keepWithNext = True
            return list(lines)
        if isinstance(block, dm.Heading):
            elem = tagger.add(root, f"H{min(block.level + 1, 6)}")
            heading = self.paragraph(block.display, block.style_role, elem)
            heading.gk_outline = (block.level - 1, block.display)
            heading.keepWithNext = True
            return [CondPageBreak(heading.style.leading * 4), heading]
        if isinstance(block, dm.Paragraph):
            return [self.paragraph(block.text, block.role, tagger.add(root, "P"))]
        if isinstance(block, dm.BulletList):
            items = tagger.add(root, "L")
            return [self.bullet(item, tagger.add(items, "LI")) for item in block.items]
        if isinstance(block, dm.Caption):
            caption = self.paragraph(block.text, "caption", tagger.add(root, "Caption"))
            caption.keepWithNext = True
            return [caption]
        if isinstance(block, dm.Table):
            before = tagger.last_child(root)
            elem = tagger.add(root, "Table")
            if before is not None and tagger.tags[before] == "Caption":  # its caption: its first child
                tagger.adopt(elem, before)
            return [self.table(block, text_width, elem), Spacer(1, self.style.role("body").after * MM)]
        if isinstance(block, dm.Chart):
            return [self.chart(block, tagger.add(root, "Figure", alt=block.alt_text))]
        if isinstance(block, dm.PageBreak):
            return [PageBreak()]
        raise TypeError(f"no PDF rendering for {type(block).__name__}")

    def bullet(self, text: str, item: Elem) -> Para:
        """A point: the mark (``Lbl``) hangs in the indent, the text (``LBody``) starts where Word's does."""
        mark = self.style.bullet_mark
        label = self.tagger.add(item, "Lbl")
        body = self.paragraph(text, "bullet:text", self.tagger.add(item, "LBody"))
        body.gk_label = Label(label, mark, self.style.role("bullet").hanging * MM)
        return body

    def table(self, table: dm.Table, text_width: float, elem: Elem) -> Flowable:
        look = self.style.table
        total_w = text_width * look.width
        weights = table.widths or (1.0,) * len(table.header[0])
        col_widths = [total_w * w / sum(weights) for w in weights]
        header_style = self.para_styles["table_header"]
        styles = [[header_style] * len(col_widths)] * len(table.header)
        styles.append([self._cell_style(table, j) for j in range(len(col_widths))])
        pad = look.padding * MM
        pads = (pad, pad, pad * 0.6, pad * 0.8)
        rows = _Rows(
            table, styles, col_widths, pads, self.style.bullet_mark, (self.tagger, elem), self._hanging
        )
        n_head, n_body = len(table.header), len(table.rows)
        middle = rli.CellLook(header_style.fontName, header_style.fontSize, pads, "MIDDLE")
        top = replace(middle, valign="TOP")

        def make(first: int, count: int, split_first: bool = False, split_last: bool = False) -> RLTable:
            """The header and ``count`` body and total rows from index ``first`` as one table.

            A row split between pages (the first row, the last) has its cells at the top.
            """
            rows.forget(n_head + first)
            indices = [*range(n_head), *range(n_head + first, n_head + first + count)]
            tops = {n_head} if split_first else set()
            if split_last:
                tops.add(n_head + count - 1)
            looks = [top if row in tops else middle for row in range(len(indices))]
            return RLTable(
                [rows.cells(i) for i in indices],
                colWidths=col_widths,
                rowHeights=[rows.height(i) for i in indices],
                repeatRows=n_head,
                style=RLTableStyle(self._table_commands(n_head, n_head + max(0, n_body - first), count)),
                cellStyles=rli.cell_styles(looks, len(col_widths)),
                hAlign="CENTER",
                renderCB=_TABLE_ARTIFACTS,
            )

        n_rows = len(rows) - n_head
        if n_rows > WINDOW_ROWS:
            return _Table(make, rows, self.body_height)
        if all(rows.height(i) <= GAP_SHARE * self.body_height for i in range(n_head, len(rows))):
            return make(0, n_rows)  # no row will be split
        return _Table(make, rows, self.body_height, window=n_rows)

    def _table_commands(self, n_head: int, first_total: int, n_rows: int) -> list[tuple[Any, ...]]:
        """Grid, header shading; total rows (from row ``first_total``) shaded. (Font, padding and
        vertical alignment are the cells' shared styles: ``rli.cell_styles``.)"""
        look = self.style.table
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), look.grid, colors.black),
            ("BACKGROUND", (0, 0), (-1, n_head - 1), colors.HexColor("#" + look.header_fill)),
        ]
        if first_total < n_head + n_rows:
            commands.append(
                ("BACKGROUND", (0, first_total), (-1, -1), colors.HexColor("#" + look.total_fill))
            )
        return commands

    def _cell_style(self, table: dm.Table, column: int) -> ParagraphStyle:
        align = table.align[column] if column < len(table.align) else "left"
        key = f"table_cell:{align}"
        if key not in self.para_styles:
            base = self.para_styles["table_cell"]
            self.para_styles[key] = ParagraphStyle(key, parent=base, alignment=ALIGN[align])
        return self.para_styles[key]

    def chart(self, chart: dm.Chart, elem: Elem) -> Flowable:
        drawing = ch.layout(chart, self.style, measure(self.font_files))
        # renderPDF selects the graphics default font before any String; make it ours so that
        # no unembedded standard font (Helvetica) enters the file.
        shapes.STATE_DEFAULTS["fontName"] = self.fonts[self.style.chart.label_font]
        out = shapes.Drawing(drawing.width, drawing.height)
        for item in drawing.items:
            out.add(self._shape(item))
        out.hAlign = "CENTER"
        return _Figure(out, (self.tagger, elem))

    def _shape(self, item: ch.Primitive) -> shapes.Shape:
        if isinstance(item, ch.Wedge):
            if item.end - item.start >= 360:
                return shapes.Group(
                    shapes.Circle(item.cx, item.cy, item.radius, fillColor=_c(item.fill), strokeColor=None),
                    shapes.Circle(item.cx, item.cy, item.inner, fillColor=colors.white, strokeColor=None),
                )
            return shapes.Wedge(
                item.cx,
                item.cy,
                item.radius,
                item.start,
                item.end,
                radius1=item.inner,
                fillColor=_c(item.fill),
                strokeColor=colors.white,
                strokeWidth=0.8,
            )
        if isinstance(item, ch.Rect):
            return shapes.Rect(
                item.x,
                item.y,
                item.width,
                item.height,
                fillColor=_c(item.fill),  # type: ignore[arg-type]  # the stubs' Rect lacks Unpack[...]
                strokeColor=None,  # type: ignore[arg-type]  # (as above)
            )
        if isinstance(item, ch.Line):
            return shapes.Line(
                item.x1, item.y1, item.x2, item.y2, strokeColor=_c(item.color), strokeWidth=item.width
            )
        return shapes.String(
            item.x,
            item.y,
            item.text,
            fontName=self.fonts[item.font],
            fontSize=item.size,
            textAnchor=ANCHORS[item.anchor],
            fillColor=_c(item.color),
        )


PRODUCER = "gyokaku (reportlab)"


def _start_page(doc: dm.Document) -> Callable[[Canvas, Any], None]:
    """Each page's setup: dates from the input, the outline shown."""
    stamp = f"D:{doc.meta.date:%Y%m%d}000000+09'00'"

    def start(canvas: Canvas, _template: Any) -> None:
        canvas.setDateFormatter(lambda *_: stamp)
        canvas.showOutline()

    return start


class _TableArtifacts(TableRenderCB):
    """A table's shading and rules drawn as artifacts (its cells tag themselves)."""

    def startBG(self, T: Table) -> None:
        Tagger.artifact(T.canv)

    def startLines(self, T: Table) -> None:
        Tagger.artifact(T.canv)

    def endBG(self, T: Table) -> None:
        Tagger.end(T.canv)

    endLines = endBG

    def startTable(self, T: Table) -> None:
        pass

    def endTable(self, T: Table) -> None:
        pass

    def startRow(self, T: Table, rowNo: int) -> None:
        pass

    def endRow(self, T: Table) -> None:
        pass

    def startCell(self, T: Table, *_args: Any) -> None:
        pass

    def endCell(self, T: Table) -> None:
        pass


_TABLE_ARTIFACTS = _TableArtifacts()


class _Figure(Flowable):
    """The chart's drawing, drawn inside its ``Figure`` tag."""

    def __init__(self, drawing: shapes.Drawing, tag: tuple[Tagger, Elem]) -> None:
        super().__init__()
        self.drawing, self.tag = drawing, tag
        self.width, self.height = drawing.width, drawing.height
        self.hAlign = "CENTER"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        tagger, elem = self.tag
        tagger.begin(canvas, elem)
        rli.draw_on(self.drawing, canvas, x, y, _sW)
        tagger.end(canvas)


LONG_TABLE_ROWS = 4  # a table of more rows may start on the page its heading ends


def _headings_over_long_tables(out: list[Flowable], cell_leading: float) -> None:
    """A heading over a long table, or one whose rows may split, keeps room below instead of keeping with it.

    reportlab keeps a heading with its next flowable by moving both to a new page whenever
    they do not fit together, so a table longer than a page would leave a page all but empty.
    """
    for i in range(1, len(out) - 1):
        table, before = out[i + 1], out[i - 1]
        long = isinstance(table, _Table) or (
            isinstance(table, RLTable) and rli.row_count(table) > LONG_TABLE_ROWS
        )
        if isinstance(before, CondPageBreak) and getattr(out[i], "gk_outline", None) is not None and long:
            room = 3 * 2.5 * cell_leading
            if isinstance(table, _Table):  # a tall first row: room for it, or to split it
                room = max(room, table.room_to_start())
            out[i].keepWithNext = False
            out[i - 1] = CondPageBreak(before.height + room)


def _headings_kept_together(out: list[Flowable]) -> None:
    """A heading right under another one adds its room to the first's page-break test.

    Its own ``CondPageBreak`` would sit between the two headings and break reportlab's chain of
    ``keepWithNext``, leaving the upper heading alone at the foot of a page.
    """
    i = 2
    while i < len(out):
        if isinstance(out[i], CondPageBreak) and getattr(out[i - 1], "keepWithNext", False):
            room = out[i].height
            del out[i]
            if isinstance(out[i - 2], CondPageBreak):
                out[i - 2] = CondPageBreak(out[i - 2].height + room)
        else:
            i += 1


def _c(hex_color: str) -> colors.Color:
    return colors.HexColor("#" + hex_color)
