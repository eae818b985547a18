"""Shared fixtures: the sample built once, and independent readers for PDF and DOCX."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from math import floor
from pathlib import Path

import pdfplumber
import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from pipeline.cli import SAMPLE, main

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).parent / "reference" / "hiratsuka-2022-h1-summary.txt"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}


def norm(text: str) -> str:
    """Compare texts as a reader would: full/half width folded, white space ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def reference_lines() -> list[str]:
    """Every line of the published summary, its extraction artefacts (#, -) removed."""
    out = []
    for raw in REFERENCE.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"^(#+|-)\s+", "", raw.strip())
        if line:
            out.append(line)
    return out


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def docx_xml(path: Path, part: str = "word/document.xml") -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(part))


def paragraph_text(p: etree._Element) -> str:
    """A w:p's text, line breaks as newlines."""
    parts = []
    for el in p.iter(W + "t", W + "br", W + "tab"):
        parts.append(el.text or "" if el.tag == W + "t" else "\n" if el.tag == W + "br" else "\t")
    return "".join(parts)


def docx_paragraphs(path: Path) -> list[etree._Element]:
    return list(docx_xml(path).iter(W + "p"))


def docx_text(path: Path) -> str:
    """The draft's text as Word shows it: each paragraph's list label (``1 ``, ``（2）``, ``・``) first."""
    return "\n".join(text for _, text in word_paragraphs(path))


def docx_tables(path: Path) -> list[list[list[str]]]:
    """Each table's cells as Word shows them (list labels included), a cell's paragraphs joined."""
    labels = Numbering(path)
    root = docx_xml(path)
    shown = {p: labels.label(p) + paragraph_text(p) for p in root.iter(W + "p")}  # document order
    tables = []
    for tbl in root.iter(W + "tbl"):
        rows = []
        for tr in tbl.iter(W + "tr"):
            rows.append(["".join(shown[p] for p in tc.iter(W + "p")) for tc in tr.iter(W + "tc")])
        tables.append(rows)
    return tables


class Numbering:
    """Word's list labels as Word computes them: each (numId, ilvl) counter, deeper ones restarted."""

    def __init__(self, path: Path) -> None:
        numbering = docx_xml(path, "word/numbering.xml")
        styles = docx_xml(path, "word/styles.xml")
        abstract = {a.get(W + "abstractNumId"): a for a in numbering.iter(W + "abstractNum")}
        self.levels: dict[str, dict[int, tuple[str, str]]] = {}
        for num in numbering.iter(W + "num"):
            a = abstract[num.find(W + "abstractNumId").get(W + "val")]
            self.levels[num.get(W + "numId")] = {
                int(lvl.get(W + "ilvl")): (
                    lvl.find(W + "numFmt").get(W + "val"),
                    lvl.find(W + "lvlText").get(W + "val"),
                )
                for lvl in a.iter(W + "lvl")
            }
        self.style_num: dict[str, tuple[str, int]] = {}
        for s in styles.iter(W + "style"):
            numpr = s.find(f"{W}pPr/{W}numPr")
            if numpr is not None:
                ilvl = numpr.find(W + "ilvl")
                level = int(ilvl.get(W + "val")) if ilvl is not None else self._linked_level(numbering, s)
                self.style_num[s.get(W + "styleId")] = (numpr.find(W + "numId").get(W + "val"), level)
        self.counters: dict[str, list[int]] = {}

    @staticmethod
    def _linked_level(numbering: etree._Element, style: etree._Element) -> int:
        for lvl in numbering.iter(W + "lvl"):
            ps = lvl.find(W + "pStyle")
            if ps is not None and ps.get(W + "val") == style.get(W + "styleId"):
                return int(lvl.get(W + "ilvl"))
        return 0

    def label(self, p: etree._Element) -> str:
        """The label Word shows before paragraph ``p`` (``1 ``, ``（2）``, ``・``), or ``""``."""
        ppr = p.find(W + "pPr")
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        style = ppr.find(W + "pStyle") if ppr is not None else None
        num_id, level = self.style_num.get(style.get(W + "val") if style is not None else "Normal", ("0", 0))
        if numpr is not None:
            num_id = numpr.find(W + "numId").get(W + "val")
            ilvl = numpr.find(W + "ilvl")
            if ilvl is not None:
                level = int(ilvl.get(W + "val"))
        if num_id == "0" or num_id not in self.levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[level] += 1
        for deeper in range(level + 1, 9):
            counters[deeper] = 0
        fmt, text = self.levels[num_id][level]
        if fmt == "bullet":
            return text
        if fmt == "none":
            return ""
        return re.sub(r"%(\d)", lambda m: str(counters[int(m.group(1)) - 1]), text)


