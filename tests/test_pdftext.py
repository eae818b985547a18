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
