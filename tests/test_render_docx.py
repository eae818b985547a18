"""The Word draft as a reviewer's Word receives it (issue 12), read back with independent readers:
the package's XML (lxml), python-docx, python-pptx's chart classes, openpyxl, openxml-audit,
fontTools, and LibreOffice's PDF export (pypdf, pdftotext)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline.cli import SAMPLE

from .conftest import (
    Numbering,
    W,
    activities,
    build,
    docx_xml,
    load_yaml,
    paragraph_text,
    pdf_text,
    status_counts,
    statuses,
)

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "tests" / "plans").glob("*.yaml"))
INPUTS = [SAMPLE, *PLANS]
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
KINDS = ("", "-list", "-sheets")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every document of the sample and the test plans, both formats."""
    out = tmp_path_factory.mktemp("docx")
    code, output = build(["build", *map(str, INPUTS), "--out", str(out), "--jobs", "1"])
    assert code == 0, output
    return out


def all_docx(out: Path) -> list[Path]:
    return [out / f"{i.stem}{k}.docx" for i in INPUTS for k in KINDS]


# --- an independent reading of Word's list numbering -------------------------------------------------


# --- the checks ------------------------------------------------------------------------------------


def test_openxml_audit_finds_no_error_in_any_document(built: Path) -> None:
    """openxml-audit (Office 2019 and Microsoft 365 rules): zero errors on every DOCX."""
    venv_bin = str(Path(sys.executable).parent)
    audit = shutil.which("openxml-audit", path=venv_bin) or shutil.which("openxml-audit")
    assert audit, "openxml-audit is not installed (pip install -e '.[test]')"
    for rules in ("office2019", "microsoft365"):
        for path in all_docx(built):
            run = subprocess.run([audit, "-f", rules, "-q", str(path)], capture_output=True, text=True)
            assert run.returncode == 0, f"{path.name} ({rules}):\n{run.stdout}{run.stderr}"


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.stem)
def test_native_chart_with_its_workbook_holds_the_counts(built: Path, source: Path) -> None:
    """The summary's chart is a chart part (numbers from the YAML) with an embedded workbook."""
    from pptx.chart.chart import Chart
    from pptx.oxml import parse_xml

    data = load_yaml(source)
    counts = status_counts(activities(data))
    names = [s["name"] for s in statuses(data)]
    path = built / f"{source.stem}.docx"
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("word/charts/chart")]
        assert charts == ["word/charts/chart1.xml"]
        chart = Chart(parse_xml(z.read(charts[0])), None)  # python-pptx's own reading
        rels = etree.fromstring(z.read("word/charts/_rels/chart1.xml.rels"))
        target = next(iter(rels)).get("Target")
        book = openpyxl.load_workbook(io.BytesIO(z.read("word/" + target.removeprefix("../"))))
        doc_rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
    assert chart.chart_type is not None and "DOUGHNUT" in str(chart.chart_type)
    plot = chart.plots[0]
    assert list(plot.categories) == names
    assert list(chart.series[0].values) == [counts.get(n, 0) for n in names]
    sheet = book.worksheets[0]
    assert [sheet.cell(i + 2, 1).value for i in range(len(names))] == names
    assert [sheet.cell(i + 2, 2).value for i in range(len(names))] == [counts.get(n, 0) for n in names]
    rid = next(r.get("Id") for r in doc_rels if r.get("Target") == "charts/chart1.xml")
    refs = [c.get(REL + "id") for c in docx_xml(path).iter(C + "chart")]
    assert refs == [rid]
    descr = [d.get("descr") for d in docx_xml(path).iter("{*}docPr")]
    assert descr and all(str(counts.get(n, 0)) in descr[0] for n in names)


def test_python_docx_reopens_and_resaves_with_the_chart(built: Path, tmp_path: Path) -> None:
    document = docx.Document(str(built / f"{SAMPLE.stem}.docx"))
    document.add_paragraph("追記")
    document.save(str(tmp_path / "again.docx"))
    with zipfile.ZipFile(tmp_path / "again.docx") as z:
        assert "word/charts/chart1.xml" in z.namelist()
        assert any(n.startswith("word/embeddings/") for n in z.namelist())


def test_font_table_describes_every_font_for_word(built: Path) -> None:
    """Each family the styles name has a w:font entry (charset 80, PANOSE, family, pitch); the
    Mincho's carries Windows' family name as altName; the names are the font files' own."""
    from fontTools.ttLib import TTFont

    from pipeline.fonts import locate_all
    from pipeline.style import load_style

    style = load_style()
    files = locate_all(style)
    path = built / f"{SAMPLE.stem}.docx"
    styles = docx_xml(path, "word/styles.xml")
    used = {f.get(W + "eastAsia") for f in styles.iter(W + "rFonts")} - {None}
    table = {f.get(W + "name"): f for f in docx_xml(path, "word/fontTable.xml").iter(W + "font")}
    assert used <= set(table)
    for name in used:
        font = table[name]
        assert font.find(W + "charset").get(W + "val") == "80"
        assert re.fullmatch(r"[0-9A-F]{20}", font.find(W + "panose1").get(W + "val"))
        assert font.find(W + "family").get(W + "val") in ("roman", "swiss")
        assert font.find(W + "pitch").get(W + "val") == "fixed"
    mincho = table[style.fonts["mincho"].name]
    assert mincho.find(W + "altName").get(W + "val") == "BIZ UD明朝 Medium"
    for key, spec in style.fonts.items():
        ttf = TTFont(str(files[key]), fontNumber=0)
        family = {r.toUnicode() for r in ttf["name"].names if r.nameID == 1 and r.platformID == 3}
        assert spec.name in family, (key, family)
        panose = ttf["OS/2"].panose
        if not spec.bold:
            head = f"{panose.bFamilyType:02X}{panose.bSerifStyle:02X}{panose.bWeight:02X}"
            assert table[spec.name].find(W + "panose1").get(W + "val")[:6] == head


