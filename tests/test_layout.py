"""Page layout of the PDF, checked on what a reader sees: no heading left alone at a page foot."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pdfplumber
import pytest
import yaml

from pipeline.build import Renderers, documents
from pipeline.cli import SAMPLE
from pipeline.docmodel import BulletList, Heading
from pipeline.load import load
from pipeline.style import load_style

from .conftest import norm

STYLE = load_style("default")


def _last_body_line(page) -> str:
    """The lowest line of text above the bottom margin (the page number is below it)."""
    bottom = page.height - STYLE.margins["bottom"] * 72 / 25.4
    lines = page.within_bbox((0, 0, page.width, bottom)).extract_text_lines()
    return lines[-1]["text"] if lines else ""


@pytest.fixture(scope="module")
def summary():
    return documents(load(SAMPLE), ("summary",))[0]


@pytest.mark.parametrize("shift", range(0, 40, 3))
def test_no_heading_is_the_last_line_of_a_pdf_page(summary, shift: int) -> None:
    """The summary pushed down by ``shift`` filler points: headings keep with what follows."""
    filler = BulletList(tuple(f"調整のための行{i}。" for i in range(shift)))
    blocks = (*summary.blocks[:3], filler, *summary.blocks[3:]) if shift else summary.blocks
    doc = dataclasses.replace(summary, blocks=blocks)
    headings = {norm(b.text) for b in doc.blocks if isinstance(b, Heading)}
    data = Renderers.create().writer("pdf").render(doc)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, page in enumerate(pdf.pages[:-1], start=1):
            assert norm(_last_body_line(page)) not in headings, f"page {n} ends with a heading"


def _varied_plan(path: Path) -> Path:
    """The sample with every activity's texts of varied length: rows from a few lines to half a page."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    k = 0
    for perspective in data["perspectives"]:
        for business in perspective["businesses"]:
            for activity in business["activities"]:
                k += 1
                phrase = f"第{k}の取組として、窓口業務（証明書交付）の見直しを進め、1,543件を処理した。"
                activity["plan"] = phrase * (1 + (k * 7) % 9)
                activity["results"] = [phrase * (1 + (k * 5) % 6), phrase * (1 + k % 3)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["list", "sheets"])
def test_no_heading_is_left_alone_over_a_table_with_tall_rows(tmp_path: Path, name: str) -> None:
    """Rows that may split between pages: a heading over one still keeps its table's start."""
    (doc,) = documents(load(_varied_plan(tmp_path / "varied.yaml")), (name,))
    headings = {norm(b.text) for b in doc.blocks if isinstance(b, Heading)}
    data = Renderers.create().writer("pdf").render(doc)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) > 10
        for n, page in enumerate(pdf.pages[:-1], start=1):
            assert norm(_last_body_line(page)) not in headings, f"page {n} ends with a heading"
