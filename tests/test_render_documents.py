"""The whole document set (summary, activity list, sheets) of any plan, read back from both formats.

For the test plans, the sample and a generated plan of several hundred activities, every expected
number and label is derived here from the YAML, independently of the pipeline, and compared with
what the PDF (pdfplumber) and the DOCX (its XML) show: file names and ``--only``, the summary's
sentences, legend, delays and references, document numbers, the list's rows and subtotals on
landscape pages, one sheet per business, and Japanese line breaking in table cells.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pdfplumber
import pytest
import yaml

from pipeline.cli import SAMPLE
from pipeline.render.kinsoku import check_lines
from pipeline.style import load_style

from .conftest import (
    Numbering,
    W,
    activities,
    build,
    docx_text,
    docx_xml,
    load_yaml,
    norm,
    on_track_percent,
    paragraph_text,
    pdf_text,
    status_counts,
    statuses,
)

PLANS = sorted((Path(__file__).parent / "plans").glob("*.yaml"))
TERM = {"first_half": "上半期", "second_half": "下半期", "full_year": ""}
DOCS = ("summary", "list", "sheets")
LIST_HEADER = ["No.", "事業名", "活動名", "担当課", "取組状況", "進捗区分"]


# --- independent derivations from the YAML ---------------------------------------------------


def era_label(year: int, style: str) -> str:
    era, n = ("令和", year - 2018) if year >= 2019 else ("平成", year - 1988)
    shown = "元" if n == 1 else str(n)
    return f"{era}{shown}年（{year}年）度" if style == "era_year_paren" else f"{era}{shown}（{year}）年度"


def period(data: dict) -> str:
    report = data["report"]
    return era_label(report["fiscal_year"], report.get("year_style", "era_paren")) + TERM[report["term"]]


def expected_sentences(data: dict) -> list[str]:
    acts = activities(data)
    counts = status_counts(acts)
    n_business = sum(len(p["businesses"]) for p in data["perspectives"])
    first = f"{n_business}事業で{len(acts)}の活動を実施。"
    on = [
        f"「{s['name']}」は{counts[s['name']]}の活動"
        for s in statuses(data)
        if counts.get(s["name"]) and s.get("on_track")
    ]
    if on:
        second = f"活動の状況は、{'、'.join(on)}、全体の{on_track_percent(data)}%は順調に進捗。"
    else:
        second = "活動の状況は、順調に進捗している活動はなし。"
    other = [
        f"「{s['name']}」は{counts[s['name']]}の活動"
        for s in statuses(data)
        if counts.get(s["name"]) and not s.get("on_track")
    ]
    delayed = "・".join(f"「{s['name']}」" for s in statuses(data) if s.get("delayed")) or "「遅れ」"
    third = "、".join(other) + "。" if other else f"{delayed}の活動はなし。"
    return [first, second, third]


def label(business: dict) -> str:
    return business["name"] + ("【重点】" if business.get("priority") else "")


def department(business: dict, activity: dict) -> str:
    return activity.get("department") or business.get("department") or ""


def expected_list_rows(data: dict, perspective: dict, start: int) -> list[list[str]]:
    rows = []
    for b in perspective["businesses"]:
        for a in b["activities"]:
            rows.append([str(start + len(rows)), label(b), a["name"], department(b, a), a["status"]])
    return rows


def subtotal(data: dict, perspective: dict) -> list[str]:
    counts = status_counts([(None, None, a) for b in perspective["businesses"] for a in b["activities"]])
    parts = "、".join(f"{s['name']}{counts.get(s['name'], 0)}" for s in statuses(data))
    return ["小計", parts, str(sum(counts.values()))]


def detail_numbers(data: dict) -> tuple[str | None, str | None]:
    details = data["report"].get("detail_documents") or []
    return (details[0] if len(details) >= 2 else None), (details[-1] if details else None)


# --- building -----------------------------------------------------------------------------------


def big_plan(perspectives: int = 7, per_business: int = 9, businesses: int = 6) -> dict:
    """A generated plan of several hundred activities, long texts, a custom status set."""
    names = ["順調", "遅延", "中止"]
    plan = {
        "format": 1,
        "plan": {"organization": "大和市", "title": "大和市行政経営改革プラン", "period": [2021, 2025]},
        "report": {"fiscal_year": 2024, "term": "first_half", "detail_documents": ["資料3", "資料4"]},
        "statuses": [{"name": "順調", "on_track": True}, {"name": "遅延", "delayed": True}, {"name": "中止"}],
        "perspectives": [],
    }
    k = 0
    for i in range(perspectives):
        bs = []
        for j in range(businesses):
            acts = []
            for _ in range((i + j) % per_business + 1):
                k += 1
                acts.append(
                    {
                        "name": f"活動{k}の取組",
                        "status": names[k % 7 % 3],
                        "department": f"第{j + 1}課",
                        "results": [f"活動{k}について関係課と協議し、実施方針を取りまとめた。" * (1 + k % 3)],
                    }
                )
            bs.append({"name": f"視点{i + 1}の事業{j + 1}", "priority": j == 0, "activities": acts})
        plan["perspectives"].append({"name": f"取組の視点その{i + 1}", "businesses": bs})
    return plan


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, dict[str, Path]]]:
    """Every plan of tests/plans, the sample and a generated big plan, built once."""
    src = tmp_path_factory.mktemp("plans")
    big = src / "yamato-2024-h1.yaml"
    big.write_text(yaml.safe_dump(big_plan(), allow_unicode=True), encoding="utf-8")
    sources = [*PLANS, SAMPLE, big]
    out = tmp_path_factory.mktemp("built")
    code, output = build(["build", *map(str, sources), "--out", str(out)])
    assert code == 0, output
    result = {}
    for source in sources:
        files = {}
        for doc in DOCS:
            suffix = "" if doc == "summary" else f"-{doc}"
            for fmt in ("pdf", "docx"):
                files[f"{doc}.{fmt}"] = out / f"{source.stem}{suffix}.{fmt}"
        result[source.stem] = (load_yaml(source), files)
    return result


ALL = [p.stem for p in PLANS] + [SAMPLE.stem, "yamato-2024-h1"]


def pdf_tables(path: Path) -> list[list[list[list[str]]]]:
    """Per page, its ruled tables, cells with line breaks removed."""
    with pdfplumber.open(path) as pdf:
        return [
            [[[norm(c or "") for c in row] for row in t] for t in page.extract_tables()] for page in pdf.pages
        ]


def docx_table_rows(path: Path) -> list[tuple[bool, list[list[str]]]]:
    """Per table: whether its first row repeats as a header, and its rows as Word shows them."""
    labels = Numbering(path)
    root = docx_xml(path)
    shown = {p: labels.label(p) + paragraph_text(p) for p in root.iter(W + "p")}  # document order
    out = []
    for tbl in root.iter(W + "tbl"):
        trs = list(tbl.iter(W + "tr"))
        header = trs[0].find(f"{W}trPr/{W}tblHeader") is not None
        rows = [[norm("".join(shown[p] for p in tc.iter(W + "p"))) for tc in tr.iter(W + "tc")] for tr in trs]
        out.append((header, rows))
    return out


# --- file names and --only -------------------------------------------------------------------


@pytest.mark.parametrize("stem", ALL)
def test_every_document_written_under_its_name(built, stem: str) -> None:
    _, files = built[stem]
    for path in files.values():
        assert path.exists() and path.stat().st_size > 0, path


def test_only_chooses_documents(tmp_path: Path) -> None:
    code, output = build(
        ["build", str(PLANS[0]), "--out", str(tmp_path), "--only", "list,sheets", "--format", "pdf"]
    )
    assert code == 0, output
    stem = PLANS[0].stem
    written = sorted(p.name for p in tmp_path.iterdir() if p.name != ".gyokaku")  # its bookkeeping
    assert written == [f"{stem}-list.pdf", f"{stem}-sheets.pdf"]
    code, output = build(["build", str(PLANS[0]), "--out", str(tmp_path / "x"), "--only", "summary,tables"])
    assert code == 2 and "tables" in output and "summary, list, sheets" in output
    assert not (tmp_path / "x").exists()


# --- the summary for any plan ----------------------------------------------------------------------


@pytest.mark.parametrize("stem", ALL)
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_summary_sentences_and_title(built, stem: str, fmt: str) -> None:
    data, files = built[stem]
    path = files[f"summary.{fmt}"]
    text = norm(pdf_text(path) if fmt == "pdf" else docx_text(path))
    for sentence in expected_sentences(data):
        assert norm(sentence) in text, sentence
    title = data["report"].get("title", "取組状況【総括】")
    assert norm(period(data) + title) in text


@pytest.mark.parametrize("stem", ALL)
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_status_legend_from_descriptions(built, stem: str, fmt: str) -> None:
    data, files = built[stem]
    path = files[f"summary.{fmt}"]
    text = norm(pdf_text(path) if fmt == "pdf" else docx_text(path))
    described = [s for s in statuses(data) if s.get("description")]
    for s in described:
        assert norm(f"※「{s['name']}」：{s['description']}") in text
    if not described:
        assert "※" not in text


@pytest.mark.parametrize("stem", ALL)
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_section_3_lists_every_delayed_activity_or_says_none(built, stem: str, fmt: str) -> None:
    data, files = built[stem]
    path = files[f"summary.{fmt}"]
    text = norm(pdf_text(path) if fmt == "pdf" else docx_text(path))
    delayed = {s["name"] for s in statuses(data) if s.get("delayed")}
    names = "・".join(f"「{s['name']}」" for s in statuses(data) if s.get("delayed")) or "「遅れ」"
    section = text[text.index(norm(f"3 {names}とした取組")) :]
    late = [(b, a) for _, b, a in activities(data) if a["status"] in delayed]
    at = 0
    for b, a in late:
        at = section.index(norm(f"{a['name']}・・・{a['status']} [{b['name']}]"), at)
        first = a.get("reason") or (a.get("results") or [""])[0]
        assert section.index(norm(first), at) >= at
    if not late:
        assert norm(f"{names}とした取組はありません。") in section


@pytest.mark.parametrize("stem", ALL)
def test_summary_references_follow_the_document_numbers(built, stem: str) -> None:
    data, files = built[stem]
    text = norm(pdf_text(files["summary.pdf"]))
    details = data["report"].get("detail_documents") or []
    if len(details) >= 2:
        assert norm(f"1 進捗状況（詳細は{details[0]}、") in text
    if details:
        assert norm(f"2 主な事業の取組状況（詳細は{details[-1]}）") in text


# --- document numbers at the top right -------------------------------------------------------------


@pytest.mark.parametrize("stem", ALL)
@pytest.mark.parametrize("doc", DOCS)
def test_document_number_top_right_of_first_page(built, stem: str, doc: str) -> None:
    data, files = built[stem]
    number = {
        "summary": data["report"].get("document_number"),
        "list": detail_numbers(data)[0],
        "sheets": detail_numbers(data)[1],
    }[doc]
    with pdfplumber.open(files[f"{doc}.pdf"]) as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
        first = words[0]
        if number is None:
            assert "資料" not in first["text"]
            return
        assert first["text"] == number
        assert first["x1"] > page.width * 0.85 and first["top"] < page.height * 0.12
    text = docx_text(files[f"{doc}.docx"])
    assert text.lstrip().startswith(number)


# --- 資料1-2 activity list -------------------------------------------------------------------------


@pytest.mark.parametrize("stem", ALL)
def test_list_is_landscape_with_the_header_on_every_page(built, stem: str) -> None:
    data, files = built[stem]
    with pdfplumber.open(files["list.pdf"]) as pdf:
        assert all(p.width > p.height for p in pdf.pages)
    count_header = [norm(c) for c in ["取組の視点", *(s["name"] for s in statuses(data)), "合計"]]
    pages = pdf_tables(files["list.pdf"])
    for tables in pages:
        assert tables, "a page of the list without its table"
        assert tables[0][0] in (LIST_HEADER, count_header)
    assert all(repeat for repeat, _ in docx_table_rows(files["list.docx"]))
    with zipfile.ZipFile(files["list.docx"]) as z:
        xml = z.read("word/document.xml").decode()
    assert 'w:orient="landscape"' in xml


def pdf_list_tables(path: Path) -> list[list[list[str]]]:
    """The list's tables with the pages' repeated headers joined back into one table each."""
    tables: list[list[list[str]]] = []
    continuing = False
    for page in pdf_tables(path):
        for i, table in enumerate(page):
            if table[0] != LIST_HEADER:
                tables.append(table)  # the count table at the end
                continuing = False
                continue
            if i == 0 and continuing:
                tables[-1] += table[1:]
            else:
                tables.append(table)
            continuing = table[-1][0] != norm("小計")
    return tables


@pytest.mark.parametrize("stem", ALL)
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_list_rows_and_subtotals(built, stem: str, fmt: str) -> None:
    data, files = built[stem]
    path = files[f"list.{fmt}"]
    if fmt == "pdf":
        tables = pdf_list_tables(path)
    else:
        tables = [rows for _, rows in docx_table_rows(path)]
    perspectives = data["perspectives"]
    assert len(tables) == len(perspectives) + 1  # one per perspective, then the count table
    start = 1
    for table, perspective in zip(tables, perspectives):
        body, last = table[1:-1], table[-1]
        expected = expected_list_rows(data, perspective, start)
        start += len(expected)
        assert [[r[0], r[1], r[2], r[3], r[5]] for r in body] == [[norm(c) for c in e] for e in expected]
        assert [last[0], last[4], last[5]] == [norm(c) for c in subtotal(data, perspective)]
    count_table = tables[-1]
    acts = activities(data)
    assert count_table[-1][-1] == str(len(acts))
    names = [s["name"] for s in statuses(data)]
    for row, perspective in zip(count_table[1:-1], perspectives):
        counts = status_counts([(None, None, a) for b in perspective["businesses"] for a in b["activities"]])
        assert row[1:] == [str(counts.get(n, 0)) for n in names] + [str(sum(counts.values()))]


@pytest.mark.parametrize("stem", ALL)
def test_list_results_reason_first(built, stem: str) -> None:
    data, files = built[stem]
    rows = [r for _, rows in docx_table_rows(files["list.docx"]) for r in rows[1:-1]][: len(activities(data))]
    for row, (_, _, a) in zip(rows, activities(data)):
        points = ([f"{a['status']}の理由：{a['reason']}"] if a.get("reason") else []) + list(
            a.get("results") or []
        )
        assert row[4] == norm("".join("・" + p for p in points))


# --- 資料1-3 sheets ----------------------------------------------------------------------------------


def sheet_columns(data: dict, a: dict) -> list[tuple[str, str]]:
    delayed = {s["name"] for s in statuses(data) if s.get("delayed")}
    plan = ("今年度の計画", a.get("plan") or "－")
    results = ("取組状況", "".join("・" + r for r in a.get("results") or []) or "－")
    following = ("今後の取組", a.get("next") or "－")
    if a.get("reason"):
        cols = [(f"「{a['status']}」の理由", a["reason"]), plan, results, following]
    elif a["status"] in delayed:
        cols = [results, plan, following]
    else:
        cols = [plan, results, following]
    return [("進捗区分", a["status"]), *cols]


@pytest.mark.parametrize("stem", [p.stem for p in PLANS] + [SAMPLE.stem])
def test_one_sheet_per_business_in_pdf(built, stem: str) -> None:
    data, files = built[stem]
    pairs = [(n, p, b) for n, p in enumerate(data["perspectives"], start=1) for b in p["businesses"]]
    pages = pdf_tables(files["sheets.pdf"])
    assert len(pages) == len(pairs)
    for tables, (n, p, b) in zip(pages, pairs):
        facts = tables[0]
        assert facts[0] == ["事業名", "取組の視点", "重点", "担当課", "活動数"]
        priority = "重点" if b.get("priority") else "－"
        expected = [
            b["name"],
            f"（{n}）{p['name']}",
            priority,
            b.get("department") or "－",
            str(len(b["activities"])),
        ]
        assert facts[1] == [norm(c) for c in expected]
        for table, a in zip(tables[1:], b["activities"], strict=True):
            cols = sheet_columns(data, a)
            assert table == [[norm(k) for k, _ in cols], [norm(v) for _, v in cols]]


@pytest.mark.parametrize("stem", ALL)
def test_sheets_in_docx_match(built, stem: str) -> None:
    data, files = built[stem]
    tables = [rows for _, rows in docx_table_rows(files["sheets.docx"])]
    expected = []
    for p in data["perspectives"]:
        for b in p["businesses"]:
            expected.append(None)  # the facts table
            expected += [sheet_columns(data, a) for a in b["activities"]]
    assert len(tables) == len(expected)
    for table, cols in zip(tables, expected):
        if cols is not None:
            assert table == [[norm(k) for k, _ in cols], [norm(v) for _, v in cols]]
    body = docx_xml(files["sheets.docx"])
    breaks = sum(1 for br in body.iter(W + "br") if br.get(W + "type") == "page")
    breaks += sum(1 for b in body.iter(W + "pageBreakBefore") if b.get(W + "val") in (None, "1", "true"))
    assert breaks == sum(len(p["businesses"]) for p in data["perspectives"]) - 1


STYLE_BULLET = load_style("default").bullet_mark  # an item's mark starts its first line


def _cell_text(page, cell: tuple[float, float, float, float]) -> str:
    """A cell's text: the characters that start in it (a 、。 may hang over its right edge)."""
    x0, top, x1, bottom = cell

    def inside(obj: dict) -> bool:
        if obj.get("object_type") != "char":
            return True
        return x0 + 0.5 < obj["x0"] <= x1 + 0.5 and top <= obj["top"] and obj["bottom"] <= bottom

    return page.filter(inside).extract_text() or ""


