"""PDF paragraphs: reportlab ``Paragraph``s made and broken into lines cheaply, by Japanese rules.

A table of 1,500 activities has tens of thousands of cell paragraphs; reportlab's own way (an
HTML parser per paragraph, then every character measured and compared with its neighbours)
was most of the time of a PDF. The work here is done per run of characters of one frag, in
plain lists, and gives reportlab exactly the frags and lines its own code gives.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from html import escape  # not xml.sax.saxutils: it imports urllib and ssl (30 ms)
from itertools import accumulate

from . import rlstart  # noqa: F401  (first: reportlab's URL pattern compiled only when used)

# isort: split
from reportlab.lib.rl_accel import sameFrag
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus.paragraph import FragLine, ParaLines, cleanBlockQuotedText

from .kinsoku import break_index

FUZZ = 1e-6
BR = "<br/>"
EMPTY = "\x00"  # stands for a frag without text (a <br/>) in a paragraph's text: never input


class Para(RLParagraph):
    """A paragraph broken by Japanese rules (``kinsoku.break_index``)."""

    def breakLinesCJK(self, maxWidths):  # noqa: N802 (reportlab's name)
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        self.height = 0
        key = tuple(maxWidths)
        done = getattr(self, "_gk_broken", None)
        if done is not None and done[0] == key:  # wrapped again at the same width: same lines
            return done[1]
        if getattr(self, "_gk_chars", None) is None:
            self._gk_chars = _chars(self.frags)
        simple = getattr(self, "_gk_simple", None)
        if simple is not None:  # one font: reportlab's quick kind-0 lines, drawn a line at a time
            ascent, descent = getAscentDescent(simple.fontName, simple.fontSize)
            found = _break(self._gk_chars, list(maxWidths), _plain_line)
            lines = simple.clone(kind=0, lines=found, ascent=ascent, descent=descent)
        else:
            lines = ParaLines(kind=1, lines=_break(self._gk_chars, list(maxWidths), _line))
        self._gk_broken = (key, lines)
        return lines


def markup(text: str) -> str:
    """Plain text as paragraph markup: a ``\\n`` is a line break, as in Word."""
    return escape(text, quote=False).replace("\n", BR)


def para(text: str, style: ParagraphStyle, one_font: bool = False) -> Para:
    """``Para(markup(text), style)``, without reportlab's HTML parser when the text is plain.

    The frags are clones of those the parser gives for the style, so the paragraph is the
    same; text with ``&``, ``<`` or ``>`` (entities in the markup) goes through the parser.
    ``one_font`` (a table cell: never split over pages): plain text is laid out as reportlab
    lays out a paragraph of one font, its lines drawn whole rather than frag by frag.
    """
    source = markup(text)
    cleaned = cleanBlockQuotedText(source)  # what reportlab does to the markup before parsing
    if "&" in cleaned or getattr(style, "textTransform", None):
        return Para(source, style)
    word, line_break = _prototypes(style)
    frags = []
    for i, part in enumerate(cleaned.split(BR)):
        if i:
            frags.append(line_break.clone())
        if part:
            frags.append(word.clone(text=part))
    made = Para(source, style, frags=frags)
    made.text = cleaned
    if one_font:
        made._gk_simple = word
    return made


_PROTOTYPES: dict[int, tuple] = {}


def _prototypes(style: ParagraphStyle) -> tuple:
    """The parser's text frag and line-break frag for ``style`` (parsed once per style)."""
    found = _PROTOTYPES.get(id(style))
    if found is None or found[0] is not style:
        word, line_break = RLParagraph("x" + BR, style).frags
        found = _PROTOTYPES[id(style)] = (style, word, line_break)
    return found[1], found[2]


_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


@dataclass(frozen=True)
class _Chars:
    """A paragraph's characters in plain lists, and its runs of characters of one frag."""

    text: str  # one string, not a list of one-character strings (memory: 15,000 activities)
    widths: list[float]
    hard: list[int]  # a forced line break (<br/>) ends the line after each of these characters
    starts: list[int]  # where each run begins
    frags: list  # each run's frag


def _chars(frags: list) -> _Chars:
    """Each character of the paragraph with its width (measured once a process)."""
    text: list[str] = []
    widths: list[float] = []
    hard: list[int] = []
    starts: list[int] = []
    owners: list = []
    at = 0
    for frag in frags:
        chars = getattr(frag, "text", "") or EMPTY
        if hasattr(frag, "cbDefn"):
            widths += [getattr(frag.cbDefn, "width", 0)] * len(chars)
        else:
            widths += _measured(chars, frag.fontName, frag.fontSize)
        if hasattr(frag, "lineBreak"):
            hard += range(at, at + len(chars))
        if not owners or owners[-1] is not frag:
            starts.append(at)
            owners.append(frag)
        text.append(chars)
        at += len(chars)
    return _Chars("".join(text), widths, hard, starts, owners)


def _measured(chars: str, font: str, size: float) -> list[float]:
    """The width of each character (``EMPTY``: an empty string's)."""
    known = _WIDTHS.get((font, size))
    if known is None:
        known = _WIDTHS[(font, size)] = {}
    out = [known.get(c) for c in chars]
    if None in out:
        for i, c in enumerate(chars):
            if out[i] is None:
                out[i] = known[c] = stringWidth("" if c == EMPTY else c, font, size)
    return out


def _break(para: _Chars, max_widths: list[float], make_line) -> list:
    """The lines: each as long as fits, then ended where ``break_index`` allows.

    The widths are summed from each line's start in order, as a character-by-character loop
    would, so the decisions and the widths handed to reportlab are the same to the last bit.
    """
    text, widths, hard = para.text, para.widths, para.hard
    n = len(text)
    lines: list = []
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


def _word(text: str, start: int, end: int) -> str:
    word = text[start:end]
    return word.replace(EMPTY, "") if EMPTY in word else word


def _special(frag) -> bool:
    """reportlab's ``sameFrag`` is false for these, even with the frag itself."""
    return hasattr(frag, "cbDefn") or hasattr(frag, "lineBreak")


def _plain_line(
    para: _Chars, start: int, end: int, width: float, used: float, line_break: bool
) -> tuple[float, list[str]]:
    """A kind-0 line (one font): the room left and the line's text as one word."""
    return width - used, [_word(para.text, start, end)]


def _line(para: _Chars, start: int, end: int, width: float, used: float, line_break: bool) -> FragLine:
    """reportlab's ``makeCJKParaLine`` (no bounds) for ``text[start:end]``, run by run.

    reportlab compares every character's frag with its word's (``sameFrag``); characters of
    one run share a frag, so one comparison a run decides the same.
    """
    text, starts, frags = para.text, para.starts, para.frags
    words = []
    begin = start  # where the current word begins
    word = None  # the frag the current word started with
    size = ascent = descent = 0
    r = bisect_right(starts, start) - 1
    while r < len(starts) and starts[r] < end:
        frag = frags[r]
        first = max(start, starts[r])
        stop = min(end, starts[r + 1] if r + 1 < len(starts) else end)
        a, d = getAscentDescent(frag.fontName, frag.fontSize)
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
    if end > start:
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