def test_no_empty_paragraphs_and_headings_without_gaps(built: Path) -> None:
    """No spacer paragraphs; each heading's outline level at most one deeper than the last."""
    for path in all_docx(built):
        styles = docx_xml(path, "word/styles.xml")
        outline = {
            s.get(W + "styleId"): int(o.get(W + "val"))
            for s in styles.iter(W + "style")
            for o in s.iter(W + "outlineLvl")
        }
        last = -1
        for p in docx_xml(path).iterfind(f"{W}body/{W}p"):  # the body's, not empty table cells'
            has_drawing = p.find(f".//{W}drawing") is not None
            assert paragraph_text(p).strip() or has_drawing or p.find(f".//{W}br") is not None, path.name
            ppr = p.find(W + "pPr")
            own = ppr.find(W + "outlineLvl") if ppr is not None else None
            sid = ppr.find(W + "pStyle") if ppr is not None else None
            style = sid.get(W + "val") if sid is not None else ""
            level = int(own.get(W + "val")) if own is not None else outline.get(style)
            if level is not None and level < 9:
                assert level <= last + 1, f"{path.name}: {paragraph_text(p)} at outline level {level + 1}"
                last = level


@pytest.mark.parametrize("kind", KINDS)
def test_word_numbers_the_headings_as_the_pdf_prints_them(built: Path, kind: str) -> None:
    """Numbers come from Word's list (not typed), and read as the PDF prints them."""
    for source in INPUTS:
        path = built / f"{source.stem}{kind}.docx"
        numbering = Numbering(path)
        pdf = re.sub(r"\s", "", pdf_text(path.with_suffix(".pdf")))
        at, numbered = 0, 0
        for p in docx_xml(path).iter(W + "p"):
            sid = p.find(f"{W}pPr/{W}pStyle")
            label = numbering.label(p)
            if sid is None or not sid.get(W + "val", "").startswith("Heading"):
                continue
            text = paragraph_text(p)
            if label:
                numbered += 1
                assert not re.match(r"^(\d+ |（\d+）)", text), f"typed number: {text}"
            shown = re.sub(r"\s", "", label + text)
            found = pdf.find(shown, at)
            assert found >= 0, f"{path.name}: {label + text!r} not in the PDF after position {at}"
            at = found + len(shown)
        if source == SAMPLE:  # elsewhere a skipped number (（1）, （3）) Word cannot count: typed
            assert numbered > 0, path.name


def test_bullets_in_cells_are_list_paragraphs_with_a_hanging_indent(built: Path) -> None:
    """The sheets' 取組状況: one list paragraph per result, as many as the YAML has."""
    data = load_yaml(SAMPLE)
    results = [list(a.get("results") or []) for _, _, a in activities(data)]
    path = built / f"{SAMPLE.stem}-sheets.docx"
    numbering = docx_xml(path, "word/numbering.xml")
    items_per_cell = []
    bullet_nums = set()
    for tc in docx_xml(path).iter(W + "tc"):
        ps = tc.findall(W + "p")
        nums = [p.find(f"{W}pPr/{W}numPr/{W}numId") for p in ps]
        if all(n is not None for n in nums):
            items_per_cell.append([paragraph_text(p) for p in ps])
            bullet_nums |= {n.get(W + "val") for n in nums}
        for p in ps:
            assert not paragraph_text(p).startswith("・"), "a typed bullet mark"
    assert [len(r) for r in results if r] == [len(c) for c in items_per_cell]
    assert [r[0].split("\n")[0] for r in results if r] == [c[0].split("\n")[0] for c in items_per_cell]
    (num_id,) = bullet_nums
    num = next(n for n in numbering.iter(W + "num") if n.get(W + "numId") == num_id)
    abstract_id = num.find(W + "abstractNumId").get(W + "val")
    abstract = next(a for a in numbering.iter(W + "abstractNum") if a.get(W + "abstractNumId") == abstract_id)
    lvl = abstract.find(W + "lvl")
    assert lvl.find(W + "numFmt").get(W + "val") == "bullet"
    ind = lvl.find(f"{W}pPr/{W}ind")
    assert int(ind.get(W + "hanging")) > 0 and ind.get(W + "left") == ind.get(W + "hanging")


