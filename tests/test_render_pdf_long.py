"""Long texts in the PDF (``render/pdf.py``): cells, rows and bullets split across pages, nothing lost.

The inputs are the sample with fields lengthened (up to 10,000 characters in one field, a cell
of 60 bullets). The PDFs are read back with pdfplumber: each long field's characters must be
found in order, once, in its table column (or the summary's body), the header row repeated on
every page a split row continues on, no text below the bottom margin but the page number, and
the line-breaking rules kept on every line.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
import yaml
from reportlab.lib.styles import ParagraphStyle

from pipeline import batch
from pipeline import docmodel as dm
from pipeline.build import Renderers, render_input
from pipeline.cli import SAMPLE
from pipeline.render.kinsoku import check_lines
from pipeline.render.pdf import PdfLayoutError
from pipeline.style import load_style

from .conftest import norm

STYLE = load_style("default")
MM = 72 / 25.4
PHRASES = [
    "窓口業務（証明書交付・転入転出）の見直しを進め、1,543件のAI-OCR処理を実施した。",
    "「デジタル化」の推進により、職員の事務負担が軽減されている。",
    "ヒアリングを実施し、っゃゅょ、ァィゥ、ーの扱いを含めて課題を整理（第2期）した！",
    "計画期間（2020-2023）の中間見直しとして、関係課と協議を行い、対応方針を決定。",
    "市民サービスの向上に向け、オンライン申請の対象手続を12件から48件に拡大する？",
]
LIST_HEADER = ["No.", "事業名", "活動名", "担当課", "取組状況", "進捗区分"]


def long_text(n: int, tag: str) -> str:
    """``n`` characters of report prose, each phrase marked ``tag`` and its number (all distinct)."""
    out, k = "", 0
    while len(out) < n:
        out += f"{tag}{k}：{PHRASES[k % len(PHRASES)]}"
        k += 1
    return out[:n]


def _lengthened(path: Path) -> dict[str, Any]:
    """The sample with long fields, and which they are (by where they are printed)."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    first = data["perspectives"][0]["businesses"][0]
    a, b = first["activities"][0], first["activities"][1]
    c = data["perspectives"][0]["businesses"][1]["activities"][0]
    a["results"] = [long_text(166, f"甲{i}の") for i in range(60)]  # 60 bullets, ~10,000 characters
    a["plan"] = long_text(10_000, "乙")
    a["next"] = long_text(1_000, "丙")
    b["results"] = [long_text(900, "丁")]  # a single 900-character bullet
    b["plan"] = long_text(1_000, "戊")
    c["results"] = [long_text(200, f"己{i}の") for i in range(4)]  # 800 characters in all
    first["highlights"][0] = long_text(3_000, "庚")
    delayed = next(
        act
        for p in data["perspectives"]
        for bus in p["businesses"]
        for act in bus["activities"]
        if act["status"] == "遅れ"
    )
    delayed["results"] = [long_text(2_000, "辛")]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {
        "list": [a["results"], b["results"], c["results"], delayed["results"]],
        "plans": [a["plan"], b["plan"]],
        "next": [a["next"]],
        "summary": [first["highlights"][0], delayed["results"][0]],
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, Any]]:
    folder = tmp_path_factory.mktemp("long")
    source = folder / "long.yaml"
    fields = _lengthened(source)
    result = render_input(source, Renderers.create(), folder, formats=("pdf",))
    return {path.name: data for path, data in result.files.items()}, fields


def _bullets(items: list[str]) -> str:
    return "".join("・" + item for item in items)


def _columns(data: bytes, header: list[str] | None = None) -> tuple[dict[str, list[str]], int]:
    """Every table's body cells by column name, in reading order; how many pages repeat ``header``."""
    columns: dict[str, list[str]] = {}
    repeated = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, page in enumerate(pdf.pages):
            for k, table in enumerate(page.extract_tables()):
                names = [c or "" for c in table[0]]
                if n and k == 0 and names == header:
                    repeated += 1
                for row in table[1:]:
                    for name, cell in zip(names, row):
                        columns.setdefault(name, []).append(cell or "")
    return columns, repeated


def _found_once(text: str, column: list[str]) -> bool:
    return norm("".join(column)).count(norm(text)) == 1


def test_a_long_cell_of_the_activity_list_is_split_over_pages_and_kept_whole(built) -> None:
    files, fields = built
    columns, repeated = _columns(files["long-list.pdf"], LIST_HEADER)
    for results in fields["list"]:
        assert _found_once(_bullets(results), columns["取組状況"])
    assert repeated >= 3  # the 10,000 characters continue on pages that start with the header


