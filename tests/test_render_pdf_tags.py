"""Tagged PDF (PDF/UA-1, PDF/A-2b) read back with independent readers.

pikepdf walks the structure tree, pdfplumber (pdfminer) gives each drawn character with the
tag and MCID of the marked content around it, pdftotext the reading order, and the ``pdfua``
checker from PyPI its verdict. The expected headings, tables, lists and alt text come from the
document model (what every writer prints); counts from the YAML.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest

from pipeline import docmodel as dm
from pipeline.build import documents
from pipeline.load import load
from pipeline.style import load_style

from .conftest import ROOT, activities, build, load_yaml, norm

SAMPLE = ROOT / "inputs" / "hiratsuka-2022-h1.yaml"
PLANS = sorted((ROOT / "tests" / "plans").glob("*.yaml"))
SOURCES = [SAMPLE, *PLANS]
SUFFIX = {"summary": "", "list": "-list", "sheets": "-sheets"}
CASES = [(src.stem, doc) for src in SOURCES for doc in SUFFIX]
HEADING = re.compile(r"^H([1-6])$")


Models = dict[tuple[str, str], dm.Document]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample and the test plans built once as PDF."""
    folder = tmp_path_factory.mktemp("tagged")
    code, output = build(["build", *map(str, SOURCES), "--out", str(folder), "--format", "pdf"])
    assert code == 0, output
    return folder


@pytest.fixture(scope="module")
def models() -> dict[tuple[str, str], dm.Document]:
    """The document model of every case (what the writers read)."""
    found = {}
    for src in SOURCES:
        for doc in documents(load(src)):
            found[(src.stem, doc.name)] = doc
    return found


def pdf_path(out: Path, stem: str, doc: str) -> Path:
    return out / f"{stem}{SUFFIX[doc]}.pdf"


# --- reading the file back ---------------------------------------------------------------------


class Node:
    """A structure element as read back: its type, attributes, children and marked text."""

    def __init__(self, obj: Any, pages: dict[tuple[int, int], int]) -> None:
        self.tag = str(obj.S)[1:]
        self.alt = str(obj.Alt) if "/Alt" in obj else None
        self.scope = str(obj.A.Scope)[1:] if "/A" in obj and "/Scope" in obj.A else None
        self.children: list[Node] = []
        self.refs: list[tuple[int, int]] = []  # (page number from 1, MCID)
        page = pages[obj.Pg.objgen] if "/Pg" in obj else None
        kids = obj.K if isinstance(obj.K, pikepdf.Array) else [obj.K]
        for kid in kids:
            if isinstance(kid, int):
                assert page is not None, "an integer MCID needs the element's /Pg"
                self.refs.append((page, kid))
            elif kid.get("/Type") == "/MCR":
                self.refs.append((pages[kid.Pg.objgen], int(kid.MCID)))
            else:
                assert kid.P.objgen == obj.objgen, "a child's /P is its parent"
                self.children.append(Node(kid, pages))

    def walk(self) -> list[Node]:
        return [self, *(n for c in self.children for n in c.walk())]


def read(path: Path) -> tuple[Node, dict[tuple[int, int], str], list[str], pikepdf.Pdf]:
    """The structure tree, the text of each (page, MCID), and each page's artifact text."""
    pdf = pikepdf.open(path)
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages, start=1)}
    root = pdf.Root.StructTreeRoot
    tree = Node(root.K, pages)
    texts: dict[tuple[int, int], str] = defaultdict(str)
    artifacts: list[str] = []
    with pdfplumber.open(path) as doc:
        for number, page in enumerate(doc.pages, start=1):
            loose = ""
            for char in page.chars:
                assert char.get("tag"), f"page {number}: {char['text']!r} drawn outside any tag or artifact"
                if char.get("mcid") is None:
                    assert char["tag"] == "Artifact", char
                    loose += char["text"]
                else:
                    texts[(number, char["mcid"])] += char["text"]
            artifacts.append(loose)
    return tree, texts, artifacts, pdf


def text_of(node: Node, texts: dict[tuple[int, int], str]) -> str:
    return norm("".join(texts.get(ref, "") for n in node.walk() for ref in n.refs))


def expected_headings(doc: dm.Document) -> list[tuple[str, str]]:
    out = []
    for block in doc.blocks:
        if isinstance(block, dm.TitleBlock):
            out.append(("H1", norm("".join(block.lines))))
        elif isinstance(block, dm.Heading):
            out.append((f"H{block.level + 1}", norm(block.display)))
    return out


