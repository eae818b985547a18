"""Stage 4, render: the document model → one self-contained, accessible HTML page.

The HTML twin of the PDF for the city's website (JIS X 8341-3 / WCAG 2.0 AA): ``lang``, one
``h1`` (the title block), headings in order (``h2`` for level 1 and so on), real lists, tables
with ``caption`` and ``th scope``, the chart as inline SVG with ``role="img"``, its title and
description, followed by the count table as in the other documents. CSS inline, no scripts,
no external requests; print CSS for A4. Everything comes from the document model and the style
sheet, as for the other writers.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

from .. import docmodel as dm
from ..style import StyleSheet
from . import chart as ch
from .raster import measure

HEADINGS = 6


def _e(text: str) -> str:
    """Text as HTML: escaped, a ``\\n`` a line break."""
    return escape(text, quote=False).replace("\n", "<br>")


def _a(text: str) -> str:
    return escape(text, quote=True)


class HtmlWriter:
    """Renders documents as HTML pages with one style sheet (fonts only measure the chart)."""

    def __init__(self, style: StyleSheet, font_files: dict[str, Path]) -> None:
        self.style = style
        self.font_files = font_files
        self._headings = 0  # headings so far in the document being rendered (their ids: h-1, h-2…)

    def render(self, doc: dm.Document) -> bytes:
        """The page's UTF-8 bytes (the same document gives the same bytes)."""
        meta = doc.meta
        body: list[str] = []
        caption: str | None = None
        charts = 0
        self._headings = 0
        for block in doc.blocks:
            if isinstance(block, dm.Caption):
                if caption is not None:
                    body.append(f'<p class="caption">{_e(caption)}</p>')
                caption = block.text
                continue
            if isinstance(block, dm.Table):
                body.append(self.table(block, caption))
            elif isinstance(block, dm.Chart):
                charts += 1
                body.append(self.chart(block, caption, f"chart{charts}"))
            else:
                if caption is not None:
                    body.append(f'<p class="caption">{_e(caption)}</p>')
                body.append(self.block(block))
            caption = None
        if caption is not None:
            body.append(f'<p class="caption">{_e(caption)}</p>')
        head = [
            "<!DOCTYPE html>",
            f'<html lang="{_a(meta.language.split("-")[0])}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(meta.title)}</title>",
            f'<meta name="description" content="{_a(meta.subject)}">',
            f'<meta name="author" content="{_a(meta.author)}">',
            f'<meta name="keywords" content="{_a(", ".join(meta.keywords))}">',
            f'<meta name="date" content="{meta.date.isoformat()}">',
            '<meta name="generator" content="gyokaku">',
            f"<style>{self.css(doc.orientation)}</style>",
            "</head>",
            "<body>",
            "<main>",
        ]
        tail = ["</main>", "</body>", "</html>", ""]
        return "\n".join([*head, *body, *tail]).encode("utf-8")

    # --- blocks ------------------------------------------------------------------------

    def block(self, block: dm.Block) -> str:
        """One block as HTML (tables and charts: ``table``, ``chart``)."""
        if isinstance(block, dm.DocNumber):
            return f'<p class="doc-number">{_e(block.text)}</p>'
        if isinstance(block, dm.TitleBlock):
            return "<h1>" + "<br>".join(_e(line) for line in block.lines) + "</h1>"
        if isinstance(block, dm.Heading):
            n = min(block.level + 1, HEADINGS)
            self._headings += 1
            key = f"h-{self._headings}"
            return f'<h{n} id="{key}" class="{_a(block.style_role)}">{_e(block.display)}</h{n}>'
        if isinstance(block, dm.Paragraph):
            return f'<p class="{_a(block.role)}">{_e(block.text)}</p>'
        if isinstance(block, dm.BulletList):
            return self.items(block.items)
        if isinstance(block, dm.PageBreak):
            return '<div class="page-break"></div>'
        raise TypeError(f"no HTML rendering for {type(block).__name__}")

    @staticmethod
    def items(items: tuple[str, ...]) -> str:
        return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"

    def table(self, table: dm.Table, caption: str | None) -> str:
        if caption is not None or not self._headings:
            out = ["<table>"]
            if caption is not None:
                out.append(f"<caption>{_e(caption)}</caption>")
        else:  # a table under a heading (a perspective's activities) is named by it
            out = [f'<table aria-labelledby="h-{self._headings}">']
        weights = table.widths or (1.0,) * len(table.header[0])
        out.append("<colgroup>")
        out += [f'<col style="width:{100 * w / sum(weights):.2f}%">' for w in weights]
        out.append("</colgroup>")
        out.append("<thead>")
        for head in table.header:
            out.append("<tr>" + "".join(f'<th scope="col">{_e(text)}</th>' for text in head) + "</tr>")
        out.append("</thead>")
        out.append("<tbody>")
        for row in table.rows:
            cells = []
            for j, cell in enumerate(row):
                align = table.align[j] if j < len(table.align) else "left"
                content = _e(cell) if isinstance(cell, str) else self.items(cell.items)
                cells.append(f'<td class="{align}">{content}</td>')
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody>")
        if table.totals:
            out.append("<tfoot>")
            for row in table.totals:
                cells = [f'<th scope="row">{_e(row[0])}</th>'] if row else []
                for j, text in enumerate(row[1:], start=1):
                    align = table.align[j] if j < len(table.align) else "left"
                    cells.append(f'<td class="{align}">{_e(text)}</td>')
                out.append("<tr>" + "".join(cells) + "</tr>")
            out.append("</tfoot>")
        out.append("</table>")
        return "\n".join(out)

    def chart(self, chart: dm.Chart, caption: str | None, key: str) -> str:
        """The chart as inline SVG (the PDF's drawing), named by its caption, described by its alt text."""
        drawing = ch.layout(chart, self.style, measure(self.font_files))
        w, h = drawing.width, drawing.height
        title = caption if caption is not None else chart.alt_text.split("。")[0]
        out = ["<figure>"]
        if caption is not None:
            out.append(f"<figcaption>{_e(caption)}</figcaption>")
        out += [
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {w:.2f} {h:.2f}"'
            f' width="{w:.2f}pt" height="{h:.2f}pt" aria-labelledby="{key}-title {key}-desc">',
            f'<title id="{key}-title">{_e(title)}</title>',
            f'<desc id="{key}-desc">{_e(chart.alt_text)}</desc>',
        ]
        for item in drawing.items:
            out.append(self._svg(item, h))
        out.append("</svg>")
        out.append("</figure>")
        return "\n".join(out)

    def _svg(self, item: ch.Primitive, height: float) -> str:
        if isinstance(item, ch.Wedge):
            return _wedge(item, height)
        if isinstance(item, ch.Rect):
            y = height - item.y - item.height
            return (
                f'<rect x="{item.x:.2f}" y="{y:.2f}" width="{item.width:.2f}" height="{item.height:.2f}"'
                f' fill="#{item.fill}"/>'
            )
        if isinstance(item, ch.Line):
            return (
                f'<line x1="{item.x1:.2f}" y1="{height - item.y1:.2f}" x2="{item.x2:.2f}"'
                f' y2="{height - item.y2:.2f}" stroke="#{item.color}" stroke-width="{item.width:g}"/>'
            )
        font = self.style.fonts[item.font]
        weight = ' font-weight="bold"' if font.bold else ""
        return (
            f'<text x="{item.x:.2f}" y="{height - item.y:.2f}" font-size="{item.size:g}"'
            f' font-family="{_a(_family(font.name))}"{weight} text-anchor="{item.anchor}"'
            f' fill="#{item.color}">{_e(item.text)}</text>'
        )

    # --- CSS ---------------------------------------------------------------------------

    def css(self, orientation: str) -> str:
        """The page's CSS from the style sheet: roles' fonts and sizes, table rules, A4 print."""
        st = self.style
        page_w, page_h = st.page(orientation)
        m = st.margins
        look = st.table

        def role(name: str, selector: str) -> str:
            r = st.role(name)
            font = st.fonts[r.font]
            parts = [
                f"font-family:{_family(font.name)}",
                f"font-size:{r.size:g}pt",
                f"line-height:{r.line:g}",
                f"margin-top:{r.before:g}mm",
                f"margin-bottom:{r.after:g}mm",
                f"text-align:{r.align}",
                "font-weight:bold" if font.bold else "font-weight:normal",
            ]
            if r.indent:
                parts.append(f"margin-left:{r.indent:g}mm")
            return selector + "{" + ";".join(p for p in parts if p) + "}"

        bullet = st.role("bullet")
        rules = [
            f"@page{{size:{page_w:g}mm {page_h:g}mm;margin:{m['top']:g}mm {m['right']:g}mm"
            f" {m['bottom']:g}mm {m['left']:g}mm}}",
            f"body{{margin:0 auto;padding:{m['top']:g}mm {m['right']:g}mm;max-width:{page_w:g}mm;"
            "color:#000;background:#fff}",
            "main{display:block}",
            role("body", "p,li"),
            role("doc_number", ".doc-number"),
            role("title", "h1"),
            role("heading1", "h2"),
            role("heading2", ".heading2"),
            role("heading3", ".heading3"),
            role("caption", "caption,figcaption,.caption"),
            role("note", ".note"),
            role("table_cell", "td"),
            role("table_header", "th"),
            f"ul{{margin:0 0 {bullet.after:g}mm {bullet.indent - bullet.hanging:g}mm;padding:0 0 0"
            f" {bullet.hanging:g}mm;list-style-type:'{_css_string(st.bullet_mark)}'}}",
            f"ul li{{margin:0 0 {bullet.after:g}mm 0}}",
            "td ul{margin:0;padding-left:1em}td li{margin:0;font-size:inherit;font-family:inherit}",
            f"table{{border-collapse:collapse;width:{look.width * 100:g}%;margin:0 auto 4mm}}",
            f"th,td{{border:{look.grid:g}pt solid #000;padding:{look.padding * 0.6:g}mm {look.padding:g}mm;"
            "vertical-align:middle}",
            f"thead th{{background:#{look.header_fill};text-align:center}}",
            f"tfoot th,tfoot td{{background:#{look.total_fill}}}tfoot th{{text-align:left}}",
            ".left{text-align:left}.center{text-align:center}.right{text-align:right}",
            "figure{margin:0 0 2mm;text-align:center}figure svg{max-width:100%;height:auto}",
            "@media print{body{padding:0;max-width:none}.page-break{break-before:page}"
            "thead{display:table-header-group}tr{break-inside:avoid}h2,h3,h4{break-after:avoid}}",
        ]
        return "".join(rules)


