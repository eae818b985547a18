"""PDF paragraphs: reportlab ``Paragraph``s made and broken into lines cheaply, by Japanese rules.

A table of 1,500 activities has tens of thousands of cell paragraphs; reportlab's own way (an
HTML parser per paragraph, then every character measured and compared with its neighbours)
was most of the time of a PDF. The work here is done per run of characters of one frag, in
plain lists, and gives reportlab exactly the frags and lines its own code gives (through
``rl_internals``, the one module that knows reportlab's frags and lines).

A paragraph longer than the room left is split between two lines: the head keeps the lines
that fit and the tail starts with the next one, so both show the lines the whole paragraph
would (reportlab's own split re-joins the tail's lines with spaces, a Latin-text habit).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from html import escape  # not xml.sax.saxutils: it imports urllib and ssl (30 ms)
from itertools import accumulate

from . import rl_internals as rli  # first: reportlab's URL pattern compiled only when used

# isort: split
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .kinsoku import break_index
from .pdf_tags import Elem, Tagger

FUZZ = 1e-6
EMPTY = rli.EMPTY

MakeLine = Callable[[rli.Runs, int, int, float, float, bool], rli.Line]


class Para(rli.LinedParagraph):
    """A paragraph broken by Japanese rules (``kinsoku.break_index``)."""

    gk_simple: rli.Frag = None  # one font: its frag (reportlab's quick kind-0 lines)
    gk_outline: tuple[int, str] | None = None  # a heading's outline level and text
    gk_runs: rli.Runs | None = None
    gk_broken: tuple[tuple[float, ...], rli.ParaLines] | None = None
    gk_tag: tuple[Tagger, Elem] | None = None  # the structure element its text belongs to
    gk_label: Label | None = None  # a list item's mark, drawn in the hanging indent
    gk_opens: bool = True  # False: continues the previous paragraph's marked content (a title's lines)
    gk_closes: bool = True  # False: the next paragraph continues this one's marked content

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        """Draw the paragraph inside its tag (and a list item's mark inside its label's)."""
        if self.gk_tag is None:
            rli.draw_on(self, canvas, x, y, _sW)
            return
        tagger, elem = self.gk_tag
        label = self.gk_label
        if label is not None:
            tagger.begin(canvas, label.elem)
            style = self.style
            canvas.saveState()
            canvas.setFillColor(style.textColor)
            canvas.setFont(style.fontName, style.fontSize)
            canvas.drawString(x + style.leftIndent - label.hang, y + rli.first_baseline(self), label.mark)
            canvas.restoreState()
            tagger.end(canvas)
        if self.gk_opens:
            tagger.begin(canvas, elem)
        rli.draw_on(self, canvas, x, y, _sW)
        if self.gk_closes:
            tagger.end(canvas)

    def lines_for(self, widths: list[float]) -> rli.ParaLines:
        key = tuple(widths)
        done = self.gk_broken
        if done is not None and done[0] == key:  # wrapped again at the same width: same lines
            return done[1]
        chars = self.runs()
        lines: rli.ParaLines
        if self.gk_simple is not None:  # one font: reportlab's quick kind-0 lines, drawn a line at a time
            lines = rli.plain_lines(self.gk_simple, _break(chars, widths, rli.plain_line))
        else:
            lines = rli.frag_lines(_break(chars, widths, rli.frag_line))
        self.gk_broken = (key, lines)
        return lines

    def runs(self) -> rli.Runs:
        """The paragraph's characters with their widths (measured once)."""
        if self.gk_runs is None:
            self.gk_runs = rli.runs(self.frags, _measured)
        return self.gk_runs

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The lines that fit, and the rest: as reportlab decides, without changing a line.

        Like reportlab: at least two lines stay (no orphan); a last line alone may go on.
        """
        if availWidth < FUZZ or availHeight < FUZZ or not self.frags:
            return []
        fit = int(availHeight / float(self.style.leading))
        if fit <= 1:
            return []
        if self.line_count(availWidth) <= fit:
            return [self]
        head, tail = self.split_at(availWidth, fit)
        return [head, tail]

    def split_at(self, width: float, count: int) -> tuple[Para, Para]:
        """The first ``count`` lines (at ``width``) and the rest, as two paragraphs.

        The rest starts without the first line's indent, so its lines are the paragraph's.
        """
        style = self.style
        first = width - (style.leftIndent + style.firstLineIndent) - style.rightIndent  # as ``wrap``
        later = width - style.leftIndent - style.rightIndent
        chars = self.runs()
        cut, hard = _break(chars, [first, later], _bounds)[count - 1]
        head = self._part(rli.sliced_frags(chars, 0, cut), style)
        head.bulletText = self.bulletText
        head.gk_label = self.gk_label
        rli.set_justify_last(head, not hard)
        tail = self._part(rli.sliced_frags(chars, cut, len(chars.text)), _no_first_indent(style))
        return head, tail

    def _part(self, frags: list[rli.Frag], style: ParagraphStyle) -> Para:
        part = Para("".join(getattr(f, "text", "") for f in frags), style, frags=frags)
        part.gk_simple = self.gk_simple
        part.gk_tag = self.gk_tag
        return part


class Label:
    """A list item's mark (``Lbl``), drawn ``hang`` points left of its text's indent."""

    __slots__ = ("elem", "mark", "hang")

    def __init__(self, elem: Elem, mark: str, hang: float) -> None:
        self.elem, self.mark, self.hang = elem, mark, hang


def _bounds(
    para: rli.Runs, start: int, end: int, width: float, used: float, line_break: bool
) -> tuple[int, bool]:
    """A line as where it ends and whether a forced break ends it."""
    return end, line_break


_UNINDENTED: dict[int, tuple[ParagraphStyle, ParagraphStyle]] = {}


def _no_first_indent(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` without a first-line indent (a split paragraph's tail)."""
    if not style.firstLineIndent:
        return style
    found = _UNINDENTED.get(id(style))
    if found is None or found[0] is not style:
        plain = ParagraphStyle(f"{style.name}:continued", parent=style, firstLineIndent=0)
        found = _UNINDENTED[id(style)] = (style, plain)
    return found[1]