@pytest.mark.parametrize("doc", ["list", "sheets"])
@pytest.mark.parametrize("stem", [p.stem for p in PLANS] + [SAMPLE.stem])
def test_table_cells_break_lines_by_japanese_rules(built, stem: str, doc: str) -> None:
    """Every line of every table cell, as a reader extracts it: no 、。）」 first, no 「（ last."""
    _, files = built[stem]
    lines = []
    with pdfplumber.open(files[f"{doc}.pdf"]) as pdf:
        for page in pdf.pages:
            for table in page.find_tables():
                for cell in filter(None, table.cells):
                    text = _cell_text(page, cell)
                    lines += [line.removeprefix(STYLE_BULLET) for line in text.splitlines()]
    assert len(lines) > 10
    assert check_lines(lines) == []


def _outline_tree(path: Path) -> list[tuple[str, list]]:
    """The PDF's bookmarks as (title, children) as pypdf reads them."""
    from pypdf import PdfReader

    def walk(items: list) -> list[tuple[str, list]]:
        tree: list[tuple[str, list]] = []
        for item in items:
            if isinstance(item, list):
                tree[-1][1].extend(walk(item))
            else:
                tree.append((norm(item.title), []))
        return tree

    return walk(PdfReader(path).outline)


@pytest.mark.parametrize("stem", ALL)
def test_bookmarks_nest_siblings_as_siblings(built, stem: str) -> None:
    """The list's perspectives are all top-level; each business of the sheets holds its activities."""
    data, files = built[stem]
    perspectives = data["perspectives"]
    listed = _outline_tree(files["list.pdf"])
    assert [title for title, _ in listed] == [
        norm(f"（{i}）{p['name']}") for i, p in enumerate(perspectives, start=1)
    ]
    assert all(not children for _, children in listed)
    sheets = _outline_tree(files["sheets.pdf"])
    businesses = [b for p in perspectives for b in p["businesses"]]
    assert [title for title, _ in sheets] == [norm(label(b)) for b in businesses]
    for (_, children), business in zip(sheets, businesses):
        assert len(children) == len(business["activities"])
        assert all(not grandchildren for _, grandchildren in children)