def _family(name: str) -> str:
    """A CSS font family list: the style sheet's face, then generic fallbacks."""
    generic = "serif" if "明朝" in name or "Mincho" in name else "sans-serif"
    return f'"{_css_string(name)}",{generic}'


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'")


def _wedge(w: ch.Wedge, height: float) -> str:
    """A ring segment as an SVG path (y flipped)."""
    cy = height - w.cy
    if w.end - w.start >= 360:
        return (
            f'<circle cx="{w.cx:.2f}" cy="{cy:.2f}" r="{(w.radius + w.inner) / 2:.2f}" fill="none"'
            f' stroke="#{w.fill}" stroke-width="{w.radius - w.inner:.2f}"/>'
        )

    def point(r: float, angle: float) -> str:
        rad = math.radians(angle)
        return f"{w.cx + r * math.cos(rad):.2f} {cy - r * math.sin(rad):.2f}"

    large = 1 if w.end - w.start > 180 else 0
    d = (
        f"M{point(w.radius, w.start)}A{w.radius:.2f} {w.radius:.2f} 0 {large} 0 {point(w.radius, w.end)}"
        f"L{point(w.inner, w.end)}A{w.inner:.2f} {w.inner:.2f} 0 {large} 1 {point(w.inner, w.start)}Z"
    )
    return f'<path d="{d}" fill="#{w.fill}" stroke="#fff" stroke-width="0.8"/>'
