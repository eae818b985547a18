"""``gyokaku diff`` and ``gyokaku apply`` (issue 13): drafts edited as reviewers edit them
(python-docx, raw XML for tracked changes, LibreOffice's save), the YAML text and the rebuilt
draft read back; and the evidence for the markers (LibreOffice keeps bookmarks, drops tags)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
import yaml
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from pipeline.build import Renderers, documents
from pipeline.cli import SAMPLE
from pipeline.load import load
from pipeline.model import Activity, Business, Perspective, ReportInput
from pipeline.render.docx_xml import W_NS, text_runs
from pipeline.review import (
    MAX_NAME,
    PLAN_TITLE,
    bookmark_field,
    bookmark_name,
    compare,
    field_code,
    field_path,
    occurrences,
    read_draft,
)

from .conftest import build

W = f"{{{W_NS}}}"
HIGHLIGHT = "perspectives[1].businesses[1].highlights[1]"
SECOND = "perspectives[1].businesses[1].highlights[2]"


# --- an independent marking of a built draft: each field's text found in the order assemble
# prints it, wrapped in its bookmark as the Word writer should (compared with the writer's below) --


def placed(data: ReportInput) -> list[tuple[Perspective, Business, Activity]]:
    return [(p, b, a) for p in data.perspectives for b in p.businesses for a in b.activities]


def fields_in_order(data: ReportInput, name: str) -> list[tuple[str, str]]:
    """Every (path, text) of the input the document ``name`` prints, in reading order."""
    out: list[tuple[str, str]] = [(PLAN_TITLE, data.plan.title)]
    perspectives = [(f"perspectives[{i}]", p) for i, p in enumerate(data.perspectives, 1)]
    count_rows = [(f"{pp}.name", p.name) for pp, p in perspectives]
    if name == "summary":
        out += count_rows
        if any(a.effect for *_, a in placed(data)):
            out += count_rows  # the effects table's rows
        for pp, p in perspectives:
            featured = [(f"{pp}.businesses[{j}]", b) for j, b in enumerate(p.businesses, 1) if b.highlights]
            if featured:
                out.append((f"{pp}.name", p.name))
            for bp, b in featured:
                out.append((f"{bp}.name", b.name))
                out += [(f"{bp}.highlights[{n}]", h) for n, h in enumerate(b.highlights, 1)]
    for pp, p in perspectives:
        if name == "list":
            out.append((f"{pp}.name", p.name))
        for j, b in enumerate(p.businesses, 1):
            bp = f"{pp}.businesses[{j}]"
            if name == "sheets":
                out += [(f"{bp}.name", b.name), (f"{bp}.name", b.name), (f"{pp}.name", p.name)]
                out += [(f"{bp}.department", b.department)] if b.department else []
            for k, a in enumerate(b.activities, 1):
                ap = f"{bp}.activities[{k}]"
                plan = [(f"{ap}.plan", a.plan)] if a.plan else []
                results = [(f"{ap}.results[{n}]", r) for n, r in enumerate(a.results, 1)]
                after = [(f"{ap}.next", a.next)] if a.next else []
                if name == "sheets":  # a sheet prints 「－」 for a missing plan or next, marked
                    plan = [(f"{ap}.plan", a.plan or "－")]
                    after = [(f"{ap}.next", a.next or "－")]
                    results = results or [("", "－")]  # … and for no results, unmarked
                reason = [(f"{ap}.reason", a.reason)] if a.reason else []
                delayed = data.status(a.status).delayed
                if name == "summary" and delayed:
                    out += [(f"{ap}.name", a.name), (f"{bp}.name", b.name), *reason, *results]
                elif name == "list":
                    out += [(f"{bp}.name", b.name), (f"{ap}.name", a.name)]
                    if a.department or b.department:
                        key = ap if a.department else bp
                        out.append((f"{key}.department", a.department or b.department or ""))
                    out += [*reason, *results, (f"{ap}.status", a.status), *figures(a, ap, "list")]
                elif name == "sheets":
                    out.append((f"{ap}.name", a.name))
                    if a.department and a.department != b.department:
                        out.append((f"{ap}.department", a.department))
                    out.append((f"{ap}.status", a.status))
                    if reason:
                        out += [*reason, *plan, *results, *after]
                    else:
                        out += [*results, *plan, *after] if delayed else [*plan, *results, *after]
                    out += figures(a, ap, "sheets")
    effects = any(a.effect for *_, a in placed(data))
    return out + (count_rows * (2 if effects else 1) if name == "list" else [])


def shown(value: float | None) -> str | None:
    """A number as the documents print it (thousands separators), or None when it is missing."""
    if value is None:
        return None
    return f"{value:,}" if value >= 0 else f"▲{-value:,}"


def figures(a: Activity, ap: str, name: str) -> list[tuple[str, str]]:
    """The Additions' fields an activity's points print: the effect's amounts, then each
    indicator's name and values (the list: actual before target; a sheet: target first)."""
    out = []
    if a.effect is not None:
        out += [(f"{ap}.effect.{k}", shown(getattr(a.effect, k))) for k in ("target", "actual")]
    for n, i in enumerate(a.indicators, 1):
        order = ("actual", "target") if name == "list" else ("target", "actual")
        out.append((f"{ap}.indicators[{n}].name", i.name))
        out += [(f"{ap}.indicators[{n}].{k}", shown(getattr(i, k))) for k in order]
    return [(path, value) for path, value in out if value is not None]


def paragraph_text(p: etree._Element) -> str:
    return "".join((e.text or "") if e.tag == W + "t" else "\n" for e in p.iter(W + "t", W + "br"))


