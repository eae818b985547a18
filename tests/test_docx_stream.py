"""The DOCX body written as it is made (``docx_xml.BodyStream``): the same XML as one tree saved whole."""

from __future__ import annotations

import copy
import io
import zipfile

import docx
import pytest
from lxml import etree

from pipeline.docmodel import Bullets
from pipeline.render import docx_xml as x

from .conftest import W

LOOKS = [x.CellLook(1200, "TableGrid"), x.CellLook(800, None, "right")]
ROWS = [(f"行{i} <&> 「引用」", f" {i:,} ") for i in range(x.ROWS_PER_CHUNK * 2 + 7)]


def _paragraph(text: str) -> etree._Element:
    p = etree.SubElement(etree.Element(W + "body"), W + "p")
    x.add_runs(p, text)
    return p


def _document_xml(package: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        return z.read(x.DOCUMENT_PART)


def test_streamed_body_reads_as_the_tree_saved_whole() -> None:
    streamed, whole = docx.Document(), docx.Document()
    stream = x.BodyStream()
    for n in range(3):  # three flushes: paragraphs, then a table whose rows stay text, then more
        for i in range(5):
            p = _paragraph(f"段落 {n}-{i}\n二行目")
            whole.element.body.sectPr.addprevious(copy.deepcopy(p))
            streamed.element.body.sectPr.addprevious(p)
        if n == 1:
            tbl = etree.Element(W + "tbl")
            etree.SubElement(etree.SubElement(tbl, W + "tblPr"), W + "tblStyle").set(W + "val", "TableGrid")
            full = copy.deepcopy(tbl)
            rows = x.rows_xml(ROWS, LOOKS)
            full.extend(etree.fromstring(f'<w:tbl xmlns:w="{x.W_NS}">{rows}</w:tbl>'))
            whole.element.body.sectPr.addprevious(full)
            streamed.element.body.sectPr.addprevious(tbl)
            stream.rows_later(tbl, x.rows_chunks(ROWS, LOOKS))
        stream.flush(streamed.element.body)
        assert len(streamed.element.body) == 1  # only the section properties are left
    date = (2022, 10, 1, 0, 0, 0)
    assert _document_xml(x.save_package(streamed, date, stream)) == _document_xml(x.save_package(whole, date))


def test_package_is_what_python_docx_saves_with_fixed_times() -> None:
    """``save_package`` writes the parts python-docx writes, in its order, with the given time."""
    document = docx.Document()
    document.add_paragraph("進捗状況")
    saved = io.BytesIO()
    document.save(saved)
    ours = x.save_package(document, (2022, 10, 1, 0, 0, 0))
    with zipfile.ZipFile(saved) as theirs, zipfile.ZipFile(io.BytesIO(ours)) as mine:
        assert [i.filename for i in mine.infolist()] == [i.filename for i in theirs.infolist()]
        assert all(mine.read(n) == theirs.read(n) for n in theirs.namelist())
        assert {i.date_time for i in mine.infolist()} == {(2022, 10, 1, 0, 0, 0)}
        assert {i.compress_type for i in mine.infolist()} == {zipfile.ZIP_DEFLATED}


def test_rows_xml_is_what_lxml_writes_for_the_same_rows() -> None:
    rows = x.rows_xml(
        [(*r, "") for r in ROWS[:3]], [*LOOKS, x.CellLook(500, None)], fill="D9D9D9", header=True
    )
    tbl = etree.fromstring(f'<w:tbl xmlns:w="{x.W_NS}">{rows}</w:tbl>')
    again = etree.tostring(tbl, encoding="utf-8").decode()
    assert again[again.index(">") + 1 : -len("</w:tbl>")] == rows


def test_rows_with_points_and_kept_rows_are_what_lxml_writes() -> None:
    """Bullet points in a cell (one list paragraph each) and kept rows: valid XML, as lxml writes it,
    every point a paragraph of the list, every paragraph of a kept row kept with the next."""
    points = Bullets(("一つ目 <&>", "二つ目\n続き"))
    rows = x.rows_xml([("a", points), ("b", Bullets(()))], LOOKS, bullet_num=91, keep=True)
    tbl = etree.fromstring(f'<w:tbl xmlns:w="{x.W_NS}">{rows}</w:tbl>')
    again = etree.tostring(tbl, encoding="utf-8").decode()
    assert again[again.index(">") + 1 : -len("</w:tbl>")] == rows
    first_row = tbl.findall(W + "tr")[0]
    cells = first_row.findall(W + "tc")
    items = cells[1].findall(W + "p")
    assert len(items) == len(points.items)
    assert all(p.find(f"{W}pPr/{W}numPr/{W}numId").get(W + "val") == "91" for p in items)
    assert len(tbl.findall(f"{W}tr/{W}tc/{W}p")) == len(tbl.findall(f".//{W}keepNext"))
    assert len(tbl.findall(W + "tr")[1].findall(W + "tc")[1].findall(W + "p")) == 1  # no points: one
    with pytest.raises(ValueError):
        x.rows_xml([("a", points)], LOOKS)  # points need a list


def test_rows_chunks_keep_only_the_first_rows() -> None:
    rows = [(f"{i}", "x") for i in range(x.ROWS_PER_CHUNK + 5)]
    for keep in (0, 3, x.ROWS_PER_CHUNK + 2):
        text = "".join(x.rows_chunks(rows, LOOKS, keep=keep))
        tbl = etree.fromstring(f'<w:tbl xmlns:w="{x.W_NS}">{text}</w:tbl>')
        kept = [tr.find(f".//{W}keepNext") is not None for tr in tbl.findall(W + "tr")]
        assert kept == [i < keep for i in range(len(rows))]


def test_a_writer_reusing_its_template_writes_what_a_fresh_writer_writes() -> None:
    """The set-up template is made once per writer: no document may leave anything in it."""
    from dataclasses import replace

    from pipeline.build import Renderers, documents
    from pipeline.cli import SAMPLE
    from pipeline.load import load
    from pipeline.render.docx import DocxWriter

    renderers = Renderers.create()
    docs = documents(load(SAMPLE))
    docs += [replace(docs[0], meta=replace(docs[0].meta, language="en-US"))]  # a second template
    one = DocxWriter(renderers.style, renderers.font_files)
    reused = [one.render(doc) for doc in docs + docs[::-1]]
    fresh = [DocxWriter(renderers.style, renderers.font_files).render(doc) for doc in docs + docs[::-1]]
    assert reused == fresh
    assert len(one._templates) == 2 and len(set(reused)) == len(docs)


def test_role_style_ids_are_what_python_docx_would_set() -> None:
    from docx.enum.style import WD_STYLE_TYPE

    from pipeline.build import Renderers
    from pipeline.render.docx import DocxWriter

    renderers = Renderers.create()
    writer = DocxWriter(renderers.style, renderers.font_files)
    document = docx.Document(io.BytesIO(writer._template("ja-JP")))
    ids = writer._paragraph_style_ids(document)
    for role in renderers.style.roles:
        style = document.styles[renderers.style.role(role).word_style]
        expected = document.part.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)  # type: ignore[no-untyped-call]
        assert ids[role] == expected, role
    assert None in ids.values()  # the body text is Word's default paragraph style (Normal)