def markup(text: str) -> str:
    """Plain text as paragraph markup: a ``\\n`` is a line break, as in Word."""
    return escape(text, quote=False).replace("\n", rli.BR)


def para(text: str, style: ParagraphStyle, one_font: bool = False) -> Para:
    """``Para(markup(text), style)``, without reportlab's HTML parser when the text is plain.

    The frags are clones of those the parser gives for the style, so the paragraph is the
    same; text with ``&``, ``<`` or ``>`` (entities in the markup) goes through the parser.
    ``one_font`` (a table cell): plain text is laid out as reportlab lays out a paragraph of
    one font, its lines drawn whole rather than frag by frag.
    """
    source = markup(text)
    cleaned = rli.clean_markup(source)  # what reportlab does to the markup before parsing
    if "&" in cleaned or getattr(style, "textTransform", None):
        return Para(source, style)
    frags, word = rli.plain_frags(style, cleaned.split(rli.BR))
    made = Para(source, style, frags=frags)
    made.text = cleaned
    if one_font:
        made.gk_simple = word
    return made


_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def _measured(chars: str, font: str, size: float) -> list[float]:
    """The width of each character (``EMPTY``: an empty string's), measured once a process."""
    known = _WIDTHS.get((font, size))
    if known is None:
        known = _WIDTHS[(font, size)] = {}
    out = [known.get(c) for c in chars]
    if None in out:
        for i, c in enumerate(chars):
            if out[i] is None:
                out[i] = known[c] = stringWidth("" if c == EMPTY else c, font, size)
    return out  # type: ignore[return-value]  # every None was replaced just above


def _break(para: rli.Runs, max_widths: list[float], make_line: MakeLine) -> list[rli.Line]:
    """The lines: each as long as fits, then ended where ``break_index`` allows.

    The widths are summed from each line's start in order, as a character-by-character loop
    would, so the decisions and the widths handed to reportlab are the same to the last bit.
    """
    text, widths, hard = para.text, para.widths, para.hard
    n = len(text)
    lines: list[rli.Line] = []
    start = 0
    last = len(max_widths) - 1
    while start < n:
        width = max_widths[min(len(lines), last)]
        h = bisect_left(hard, start)
        next_hard = hard[h] if h < len(hard) else n  # n: none
        sums, over = _overflow(widths, start, width + FUZZ, next_hard)
        if next_hard < n and (over is None or next_hard <= over):
            used = sums[next_hard - start - 1] if next_hard > start else 0.0
            lines.append(make_line(para, start, next_hard + 1, width, used, True))
            start = next_hard + 1
        elif over is None:
            lines.append(make_line(para, start, n, width, sums[-1], False))
            start = n
        else:
            b = break_index(text, start, over)
            if b == next_hard:  # a 、。 hung just before a forced break: the break ends this line
                lines.append(make_line(para, start, b + 1, width, sum(widths[start:b]), True))
                start = b + 1
                continue
            lines.append(make_line(para, start, b, width, sum(widths[start:b]), False))
            start = b
    return lines


def _overflow(widths: list[float], start: int, limit: float, stop: int) -> tuple[list[float], int | None]:
    """Running widths from ``start`` and the first character after it that takes them past ``limit``.

    ``None`` when none does up to the end, or up to and including ``stop`` (a forced break).
    """
    span = 64
    while True:
        sums = list(accumulate(widths[start : start + span]))  # sums[j]: widths start..start+j
        over = max(1, bisect_right(sums, limit))
        if over < len(sums):
            return sums, start + over
        if start + span >= len(widths) or start + span > stop:
            return sums, None
        span *= 4


class Points(Flowable):
    """A table cell's bullet points: one paragraph per point, each hanging its wrapped lines.

    Each point's mark is drawn in its hanging indent (``Para.gk_label``), so the lines of a
    point start under its text, not under the mark, as in Word's list paragraphs. It answers
    what ``pdf._Rows`` asks of a cell paragraph: ``style``, ``frags``, ``line_count`` and
    ``split_at``.
    """

    def __init__(self, items: list[Para], style: ParagraphStyle) -> None:
        super().__init__()
        self.items = items
        self.style = style  # the points' (for the leading)
        self.width = self.height = 0.0

    @property
    def frags(self) -> list[rli.Frag]:
        """Every point's frags (empty: nothing to draw)."""
        return [f for item in self.items for f in item.frags]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = sum(item.wrap(availWidth, availHeight)[1] for item in self.items)
        return self.width, self.height

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        top = y + self.height
        for item in self.items:
            top -= item.height
            item.drawOn(canvas, x, top)

    def line_count(self, width: float) -> int:
        """How many lines the points take in a column ``width`` wide."""
        return sum(item.line_count(width) for item in self.items)

    def split_at(self, width: float, count: int) -> tuple[Points, Points]:
        """The first ``count`` lines and the rest (a point cut between lines continues under its text)."""
        head: list[Para] = []
        for k, item in enumerate(self.items):
            lines = item.line_count(width)
            if lines <= count:
                head.append(item)
                count -= lines
                continue
            rest = self.items[k + 1 :]
            if count == 0:
                return Points(head, self.style), Points([item, *rest], self.style)
            first, second = item.split_at(width, count)
            second.gk_label = None
            return Points([*head, first], self.style), Points([second, *rest], self.style)
        return Points(head, self.style), Points([], self.style)
