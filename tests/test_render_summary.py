"""The sample's summary (資料1-1) read back from both formats: every line of the published text
in order, the count table's cells, the chart, and the PDF's and Word draft's own properties
(fonts, metadata, outline, page numbers, styles, lists, table header, picture, LibreOffice)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from pipeline.style import load_style

from .conftest import (
    NS,
    W,
    assert_in_order,
    docx_paragraphs,
    docx_tables,
    docx_text,
    docx_xml,
    expected_counts,
    norm,
    paragraph_text,
    pdf_text,
    prose_lines,
    word_paragraphs,
)

STYLE = load_style("default")


# --- the sample reproduces the published summary -------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_every_reference_line_in_order(fmt: str, sample_pdf: Path, sample_docx: Path) -> None:
    text = pdf_text(sample_pdf) if fmt == "pdf" else docx_text(sample_docx)
    assert_in_order(prose_lines(), text)


def test_document_number_heads_the_first_page_at_the_right(sample_pdf: Path) -> None:
    with pdfplumber.open(sample_pdf) as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
    top = min(words, key=lambda w: w["top"])
    assert top["text"] == "資料1-1"
    assert top["x1"] > page.width * 0.8


def test_pdf_count_table_cells(sample_pdf: Path, sample_data: dict) -> None:
    with pdfplumber.open(sample_pdf) as pdf:
        tables = [t for page in pdf.pages for t in page.extract_tables()]
    table = next(t for t in tables if t and t[0] and t[0][0] == "取組の視点")
    cells = [[norm(c or "") for c in row] for row in table]
    assert cells == [[norm(c) for c in row] for row in expected_counts(sample_data)]


def test_docx_count_table_cells(sample_docx: Path, sample_data: dict) -> None:
    table = next(t for t in docx_tables(sample_docx) if t[0][0] == "取組の視点")
    assert [[norm(c) for c in r] for r in table] == [
        [norm(c) for c in r] for r in expected_counts(sample_data)
    ]


def test_percentage_is_derived(sample_pdf: Path, sample_data: dict) -> None:
    acts = [a for p in sample_data["perspectives"] for b in p["businesses"] for a in b["activities"]]
    on_track = sum(a["status"] in ("済", "概ね順調") for a in acts)
    pct = int(on_track * 100 / len(acts) + 0.5)
    assert f"全体の{pct}%は順調に進捗" in norm(pdf_text(sample_pdf))


def test_perspectives_numbered_consistently(sample_pdf: Path, sample_data: dict) -> None:
    text = pdf_text(sample_pdf)
    for i, p in enumerate(sample_data["perspectives"], start=1):
        # as a heading in section 2 and as a row of the table, with the same full-width brackets
        assert text.count(f"（{i}）{p['name']}") >= 1, p["name"]
    assert not re.search(r"\(\d\)", text), "half-width bracket numbering mixed in"


# --- PDF ---------------------------------------------------------------------------------


def test_pdf_is_a4_portrait(sample_pdf: Path) -> None:
    for page in PdfReader(sample_pdf).pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(w / 72 * 25.4), round(h / 72 * 25.4)) == (210, 297)


def _fonts(reader: PdfReader) -> dict[str, dict]:
    found = {}

    def visit(resources) -> None:
        fonts = resources.get("/Font") if resources else None
        for ref in (fonts or {}).values():
            font = ref.get_object()
            found[str(font["/BaseFont"])] = font
        for xobj in (resources.get("/XObject") or {}).values() if resources else []:
            visit(xobj.get_object().get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return found


def test_pdf_fonts_are_bizud_subsets_and_embedded(sample_pdf: Path) -> None:
    fonts = _fonts(PdfReader(sample_pdf))
    names = {re.sub(r"^[A-Z]{6}\+", "", n.lstrip("/")) for n in fonts}
    assert names == {"BIZUDMincho-Regular", "BIZUDGothic-Regular", "BIZUDGothic-Bold"}
    for name, font in fonts.items():
        assert re.match(r"^/[A-Z]{6}\+", name), f"{name} is not a subset"
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{name} is not embedded as TrueType"


def test_pdf_body_mincho_headings_gothic(sample_pdf: Path) -> None:
    with pdfplumber.open(sample_pdf) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    text_font = {}
    for c in chars:
        text_font.setdefault(c["text"], set()).add(c["fontname"].split("+")[-1])
    line_fonts = {}
    with pdfplumber.open(sample_pdf) as pdf:
        for page in pdf.pages:
            for line in page.extract_text_lines(return_chars=True):
                line_fonts[norm(line["text"])] = {c["fontname"].split("+")[-1] for c in line["chars"]}
    heading = next(v for k, v in line_fonts.items() if k.startswith("2主な事業の取組状況"))
    assert heading <= {"BIZUDGothic-Regular", "BIZUDGothic-Bold"}
    body = next(v for k, v in line_fonts.items() if "事業で" in k and "の活動を実施" in k)
    assert body == {"BIZUDMincho-Regular"}


def test_pdf_metadata_language_and_outline(sample_pdf: Path, sample_data: dict) -> None:
    reader = PdfReader(sample_pdf)
    meta = reader.metadata
    assert sample_data["plan"]["title"] in meta.title
    assert meta.author == sample_data["plan"]["organization"]
    assert meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "ja-JP"
    titles = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    assert any(t.startswith("1 進捗状況") for t in titles)
    assert any(t.startswith("3 ") for t in titles)
    for i, p in enumerate(sample_data["perspectives"], start=1):
        assert f"（{i}）{p['name']}" in titles


def test_pdf_page_numbers_at_the_foot(sample_pdf: Path) -> None:
    with pdfplumber.open(sample_pdf) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            below_body = page.height - STYLE.margins["bottom"] * 72 / 25.4
            foot = page.within_bbox((0, below_body, page.width, page.height)).extract_text()
            assert norm(foot) == norm(STYLE.page_number.format(page=n))


def test_pdf_chart_is_vector_with_counts_and_legend(sample_pdf: Path, sample_data: dict) -> None:
    with pdfplumber.open(sample_pdf) as pdf:
        page = next(p for p in pdf.pages if "活動数内訳" in (p.extract_text() or ""))
        assert not page.images, "the chart must be drawn, not a picture"
        caption = page.search("活動数内訳")[0]
        table_caption = page.search("活動数一覧")[0]
        region = page.within_bbox((0, caption["bottom"], page.width, table_caption["top"]))
        assert len(region.curves) + len(region.rects) >= 3
        text = norm(region.extract_text())
    counts = expected_counts(sample_data)
    for name, total in zip(counts[0][1:-1], counts[-1][1:-1]):
        assert f"{name}{total}" in text  # legend: name and count


# --- DOCX --------------------------------------------------------------------------------


def _style_by_name(styles, name: str):
    for style in styles.iter(W + "style"):
        n = style.find("w:name", NS)
        if n is not None and n.get(W + "val").lower() == name.lower():
            return style
    raise AssertionError(f"no style {name}")


def _style_of(p) -> str:
    ps = p.find("w:pPr/w:pStyle", NS)
    return ps.get(W + "val") if ps is not None else "Normal"


def test_docx_real_styles_for_title_headings_and_body(sample_docx: Path) -> None:
    styles = docx_xml(sample_docx, "word/styles.xml")
    ids = {s.get(W + "styleId"): s.find("w:name", NS).get(W + "val") for s in styles.iter(W + "style")}
    used = {text: ids.get(_style_of(p), _style_of(p)) for p, text in word_paragraphs(sample_docx)}
    assert used["平塚市行財政改革計画（2020-2023）"] == "Title"
    assert used["1 進捗状況（詳細は資料1-2、1-3）"].lower() == "heading 1"
    assert used["（1）民間活力の活用"].lower() == "heading 2"
    assert used["民間活力活用事業【重点】"].lower() == "heading 3"


def test_docx_east_asian_font_in_styles_without_theme_fonts(sample_docx: Path) -> None:
    styles = docx_xml(sample_docx, "word/styles.xml")
    xml = zipfile.ZipFile(sample_docx).read("word/styles.xml").decode()
    theme_refs = [m for m in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme") if m in xml]
    assert theme_refs == []
    default = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert default.get(W + "eastAsia") == STYLE.font_of("body").name
    for name, role in (("Normal", "body"), ("Heading 1", "heading1"), ("Title", "title")):
        fonts = _style_by_name(styles, name).find("w:rPr/w:rFonts", NS)
        assert fonts.get(W + "eastAsia") == STYLE.font_of(role).name


def test_docx_language_is_japanese(sample_docx: Path) -> None:
    styles = docx_xml(sample_docx, "word/styles.xml")
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang.get(W + "val") == "ja-JP" and lang.get(W + "eastAsia") == "ja-JP"
    core = zipfile.ZipFile(sample_docx).read("docProps/core.xml").decode()
    assert "<dc:language>ja-JP</dc:language>" in core


def test_docx_bullets_are_a_word_list(sample_docx: Path, sample_data: dict) -> None:
    numbering = docx_xml(sample_docx, "word/numbering.xml")
    styles = docx_xml(sample_docx, "word/styles.xml")
    bullet_style = _style_by_name(styles, "List Bullet")
    num_id = bullet_style.find("w:pPr/w:numPr/w:numId", NS).get(W + "val")
    num = next(n for n in numbering.iter(W + "num") if n.get(W + "numId") == num_id)
    abstract_id = num.find("w:abstractNumId", NS).get(W + "val")
    abstract = next(a for a in numbering.iter(W + "abstractNum") if a.get(W + "abstractNumId") == abstract_id)
    assert abstract.find("w:lvl/w:numFmt", NS).get(W + "val") == "bullet"
    highlights = [
        h for p in sample_data["perspectives"] for b in p["businesses"] for h in b.get("highlights", [])
    ]
    paragraphs = {paragraph_text(p): p for p in docx_paragraphs(sample_docx)}
    for text in highlights:
        p = paragraphs[text]
        assert _style_of(p) == bullet_style.get(W + "styleId")
        assert not text.startswith(("・", "-", "•"))


def test_docx_line_break_inside_a_bullet(sample_docx: Path, sample_data: dict) -> None:
    multi = [
        h
        for p in sample_data["perspectives"]
        for b in p["businesses"]
        for h in b.get("highlights", [])
        if "\n" in h
    ]
    assert multi
    texts = [paragraph_text(p) for p in docx_paragraphs(sample_docx)]
    for text in multi:
        assert text in texts  # one paragraph, with a w:br where the YAML has a line break


def test_docx_table_header_row_marked_and_shaded(sample_docx: Path) -> None:
    tbl = next(docx_xml(sample_docx).iter(W + "tbl"))
    first, second = tbl.findall("w:tr", NS)[:2]
    assert first.find("w:trPr/w:tblHeader", NS) is not None
    assert second.find("w:trPr/w:tblHeader", NS) is None
    for tc in first.findall("w:tc", NS):
        assert tc.find("w:tcPr/w:shd", NS).get(W + "fill") == STYLE.table.header_fill


# ECMA-376 order of a cell's properties: Word refuses files that break it
TCPR_ORDER = (
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark"
).split()


def test_docx_cell_properties_in_schema_order(sample_docx: Path) -> None:
    for tcpr in docx_xml(sample_docx).iter(W + "tcPr"):
        names = [child.tag.removeprefix(W) for child in tcpr]
        assert names == sorted(names, key=TCPR_ORDER.index), names


def test_docx_page_matches_pdf(sample_docx: Path, sample_pdf: Path) -> None:
    sect = docx_xml(sample_docx).find(".//w:body/w:sectPr", NS)
    size, margins = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS)
    twips = 1440 / 25.4
    assert abs(int(size.get(W + "w")) - 210 * twips) < 2 and abs(int(size.get(W + "h")) - 297 * twips) < 2
    with pdfplumber.open(sample_pdf) as pdf:
        page = pdf.pages[0]
        left_pdf_mm = min(c["x0"] for c in page.chars) / 72 * 25.4
        top_pdf_mm = min(c["top"] for c in page.chars) / 72 * 25.4
    left_docx_mm = int(margins.get(W + "left")) / twips
    top_docx_mm = int(margins.get(W + "top")) / twips
    assert abs(left_pdf_mm - left_docx_mm) < 1.0
    assert abs(top_pdf_mm - top_docx_mm) < 2.0


def test_docx_chart_is_a_word_chart_with_alt_text(sample_docx: Path, sample_data: dict) -> None:
    """The chart is a chart part (no picture), described for screen readers with every count."""
    doc = docx_xml(sample_docx)
    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    inline = next(doc.iter(wp + "inline"))
    graphic = inline.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}graphicData")
    assert graphic.get("uri") == "http://schemas.openxmlformats.org/drawingml/2006/chart"
    alt = inline.find(wp + "docPr").get("descr")
    counts = expected_counts(sample_data)
    for name, total in zip(counts[0][1:], counts[-1][1:]):
        assert f"{name} {total}" in alt
    with zipfile.ZipFile(sample_docx) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")], "no picture of the chart"


def test_docx_carries_nothing_of_the_template_and_no_compatibility_mode(sample_docx: Path) -> None:
    names = zipfile.ZipFile(sample_docx).namelist()
    leftovers = [n for n in names if "thumbnail" in n or "stylesWithEffects" in n]
    assert leftovers == []
    settings = docx_xml(sample_docx, "word/settings.xml")
    modes = [
        s.get(W + "val")
        for s in settings.iter(W + "compatSetting")
        if s.get(W + "name") == "compatibilityMode"
    ]
    assert modes == ["15"]


def test_docx_core_properties(sample_docx: Path, sample_data: dict) -> None:
    core = zipfile.ZipFile(sample_docx).read("docProps/core.xml").decode()
    assert f"<dc:creator>{sample_data['plan']['organization']}</dc:creator>" in core
    assert sample_data["plan"]["title"] in re.search(r"<dc:title>(.*)</dc:title>", core).group(1)


def test_docx_opens_in_libreoffice(sample_docx: Path, sample_pdf: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the DOCX was not opened by a word processor")
    profile = tmp_path / "profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(sample_docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = tmp_path / (sample_docx.stem + ".pdf")
    assert converted.exists(), "LibreOffice could not convert the DOCX"
    assert_in_order(prose_lines(), pdf_text(converted))
    pages_word = len(PdfReader(converted).pages)
    pages_pdf = len(PdfReader(sample_pdf).pages)
    assert abs(pages_word - pages_pdf) <= 1