def test_long_fields_of_the_sheets_are_split_over_pages_and_kept_whole(built) -> None:
    files, fields = built
    columns, _ = _columns(files["long-sheets.pdf"])
    for plan in fields["plans"]:
        assert _found_once(plan, columns["今年度の計画"])
    for results in fields["list"][:3]:
        assert _found_once(_bullets(results), columns["取組状況"])
    assert _found_once(fields["next"][0], columns["今後の取組"])


def test_a_long_bullet_of_the_summary_is_split_over_pages_and_kept_whole(built) -> None:
    files, fields = built
    bottom = STYLE.margins["bottom"] * MM
    with pdfplumber.open(io.BytesIO(files["long.pdf"])) as pdf:
        text = "".join(
            page.within_bbox((0, 0, page.width, page.height - bottom)).extract_text() for page in pdf.pages
        )
    for item in fields["summary"]:
        assert norm(text).count(norm("・" + item)) == 1


@pytest.mark.parametrize("name", ["long.pdf", "long-list.pdf", "long-sheets.pdf"])
def test_nothing_but_the_page_number_below_the_bottom_margin(built, name: str) -> None:
    files, _ = built
    limit = STYLE.margins["bottom"] * MM
    with pdfplumber.open(io.BytesIO(files[name])) as pdf:
        assert len(pdf.pages) > 2
        for n, page in enumerate(pdf.pages, start=1):
            low = "".join(c["text"] for c in page.chars if c["bottom"] > page.height - limit)
            assert norm(low) == norm(STYLE.page_number.format(page=n)), f"page {n}"


@pytest.mark.parametrize("name", ["long-list.pdf", "long-sheets.pdf"])
def test_split_cells_keep_the_line_breaking_rules(built, name: str) -> None:
    files, fields = built
    columns, _ = _columns(files[name])
    long = [norm(_bullets(results)) for results in fields["list"]]
    cells = [cell for cell in columns["取組状況"] if any(norm(cell) in text for text in long)]
    lines = [line for cell in cells for line in cell.split("\n")]
    assert len(lines) > 300
    lines = [line[1:] if line.startswith("・") and line[1:2] in "甲丁己辛" else line for line in lines]
    assert check_lines(lines) == []


def _table_doc(rows: tuple[tuple[str, ...], ...]) -> dm.Document:
    table = dm.Table(header=(("No.", "内容", "状況"),), rows=rows, widths=(0.5, 5, 1))
    return dm.Document("t", dm.Meta("t", "a", "s", dt.date(2022, 10, 1)), (dm.Heading(1, "表"), table))


def test_a_tall_row_inside_a_table_given_a_page_at_a_time() -> None:
    """A table of more rows than ``WINDOW_ROWS`` with a 5,000-character cell in the middle."""
    tall = long_text(5_000, "壬")
    rows = tuple((str(i), tall if i == 70 else f"活動{i}の実施", "済") for i in range(1, 181))
    data = Renderers.create().writer("pdf").render(_table_doc(rows))
    columns, repeated = _columns(data, ["No.", "内容", "状況"])
    assert _found_once(tall, columns["内容"])
    assert [c for c in columns["No."] if c] == [str(i) for i in range(1, 181)]  # every row once
    assert repeated >= 3


def test_a_line_taller_than_a_page_is_a_clean_error() -> None:
    """Only a style sheet whose one line is taller than a page can leave a row unsplittable."""
    writer = Renderers.create().writer("pdf")
    base = writer.para_styles["table_cell"]
    writer.para_styles["table_cell"] = ParagraphStyle("huge", parent=base, leading=2 * writer.body_height)
    with pytest.raises(PdfLayoutError, match="組版できませんでした"):
        writer.render(_table_doc((("1", "あ", "済"),)))


def test_long_pdf_table_laid_out_by_window_as_in_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long table is split page by page from a window of rows: same pages, same text."""
    import datetime as dt

    import pdfplumber

    from pipeline import docmodel as dm
    from pipeline.render import pdf

    rows = tuple((str(i), f"活動{i}の実施" * (1 + i % 3), "概ね順調") for i in range(1, 181))
    table = dm.Table(header=(("No.", "活動", "状況"),), rows=rows, totals=(("", "合計", "180"),))
    doc = dm.Document("list", dm.Meta("t", "a", "s", dt.date(2022, 10, 1)), (table,))
    writer = batch.warm("default", ("pdf",)).writer("pdf")

    def pages(data: bytes) -> list[str]:
        with pdfplumber.open(io.BytesIO(data)) as document:
            return [page.extract_text() for page in document.pages]

    windowed = pages(writer.render(doc))
    monkeypatch.setattr(pdf, "WINDOW_ROWS", 10_000)
    whole = pages(writer.render(doc))
    assert len(whole) > 3 and windowed == whole
