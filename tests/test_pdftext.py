"""PDF paragraphs made without reportlab's parser are the paragraphs its parser makes."""

from __future__ import annotations

import random

import pytest
from reportlab.lib.styles import ParagraphStyle

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
    if quick.kind == 1:  # markup with entities goes through the parser: no quick lines
        return
    assert [(extra, "".join(words)) for extra, words in quick.lines] == [
        (line.extraSpace, "".join(w.text for w in line.words)) for line in full.lines
    ]
