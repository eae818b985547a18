"""PDF paragraphs made without reportlab's parser are the paragraphs its parser makes."""

from __future__ import annotations

import random

import pytest
import reportlab
from reportlab.lib.styles import ParagraphStyle

from pipeline.render import rl_internals
from pipeline.render.kinsoku import check_lines
from pipeline.render.pdftext import Para, markup, para

STYLE = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=12, wordWrap="CJK")
TRICKY = ["", " ", "\n", "a\n", "\na", " a \n b ", "a  b", "\u3000x\n\u3000y", "a&b", "a<b>", "a\xa0 b"]


def _random_texts(count: int) -> list[str]:
    rng = random.Random(2022)
    alphabet = ["a", "あ", " ", "\n", "\u3000", "、", "\xa0", "\t", "。", "1", "&"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(count)]


@pytest.mark.parametrize("text", TRICKY + _random_texts(300))
def test_same_frags_and_text_as_the_parser(text: str) -> None:
    ours, theirs = para(text, STYLE), Para(markup(text), STYLE)
    assert [f.__dict__ for f in ours.frags] == [f.__dict__ for f in theirs.frags]
    assert ours.text == theirs.text


@pytest.mark.parametrize("text", TRICKY + _random_texts(100))
def test_one_font_lines_are_the_frag_lines(text: str) -> None:
    """A table cell's quick (kind-0) lines: the same text and room as the frag-by-frag lines."""
    width = 4 * STYLE.fontSize
    quick = para(text, STYLE, one_font=True).breakLinesCJK([width])
    full = para(text, STYLE).breakLinesCJK([width])
    assert full.kind == 1
    if any(ch in text for ch in "&<>"):
        assert quick.kind == 1, "markup with entities goes through the parser's frag lines"
    assert _room_and_text(quick) == _room_and_text(full)


def _room_and_text(broken: rl_internals.ParaLines) -> list[tuple[float, str]]:
    """Each line's spare room and text, whether quick (kind 0) or frag-by-frag (kind 1)."""
    if broken.kind == 0:
        return [(extra, "".join(words)) for extra, words in broken.lines]
    return [(line.extraSpace, "".join(w.text for w in line.words)) for line in broken.lines]


def _line_texts(paragraph: Para, width: float) -> list[str]:
    broken = paragraph.breakLinesCJK([width])
    if broken.kind == 0:
        return ["".join(words) for _, words in broken.lines]
    return ["".join(w.text for w in line.words) for line in broken.lines]


LONG = (
    "".join(f"第{k}項、「計画」の見直しを進め、1,543件のAI-OCR処理を実施した。" for k in range(40))
    + "\n次の段落。"
)


@pytest.mark.parametrize("one_font", [False, True])
@pytest.mark.parametrize("lines_room", [2, 3, 7, 20])
def test_a_split_paragraph_keeps_its_lines(one_font: bool, lines_room: int) -> None:
    """Split at a page end: the head's lines then the tail's are the whole paragraph's lines.

    reportlab's own split joins the tail's lines with spaces (a Latin-text habit): lines move.
    """
    width = 20 * STYLE.fontSize
    whole = _line_texts(para(LONG, STYLE, one_font), width)
    head, tail = para(LONG, STYLE, one_font).split(width, lines_room * STYLE.leading + 1)
    assert isinstance(head, Para) and isinstance(tail, Para)
    head.wrap(width, 10_000)
    tail.wrap(width, 10_000)
    parts = _line_texts(head, width) + _line_texts(tail, width)
    assert len(_line_texts(head, width)) == lines_room
    assert parts == whole
    assert check_lines(parts) == []


def test_a_split_bullet_continues_at_the_indent() -> None:
    """A hanging first line (a bullet's mark): the tail's lines start where the later lines do."""
    style = ParagraphStyle("bullet", parent=STYLE, leftIndent=20, firstLineIndent=-10)
    width = 20 * STYLE.fontSize
    whole = para(LONG, style)
    whole.wrap(width, 10_000)
    head, tail = para(LONG, style).split(width, 4 * STYLE.leading)
    assert isinstance(tail, Para) and tail.style.firstLineIndent == 0
    tail.wrap(width, 10_000)
    assert tail.blPara.lines[0].maxWidth == whole.blPara.lines[4].maxWidth


def test_no_split_leaves_a_single_line_behind() -> None:
    """As reportlab: fewer than two lines of room is no split; a paragraph that fits is itself."""
    width = 20 * STYLE.fontSize
    assert para(LONG, STYLE).split(width, 1.5 * STYLE.leading) == []
    short = para("短い段落。", STYLE)
    assert short.split(width, 3 * STYLE.leading) == [short]


def test_reportlab_is_a_version_the_adapter_was_checked_with() -> None:
    """``rl_internals`` relies on reportlab's internals: a new version is checked, then listed."""
    version = ".".join(reportlab.Version.split(".")[:2])
    assert version in rl_internals.VERIFIED, (
        f"reportlab {reportlab.Version}: check what pipeline/render/rl_internals.py relies on "
        "(its docstring), run the tests, then add the version to rl_internals.VERIFIED"
    )