def has_marks(raw: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return b'w:name="_gk_' in z.read("word/document.xml")


def mark(raw: bytes, fields: list[tuple[str, str]]) -> bytes:
    """``raw`` with each field's text, found in order, in its hidden bookmark (a status: the
    whole text of a paragraph, its cell)."""
    zin = zipfile.ZipFile(io.BytesIO(raw))
    root = etree.fromstring(zin.read("word/document.xml"))
    paras = list(root.iter(W + "p"))
    seen: dict[str, int] = {}
    spans: dict[int, list[tuple[int, int, str]]] = {}
    at, offset = 0, 0
    for path, value in fields:
        while at < len(paras):
            text = paragraph_text(paras[at])
            if path.endswith(".status") or value == "－":  # a cell of its own (a header may
                found = 0 if text == value and offset == 0 else -1  # name the status; 「－」 is common)
            else:
                found = text.find(value, offset)
            if found >= 0:
                if path:  # "": text passed over, not a field
                    seen[path] = seen.get(path, 0) + 1
                    name = bookmark_name(path, seen[path])
                    spans.setdefault(at, []).append((found, found + len(value), name))
                offset = found + len(value)
                break
            at, offset = at + 1, 0
        else:
            raise AssertionError(f"{path}: {value!r} not printed where expected")
    bid = 0
    for i, marks in spans.items():
        p = paras[i]
        text = paragraph_text(p)
        for child in list(p):
            if child.tag != W + "pPr":
                p.remove(child)
        xml, done = [], 0
        for lo, hi, name in marks:
            bid += 1
            xml += [
                text_runs(text[done:lo]) if lo > done else "",
                f'<w:bookmarkStart w:id="{bid}" w:name="{name}"/>',
            ]
            xml += [text_runs(text[lo:hi]), f'<w:bookmarkEnd w:id="{bid}"/>']
            done = hi
        if done < len(text):
            xml.append(text_runs(text[done:]))
        p.extend(list(etree.fromstring(f'<w:p xmlns:w="{W_NS}">{"".join(xml)}</w:p>')))
    return rezip(zin, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def rezip(zin: zipfile.ZipFile, document: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in zin.infolist():
            z.writestr(item, document if item.filename == "word/document.xml" else zin.read(item))
    return out.getvalue()


@pytest.fixture(scope="module")
def sample() -> ReportInput:
    return load(SAMPLE)


@pytest.fixture(scope="module")
def drafts(sample: ReportInput) -> dict[str, bytes]:
    """The sample's three drafts, as the Word writer marks them."""
    writer = Renderers.create().writer("docx")
    return {d.name: writer.render(d) for d in documents(sample)}


# --- editing as a reviewer does -------------------------------------------------------------------


def opened(raw: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(raw))


def saved(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def all_paragraphs(document: docx.document.Document) -> Iterator[DocxParagraph]:
    body = document.element.body
    for p in body.iter(W + "p"):
        yield DocxParagraph(p, document)


def paragraph_of(document: docx.document.Document, path: str, occurrence: int = 1) -> DocxParagraph:
    name = bookmark_name(path, occurrence)
    for p in all_paragraphs(document):
        if p._p.find(f"{W}bookmarkStart[@{W}name='{name}']") is not None:
            return p
    raise AssertionError(f"no bookmark {name}")


def retype(p: DocxParagraph, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` inside one run of ``p`` (as typing over a selection)."""
    for run in p.runs:
        if old in run.text:
            run.text = run.text.replace(old, new)
            return
    raise AssertionError(f"{old!r} not in one run of {p.text!r}")


def split_at(p: DocxParagraph, at: str) -> None:
    """Enter pressed just before ``at``: Word's new paragraph takes the text before the cursor
    (and the bookmark's start); the bookmark now spans both paragraphs."""
    el = p._p
    first = etree.Element(W + "p")
    el.addprevious(first)
    ppr = el.find(W + "pPr")
    if ppr is not None:
        first.append(etree.fromstring(etree.tostring(ppr)))
    for child in list(el):
        if child.tag == W + "pPr":
            continue
        text = paragraph_text(child) if child.tag == W + "r" else ""
        if at in text:
            head, tail = text.split(at, 1)
            t = child.find(W + "t")
            assert t is not None
            t.text = at + tail
            first.append(etree.fromstring(f'<w:r xmlns:w="{W_NS}"><w:t>{head}</w:t></w:r>'))
            return
        first.append(child)
    raise AssertionError(at)


def remove(el: etree._Element) -> None:
    parent = el.getparent()
    assert parent is not None
    parent.remove(el)


def new_paragraph_after(p: DocxParagraph, text: str) -> None:
    """Enter at the end of ``p`` and typing: a paragraph of its look, outside its bookmark."""
    el = p._p
    new = etree.fromstring(f'<w:p xmlns:w="{W_NS}"><w:r><w:t>{text}</w:t></w:r></w:p>')
    ppr = el.find(W + "pPr")
    if ppr is not None:
        new.insert(0, etree.fromstring(etree.tostring(ppr)))
    el.addnext(new)


def edited_file(tmp_path: Path, raw: bytes, name: str = "edited.docx") -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def field_texts(raw: bytes, expected: bytes) -> dict[str, list[str]]:
    """Each field's printed text in a draft (several paragraphs: several items)."""
    occ = occurrences(read_draft(raw), read_draft(expected))
    return {path: printed[0][1].pieces for path, printed in occ.items()}


def yaml_copy(tmp_path: Path, source: Path = SAMPLE) -> Path:
    copy = tmp_path / source.name
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """Lines only in ``before``, lines only in ``after`` (in order)."""
    import difflib

    gone, new = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            gone.append(line[2:])
        elif line.startswith("+ "):
            new.append(line[2:])
    return gone, new


def item(data: dict[str, object], path: str) -> object:
    """A value of the YAML (read by PyYAML) at a field path."""
    node: object = data
    for step in path.split("."):
        m = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", step)
        assert m is not None and isinstance(node, dict)
        node = node[m[1]]
        if m[2]:
            assert isinstance(node, list)
            node = node[int(m[2]) - 1]
    return node


# --- the bookmark names -----------------------------------------------------------------------------


@pytest.mark.parametrize("source", [SAMPLE, SAMPLE.parent / "aoba-2022-h2.yaml"], ids=lambda p: p.stem)
def test_bookmark_names_encode_every_printed_field_in_at_most_40_characters(source: Path) -> None:
    data = load(source)
    printed = {p for name in ("summary", "list", "sheets") for p, _ in fields_in_order(data, name) if p}
    assert any(".status" in p for p in printed)
    for path in printed:
        name = bookmark_name(path)
        assert name.startswith("_gk_") and len(name) <= MAX_NAME
        assert bookmark_field(name) == (path, 1) and bookmark_field(bookmark_name(path, 7)) == (path, 7)
    stem = "perspectives[20000].businesses[20000].activities[20000]"
    for longest in (f"{stem}.results[20000]", f"{stem}.indicators[20000].actual", f"{stem}.effect.target"):
        assert len(bookmark_name(longest, 99)) <= MAX_NAME
    assert field_code("perspectives[1].businesses[2].activities[3].results[2]") == "p1b2a3r2"
    assert field_path("p1b2a3r2") == "perspectives[1].businesses[2].activities[3].results[2]"
    assert bookmark_field("_Toc12345") is None and bookmark_field("_gk_zz") is None
    for wrong in ("perspectives[1]", "perspectives[1].", "perspectives.name", "perspectives[1].title", "x"):
        with pytest.raises(ValueError):
            field_code(wrong)


# --- diff ---------------------------------------------------------------------------------------------


def test_an_untouched_draft_has_no_changes(tmp_path: Path, drafts: dict[str, bytes]) -> None:
    for name, raw in drafts.items():
        code, output = build(["diff", str(edited_file(tmp_path, raw, f"{name}.docx")), str(SAMPLE)])
        assert code == 0, output
        assert "違いはありません" in output


def test_an_untouched_draft_of_a_report_with_a_previous_one_has_no_changes(tmp_path: Path) -> None:
    """The previous report's names and statuses (loaded at the same paths) are not this input's:
    a renamed activity and changed statuses read as no change."""
    aoba = SAMPLE.parent / "aoba-2022-h2.yaml"
    data = load(aoba)
    assert data.previous is not None
    writer = Renderers.create().writer("docx")
    for doc in documents(data):
        edited = edited_file(tmp_path, writer.render(doc), f"{doc.name}.docx")
        code, output = build(["diff", str(edited), str(aoba)])
        assert code == 0 and "違いはありません" in output, output


def test_reworded_bullet_split_bullet_new_bullet_and_digits_kept_as_typed(
    tmp_path: Path, sample: ReportInput, drafts: dict[str, bytes]
) -> None:
    values = {t.path: t.value for t in sample.texts}
    document = opened(drafts["summary"])
    first = paragraph_of(document, HIGHLIGHT)
    retype(first, "4月", "４月")  # full-width, as typed
    first.runs[0].bold = True  # formatting: ignored
    second = paragraph_of(document, SECOND)
    new_paragraph_after(second, "ヒアリング結果を取りまとめ中。")
    delayed = next(
        p for p in values if p.endswith(".results[1]") and values[p].startswith("令和4（2022）年6月末")
    )
    split_at(paragraph_of(document, delayed), "より一層")
    edited = edited_file(tmp_path, saved(document))
    source = yaml_copy(tmp_path)
    code, output = build(["diff", str(edited), str(source)])
    assert code == 1, output
    assert f"変更: {HIGHLIGHT}" in output and "後: ４月から" in output
    assert f"追加: {SECOND[:-3]}[2] の後に 1 項目" in output and "ヒアリング結果を取りまとめ中。" in output
    assert f"分割: {delayed}" in output
    before = source.read_text(encoding="utf-8")
    code, output = build(["apply", str(edited), str(source), "--out", str(tmp_path / "new.yaml")])
    assert code == 0, output
    after = (tmp_path / "new.yaml").read_text(encoding="utf-8")
    assert source.read_text(encoding="utf-8") == before, "INPUT untouched with --out"
    gone, new = changed_lines(before, after)
    head, tail = values[delayed].split("より一層")
    assert [line.strip() for line in gone] == [
        "4月から学校給食単独調理場業務（山下小学校）を委託。",
        "- " + values[delayed],
    ]
    assert [line.strip() for line in new] == [
        "４月から学校給食単独調理場業務（山下小学校）を委託。",
        "- ヒアリング結果を取りまとめ中。",
        "- " + head,
        "- より一層" + tail,
    ]
    data = yaml.safe_load(after)
    assert item(data, SECOND[:-3] + "[3]") == "ヒアリング結果を取りまとめ中。"
    assert "# illustrative activity" in after and after.count("\n") == before.count("\n") + 2


def test_applied_input_rebuilds_the_edited_text(
    tmp_path: Path, sample: ReportInput, drafts: dict[str, bytes]
) -> None:
    """After apply, build NEW.yaml --force gives, for every applied field, the edited draft's text."""
    document = opened(drafts["sheets"])
    plan = "perspectives[2].businesses[1].activities[1].plan"
    result = "perspectives[1].businesses[1].activities[2].results[1]"
    name = "perspectives[1].businesses[2].name"
    retype(paragraph_of(document, plan), "。", "（見直し）。")
    new_paragraph_after(paragraph_of(document, result), "追加の取組を実施。")
    end = paragraph_of(document, name)._p.find(W + "bookmarkEnd")  # typed just after its end
    assert end is not None
    end.addnext(etree.fromstring(f'<w:r xmlns:w="{W_NS}"><w:t>（改称）</w:t></w:r>'))
    raw = saved(document)
    edited = edited_file(tmp_path, raw, "plan-sheets.docx")
    new_yaml = tmp_path / "plan.yaml"
    new_yaml.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    code, output = build(["apply", str(edited), str(new_yaml)])
    assert code == 0, output
    out = tmp_path / "out"
    code, output = build(["build", str(new_yaml), "--out", str(out), "--format", "docx", "--force"])
    assert code == 0, output
    rebuilt = (out / "plan-sheets.docx").read_bytes()
    expected_text = field_texts(raw, drafts["sheets"])
    rebuilt_text = field_texts(rebuilt, rebuilt)
    comparison = compare(read_draft(raw), read_draft(drafts["sheets"]), sample)
    applied = [c.path for c in comparison.changes if c.kind == "set"]
    assert sorted(applied) == sorted([plan, name])
    for path in applied:
        assert rebuilt_text[path] == expected_text[path], path
    assert expected_text[name] == [sample.perspectives[0].businesses[1].name + "（改称）"]
    assert rebuilt_text[result[:-3] + "[2]"] == ["追加の取組を実施。"]


def test_tracked_changes_are_read_as_accepted_and_comments_listed(
    tmp_path: Path, sample: ReportInput, drafts: dict[str, bytes]
) -> None:
    document = opened(drafts["summary"])
    p = paragraph_of(document, SECOND)
    run = next(r for r in p.runs if "ヒアリング" in r.text)
    old = run.text
    keep, cut = old.split("について、")
    rid = 'w:id="{}" w:author="推進本部" w:date="2022-10-20T09:00:00Z"'
    tracked = (
        f"<w:r><w:t>{keep}</w:t></w:r>"
        f"<w:del {rid.format(901)}><w:r><w:delText>について、{cut}</w:delText></w:r></w:del>"
        f"<w:ins {rid.format(902)}><w:r><w:t>について、所管課へのヒアリングを実施。</w:t></w:r></w:ins>"
    )
    for el in etree.fromstring(f'<w:p xmlns:w="{W_NS}">{tracked}</w:p>'):
        run._r.addprevious(el)
    remove(run._r)
    heading = paragraph_of(document, "perspectives[1].name", 2)
    document.add_comment(heading.runs, text="視点名はこのままで良いか確認", author="行政総務課")
    edited = edited_file(tmp_path, saved(document))
    code, output = build(["diff", str(edited), str(SAMPLE)])
    assert code == 1, output
    assert "変更履歴（挿入 1、削除 1）は、すべて承諾したものとして読みました" in output
    assert f"後: {keep}について、所管課へのヒアリングを実施。" in output
    assert (
        "コメント（perspectives[1].name）: 行政総務課: 視点名はこのままで良いか確認（反映しません）" in output
    )
    source = yaml_copy(tmp_path)
    code, output = build(["apply", str(edited), str(source)])
    assert code == 0, output
    assert (
        item(yaml.safe_load(source.read_text(encoding="utf-8")), SECOND)
        == f"{keep}について、所管課へのヒアリングを実施。"
    )
    # a change rejected in Word is not in the file: the draft as it was, no change
    rejected = opened(drafts["summary"])
    edited.write_bytes(saved(rejected))
    code, output = build(["diff", str(edited), str(SAMPLE)])
    assert code == 0, output


def test_two_bullets_joined_with_track_changes_become_one_item(
    tmp_path: Path, sample: ReportInput, drafts: dict[str, bytes]
) -> None:
    """The first bullet's paragraph mark deleted (tracked): one paragraph, one list item."""
    values = {t.path: t.value for t in sample.texts}
    document = opened(drafts["summary"])
    ppr = paragraph_of(document, HIGHLIGHT)._p.get_or_add_pPr()
    deleted = '<w:del w:id="903" w:author="推進本部" w:date="2022-10-20T09:00:00Z"/>'
    ppr.append(etree.fromstring(f'<w:rPr xmlns:w="{W_NS}">{deleted}</w:rPr>'))
    edited = edited_file(tmp_path, saved(document))
    code, output = build(["diff", str(edited), str(SAMPLE)])
    assert code == 1, output
    assert f"結合: {SECOND}: {HIGHLIGHT} の段落と結合されています" in output
    source = yaml_copy(tmp_path)
    code, output = build(["apply", str(edited), str(source)])
    assert code == 0, output
    highlights = item(yaml.safe_load(source.read_text(encoding="utf-8")), HIGHLIGHT[:-3])
    assert highlights == [values[HIGHLIGHT] + values[SECOND]]


def test_derived_counts_and_own_wording_are_refused_with_what_to_change(
    tmp_path: Path, sample: ReportInput, drafts: dict[str, bytes]
) -> None:
    document = opened(drafts["summary"])
    counts: dict[str, int] = {}
    for s in sample.statuses:
        counts[s.name] = sum(
            a.status == s.name for p in sample.perspectives for b in p.businesses for a in b.activities
        )
    busiest = max(counts, key=lambda n: counts[n])
    sentence = next(
        p for p in all_paragraphs(document) if f"「{busiest}」は{counts[busiest]}の活動" in p.text
    )
    retype(sentence, f"{counts[busiest]}の活動", f"{counts[busiest] + 1}の活動")
    table = document.tables[0]  # 【活動数一覧】: a status's column, the first perspective's row
    column = [c.text for c in table.rows[0].cells].index(busiest)
    first = sum(a.status == busiest for b in sample.perspectives[0].businesses for a in b.activities)
    cell = table.rows[1].cells[column].paragraphs[0]
    retype(cell, str(first), str(first + 2))
    heading = next(p for p in all_paragraphs(document) if p.text.startswith("主な事業の取組状況"))
    retype(heading, "主な事業", "主要な事業")
    edited = edited_file(tmp_path, saved(document))
    source = yaml_copy(tmp_path)
    before = source.read_text(encoding="utf-8")
    code, output = build(["diff", str(edited), str(source)])
    assert code == 1, output
    assert f"「{busiest}」を 1 件増やすには、ほかの区分の活動 1 件の status を「{busiest}」に" in output
    assert f"「{busiest}」を 2 件増やすには" in output
    assert "入力からではない文言" in output and "主要な事業の取組状況" in output
    code, output = build(["apply", str(edited), str(source)])
    assert code == 0, output
    assert "反映しませんでした" in output and "入力に反映する変更はありません" in output
    assert source.read_text(encoding="utf-8") == before


def test_a_deleted_bullet_is_deleted_only_with_allow_delete(tmp_path: Path, drafts: dict[str, bytes]) -> None:
    document = opened(drafts["summary"])
    p = paragraph_of(document, SECOND)
    remove(p._p)
    edited = edited_file(tmp_path, saved(document))
    source = yaml_copy(tmp_path)
    before = source.read_text(encoding="utf-8")
    code, output = build(["apply", str(edited), str(source)])
    assert code == 0 and "--allow-delete" in output, output
    assert source.read_text(encoding="utf-8") == before
    code, output = build(["apply", str(edited), str(source), "--allow-delete"])
    assert code == 0, output
    gone, new = changed_lines(before, source.read_text(encoding="utf-8"))
    assert new == [] and [g.strip() for g in gone] == [
        "- 民間活力の活用を検討している業務等について、ヒアリングを実施。"
    ]


def test_bad_inputs_exit_2_without_a_traceback(tmp_path: Path, drafts: dict[str, bytes]) -> None:
    not_docx = tmp_path / "x.docx"
    not_docx.write_bytes(b"PK\x03\x04 not really")
    plain = opened(drafts["summary"])
    for el in list(plain.element.body.iter(W + "bookmarkStart", W + "bookmarkEnd")):
        remove(el)
    unmarked = edited_file(tmp_path, saved(plain), "plain.docx")
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("format: 1\nplan: [\n", encoding="utf-8")
    cases: list[tuple[list[str], str]] = [
        (["diff", str(not_docx), str(SAMPLE)], "Word の文書"),
        (["diff", str(tmp_path / "missing.docx"), str(SAMPLE)], "読めません"),
        (["diff", str(unmarked), str(SAMPLE)], "印（しおり）がありません"),
        (["apply", str(edited_file(tmp_path, drafts["summary"])), str(bad_yaml)], "bad.yaml"),
        (["apply", str(not_docx), str(SAMPLE), "--out", str(tmp_path / "no" / "x.yaml")], "Word の文書"),
        (
            ["apply", str(tmp_path / "edited.docx"), str(SAMPLE), "--out", str(tmp_path / "no" / "x.yaml")],
            "フォルダーがありません",
        ),
    ]
    for args, words in cases:
        code, output = build(args)
        assert code == 2 and words in output and "Traceback" not in output, output


def test_an_edit_that_makes_the_input_invalid_writes_nothing(
    tmp_path: Path, drafts: dict[str, bytes]
) -> None:
    document = opened(drafts["summary"])
    split_at(paragraph_of(document, "perspectives[1].businesses[1].name"), "活用事業")  # a name: one line
    edited = edited_file(tmp_path, saved(document))
    source = yaml_copy(tmp_path)
    before = source.read_text(encoding="utf-8")
    code, output = build(["apply", str(edited), str(source)])
    assert code == 2 and "何も書き出していません" in output and "Traceback" not in output, output
    assert "perspectives[1].businesses[1].name" in output and "1行で" in output
    assert source.read_text(encoding="utf-8") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# --- LibreOffice: what survives its save, and a draft it saved ------------------------------------------


def soffice_docx(tmp_path: Path, *files: Path) -> Path:
    """``files`` opened and saved as DOCX by LibreOffice Writer (its own profile)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice Writer is needed (scripts/setup.sh --test installs it)")
    out = tmp_path / "lo"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out


MARKERS = (
    '<w:sdt><w:sdtPr><w:tag w:val="gk:p1b1h1"/></w:sdtPr><w:sdtContent>'
    "<w:p><w:r><w:t>block</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    '<w:p><w:sdt><w:sdtPr><w:tag w:val="gk:p1n"/></w:sdtPr><w:sdtContent>'
    "<w:r><w:t>inline</w:t></w:r></w:sdtContent></w:sdt></w:p>"
    '<w:p><w:r><w:t>（1）</w:t></w:r><w:bookmarkStart w:id="1" w:name="_gk_p2n"/>'
    '<w:r><w:t>bookmark</w:t></w:r><w:bookmarkEnd w:id="1"/><w:r><w:t>【重点】</w:t></w:r></w:p>'
    '<w:p><w:bookmarkStart w:id="2" w:name="_gk_p1b1a1r1"/><w:r><w:t>first</w:t></w:r></w:p>'
    '<w:p><w:r><w:t>second</w:t></w:r><w:bookmarkEnd w:id="2"/></w:p>'
)


def test_libreoffice_keeps_bookmarks_and_drops_content_control_tags(tmp_path: Path) -> None:
    """The evidence for bookmarks: LibreOffice 7.4 saves a content control's tag nowhere (a block
    one becomes a FILLIN field), keeps hidden bookmark names and their text, and writes one
    spanning two paragraphs as two bookmarks of the same name (the reader joins them)."""
    document = docx.Document()
    sect = document.element.body[-1]
    for el in etree.fromstring(f'<w:body xmlns:w="{W_NS}">{MARKERS}</w:body>'):
        sect.addprevious(el)
    source = edited_file(tmp_path, saved(document), "markers.docx")
    out = soffice_docx(tmp_path, source)
    xml = zipfile.ZipFile(out / "markers.docx").read("word/document.xml").decode()
    assert "gk:p1b1h1" not in xml and "gk:p1n" not in xml, "content control tags are lost"
    assert "FILLIN" in xml, "a block-level content control becomes a field"
    assert 'w:name="_gk_p2n"' in xml and 'w:name="_gk_p1b1a1r1"' in xml
    draft = read_draft((out / "markers.docx").read_bytes())
    texts = {
        bookmark_field(n): draft.paras[s.para].text[s.offset : e.offset] if s.para == e.para else None
        for n, (s, e) in draft.marks.items()
    }
    assert texts[("perspectives[2].name", 1)] == "bookmark"
    assert occurrences(draft)["perspectives[1].businesses[1].activities[1].results[1]"][0][1].pieces == [
        "first",
        "second",
    ]


def test_a_draft_edited_and_saved_by_libreoffice(tmp_path: Path, drafts: dict[str, bytes]) -> None:
    document = opened(drafts["summary"])
    retype(paragraph_of(document, HIGHLIGHT), "委託。", "委託した。")
    new_paragraph_after(paragraph_of(document, SECOND), "新たな項目。")
    edited = edited_file(tmp_path, saved(document))
    untouched = edited_file(tmp_path, drafts["list"], "untouched-list.docx")
    out = soffice_docx(tmp_path, edited, untouched)
    code, output = build(["diff", str(out / "untouched-list.docx"), str(SAMPLE)])
    assert code == 0, output
    code, output = build(["diff", str(out / "edited.docx"), str(SAMPLE)])
    assert code == 1, output
    assert f"変更: {HIGHLIGHT}" in output and "委託した。" in output
    assert f"追加: {SECOND[:-3]}[2] の後に 1 項目" in output
    assert output.count("変更:") == 1 and "入力からではない" not in output
    # the fields' texts as built travel with the draft (LibreOffice writes the custom XML back)
    kept = read_draft((out / "edited.docx").read_bytes()).base
    assert kept is not None and kept == read_draft(drafts["summary"]).base and kept[HIGHLIGHT]


def strip_marks(raw: bytes) -> bytes:
    """A draft without its bookmarks (runs left as they are)."""
    zin = zipfile.ZipFile(io.BytesIO(raw))
    root = etree.fromstring(zin.read("word/document.xml"))
    for el in list(root.iter(W + "bookmarkStart", W + "bookmarkEnd")):
        remove(el)
    return rezip(zin, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


@pytest.mark.parametrize(
    "source",
    [
        SAMPLE,
        *sorted(SAMPLE.parent.glob("aoba-*.yaml")),
        *sorted((Path(__file__).parent / "plans").glob("*.yaml")),
    ],
    ids=lambda p: p.stem,
)
def test_the_writer_marks_every_field_where_assemble_prints_it(source: Path) -> None:
    """The Word writer's bookmarks are those the independent marking above finds, name for name
    and character for character; no other output changes (the PDF is not affected)."""
    data = load(source)
    writer = Renderers.create().writer("docx")
    for doc in documents(data):
        raw = writer.render(doc)
        assert has_marks(raw)
        own = read_draft(raw)
        independent = read_draft(mark(strip_marks(raw), fields_in_order(data, doc.name)))
        assert own.texts() == independent.texts()
        assert own.marks == independent.marks, doc.name
        assert len(own.marks) == len([p for p, _ in fields_in_order(data, doc.name) if p])


def test_apply_out_to_another_folder_keeps_the_previous_report(tmp_path: Path) -> None:
    """``apply --out`` into another folder: ``report.previous`` names the same file from there."""
    aoba = SAMPLE.parent / "aoba-2022-h2.yaml"
    source_dir, out_dir = tmp_path / "drafts", tmp_path / "reviewed" / "h2"
    source_dir.mkdir()
    out_dir.mkdir(parents=True)
    source = yaml_copy(source_dir, aoba)
    previous_name = yaml.safe_load(source.read_text(encoding="utf-8"))["report"]["previous"]
    yaml_copy(source_dir, aoba.parent / previous_name)
    data = load(source)
    path = next(t.path for t in data.texts if t.path.endswith(".results[1]"))
    sheets = next(d for d in documents(data) if d.name == "sheets")
    document = opened(Renderers.create().writer("docx").render(sheets))
    p = paragraph_of(document, path)
    retype(p, p.runs[-1].text, p.runs[-1].text + "（確認済み）")
    edited = edited_file(tmp_path, saved(document))
    target = out_dir / "new.yaml"
    code, output = build(["apply", str(edited), str(source), "--out", str(target)])
    assert code == 0, output
    before, after = source.read_text(encoding="utf-8"), target.read_text(encoding="utf-8")
    written = yaml.safe_load(after)
    assert (out_dir / written["report"]["previous"]).resolve() == (source_dir / previous_name).resolve()
    gone, new = changed_lines(before, after)
    assert len(gone) == len(new) == 2 and "previous:" in gone[0] and "previous:" in new[0]
    assert new[1].strip().endswith("（確認済み）")
    assert "変更: report.previous" in output
    code, output = build(["check", str(target)])
    assert code == 0, output


def test_a_status_changed_in_the_list_or_a_sheet_is_applied_and_checked(
    tmp_path: Path, sample: ReportInput
) -> None:
    """進捗区分 cells are the activity's ``status``: a changed one is written back; one that is
    not a status of the plan is refused by the loader, located, and nothing is written."""
    docs = {d.name: d for d in documents(sample)}
    writer = Renderers.create().writer("docx")
    p, b, a = next(
        (i, j, k)
        for i, pp in enumerate(sample.perspectives, 1)
        for j, bb in enumerate(pp.businesses, 1)
        for k, aa in enumerate(bb.activities, 1)
        if aa.status == "概ね順調"
    )
    path = f"perspectives[{p}].businesses[{b}].activities[{a}].status"
    for name in ("list", "sheets"):
        document = opened(writer.render(docs[name]))
        retype(paragraph_of(document, path), "概ね順調", "遅れ")
        edited = edited_file(tmp_path, saved(document), f"{name}.docx")
        source = yaml_copy(tmp_path)
        before = source.read_text(encoding="utf-8")
        code, output = build(["diff", str(edited), str(source)])
        assert code == 1 and f"変更: {path}" in output, output
        code, output = build(["apply", str(edited), str(source)])
        assert code == 0, output
        gone, new = changed_lines(before, source.read_text(encoding="utf-8"))
        assert [g.strip() for g in gone] == ["status: 概ね順調"]
        assert [n.strip() for n in new] == ["status: 遅れ"]
        assert item(yaml.safe_load(source.read_text(encoding="utf-8")), path) == "遅れ"
    document = opened(writer.render(docs["list"]))
    retype(paragraph_of(document, path), "概ね順調", "大幅に遅れ")
    edited = edited_file(tmp_path, saved(document), "bad.docx")
    source = yaml_copy(tmp_path)
    before = source.read_text(encoding="utf-8")
    code, output = build(["apply", str(edited), str(source)])
    assert code == 2 and "進捗区分にありません" in output and path in output, output
    assert source.read_text(encoding="utf-8") == before


def test_effect_and_indicator_values_edited_in_a_draft_are_written_as_numbers(tmp_path: Path) -> None:
    """An amount or indicator value retyped in the list or a sheet (full-width digits, separators)
    is written back as a number; a value that is not a number is refused and the rest applied;
    an edited 達成率 is derived and says what to change."""
    aoba = SAMPLE.parent / "aoba-2022-h2.yaml"
    data = load(aoba)
    docs = {d.name: d for d in documents(data)}
    writer = Renderers.create().writer("docx")
    ap, a = next(
        (f"perspectives[{x}].businesses[{y}].activities[{z}]", act)
        for x, p in enumerate(data.perspectives, 1)
        for y, b in enumerate(p.businesses, 1)
        for z, act in enumerate(b.activities, 1)
        if act.effect and act.effect.target is not None and act.effect.actual is not None
    )
    assert a.effect is not None and a.effect.target is not None and a.effect.actual is not None
    indicated = next(
        (f"perspectives[{x}].businesses[{y}].activities[{z}].indicators[1]", act.indicators[0])
        for x, p in enumerate(data.perspectives, 1)
        for y, b in enumerate(p.businesses, 1)
        for z, act in enumerate(b.activities, 1)
        if act.indicators and act.indicators[0].actual is not None
    )
    new_target, new_actual = a.effect.target + 1500, a.effect.actual + 20
    typed = f"{new_target:,}".translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    sheets = opened(writer.render(docs["sheets"]))
    target = paragraph_of(sheets, f"{ap}.effect.target")
    retype(target, f"{a.effect.target:,}", typed)
    retype(paragraph_of(sheets, f"{indicated[0]}.actual"), f"{indicated[1].actual:,}", "未定")
    source = yaml_copy(tmp_path, aoba)
    yaml_copy(tmp_path, aoba.parent / yaml.safe_load(aoba.read_text(encoding="utf-8"))["report"]["previous"])
    code, output = build(["apply", str(edited_file(tmp_path, saved(sheets), "s.docx")), str(source)])
    assert code == 0, output
    assert f"反映しませんでした: {indicated[0]}.actual: 数として読めません" in output
    listed = opened(writer.render(documents(load(source))[1]))  # the next round's list
    retype(paragraph_of(listed, f"{ap}.effect.actual"), f"{a.effect.actual:,}", f"{new_actual:,}")
    code, output = build(["apply", str(edited_file(tmp_path, saved(listed), "l.docx")), str(source)])
    assert code == 0, output
    written = yaml.safe_load(source.read_text(encoding="utf-8"))
    assert item(written, f"{ap}.effect.target") == new_target
    assert item(written, f"{ap}.effect.actual") == new_actual
    assert item(written, f"{indicated[0]}.actual") == indicated[1].actual
    assert f"target: {new_target}\n" in source.read_text(encoding="utf-8")
    # the rate is derived from the two amounts
    again = opened(writer.render(documents(load(source))[1]))
    rate = next(p for p in all_paragraphs(again) if f"実績{new_actual:,}（" in p.text)
    shown_rate = re.search(r"（(\d+)%）", rate.text)
    assert shown_rate is not None
    retype(rate, f"（{shown_rate[1]}%）", "（100%）")
    code, output = build(["apply", str(edited_file(tmp_path, saved(again), "r.docx")), str(source)])
    assert "目標" in output and "実績" in output and "達成率" in output, output


def test_an_edited_effects_total_says_to_change_the_activities_amounts(tmp_path: Path) -> None:
    aoba = SAMPLE.parent / "aoba-2022-h2.yaml"
    summary = documents(load(aoba))[0]
    document = opened(Renderers.create().writer("docx").render(summary))
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "目標額")
    run = next(r for p in table.rows[1].cells[2].paragraphs for r in p.runs if r.text.strip())
    run.text = "99,999"
    code, output = build(["diff", str(edited_file(tmp_path, saved(document))), str(aoba)])
    assert code == 1 and "後: 99,999" in output
    assert "各活動の effect の目標・実績を合計" in output, output


def test_two_drafts_of_one_build_applied_in_turn_keep_both_reviewers_edits(tmp_path: Path) -> None:
    """The list and the sheets print the same results: applying the sheets after the list does
    not put the list's edit back (the draft keeps each field's text as built); the same field
    edited differently in both is a conflict, and the input keeps the first edit."""
    aoba = SAMPLE.parent / "aoba-2022-h2.yaml"
    source = yaml_copy(tmp_path, aoba)
    yaml_copy(tmp_path, aoba.parent / yaml.safe_load(aoba.read_text(encoding="utf-8"))["report"]["previous"])
    data = load(source)
    docs = {d.name: d for d in documents(data)}
    writer = Renderers.create().writer("docx")
    values = {t.path: t.value for t in data.texts if t.loc.file == data.source}
    first, second = [p for p in values if p.endswith(".results[1]")][:2]
    listed = opened(writer.render(docs["list"]))
    retype(paragraph_of(listed, first), values[first][-4:], values[first][-4:] + "（一覧で修正）")
    sheets = opened(writer.render(docs["sheets"]))
    retype(paragraph_of(sheets, second), values[second][-4:], values[second][-4:] + "（個票で修正）")
    other = opened(writer.render(docs["sheets"]))
    retype(paragraph_of(other, first), values[first][-4:], values[first][-4:] + "（別の修正）")
    code, output = build(["apply", str(edited_file(tmp_path, saved(listed), "l.docx")), str(source)])
    assert code == 0, output
    code, output = build(["apply", str(edited_file(tmp_path, saved(sheets), "s.docx")), str(source)])
    assert code == 0, output
    assert f"入力が変わった項目（1 件: {first}）" in output
    written = yaml.safe_load(source.read_text(encoding="utf-8"))
    assert item(written, first).endswith("（一覧で修正）")
    assert item(written, second).endswith("（個票で修正）")
    code, output = build(["diff", str(edited_file(tmp_path, saved(other), "o.docx")), str(source)])
    assert f"食い違い: {first}: 下書きを作ったあとで入力も変わっています" in output, output
    code, output = build(["apply", str(edited_file(tmp_path, saved(other), "o.docx")), str(source)])
    assert item(yaml.safe_load(source.read_text(encoding="utf-8")), first).endswith("（一覧で修正）")
    # deleted in a draft of the first build, after the list changed it: a conflict, kept
    gone = opened(writer.render(docs["sheets"]))
    remove(paragraph_of(gone, first)._p)
    edited = edited_file(tmp_path, saved(gone), "g.docx")
    code, output = build(["apply", str(edited), str(source), "--allow-delete"])
    assert "下書きで削除されていますが、下書きを作ったあとで入力も変わっています" in output, output
    assert item(yaml.safe_load(source.read_text(encoding="utf-8")), first).endswith("（一覧で修正）")


def test_text_written_in_a_sheets_dash_cell_adds_the_field(tmp_path: Path) -> None:
    """A sheet prints 「－」 for a plan or next the input leaves out; what a reviewer writes there
    becomes the field, placed where the format puts it; a 「－」 left alone changes nothing."""
    for source in [SAMPLE, SAMPLE.parent / "aoba-2022-h2.yaml"]:
        data = load(source)
        found = [
            (f"perspectives[{x}].businesses[{y}].activities[{z}]", a)
            for x, p in enumerate(data.perspectives, 1)
            for y, b in enumerate(p.businesses, 1)
            for z, a in enumerate(b.activities, 1)
            if a.next is None
        ]
        if found:
            break
    assert found, "no activity without next in the samples"
    ap, _ = found[0]
    sheets = next(d for d in documents(data) if d.name == "sheets")
    document = opened(Renderers.create().writer("docx").render(sheets))
    retype(paragraph_of(document, f"{ap}.next"), "－", "来年度に効果を検証する。")
    copy = yaml_copy(tmp_path, source)
    previous = yaml.safe_load(source.read_text(encoding="utf-8"))["report"].get("previous")
    if previous:
        yaml_copy(tmp_path, source.parent / previous)
    before = copy.read_text(encoding="utf-8")
    code, output = build(["apply", str(edited_file(tmp_path, saved(document))), str(copy)])
    assert code == 0, output
    after = copy.read_text(encoding="utf-8")
    gone, new = changed_lines(before, after)
    assert gone == [] and [n.strip() for n in new] == ["next: 来年度に効果を検証する。"]
    written = item(yaml.safe_load(after), ap)
    assert isinstance(written, dict) and written["next"] == "来年度に効果を検証する。"
    keys = list(written)
    assert keys.index("next") > keys.index("status")
    if "results" in keys:
        assert keys.index("next") == keys.index("results") + 1


@pytest.mark.parametrize(
    "item",
    [
        b"<not xml",
        b'<x:fields xmlns:x="urn:other"><x:f c="p1n" h="000000000000"/></x:fields>',
        b'<gk:fields xmlns:gk="urn:gyokaku:review:1">'
        b'<gk:f c="p1n"/><gk:f c="zz9" h="0123456789ab"/></gk:fields>',
    ],
    ids=["garbage", "foreign", "malformed"],
)
def test_a_damaged_review_part_falls_back_to_two_way(
    tmp_path: Path, drafts: dict[str, bytes], item: bytes
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(drafts["list"])) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, item if info.filename == "customXml/item1.xml" else zin.read(info))
    assert read_draft(drafts["list"]).base  # the part as built
    assert not read_draft(out.getvalue()).base
    code, output = build(["diff", str(edited_file(tmp_path, out.getvalue())), str(SAMPLE)])
    assert code == 0 and "違いはありません" in output, output


def test_a_draft_whose_body_inflates_past_the_bound_is_refused(
    tmp_path: Path, drafts: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.review as review

    size = len(zipfile.ZipFile(io.BytesIO(drafts["list"])).read("word/document.xml"))
    monkeypatch.setattr(review, "MAX_DOCUMENT_XML", size - 1)
    with pytest.raises(review.DraftError, match="大きすぎます"):
        read_draft(drafts["list"], "list.docx")
    monkeypatch.setattr(review, "MAX_DOCUMENT_XML", size)
    assert read_draft(drafts["list"], "list.docx").marks


def test_apply_keeps_the_inputs_permissions(tmp_path: Path, drafts: dict[str, bytes]) -> None:
    document = opened(drafts["summary"])
    retype(paragraph_of(document, HIGHLIGHT), "委託。", "委託した。")
    edited = edited_file(tmp_path, saved(document))
    source = yaml_copy(tmp_path)
    source.chmod(0o664)
    code, output = build(["apply", str(edited), str(source)])
    assert code == 0, output
    assert "委託した。" in source.read_text(encoding="utf-8")
    assert source.stat().st_mode & 0o777 == 0o664


def test_apply_refuses_when_the_input_changes_meanwhile(
    tmp_path: Path, drafts: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another apply (or an editor) that saves the input while this one runs: nothing is written
    over its changes."""
    import pipeline.review_cli as review_cli

    document = opened(drafts["summary"])
    retype(paragraph_of(document, HIGHLIGHT), "委託。", "委託した。")
    edited = edited_file(tmp_path, saved(document))
    source = yaml_copy(tmp_path)
    theirs = source.read_text(encoding="utf-8") + "# saved by someone else\n"
    check = review_cli._check

    def meanwhile(text: str, target: Path) -> list[str]:
        source.write_text(theirs, encoding="utf-8")
        return check(text, target)

    monkeypatch.setattr(review_cli, "_check", meanwhile)
    code, output = build(["apply", str(edited), str(source)])
    assert code == 2 and "apply の途中で書き換えられました" in output, output
    assert source.read_text(encoding="utf-8") == theirs


def test_apply_on_a_full_disk_says_so_and_leaves_the_input(
    tmp_path: Path, drafts: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import pipeline.review_cli as review_cli

    document = opened(drafts["summary"])
    retype(paragraph_of(document, HIGHLIGHT), "委託。", "委託した。")
    edited = edited_file(tmp_path, saved(document))
    source = yaml_copy(tmp_path)
    before = source.read_bytes()
    full = Path("/dev/full")  # every write fails with ENOSPC
    monkeypatch.setattr(
        review_cli.tempfile,
        "mkstemp",
        lambda **_: (os.open(full, os.O_WRONLY), str(tmp_path / ".check.yaml")),
    )
    code, output = build(["apply", str(edited), str(source)])
    assert code == 2 and "ディスクの空きがありません" in output and "何も書き出していません" in output, output
    assert "正しくありません" not in output
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["edited.docx", source.name])


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("6,000", 6000),
        ("６，５００", 6500),
        ("▲5", -5),
        ("△1.5", -1.5),
        (" 7 ", 7),
        ("9" * 18, int("9" * 18)),
        ("五千", None),
        ("1,00", None),
        ("1e3", None),
        ("－", None),
        ("", None),
        ("9" * 19, None),  # past the loader's digits
        ("9" * 5000, None),  # past Python's int conversion limit: no ValueError
    ],
)
def test_typed_numbers(typed: str, value: float | None) -> None:
    from pipeline.review import typed_number

    assert typed_number(typed) == value