# --- the checks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("stem", "doc"), CASES)
def test_pdfua_checker_reports_nothing(out: Path, stem: str, doc: str) -> None:
    pdfua = Path(sys.executable).parent / "pdfua"
    path = pdf_path(out, stem, doc)
    result = subprocess.run([str(pdfua), "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "errors=0 warnings=0" in result.stdout
    assert "[skip" not in result.stdout, result.stdout  # every implemented rule evaluated


@pytest.mark.parametrize(("stem", "doc"), CASES)
def test_structure_follows_the_document_model(out: Path, models: Models, stem: str, doc: str) -> None:
    model: dm.Document = models[(stem, doc)]
    tree, texts, _, _ = read(pdf_path(out, stem, doc))
    assert tree.tag == "Document"
    nodes = tree.walk()
    headings = [(n.tag, text_of(n, texts)) for n in nodes if HEADING.match(n.tag)]
    assert headings == expected_headings(model)
    levels = [int(tag[1]) for tag, _ in headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), "a heading level skipped"

    tables = [n for n in nodes if n.tag == "Table"]
    model_tables = [b for b in model.blocks if isinstance(b, dm.Table)]
    assert len(tables) == len(model_tables)
    for table, expected in zip(tables, model_tables):
        rows = [c for c in table.children if c.tag == "TR"]
        assert len(rows) == len(expected.header) + len(expected.rows) + len(expected.totals)
        head = rows[0].children
        assert [c.tag for c in head] == ["TH"] * len(expected.header[0])
        assert all(c.scope == "Column" for c in head)
        assert [text_of(c, texts) for c in head] == [norm(t) for t in expected.header[0]]
        for row, cells in zip(rows[len(expected.header) :], expected.rows):
            assert [c.tag for c in row.children] == ["TD"] * len(cells)
            for node, cell in zip(row.children, cells):
                if isinstance(cell, dm.Bullets):  # points in a cell: a list, each mark its label
                    (items,) = node.children
                    assert items.tag == "L" and len(items.children) == len(cell.items)
                    for li, point in zip(items.children, cell.items):
                        assert [c.tag for c in li.children] == ["Lbl", "LBody"]
                        assert text_of(li.children[1], texts) == norm(point)
                else:
                    assert text_of(node, texts) == norm(cell)
        for row in rows[len(rows) - len(expected.totals) :]:
            assert row.children[0].tag == "TH" and row.children[0].scope == "Row"

    captions = [b.text for b in model.blocks if isinstance(b, dm.Caption)]
    assert [text_of(n, texts) for n in nodes if n.tag == "Caption"] == [norm(c) for c in captions]
    charts = [b for b in model.blocks if isinstance(b, dm.Chart)]
    figures = [n for n in nodes if n.tag == "Figure"]
    assert [f.alt for f in figures] == [c.alt_text for c in charts]
    assert all(f.refs for f in figures)

    bullets = [b for b in model.blocks if isinstance(b, dm.BulletList)]
    lists = [n for n in tree.children if n.tag == "L"]
    assert [len(n.children) for n in lists] == [len(b.items) for b in bullets]
    for node, block in zip(lists, bullets):
        for li, item in zip(node.children, block.items):
            assert [c.tag for c in li.children] == ["Lbl", "LBody"]
            assert text_of(li.children[1], texts) == norm(item)


@pytest.mark.parametrize(("stem", "doc"), CASES)
def test_every_text_run_marked_page_numbers_artifacts(out: Path, models: Models, stem: str, doc: str) -> None:
    model: dm.Document = models[(stem, doc)]
    path = pdf_path(out, stem, doc)
    tree, texts, artifacts, pdf = read(path)  # read() fails on a character outside any tag
    headers = {norm(t) for b in model.blocks if isinstance(b, dm.Table) for row in b.header for t in row}
    style = load_style()
    for number, loose in enumerate(artifacts, start=1):
        page_number = norm(style.page_number.format(page=number))
        assert norm(loose).endswith(page_number), f"page {number}: {loose!r}"
        rest = norm(loose)[: -len(page_number)]
        for header in sorted(headers, key=len, reverse=True):  # repeated header rows: artifacts too
            rest = rest.replace(header, "")
        assert rest == "", f"page {number}: artifact text that is not a page number or header: {rest!r}"
    # every MCID drawn is claimed by exactly one element, and the ParentTree says which
    claimed = [ref for n in tree.walk() for ref in n.refs]
    assert len(claimed) == len(set(claimed))
    assert set(texts) <= set(claimed)
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for i, page in enumerate(pdf.pages, start=1):
        slots = parents[int(page.StructParents)]
        mine = sorted(m for p, m in claimed if p == i)
        assert mine == list(range(len(slots)))
        for mcid in mine:
            elem = slots[mcid]
            kids = elem.K if isinstance(elem.K, pikepdf.Array) else [elem.K]
            here = page.obj.objgen
            assert any(
                (isinstance(k, int) and k == mcid and elem.Pg.objgen == here)
                or (isinstance(k, pikepdf.Dictionary) and k.get("/MCID") == mcid and k.Pg.objgen == here)
                for k in kids
            )


@pytest.mark.parametrize(("stem", "doc"), CASES)
def test_catalog_metadata_and_pdfa(out: Path, models: Models, stem: str, doc: str) -> None:
    meta = models[(stem, doc)].meta
    pdf = pikepdf.open(pdf_path(out, stem, doc), attempt_recovery=False)  # a sound cross-reference table
    assert pdf.check_pdf_syntax() == []
    root = pdf.Root
    assert bool(root.MarkInfo.Marked)
    assert str(root.Lang) == "ja-JP"
    assert bool(root.ViewerPreferences.DisplayDocTitle)
    assert pdf.pdf_version >= "1.7"
    assert int(root.StructTreeRoot.ParentTreeNextKey) == len(pdf.pages)
    assert all(page.Tabs == "/S" for page in pdf.pages)
    with pdf.open_metadata() as xmp:
        assert xmp["pdfuaid:part"] == "1"
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "B")
        assert xmp["dc:title"] == meta.title == str(pdf.docinfo.Title)
        assert str(pdf.docinfo.CreationDate).startswith(f"D:{meta.date:%Y%m%d}")
    (intent,) = root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 3
    assert intent.DestOutputProfile.read_bytes()[36:40] == b"acsp"  # an ICC profile
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            assert "/FontFile2" in font.FontDescriptor, f"{font.BaseFont} not embedded"
            assert "/ToUnicode" in font
        for state in page.Resources.get("/ExtGState", {}).values():
            assert "/SMask" not in state
            assert float(state.get("/CA", 1)) == 1 and float(state.get("/ca", 1)) == 1


@pytest.mark.parametrize(("stem", "doc"), CASES)
def test_pdftotext_reads_in_order_page_number_last(out: Path, models: Models, stem: str, doc: str) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed: bash scripts/setup.sh --test")
    path = pdf_path(out, stem, doc)
    command = ["pdftotext", "-raw", str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    style = load_style()
    for number, page in enumerate(pages, start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        assert norm(lines[-1]) == norm(style.page_number.format(page=number)), lines[-3:]
    joined = norm(text)
    at = 0
    for _, heading in expected_headings(models[(stem, doc)]):
        found = joined.find(heading, at)
        assert found >= 0, f"heading out of reading order: {heading}"
        at = found + len(heading)


def test_list_table_rows_count_the_activities(out: Path) -> None:
    """The list's TD rows are the YAML's activities (counted with PyYAML), none lost between pages."""
    for src in SOURCES:
        tree, _, _, _ = read(pdf_path(out, src.stem, "list"))
        # the activity tables (the captioned count table, 活動数一覧, left out)
        tables = [n for n in tree.walk() if n.tag == "Table" and n.children[0].tag != "Caption"]
        body = sum(1 for t in tables for r in t.children if r.tag == "TR" and r.children[0].tag == "TD")
        assert body == len(activities(load_yaml(src)))


def test_structure_in_many_object_streams(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A big plan's elements fill several object streams: the cross-reference stream finds each."""
    from pipeline.render import pdf_tags

    monkeypatch.setattr(pdf_tags, "PER_STREAM", 7)
    code, output = build(["build", str(SAMPLE), "--out", str(tmp_path), "--format", "pdf", "--jobs", "1"])
    assert code == 0, output
    path = pdf_path(tmp_path, SAMPLE.stem, "sheets")
    pdf = pikepdf.open(path, attempt_recovery=False)
    assert pdf.check_pdf_syntax() == []
    streams = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Type") == "/ObjStm"]
    assert len(streams) > 10
    tree, texts, _, _ = read(path)
    assert sum(1 for n in tree.walk() if HEADING.match(n.tag)) > 10 and texts


def test_same_input_same_bytes(out: Path, tmp_path: Path) -> None:
    code, output = build(["build", str(SAMPLE), "--out", str(tmp_path), "--format", "pdf"])
    assert code == 0, output
    for doc in SUFFIX:
        again = pdf_path(tmp_path, SAMPLE.stem, doc).read_bytes()
        assert again == pdf_path(out, SAMPLE.stem, doc).read_bytes()


def _luminance(hex_color: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_chart_colours_contrast_and_greyscale() -> None:
    """Every status colour 3:1 against white; the five statuses' greys at least 1.3:1 apart."""
    colors = load_style().chart.colors
    for color in colors:
        assert 1.05 / (_luminance(color) + 0.05) >= 3, color
    greys = sorted(_luminance(c) + 0.05 for c in colors[:5])
    assert all(b / a >= 1.3 for a, b in zip(greys, greys[1:])), greys


def _render(monkeypatch: pytest.MonkeyPatch, src: Path, name: str, encoded_early: bool = True) -> bytes:
    """``src``'s document ``name`` as PDF bytes, rendered in this process.

    ``encoded_early=False``: each page's content left to reportlab to encode at save, as
    reportlab does without gyokaku's canvas.
    """
    from pipeline.build import Renderers
    from pipeline.render import rl_internals

    if not encoded_early:
        monkeypatch.setattr(rl_internals, "encode_page", lambda page: None)
    doc = next(d for d in documents(load(src)) if d.name == name)
    data: bytes = Renderers.create("default").writer("pdf").render(doc)
    monkeypatch.undo()
    return data


def test_pages_encoded_as_they_end_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """No page keeps its content as text until the file is saved (memory: 15,000 activities),
    and the file is the one reportlab makes when it encodes the pages itself at save."""
    from pipeline.render import pdf_tags, rl_internals

    seen: list[tuple[int, int]] = []  # at the end of layout: (pages, pages still holding text)
    finish = pdf_tags.finish

    def spy(canvas: Any, *args: Any) -> Any:
        pages = rl_internals.file_objects(canvas).pages
        seen.append((len(pages), sum(1 for p in pages if p.stream is not None)))
        return finish(canvas, *args)

    monkeypatch.setattr("pipeline.render.pdf.finish", spy)
    early = _render(monkeypatch, SAMPLE, "sheets")
    assert seen and seen[0][0] > 3, seen  # several pages
    assert seen[0][1] == 0, f"{seen[0][1]} of {seen[0][0]} pages still hold their content as text"
    late = _render(monkeypatch, SAMPLE, "sheets", encoded_early=False)
    assert early == late
    pages = pikepdf.open(io.BytesIO(early)).pages
    assert len(pages) == seen[0][0]
    assert all(b"BDC" in page.Contents.read_bytes() for page in pages)  # decoded: marked content


def test_points_styles_made_once_per_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Table cells' points share one hanging style per cell style, however many tables have them
    (one per table kept every table's style, and the frags cached for it, to the document's end)."""
    from pipeline.render.pdftext import Points

    styles: list[int] = []

    class Counted(Points):
        def __init__(self, items: Any, style: Any) -> None:
            styles.append(id(style))
            super().__init__(items, style)

    monkeypatch.setattr("pipeline.render.pdf.Points", Counted)
    src = ROOT / "tests" / "plans" / "kamakura-2019-full.yaml"
    doc = next(d for d in documents(load(src)) if d.name == "sheets")
    tables = sum(
        1
        for b in doc.blocks
        if isinstance(b, dm.Table) and any(isinstance(c, dm.Bullets) for r in b.rows for c in r)
    )
    assert tables > 1
    from pipeline.build import Renderers

    Renderers.create("default").writer("pdf").render(doc)
    columns = {
        j
        for b in doc.blocks
        if isinstance(b, dm.Table)
        for r in b.rows
        for j, c in enumerate(r)
        if isinstance(c, dm.Bullets)
    }
    assert styles and len(set(styles)) <= len(columns), (len(set(styles)), len(columns))


def test_file_completed_from_pieces_as_from_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """``complete`` joins reportlab's pieces once: the same file as from reportlab's joined bytes,
    read back whole (the StructTreeRoot's numbers filled in, every object found)."""
    from pipeline.render import pdf_tags

    results: list[tuple[bytes, bytes]] = []
    complete = pdf_tags.complete

    def both(pieces: Any, done: Any) -> bytes:
        assert isinstance(pieces, list) and len(pieces) > 10  # reportlab's objects, unjoined
        joined = b"".join(pieces)
        results.append((complete(joined, done), complete(pieces, done)))
        return results[-1][1]

    monkeypatch.setattr("pipeline.render.pdf.complete", both)
    data = _render(monkeypatch, SAMPLE, "list")
    assert results and results[0][0] == results[0][1] == data
    pdf = pikepdf.open(io.BytesIO(data), attempt_recovery=False)
    assert pdf.check_pdf_syntax() == []
    root = pdf.Root.StructTreeRoot
    assert str(root.K.S) == "/Document" and len(root.ParentTree.Nums) == 2 * len(pdf.pages)
