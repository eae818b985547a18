"""Stage 3, assemble: the neutral document model of each document (summary, list, sheets).

Golden files: ``tests/golden/<plan>-<document>.txt`` hold ``docmodel.dump()`` of the summary, the
activity list and the sheets of the sample and of every ``tests/plans/*.yaml``. A mismatch fails
with a unified diff of the dump. After an intended change to the documents, rewrite them with

    GYOKAKU_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_assemble.py

then read ``git diff tests/golden`` before committing. The golden files are a review aid: what the
documents must say is checked independently, from the YAML and the published text, here and in
``test_render_*.py``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from pathlib import Path

import pytest

from pipeline.aggregate import aggregate
from pipeline.assemble import SHEET_STATUS, SHEET_TEXT_WIDTH, activity_list, sheets, summary
from pipeline.build import DOCUMENTS, documents
from pipeline.cli import SAMPLE
from pipeline.docmodel import (
    BulletList,
    Caption,
    Chart,
    DocNumber,
    Document,
    Heading,
    Meta,
    PageBreak,
    Paragraph,
    Slice,
    Table,
    TitleBlock,
    cell_text,
    dump,
)
from pipeline.load import load

from .conftest import (
    activities,
    assert_in_order,
    expected_counts,
    load_yaml,
    norm,
    reference_lines,
    statuses,
)

GOLDEN = Path(__file__).parent / "golden"
PLANS = sorted((Path(__file__).parent / "plans").glob("*.yaml"))
ADDITIONS = sorted((Path(__file__).parent.parent / "inputs").glob("aoba-*.yaml"))  # issue 10's sample
INPUTS = [SAMPLE, *PLANS, *ADDITIONS]
CASES = [(path, doc) for path in INPUTS for doc in DOCUMENTS]
UPDATE = os.environ.get("GYOKAKU_UPDATE_GOLDEN") == "1"


def assembled(path: Path) -> dict[str, Document]:
    """The input's documents by name, as the build assembles them."""
    return {doc.name: doc for doc in documents(load(path))}


# --- golden dumps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "doc"), CASES, ids=[f"{p.stem}-{d}" for p, d in CASES])
def test_dump_matches_golden_file(path: Path, doc: str) -> None:
    text = dump(assembled(path)[doc])
    golden = GOLDEN / f"{path.stem}-{doc}.txt"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        return
    if not golden.exists():
        pytest.fail(f"{golden.name} is missing: run with GYOKAKU_UPDATE_GOLDEN=1", pytrace=False)
    expected = golden.read_text(encoding="utf-8")
    if text != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), text.splitlines(), f"golden/{golden.name}", "assembled", lineterm="", n=2
        )
        lines = list(diff)
        shown = lines[:80] + ([f"… {len(lines) - 80} more diff lines"] if len(lines) > 80 else [])
        pytest.fail(
            "the assembled document differs from its golden file "
            "(GYOKAKU_UPDATE_GOLDEN=1 rewrites it if the change is intended):\n" + "\n".join(shown),
            pytrace=False,
        )


def test_no_stray_golden_files() -> None:
    expected = {f"{p.stem}-{d}.txt" for p, d in CASES}
    assert {p.name for p in GOLDEN.glob("*.txt")} == expected


# --- the model, checked against the YAML and the published text --------------------------------


def texts(doc: Document) -> list[str]:
    """Every text of a document in reading order; a table row's cells joined by tabs."""
    out: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            out.append(block.display)
        elif isinstance(block, DocNumber | Paragraph | Caption):
            out.append(block.text)
        elif isinstance(block, TitleBlock):
            out += block.lines
        elif isinstance(block, BulletList):
            out += block.items
        elif isinstance(block, Table):
            rows = (*block.header, *block.rows, *block.totals)
            out += ["\t".join(cell_text(cell) for cell in row) for row in rows]
    return out