def test_a_total_row_never_starts_a_page_alone(built: Path) -> None:
    """The list's 小計 rows and the count tables' 合計: the body row before them is kept with them."""
    checked = 0
    for path in sorted(built.glob("*.docx")):
        for tbl in docx_xml(path).iter(W + "tbl"):
            rows = [tr for tr in tbl.iter(W + "tr") if tr.find(f"{W}trPr/{W}tblHeader") is None]
            labels = ["".join(t.text or "" for t in tr.iter(W + "t")) for tr in rows]
            if len(rows) < 2 or not labels[-1].startswith(("小計", "合計")):
                continue
            before = list(rows[-2].iter(W + "p"))
            assert before and all(p.find(f"{W}pPr/{W}keepNext") is not None for p in before), (
                path.name,
                labels[-2][:30],
            )
            checked += 1
    assert checked >= 6, "the sample's list alone has six perspectives with a 小計"


def test_package_properties_match_the_pdf(built: Path) -> None:
    """app.xml names gyokaku; core properties as the PDF's (created: the same instant); no
    leftover description; only styles in use; the Title style without letter spacing or kerning."""
    from pypdf import PdfReader

    path = built / f"{SAMPLE.stem}.docx"
    app = docx_xml(path, "docProps/app.xml")
    ns = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
    assert app.find(ns + "Application").text == "gyokaku"
    assert app.find(ns + "Pages") is None and app.find(ns + "Words") is None
    props = docx.Document(str(path)).core_properties
    info = PdfReader(str(path.with_suffix(".pdf"))).metadata
    assert props.title == info.title and props.author == info.author and props.subject == info.subject
    assert props.comments == ""
    created = info.creation_date
    assert props.created is not None and created is not None
    utc = dt.timezone.utc
    docx_created = props.created if props.created.tzinfo else props.created.replace(tzinfo=utc)
    assert docx_created == created, (docx_created, created)
    styles = docx_xml(path, "word/styles.xml")
    ids = [s.get(W + "styleId") for s in styles.iter(W + "style")]
    assert len(ids) < 30
    title = next(s for s in styles.iter(W + "style") if s.get(W + "styleId") == "Title")
    assert title.find(f"{W}rPr/{W}spacing") is None and title.find(f"{W}rPr/{W}kern") is None
    used = {p.get(W + "val") for p in docx_xml(path).iter(W + "pStyle")}
    assert used <= set(ids)


def test_rebuild_is_byte_identical(built: Path, tmp_path: Path) -> None:
    code, output = build(["build", str(SAMPLE), "--out", str(tmp_path), "--format", "docx"])
    assert code == 0, output
    for kind in KINDS:
        name = f"{SAMPLE.stem}{kind}.docx"
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_uses_the_bizud_faces_and_draws_the_chart(built: Path, tmp_path: Path) -> None:
    """LibreOffice's PDF export of the summary: the BIZ UD faces embedded (no substitute), and the
    chart drawn as a chart: its legend's status names and the slices' counts in the text."""
    from pypdf import PdfReader

    source = built / f"{SAMPLE.stem}.docx"
    run = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / f"{SAMPLE.stem}.pdf"
    assert pdf.exists(), run.stdout + run.stderr
    fonts = set()
    for page in PdfReader(str(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts == {"BIZUDMincho-Regular", "BIZUDGothic-Regular", "BIZUDGothic-Bold"}, fonts
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    data = load_yaml(SAMPLE)
    counts = status_counts(activities(data))
    legend = text[text.index("【活動数内訳") : text.index("【活動数一覧】")]
    for s in statuses(data):
        assert s["name"] in legend
    for name, value in counts.items():
        assert re.search(rf"(?<!\d){value}(?!\d)", legend), (name, value)


# --- the review loop's field markers (issue 13) -----------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab \n", max_size=12),
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=3),
)
def test_bookmarks_wrap_exactly_their_part_of_a_text(text: str, spans: list[tuple[int, int]]) -> None:
    """Read back with lxml: the text between each bookmark's start and end is its slice; the
    paragraph's text is unchanged."""
    from pipeline.render.docx_xml import W_NS, Mark, text_runs

    marks = [
        Mark(min(a, b, len(text)), min(max(a, b), len(text)), i, f"_gk_m{i}")
        for i, (a, b) in enumerate(spans, 1)
    ]
    p = etree.fromstring(f'<w:p xmlns:w="{W_NS}">{text_runs(text, marks)}</w:p>')
    shown, open_at, inside = [], {}, {}
    for el in p.iter():
        if el.tag == W + "t":
            shown.append(el.text or "")
        elif el.tag == W + "br":
            shown.append("\n")
        elif el.tag == W + "bookmarkStart":
            open_at[el.get(W + "id")] = len("".join(shown))
        elif el.tag == W + "bookmarkEnd":
            inside[el.get(W + "id")] = "".join(shown)[open_at[el.get(W + "id")] :]
    assert "".join(shown) == text
    assert inside == {str(m.id): text[m.start : m.end] for m in marks}
    if not marks:
        assert text_runs(text, marks) == text_runs(text)
