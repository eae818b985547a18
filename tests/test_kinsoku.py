"""Japanese line breaking in the PDF (``render/kinsoku.py``, 禁則処理), checked on what a reader extracts."""

from __future__ import annotations

import datetime as dt
import io

import pdfplumber
from reportlab.pdfbase.pdfmetrics import stringWidth

from pipeline.build import Renderers
from pipeline.docmodel import BulletList, Document, Meta, Paragraph
from pipeline.render import pdftext
from pipeline.render.kinsoku import CANNOT_END, CANNOT_START, break_index, check_lines
from pipeline.style import load_style

PIECES = ["、", "。", "」", "）", "ー", "っ", "ャ", "！", "？", "，", "．", "％", "・", "「", "（", "【"]


def tricky_text(seed: int) -> str:
    """Runs of kana of every length, each followed by a character with a breaking rule."""
    out = []
    for k in range(1, 60):
        out.append("あいうえおかきくけこ"[(seed + k) % 10] * ((k * 7 + seed) % 23 + 1))
        out.append(PIECES[(k + seed) % len(PIECES)])
        if k % 5 == 0:
            out.append("1,543人")
    return "".join(out) + "まで。"


def rendered_lines(texts: list[str], bullets: bool = True) -> list[str]:
    meta = Meta("kinsoku", "test", "test", dt.date(2024, 1, 1))
    blocks = [Paragraph(t) for t in texts] + ([BulletList(tuple(texts[:3]))] if bullets else [])
    data = Renderers.create().writer("pdf").render(Document("t", meta, tuple(blocks)))
    style = load_style("default")
    bullet_x = (
        (style.margins["left"] + style.role("bullet").indent - style.role("bullet").hanging) * 72 / 25.4
    )
    lines = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            body = page.within_bbox((0, 0, page.width, page.height * 0.92))
            for line in body.extract_text_lines(return_chars=True):
                text = line["text"]
                if abs(line["chars"][0]["x0"] - bullet_x) < 1:  # a point's mark, not a line's start
                    text = text[1:]
                lines.append(text)
    return lines


def test_no_line_starts_or_ends_wrongly_on_long_texts() -> None:
    texts = [tricky_text(seed) for seed in range(12)]
    lines = rendered_lines(texts)
    assert len(lines) > 100
    assert check_lines(lines) == []
    # the rules really were needed: a naive fixed-width cut of the same texts breaks them
    naive = [t[i : i + 40] for t in texts for i in range(0, len(t), 40)]
    assert check_lines(naive)


def test_numbers_are_not_cut() -> None:
    texts = ["あ" * k + "1,543人とAI-OCRの導入。" for k in range(30, 60)]
    lines = rendered_lines(texts, bullets=False)
    assert sum(line.count("1,543") for line in lines) == len(texts)
    assert sum(line.count("AI-OCR") for line in lines) == len(texts)


def test_break_index_rules() -> None:
    chars = list("ああああ」いい")
    assert break_index(chars, 0, 4) == 3  # 」 may not start a line: あ is pushed down with it
    chars = list("ああああ。いい")
    assert break_index(chars, 0, 4) == 5  # 。 hangs in the margin
    chars = list("あああ「いい")
    assert break_index(chars, 0, 4) == 3  # 「 may not end a line
    assert all(c not in CANNOT_END for c in CANNOT_START)


def test_a_hanging_mark_before_a_line_break_leaves_no_empty_line() -> None:
    """、。 hung past the margin right before a ``\\n``: two lines, not an empty third between."""
    writer = Renderers.create().writer("pdf")
    style = writer.para_styles["table_cell"]
    for k in range(3, 30):
        para = pdftext.para("あ" * k + "。\n次の行", style)
        width = stringWidth("あ" * k, style.fontName, style.fontSize)  # 。 overflows by itself
        lines = para.breakLinesCJK([width]).lines
        assert len(lines) == 2, k