def test_public_save_gives_the_bytes_of_python_docx_private_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without python-docx's ``PackageWriter`` steps, ``Document.save`` and a re-zip: same bytes."""
    from pipeline.build import Renderers, documents
    from pipeline.load import load
    from pipeline.render import docx_internals
    from pipeline.render.docx import DocxWriter
    from pipeline.resources import sample_input

    assert docx_internals.available()  # the pinned python-docx has them: the fast way is tested
    renderers = Renderers.create()
    docs = documents(load(sample_input()))
    fast = [DocxWriter(renderers.style, renderers.font_files).render(doc) for doc in docs]
    monkeypatch.setattr(docx_internals, "available", lambda: False)
    public = [DocxWriter(renderers.style, renderers.font_files).render(doc) for doc in docs]
    assert public == fast
    again = [DocxWriter(renderers.style, renderers.font_files).render(doc) for doc in docs]
    assert again == public  # deterministic


def test_page_break_before_a_chart_starts_its_paragraph() -> None:
    """A pending page break goes on the next block whatever it is (the chart's paragraph too)."""
    import datetime as dt

    from pipeline import docmodel as dm
    from pipeline.build import Renderers
    from pipeline.render.docx import DocxWriter

    renderers = Renderers.create()
    chart = dm.Chart(slices=(dm.Slice("済", 3), dm.Slice("遅れ", 1)), center=("4",), alt_text="内訳")
    meta = dm.Meta(title="t", author="a", subject="s", date=dt.date(2022, 10, 1))
    doc = dm.Document(name="chart", meta=meta, blocks=(dm.Paragraph("前"), dm.PageBreak(), chart))
    body = etree.fromstring(_document_xml(DocxWriter(renderers.style, renderers.font_files).render(doc)))
    paragraphs = body.iter(W + "p")
    assert [p.find(f"{W}pPr/{W}pageBreakBefore") is not None for p in paragraphs] == [False, True]