def word_paragraphs(path: Path) -> Iterator[tuple[etree._Element, str]]:
    """Every body paragraph with its text as Word shows it (list labels included)."""
    numbering = Numbering(path)
    for p in docx_xml(path).iter(W + "p"):
        yield p, numbering.label(p) + paragraph_text(p)


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- independent derivations from the YAML (PyYAML's dicts, no pipeline code) ------------------

DEFAULT_STATUSES = [
    {"name": "済", "on_track": True},
    {"name": "概ね順調", "on_track": True},
    {"name": "遅れ", "delayed": True},
    {"name": "未着手"},
    {"name": "休止"},
]


def statuses(data: dict) -> list[dict]:
    """The input's statuses, or the format's default five."""
    return data.get("statuses") or DEFAULT_STATUSES


def activities(data: dict) -> list[tuple[dict, dict, dict]]:
    """(perspective, business, activity) in plan order."""
    return [(p, b, a) for p in data["perspectives"] for b in p["businesses"] for a in b["activities"]]


def status_counts(acts: list) -> dict[str, int]:
    """How many of ``acts`` (tuples ending with the activity) have each status."""
    out: dict[str, int] = {}
    for *_, a in acts:
        out[a["status"]] = out.get(a["status"], 0) + 1
    return out


def on_track_percent(data: dict) -> int:
    """The on-track share as a whole percentage, rounded as the input says, in fractions."""
    names = {s["name"] for s in statuses(data) if s.get("on_track")}
    acts = activities(data)
    share = Fraction(100 * sum(a["status"] in names for _, _, a in acts), len(acts))
    return floor(share) if data["report"].get("rounding") == "down" else floor(share + Fraction(1, 2))


def expected_counts(data: dict) -> list[list[str]]:
    """The count table: header, a row per perspective, the totals row."""
    names = [s["name"] for s in statuses(data)]
    rows = [["取組の視点", *names, "合計"]]
    columns: Counter[str] = Counter()
    for i, p in enumerate(data["perspectives"], start=1):
        c = Counter(a["status"] for b in p["businesses"] for a in b["activities"])
        columns.update(c)
        rows.append([f"（{i}）{p['name']}", *(str(c[s]) for s in names), str(sum(c.values()))])
    rows.append(["合計", *(str(columns[s]) for s in names), str(sum(columns.values()))])
    return rows


def reference_table() -> list[list[str]]:
    """The published summary's count table, cell by cell."""
    return [line.split("\t") for line in reference_lines() if "\t" in line]


def prose_lines() -> list[str]:
    """The published summary's lines outside its count table."""
    return [line for line in reference_lines() if "\t" not in line]


def assert_in_order(lines: list[str], text: str) -> None:
    """Every line occurs in ``text``, each after the one before."""
    haystack = norm(text)
    at = 0
    for line in lines:
        found = haystack.find(norm(line), at)
        assert found >= 0, f"missing, or out of order: {line!r}\n(after: {haystack[max(0, at - 60) : at]!r})"
        at = found + len(norm(line))


def build(args: list[str]) -> tuple[int, str]:
    """Run the CLI in-process; exit code and everything it printed."""
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    code, output = build(["build", str(SAMPLE), "--out", str(out)])
    assert code == 0, output
    return out


@pytest.fixture(scope="session")
def sample_pdf(sample_dir: Path) -> Path:
    return sample_dir / "hiratsuka-2022-h1.pdf"


@pytest.fixture(scope="session")
def sample_docx(sample_dir: Path) -> Path:
    return sample_dir / "hiratsuka-2022-h1.docx"


@pytest.fixture(scope="session")
def sample_data() -> dict:
    return load_yaml(SAMPLE)
