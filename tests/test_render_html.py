"""The HTML twin read back: its structure with lxml against the document model, and axe-core run
in Debian's Chromium (headless, through chromedriver and selenium) with no violations."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lhtml

from pipeline import docmodel as dm
from pipeline.build import documents
from pipeline.load import load

from .conftest import ROOT, build, norm

SAMPLE = ROOT / "inputs" / "hiratsuka-2022-h1.yaml"
PLANS = sorted((ROOT / "tests" / "plans").glob("*.yaml"))
SOURCES = [SAMPLE, *PLANS]
SUFFIX = {"summary": "", "list": "-list", "sheets": "-sheets"}
CASES = [(src.stem, doc) for src in SOURCES for doc in SUFFIX]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SVG = "{http://www.w3.org/2000/svg}"


Models = dict[tuple[str, str], dm.Document]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    code, output = build(["build", *map(str, SOURCES), "--out", str(folder), "--format", "html"])
    assert code == 0, output
    return folder


@pytest.fixture(scope="module")
def models() -> dict[tuple[str, str], dm.Document]:
    return {(src.stem, doc.name): doc for src in SOURCES for doc in documents(load(src))}


def page(out: Path, stem: str, doc: str) -> Path:
    return out / f"{stem}{SUFFIX[doc]}.html"


def text(el: Any) -> str:
    return norm(el.text_content())


def xp(el: Any, query: str) -> list[Any]:
    """An XPath query's results (typed loosely: lxml's union of result kinds)."""
    return list(el.xpath(query))


@pytest.mark.parametrize(("stem", "doc"), CASES)
def test_html_structure_follows_the_document_model(out: Path, models: Models, stem: str, doc: str) -> None:
    model: dm.Document = models[(stem, doc)]
    source = page(out, stem, doc).read_text(encoding="utf-8")
    tree = lhtml.document_fromstring(source)
    assert tree.get("lang") == "ja"
    assert text(tree.find("head/title")) == norm(model.meta.title)
    assert xp(tree, "//meta[@name='description']/@content") == [model.meta.subject]
    # self-contained: no script, no external request of any kind
    assert not xp(tree, "//script | //link | //img | //iframe | //object | //@src | //@href")
    assert "url(" not in source and "@import" not in source
    css = "".join(xp(tree, "//style/text()"))
    width, height = (210, 297) if model.orientation == "portrait" else (297, 210)
    assert f"@page{{size:{width}mm {height}mm" in css and "@media print" in css

    headings = xp(tree, "//h1 | //h2 | //h3 | //h4 | //h5 | //h6")
    expected = []
    for block in model.blocks:
        if isinstance(block, dm.TitleBlock):
            expected.append(("h1", norm("".join(block.lines))))
        elif isinstance(block, dm.Heading):
            expected.append((f"h{block.level + 1}", norm(block.display)))
    assert [(h.tag, text(h)) for h in headings] == expected
    levels = [int(h.tag[1]) for h in headings]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))

    tables = xp(tree, "//table")
    model_tables = [b for b in model.blocks if isinstance(b, dm.Table)]
    assert len(tables) == len(model_tables)
    for table, expected_table in zip(tables, model_tables):
        name = xp(table, "caption") or xp(tree, f"//*[@id='{table.get('aria-labelledby')}']")
        assert name, "a table without a caption or a heading naming it"
        ths = xp(table, "thead/tr/th")
        assert [text(th) for th in ths] == [norm(t) for t in expected_table.header[0]]
        assert all(th.get("scope") == "col" for th in ths)
        rows = xp(table, "tbody/tr")
        assert len(rows) == len(expected_table.rows)
        for row, cells in zip(rows, expected_table.rows):
            tds = xp(row, "td")
            for td, cell in zip(tds, cells):
                if isinstance(cell, dm.Bullets):
                    assert [text(li) for li in xp(td, "ul/li")] == [norm(i) for i in cell.items]
                else:
                    assert text(td) == norm(cell)
        scopes = [xp(tr, "th")[0].get("scope") for tr in xp(table, "tfoot/tr")]
        assert scopes == ["row"] * len(expected_table.totals)

    lists = xp(tree, "//main/ul")
    bullets = [b for b in model.blocks if isinstance(b, dm.BulletList)]
    expected_items = [[norm(i) for i in b.items] for b in bullets]
    assert [[text(li) for li in xp(ul, "li")] for ul in lists] == expected_items

    charts = [b for b in model.blocks if isinstance(b, dm.Chart)]
    svgs = xp(tree, "//*[local-name()='svg']")
    assert len(svgs) == len(charts)
    for svg, chart in zip(svgs, charts):
        assert svg.get("role") == "img"
        title_id, desc_id = svg.get("aria-labelledby").split()
        desc = xp(svg, ".//*[local-name()='desc']")[0]
        assert desc.get("id") == desc_id and desc.text == chart.alt_text
        assert xp(svg, ".//*[local-name()='title']")[0].get("id") == title_id
        labels = [t.text for t in xp(svg, ".//*[local-name()='text']")]
        for s in chart.slices:  # every count printed beside its slice or in the legend
            assert s.label in labels and str(s.value) in labels
        # followed by the count table
        following = xp(svg, "ancestor::figure/following-sibling::*")
        assert following and following[0].tag == "table"


def test_same_input_same_bytes(out: Path, tmp_path: Path) -> None:
    code, output = build(["build", str(SAMPLE), "--out", str(tmp_path), "--format", "html"])
    assert code == 0, output
    for doc in SUFFIX:
        assert page(tmp_path, SAMPLE.stem, doc).read_bytes() == page(out, SAMPLE.stem, doc).read_bytes()


def test_axe_core_in_chromium_finds_no_violations(out: Path, tmp_path: Path) -> None:
    """axe-core (npm) in Debian's headless Chromium: no violations on any page; A4 screenshots kept."""
    missing = [str(p) for p in (CHROMIUM, DRIVER, AXE) if not p.exists()]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (bash scripts/setup.sh --test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="gyokaku-chromium-")
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=794,1123",  # A4 at 96 dpi
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    axe = AXE.read_text(encoding="utf-8")
    found = {}
    try:
        for stem, doc in CASES:
            driver.get(page(out, stem, doc).as_uri())
            driver.execute_script(axe)
            result = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {runOnly: {type: 'tag', values:"
                " ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
                ".then(r => done(r.violations.map(v => [v.id, v.nodes.map(n => n.html)])),"
                " e => done([['axe failed', [String(e)]]]));"
            )
            found[f"{stem}{SUFFIX[doc]}"] = result
            assert driver.save_screenshot(str(tmp_path / f"{stem}{SUFFIX[doc]}.png"))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    assert {k: v for k, v in found.items() if v} == {}