def test_sample_summary_model_has_every_published_line_in_order() -> None:
    doc = assembled(SAMPLE)["summary"]
    assert_in_order(reference_lines(), "\n".join(texts(doc)))


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_count_table_and_chart_from_the_yaml(path: Path) -> None:
    data = load_yaml(path)
    docs = assembled(path)
    expected = [[norm(c) for c in row] for row in expected_counts(data)]
    for name in ("summary", "list"):
        # the count table: the last table headed by the statuses (the effects table may follow it);
        # its 合計 row is the first total row (前回 and 増減 follow with a previous report)
        table = [
            b
            for b in docs[name].blocks
            if isinstance(b, Table) and b.header[0][1:-1] == tuple(expected[0][1:-1])
        ][-1]
        cells = [[norm(c) for c in row] for row in (*table.header, *table.rows, *table.totals[:1])]
        assert cells == expected, name
    chart = next(b for b in docs["summary"].blocks if isinstance(b, Chart))
    assert [(s.label, str(s.value)) for s in chart.slices] == list(zip(expected[0][1:-1], expected[-1][1:-1]))
    assert chart.center == ("合計", str(len(activities(data))))


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_every_table_has_a_width_and_alignment_per_column(path: Path) -> None:
    for doc in assembled(path).values():
        for table in (b for b in doc.blocks if isinstance(b, Table)):
            n = len(table.header[0])
            assert all(len(row) == n for row in (*table.header, *table.rows, *table.totals))
            assert len(table.widths) == len(table.align) == n
            assert all(w > 0 for w in table.widths)
            assert set(table.align) <= {"left", "center", "right"}


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_sheet_tables_text_columns_share_one_width(path: Path) -> None:
    """Whatever its number of text columns (3, or 4 with a reason), an activity's table is as wide."""
    data = load_yaml(path)
    doc = assembled(path)["sheets"]
    tables = [b for b in doc.blocks if isinstance(b, Table) and b.header[0][0] == SHEET_STATUS.header]
    assert len(tables) == len(activities(data))
    for table, (_, _, a) in zip(tables, activities(data)):
        assert table.widths[0] == SHEET_STATUS.width
        assert sum(table.widths[1:]) == pytest.approx(SHEET_TEXT_WIDTH)
        assert len(set(table.widths[1:])) == 1
        assert len(table.widths) == (5 if a.get("reason") else 4)
        assert table.rows[0][0] == a["status"]


def test_list_numbers_every_activity_once_in_plan_order() -> None:
    data = load_yaml(SAMPLE)
    doc = assembled(SAMPLE)["list"]
    lists = [b for b in doc.blocks if isinstance(b, Table)][:-1]
    assert len(lists) == len(data["perspectives"])
    rows = [row for t in lists for row in t.rows]
    assert [(r[0], r[2], r[5]) for r in rows] == [
        (str(i), a["name"], a["status"]) for i, (_, _, a) in enumerate(activities(data), start=1)
    ]
    names = [s["name"] for s in statuses(data)]
    for table, p in zip(lists, data["perspectives"]):
        (subtotal,) = table.totals
        assert subtotal[0] == "小計" and subtotal[1:4] == ("", "", "")
        n = [sum(a["status"] == s for b in p["businesses"] for a in b["activities"]) for s in names]
        assert subtotal[4] == "、".join(f"{s} {k}" for s, k in zip(names, n))
        assert subtotal[5] == str(sum(n))


def test_assemble_functions_are_what_the_build_uses() -> None:
    data = load(SAMPLE)
    counts = aggregate(data)
    built = assembled(SAMPLE)
    assert built["summary"] == summary(data, counts)
    assert built["list"] == activity_list(data, counts)
    assert built["sheets"] == sheets(data)


# --- the dump's format ------------------------------------------------------------------------------


def test_dump_format() -> None:
    meta = Meta("題", "市", "件名", dt.date(2022, 10, 1), keywords=("a", "b"))
    doc = Document(
        "summary",
        meta,
        (
            DocNumber("資料1"),
            TitleBlock(("一行目", "二行目")),
            Heading(2, "見出し"),
            BulletList(("点一\n続き", "点二")),
            Paragraph("注記", "note"),
            Chart((Slice("済", 2), Slice("遅れ", 0)), "代替", ("合計", "2")),
            Table((("甲", "乙"),), (("1", ""),), (("計", "1"),), (1.0, 2.5), ("left", "right")),
            PageBreak(),
            Table((("甲", "乙"),), (("1", "二\n行"),), widths=(1.0, 1.0), align=("center", "left")),
        ),
    )
    assert dump(doc).splitlines() == [
        "document summary portrait",
        "  title: 題",
        "  author: 市",
        "  subject: 件名",
        "  date: 2022-10-01",
        "  language: ja-JP",
        "  keywords: a / b",
        "docnumber: 資料1",
        "title:",
        "  一行目",
        "  二行目",
        "heading 2: 見出し",
        "bullets:",
        "  - 点一",
        "    続き",
        "  - 点二",
        "paragraph note: 注記",
        "chart:",
        "  slice 済: 2",
        "  slice 遅れ: 0",
        "  center: 合計 / 2",
        "  alt: 代替",
        "table: 2 columns",
        "  widths: 1 2.5",
        "  align: left right",
        "  header: | 甲 | 乙 |",
        "  row: | 1 |  |",
        "  total: | 計 | 1 |",
        "pagebreak",
        "table: 2 columns",
        "  widths: 1 1",
        "  align: center left",
        "  header: | 甲 | 乙 |",
        "  row 1:",
        "    甲: 1",
        "    乙: 二",
        "      行",
    ]
