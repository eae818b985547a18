"""Reviewers' edits in a Word draft, read back into the input (issue 13).

Every text of the draft that comes from one field of the input is wrapped in a hidden Word
bookmark whose name encodes the field's path (``bookmark_name``): ``_gk_p1b2a3r2`` is
``perspectives[1].businesses[2].activities[3].results[2]``. Bookmarks, unlike content controls,
survive a save by LibreOffice (``tests/test_review.py`` runs the round trip) and Word keeps them.

``read_draft`` reads a draft as Word shows it with every tracked change accepted, its bookmarks and
its comments; ``compare`` sets an edited draft against the draft the input builds and lists each
change: a field's new text, list items split or added, gyokaku's own wording changed (not from the
input), derived numbers changed; ``apply_changes`` writes the field changes into the YAML text with
ruamel.yaml's round trip, so that everything else of the file stays as it was written.
"""

from __future__ import annotations

import difflib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .docmodel import REVIEW_NS, text_digest
from .load import MAX_DIGITS
from .model import ReportInput
from .yamledit import insert_key, round_trip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
PREFIX = "_gk_"  # a leading underscore: a hidden bookmark in Word (as its own _Toc… ones)
MAX_NAME = 40  # Word keeps bookmark names of at most 40 characters ([MS-OI29500] 2.1.362 c)

# --- bookmark names: a field's path in at most 40 characters ------------------------------------

_LISTS = {
    "perspectives": "p",
    "businesses": "b",
    "activities": "a",
    "highlights": "h",
    "results": "r",
    "indicators": "i",
}
_KEYS = {
    "name": "n",
    "plan": "l",
    "next": "x",
    "reason": "y",
    "department": "d",
    "status": "s",
    "kind": "k",
    "unit": "u",
    "target": "g",
    "actual": "c",
}
_GROUPS = {"effect": "e"}  # a mapping step without an index (an activity's effect)
_LIST_OF = {v: k for k, v in _LISTS.items()}
_KEY_OF = {v: k for k, v in _KEYS.items()}
_GROUP_OF = {v: k for k, v in _GROUPS.items()}
PLAN_TITLE = "plan.title"
_STEP_CODE = re.compile(rf"({'|'.join(_LISTS)})\[(\d+)\]\.?|({'|'.join(_GROUPS)})\.|({'|'.join(_KEYS)})$")
_CODE = re.compile(rf"([{''.join(_LIST_OF)}])(\d+)|([{''.join(_GROUP_OF)}])|([{''.join(_KEY_OF)}])")


def field_code(path: str) -> str:
    """``perspectives[1].businesses[2].highlights[1]`` → ``p1b2h1``; ``plan.title`` → ``t``."""
    if path == PLAN_TITLE:
        return "t"
    out = []
    at = 0
    for m in _STEP_CODE.finditer(path):
        if m.start() != at:
            break
        out.append(_LISTS[m[1]] + m[2] if m[1] else _GROUPS[m[3]] if m[3] else _KEYS[m[4]])
        at = m.end()
    if at != len(path) or not out or path.endswith(".") or out[-1][0] in "pbaie":  # a value, not a list
        raise ValueError(f"not a field path: {path}")
    return "".join(out)


def field_path(code: str) -> str | None:
    """The path a code stands for (``field_code``'s inverse), or None when it is not one."""
    if code == "t":
        return PLAN_TITLE
    parts, at = [], 0
    for m in _CODE.finditer(code):
        if m.start() != at:
            return None
        at = m.end()
        parts.append(f"{_LIST_OF[m[1]]}[{m[2]}]" if m[1] else _GROUP_OF[m[3]] if m[3] else _KEY_OF[m[4]])
    return ".".join(parts) if parts and at == len(code) else None


def bookmark_name(path: str, occurrence: int = 1) -> str:
    """The hidden bookmark of a field's ``occurrence``-th text in one document: ``_gk_p1n``,
    then ``_gk_p1n_2`` (Word keeps one bookmark of a name: the last)."""
    name = PREFIX + field_code(path) + (f"_{occurrence}" if occurrence > 1 else "")
    if len(name) > MAX_NAME:
        raise ValueError(f"bookmark name over {MAX_NAME} characters: {name}")
    return name


def bookmark_field(name: str) -> tuple[str, int] | None:
    """A bookmark name's field path and occurrence, or None for any other bookmark."""
    if not name.startswith(PREFIX):
        return None
    code, _, n = name[len(PREFIX) :].partition("_")
    path = field_path(code)
    if path is None or (n and not n.isdigit()):
        return None
    return path, int(n) if n else 1


# --- reading a draft ---------------------------------------------------------------------------


class DraftError(Exception):
    """A file that is not a Word draft gyokaku can read (message in Japanese)."""


@dataclass
class Para:
    """One paragraph as Word shows it with every tracked change accepted."""

    text: str
    style: str | None
    numbered: bool  # a list paragraph (its own numbering)
    cell: tuple[int, int, int] | None  # table, row, column (None in the body)


@dataclass(frozen=True)
class Pos:
    """A place in the draft's text: a paragraph and an offset in it."""

    para: int
    offset: int


@dataclass
class Comment:
    """A reviewer's comment and what it is about."""

    author: str
    text: str
    anchor: str  # the field's path, else the start of the paragraph it is anchored to


@dataclass
class Draft:
    """A draft's paragraphs, its gyokaku bookmarks (name → start, end), comments, tracked changes."""

    paras: list[Para]
    marks: dict[str, tuple[Pos, Pos]]
    comments: list[Comment] = field(default_factory=list)
    insertions: int = 0
    deletions: int = 0
    title: str = ""
    base: dict[str, str] | None = None  # each field's text's digest as built (None: not kept)

    def texts(self) -> list[str]:
        return [p.text for p in self.paras]


_SKIP = {W + "del", W + "moveFrom", W + "pPr", W + "rPr", W + "sdtPr", W + "tblPr", W + "trPr", W + "tcPr"}
_SKIP |= {W + "tblGrid", W + "sectPr", W + "customXmlPr", W + "smartTagPr", W + "instrText", W + "delText"}
# drawings, text boxes and embedded objects: never gyokaku's text (a text box would nest paragraphs)
_SKIP |= {W + "drawing", W + "pict", W + "object", MC + "AlternateContent"}


class _Reader:
    """Walks ``word/document.xml`` in reading order."""

    def __init__(self) -> None:
        self.paras: list[Para] = []
        self.parts: list[str] = []
        self.starts: dict[str, list[Pos]] = {}
        self.ends: dict[str, list[Pos]] = {}
        self.ids: dict[str, str] = {}
        self.comment_at: dict[str, Pos] = {}
        self.insertions = 0
        self.deletions = 0
        self.tables = 0
        self.cell: tuple[int, int, int] | None = None
        self.in_para = False
        self.merge_next = False  # the previous paragraph's mark was deleted (tracked)

    def pos(self) -> Pos:
        if self.in_para or self.merge_next:
            return Pos(len(self.paras), len("".join(self.parts)))
        return Pos(len(self.paras), 0)

    def end_pos(self) -> Pos:
        """Where a bookmark ending here ends (outside a paragraph: the end of the last one)."""
        if self.in_para or not self.paras:
            return self.pos()
        return Pos(len(self.paras) - 1, len(self.paras[-1].text))

    def walk(self, el: etree._Element) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP:
            if tag in (W + "del", W + "moveFrom"):
                self.deletions += 1
            return
        if tag == W + "p":
            self.paragraph(el)
        elif tag == W + "tbl":
            self.tables += 1
            table = self.tables
            outer = self.cell
            for r, tr in enumerate(el.iterchildren(W + "tr")):
                for c, tc in enumerate(tr.iterchildren(W + "tc")):
                    self.cell = (table, r, c)
                    for child in tc:
                        self.walk(child)
            self.cell = outer
        elif tag == W + "t":
            self.parts.append(el.text or "")
        elif tag in (W + "br", W + "cr"):
            if el.get(W + "type") in (None, "textWrapping"):
                self.parts.append("\n")
        elif tag == W + "tab":
            self.parts.append("\t")
        elif tag == W + "noBreakHyphen":
            self.parts.append("-")
        elif tag == W + "bookmarkStart":
            name = el.get(W + "name") or ""
            self.ids[el.get(W + "id") or ""] = name
            self.starts.setdefault(name, []).append(self.pos())
        elif tag == W + "bookmarkEnd":
            name = self.ids.get(el.get(W + "id") or "", "")
            self.ends.setdefault(name, []).append(self.end_pos())
        elif tag == W + "commentRangeStart":
            self.comment_at.setdefault(el.get(W + "id") or "", self.pos())
        elif tag == W + "commentReference":
            self.comment_at.setdefault(el.get(W + "id") or "", self.pos())
        else:
            if tag in (W + "ins", W + "moveTo"):
                self.insertions += 1
            for child in el:
                self.walk(child)

    def paragraph(self, p: etree._Element) -> None:
        ppr = p.find(W + "pPr")
        style = numbered = None
        mark_deleted = False
        if ppr is not None:
            s = ppr.find(W + "pStyle")
            style = s.get(W + "val") if s is not None else None
            numbered = ppr.find(W + "numPr")
            marks = ppr.find(W + "rPr")
            if marks is not None:
                mark_deleted = marks.find(W + "del") is not None or marks.find(W + "moveFrom") is not None
                if mark_deleted:
                    self.deletions += 1
                elif marks.find(W + "ins") is not None:
                    self.insertions += 1
        if not self.merge_next:
            self.parts = []
            self.first_style = (style, numbered is not None, self.cell)
        self.in_para = True
        for child in p:
            self.walk(child)
        self.in_para = False
        if mark_deleted:  # accepted: this paragraph and the next are one
            self.merge_next = True
            return
        self.merge_next = False
        first_style, first_numbered, cell = self.first_style
        self.paras.append(Para("".join(self.parts), first_style, first_numbered, cell))

    def marks(self) -> dict[str, tuple[Pos, Pos]]:
        """Each gyokaku bookmark's range; several ranges of one name (LibreOffice writes a
        bookmark spanning paragraphs as one per paragraph) make one, first start to last end."""
        out = {}
        for name, starts in self.starts.items():
            if bookmark_field(name) is None:
                continue
            start = min(starts, key=lambda q: (q.para, q.offset))
            ends = self.ends.get(name) or []
            if ends:
                end = max(ends, key=lambda q: (q.para, q.offset))
            else:  # an unclosed start: to the end of its paragraph
                last = max(starts, key=lambda q: (q.para, q.offset))
                para = min(last.para, len(self.paras) - 1)
                end = Pos(para, len(self.paras[para].text)) if para >= 0 else last
            if (end.para, end.offset) < (start.para, start.offset):
                end = start
            out[name] = (start, end)
        return out


def read_draft(data: bytes, name: str = "") -> Draft:
    """A DOCX's text as Word shows it with every tracked change accepted (a deleted text is
    left out, an inserted one kept; a change rejected in Word is simply not in the file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            size = z.getinfo("word/document.xml").file_size
            if size > MAX_DOCUMENT_XML:
                raise DraftError(
                    f"{name}: Word の文書の本文が大きすぎます（展開すると {size / 2**20:,.0f} MiB、"
                    f"{MAX_DOCUMENT_XML // 2**20} MiB まで）。gyokaku の下書きではないようです。"
                )
            document = z.read("word/document.xml")
            comments_xml = z.read("word/comments.xml") if "word/comments.xml" in z.namelist() else None
            items = [i for i in z.infolist() if _STORE_ITEM.fullmatch(i.filename)]
            stores = [z.read(i) for i in items if i.file_size <= MAX_STORE]
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as err:
        raise DraftError(f"{name}: Word の文書（.docx）として読めません（{err}）。") from None
    try:
        root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, huge_tree=True))
        body = root.find(W + "body")
        if body is None:
            raise DraftError(f"{name}: Word の文書に本文がありません。")
        reader = _Reader()
        for child in body:
            reader.walk(child)
        comments = _comments(comments_xml) if comments_xml is not None else {}
    except etree.XMLSyntaxError as err:
        raise DraftError(f"{name}: Word の文書の XML が壊れています（{err}）。") from None
    marks = reader.marks()
    draft = Draft(reader.paras, marks, insertions=reader.insertions, deletions=reader.deletions)
    draft.base = _base(stores)
    for cid, (author, text) in comments.items():
        at = reader.comment_at.get(cid)
        draft.comments.append(Comment(author, text, _anchor(draft, at)))
    return draft


_STORE_ITEM = re.compile(r"customXml/item\d+\.xml")
_DIGEST = re.compile(r"[0-9a-f]{12}")  # ``docmodel.text_digest``
MAX_DOCUMENT_XML = 512 * 2**20  # the body, inflated (a 15,000-activity 個票: 73 MB)
MAX_STORE = 64 * 2**20  # a custom XML item larger than this is not gyokaku's (15,000 activities: 4 MB)


def _base(stores: list[bytes]) -> dict[str, str] | None:
    """The digests of the fields' texts as built (``docx_xml.add_review_part``), from the draft's
    custom XML items; None when none is gyokaku's (a draft of an earlier version) or readable."""
    for blob in stores:
        try:
            root = etree.fromstring(blob, etree.XMLParser(resolve_entities=False, huge_tree=True))
        except etree.XMLSyntaxError:
            continue
        if root.tag == f"{{{REVIEW_NS}}}fields":
            found = ((field_path(f.get("c", "")), f.get("h", "")) for f in root.iter(f"{{{REVIEW_NS}}}f"))
            return {path: digest for path, digest in found if path is not None and _DIGEST.fullmatch(digest)}
    return None


def _comments(xml: bytes) -> dict[str, tuple[str, str]]:
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False))
    out = {}
    for c in root.iter(W + "comment"):
        paras = ["".join(t.text or "" for t in p.iter(W + "t")) for p in c.iter(W + "p")]
        out[c.get(W + "id") or ""] = (c.get(W + "author") or "", "\n".join(paras))
    return out


def _anchor(draft: Draft, at: Pos | None) -> str:
    """What a comment at ``at`` is about: the innermost field there, else its paragraph's start."""
    if at is None:
        return ""
    best: tuple[int, str] | None = None
    for name, (start, end) in draft.marks.items():
        if (start.para, start.offset) <= (at.para, at.offset) <= (end.para, end.offset):
            size = (end.para - start.para) * 10_000 + end.offset - start.offset
            info = bookmark_field(name)
            if info and (best is None or size < best[0]):
                best = (size, info[0])
    if best is not None:
        return best[1]
    if 0 <= at.para < len(draft.paras):
        return "「" + _short(draft.paras[at.para].text) + "」"
    return ""


def _short(text: str, limit: int = 30) -> str:
    text = text.replace("\n", "↵")
    return text if len(text) <= limit else text[:limit] + "…"


# --- comparing an edited draft with the draft the input builds --------------------------------


@dataclass
class Occurrence:
    """One printed text of a field: its text in the draft (split paragraphs as items), and the
    paragraphs it takes."""

    pieces: list[str]
    first: int
    last: int
    whole: bool  # the field is whole paragraphs (a bullet, a cell's text)
    start: Pos = Pos(0, 0)  # where its text starts and ends (a bookmark's range, widened)
    end: Pos = Pos(0, 0)
    joined: str = ""  # the field whose paragraph it was joined to (its paragraph mark deleted)


@dataclass
class Change:
    """One change of the edited draft.

    ``kind``: ``set`` (a field's new text; ``new`` holds one text, or several list items when a
    list item was split), ``insert`` (new list items after ``path``'s item; ``index`` 0 = first),
    ``delete`` (a field left out), ``joined`` (a list item's paragraph joined to the one before:
    its text is in that field now), ``own`` (gyokaku's own wording), ``derived`` (a number),
    ``conflict`` (two printings of one field edited differently).
    """

    kind: str
    path: str
    old: str
    new: list[str]
    note: str = ""
    index: int = 0
    at: int = 0  # the paragraph of the edited draft it is at (the order of the listing)


@dataclass
class Comparison:
    """Everything ``diff`` reports."""

    document: str
    changes: list[Change]
    comments: list[Comment]
    insertions: int
    deletions: int
    stale: list[str] = field(default_factory=list)  # fields the input changed after the build

    @property
    def fields(self) -> list[Change]:
        return [c for c in self.changes if c.kind in ("set", "insert", "delete", "joined")]


def occurrences(draft: Draft, expected: Draft | None = None) -> dict[str, list[tuple[str, Occurrence]]]:
    """Each field's printed texts in a draft, by path (bookmark names in document order).

    A field that is whole paragraphs in ``expected`` (the draft the input builds) takes whole
    paragraphs here too, so that text typed just after a bookmark's end (where Word puts it
    outside the bookmark) still counts; an inline field takes its bookmark's text, widened by
    what was typed between it and gyokaku's own text around it.
    """
    out: dict[str, list[tuple[str, Occurrence]]] = {}
    owner: dict[int, str] = {}  # a paragraph → the whole-paragraph field that holds it
    order = sorted(draft.marks.items(), key=lambda kv: (kv[1][0].para, kv[1][0].offset))
    for name, (start, end) in order:
        info = bookmark_field(name)
        if info is None or start.para >= len(draft.paras):
            continue
        whole = True
        around = ("", "")
        if expected is not None and name in expected.marks:
            es, ee = expected.marks[name]
            before = expected.paras[es.para].text[: es.offset]
            after = expected.paras[ee.para].text[ee.offset :]
            whole = not before and not after
            around = (before, after)
        elif expected is None:
            whole = start.offset == 0 and end.offset == len(draft.paras[end.para].text)
        texts = [draft.paras[i].text for i in range(start.para, end.para + 1)]
        lo, hi = 0, len(texts[-1])
        if whole and start.para in owner and owner[start.para] != info[0]:
            joined = Occurrence([], start.para, start.para, True, start, start, owner[start.para])
            out.setdefault(info[0], []).append((name, joined))
            continue
        if whole:
            pieces = texts
            owner.update((i, info[0]) for i in range(start.para, end.para + 1))
        else:
            lo, hi = start.offset, end.offset
            first, last = texts[0], texts[-1]
            before, after = around
            if expected is None:
                pass
            elif len(first[:lo]) > len(before) and first[:lo].startswith(before):
                lo = len(before)  # typed between gyokaku's text and the bookmark's start
            if expected is not None and len(last[hi:]) > len(after) and last[hi:].endswith(after):
                hi = len(last) - len(after)  # typed just after the bookmark's end
            if len(texts) == 1:
                pieces = [first[lo:hi]]
            else:
                pieces = [first[lo:], *texts[1:-1], last[:hi]]
        found = Occurrence(pieces, start.para, end.para, whole, Pos(start.para, lo), Pos(end.para, hi))
        out.setdefault(info[0], []).append((name, found))
    return out


_LIST_ITEM = re.compile(r"^(.*\.(?:highlights|results))\[(\d+)\]$")
_NUMBER = re.compile(r"[0-9０-９]+(?:[.,][0-9０-９]+)?")


def list_place(path: str) -> tuple[str, int] | None:
    """A list item's list and 1-based index (a reason stands before its activity's results: 0)."""
    m = _LIST_ITEM.match(path)
    if m:
        return m[1], int(m[2])
    if path.endswith(".reason"):
        return path[: -len(".reason")] + ".results", 0
    return None


def field_values(data: ReportInput) -> dict[str, str]:
    """Every text field of the input by path, as loaded (its own: ``texts`` also holds the
    previous report's names and statuses, at the same paths, for the font check)."""
    values = {t.path: t.value for t in data.texts if t.loc.file == data.source}
    values.setdefault(PLAN_TITLE, data.plan.title)
    return values


def compare(edited: Draft, expected: Draft, data: ReportInput, document: str = "") -> Comparison:
    """Every change of ``edited`` against ``expected`` (the draft ``data`` builds)."""
    values = field_values(data)
    mine = occurrences(edited, expected)
    theirs = occurrences(expected)
    changes: list[Change] = []
    base = edited.base  # each field's text's digest when the draft was built (a three-way comparison)
    stale: list[str] = []
    for path, printed in theirs.items():
        old = values.get(path, "\n".join(printed[0][1].pieces))
        got = mine.get(path, [])
        if not got:
            now = "\n".join(printed[0][1].pieces)
            if base is not None and path not in base:
                stale.append(path)  # not in the input yet when the draft was built: not deleted
            elif base is not None and text_digest(now) != base[path]:
                note = (
                    "下書きで削除されていますが、下書きを作ったあとで入力も変わっています"
                    f"（入力: {_short(now)}）"
                )
                changes.append(Change("conflict", path, old, [], note, at=printed[0][1].first))
            else:
                changes.append(Change("delete", path, old, [], at=printed[0][1].first))
            continue
        if all(o.joined for _, o in got):
            note = f"{got[0][1].joined} の段落と結合されています（文はそちらに含まれます）"
            changes.append(Change("joined", path, old, [], note, at=got[0][1].first))
            continue
        got = [(n, o) for n, o in got if not o.joined]
        scalar = list_place(path) is None or path.endswith(".reason")
        found = [("\n".join(o.pieces),) if scalar else tuple(o.pieces) for _, o in got]
        edits = list(dict.fromkeys(f for f in found if f != (old,)))
        if edits and base is not None and path in base:
            built = base[path]
            edits = [e for e in edits if text_digest("\n".join(e)) != built]  # untouched: as built
            if not edits:
                stale.append(path)  # the input changed after the build: the draft's text is older
                continue
            now = "\n".join(printed[0][1].pieces)
            if text_digest(now) != built:
                shown = "↵".join(edits[0])
                note = (
                    f"下書きを作ったあとで入力も変わっています（入力: {_short(now)}、"
                    f"下書き: {_short(shown)}）"
                )
                changes.append(Change("conflict", path, old, [], note, at=got[0][1].first))
                continue
        if not edits:
            continue
        if len(edits) > 1:
            shown = " / ".join("↵".join(e) for e in edits)
            note = f"同じ項目が 2 か所以上で違うように直されています: {shown}"
            changes.append(Change("conflict", path, old, [], note, at=got[0][1].first))
            continue
        new = [piece for piece in edits[0] if piece] if not scalar else list(edits[0])
        where = next(o.first for _, o in got if found[got.index((_, o))] == edits[0])
        if not new or new == [""]:
            changes.append(Change("delete", path, old, [], at=where))
        else:
            changes.append(Change("set", path, old, new, at=where))
    changes += _skeleton_changes(edited, expected, mine, theirs, data)
    changes.sort(key=lambda c: c.at)
    return Comparison(document, changes, edited.comments, edited.insertions, edited.deletions, stale)


def _skeletons(
    draft: Draft, occ: dict[str, list[tuple[str, Occurrence]]]
) -> tuple[list[str], list[str | None], list[int]]:
    """The draft's paragraphs with every field's text replaced by ``⟦path⟧`` (a field of several
    paragraphs makes one line), for each line the last list item it holds, and its paragraph."""
    spans: dict[int, list[tuple[int, str, Pos]]] = {}
    for path, printed in occ.items():
        for _, o in printed:
            if o.joined:
                continue
            spans.setdefault(o.start.para, []).append((o.start.offset, path, o.end))
    lines: list[str] = []
    items: list[str | None] = []
    starts: list[int] = []
    i = 0
    while i < len(draft.paras):
        starts.append(i)
        out: list[str] = []
        item = None
        para, at = i, 0
        while True:
            text = draft.paras[para].text
            jump = None
            for lo, path, end in sorted(spans.get(para, []), key=lambda s: s[0]):
                if lo < at:
                    continue
                out.append(text[at:lo] + f"⟦{path}⟧")
                if list_place(path) is not None:
                    item = path
                if end.para > para:
                    jump = end
                    break
                at = max(at, end.offset)
            if jump is None:
                out.append(text[at:])
                break
            para, at = jump.para, jump.offset
        lines.append("".join(out))
        items.append(item)
        i = para + 1
    return lines, items, starts


def _skeleton_changes(
    edited: Draft,
    expected: Draft,
    mine: dict[str, list[tuple[str, Occurrence]]],
    theirs: dict[str, list[tuple[str, Occurrence]]],
    data: ReportInput,
) -> list[Change]:
    """gyokaku's own wording changed, and new paragraphs after a list item (new items)."""
    old_lines, _, _ = _skeletons(expected, theirs)
    new_lines, new_items, starts = _skeletons(edited, mine)
    changes: list[Change] = []

    def at(j: int) -> int:
        return starts[j] if j < len(starts) else len(edited.paras)

    for op, i1, i2, j1, j2 in _opcodes(old_lines, new_lines):
        if op == "equal":
            continue
        added = list(range(j1, j2))
        for k, old in enumerate(old_lines[i1:i2]):
            j = j1 + k
            if j in added and _PLACEHOLDER.findall(old) == _PLACEHOLDER.findall(new_lines[j]):
                added.remove(j)
                changes += _own_change(old, new_lines[j], data, at(j), _column_header(edited, at(j)))
            elif _PLACEHOLDER.sub("", old).strip():
                changes += _own_change(old, None, data, at(j1))
        for j in added:
            text = new_lines[j]
            after = _item_near(edited, new_items, new_lines, starts, j, set(added))
            if after is not None and "⟦" not in text:
                changes.append(_inserted(after, text, at(j)))
            elif _PLACEHOLDER.sub("", text).strip():
                shown = _PLACEHOLDER.sub("…", text)
                changes.append(
                    Change("own", "", "", [shown], "入力の項目ではない段落が追加されています", at=at(j))
                )
    return _merge_inserts(changes)


_PLACEHOLDER = re.compile(r"⟦[^⟧]*⟧")
EXACT_DIFF_LINES = 3000  # past this many differing lines, lines repeated often are not anchors


def _opcodes(old: list[str], new: list[str]) -> Iterator[tuple[str, int, int, int, int]]:
    """``difflib``'s opcodes of two line lists, the common head and tail matched first (a draft
    of thousands of paragraphs with a few edits compares in linear time)."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    a, b = old[head : len(old) - tail], new[head : len(new) - tail]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=len(a) + len(b) > EXACT_DIFF_LINES)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        yield op, i1 + head, i2 + head, j1 + head, j2 + head


def _column_header(draft: Draft, para: int) -> str:
    """The text heading the table column paragraph ``para`` stands in (its table's first row)."""
    cell = draft.paras[para].cell if para < len(draft.paras) else None
    if cell is None:
        return ""
    top = (cell[0], 0, cell[2])
    return next((p.text for p in draft.paras if p.cell == top), "")


def _item_near(
    draft: Draft, items: list[str | None], lines: list[str], starts: list[int], j: int, new: set[int]
) -> str | None:
    """The list item a new paragraph (line ``j``) follows, through other new paragraphs, in the
    same look and place (a list paragraph of the same style, in the same table cell); or, before
    a list's first item, that item with index 0 (insert at the start)."""
    para = draft.paras[starts[j]]

    def like(k: int) -> bool:
        other = draft.paras[starts[k]]
        return (other.style, other.cell) == (para.style, para.cell)

    k = j - 1
    while k >= 0 and k in new:
        k -= 1
    if k >= 0 and items[k] is not None and lines[k] == f"⟦{items[k]}⟧" and like(k):
        return items[k]
    k = j + 1
    while k < len(lines) and k in new:
        k += 1
    if k < len(lines) and items[k] is not None and lines[k] == f"⟦{items[k]}⟧" and like(k):
        place = list_place(items[k] or "")
        if place is not None and place[1] == 1:
            return f"{place[0]}[0]"
    return None


def _inserted(after: str, text: str, at: int) -> Change:
    """New list items after ``after`` (``…[0]``: at the list's start)."""
    place = list_place(after)
    if place is None:
        raise ValueError(after)
    return Change("insert", place[0], "", [text], index=place[1], note=after, at=at)


def _merge_inserts(changes: list[Change]) -> list[Change]:
    """New paragraphs after the same item: one insertion of several items."""
    out: list[Change] = []
    for c in changes:
        prev = out[-1] if out else None
        if c.kind == "insert" and prev is not None and prev.kind == "insert" and prev.note == c.note:
            prev.new.append(c.new[0])
        else:
            out.append(c)
    return out


def _own_change(old: str, new: str | None, data: ReportInput, at: int, header: str = "") -> list[Change]:
    """A paragraph gyokaku writes itself, changed or removed: a number is derived, words are not
    from the input."""
    shown_old = _PLACEHOLDER.sub("…", old)
    if new is None:
        return [Change("own", "", shown_old, [], "gyokaku が書く段落が削除されています", at=at)]
    shown_new = _PLACEHOLDER.sub("…", new)
    if _NUMBER.sub("#", old) == _NUMBER.sub("#", new):
        return [Change("derived", "", shown_old, [shown_new], derived_note(old, new, data, header), at=at)]
    note = "gyokaku が書く文言で、入力の項目ではありません"
    return [Change("own", "", shown_old, [shown_new], note, at=at)]


def derived_note(old: str, new: str, data: ReportInput, header: str = "") -> str:
    """Why a changed number cannot be applied, and which statuses to change instead: the status
    named before the number (「概ね順調」は49の活動) or heading its table column; a 達成率 comes
    from the target and actual printed beside it."""
    if header in ("目標額", "実績額", "達成率", "累計"):
        return (
            "財政効果額の表は各活動の effect の目標・実績を合計しています。"
            "活動一覧・個票の下書きで各活動の目標・実績を直してください（apply で反映できます）。"
        )
    if "目標" in old and "実績" in old and ("%" in old or "％" in old):
        return (
            "達成率は実績÷目標で計算しています。目標・実績の数を直してください"
            "（下書きで直した目標・実績は apply で反映できます）。"
        )
    names = [s.name for s in data.statuses]
    wanted: dict[str, int] = {}
    spots = list(_NUMBER.finditer(old))
    for spot, after in zip(spots, _NUMBER.findall(new)):
        before = spot.group()
        if before == after:
            continue
        head = old[: spot.start()]
        near = max(names, key=lambda n: head.rfind(f"「{n}」"))
        status = near if f"「{near}」" in head else header if header in names else ""
        if status and before.isdigit() and after.isdigit():
            wanted.setdefault(status, int(after) - int(before))
    note = "数は各活動の進捗区分（status）から数えています。"
    for status, delta in wanted.items():
        if delta > 0:
            others = _with_status(data, status, other=True)
            note += (
                f"「{status}」を {delta} 件増やすには、ほかの区分の活動 {delta} 件の status を"
                f"「{status}」に変えてください（ほかの区分の活動: {_few(others)}）。"
            )
        else:
            now = _with_status(data, status)
            note += (
                f"「{status}」を {-delta} 件減らすには、「{status}」の活動 {-delta} 件の status を"
                f"ほかの区分に変えてください（「{status}」の活動 {len(now)} 件: {_few(now)}）。"
            )
    if not wanted and ("%" in old or "％" in old):
        on = "、".join(f"「{s.name}」" for s in data.statuses if s.on_track)
        note += f"割合は進捗区分 {on} の活動の数から計算します。活動の status を変えてください。"
    elif not wanted:
        note += "活動の status を変えてください。"
    return note + "（活動一覧・個票の下書きで直した進捗区分は apply で反映できます。）"


def _with_status(data: ReportInput, status: str, other: bool = False) -> list[str]:
    """The paths of the activities of ``status`` (``other``: of every other status)."""
    return [
        f"perspectives[{i}].businesses[{j}].activities[{k}]"
        for i, p in enumerate(data.perspectives, 1)
        for j, b in enumerate(p.businesses, 1)
        for k, a in enumerate(b.activities, 1)
        if (a.status == status) != other
    ]


def _few(paths: Sequence[str], n: int = 3) -> str:
    return "、".join(paths[:n]) + ("など" if len(paths) > n else "") if paths else "なし"


# --- which document a draft is ---------------------------------------------------------------


def closest(edited: Draft, candidates: dict[str, Draft]) -> str:
    """The name of the candidate draft ``edited`` was built as: most shared field bookmarks,
    then most similar paragraphs."""

    def score(name: str) -> tuple[int, float]:
        other = candidates[name]
        shared = len(set(edited.marks) & set(other.marks))
        ratio = difflib.SequenceMatcher(None, other.texts()[:40], edited.texts()[:40]).ratio()
        return shared, ratio

    return max(candidates, key=score)


# --- applying field changes to the YAML text --------------------------------------------------


@dataclass
class Applied:
    """The new YAML text and what could not be applied (with why)."""

    text: str
    applied: list[Change]
    refused: list[tuple[Change, str]]


def _scalar(new: str, old: Any) -> Any:
    """``new`` written as ruamel should: a ``|-`` block when it has line breaks, the old value's
    quoting when it had some, quoted when a plain word would read as something else."""
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )

    if "\n" in new:
        return LiteralScalarString(new)
    if isinstance(old, SingleQuotedScalarString) and "\\" not in new:
        return SingleQuotedScalarString(new)
    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(new)
    from yaml.nodes import ScalarNode
    from yaml.resolver import Resolver

    tag = Resolver().resolve(ScalarNode, new, (True, False))  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
    if tag != "tag:yaml.org,2002:str" or new != new.strip() or _NEEDS_QUOTES.search(new):
        return DoubleQuotedScalarString(new)
    return new


NUMBER_KEYS = ("target", "actual")  # an effect's amounts and an indicator's values: numbers
_TYPED_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
NOT_A_NUMBER = "数として読めません。数字で書いてください（3 桁ごとの「,」、▲ の負の数も可）。"


def typed_number(text: str) -> int | float | None:
    """A number as a reviewer types it in the draft: full-width digits, thousands separators,
    ▲ or △ (or a minus) for a negative one; None when it is not a number."""
    plain = re.sub(r"^[▲△−]", "-", unicodedata.normalize("NFKC", text).strip())
    if not _TYPED_NUMBER.fullmatch(plain):
        return None
    plain = plain.replace(",", "")
    if len(plain.lstrip("-").partition(".")[0]) > MAX_DIGITS:  # as the loader: not an amount
        return None
    return float(plain) if "." in plain else int(plain)


_NEEDS_QUOTES = re.compile(r"^[-?:,\[\]{}#&*!|>'\"%@`]|: | #|\t")


_STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def _node(doc: Any, path: str) -> tuple[Any, Any]:
    """The container holding ``path``'s last step, and that step's key (an index for a list)."""
    steps = path.split(".")
    node = doc
    for i, step in enumerate(steps):
        m = _STEP.fullmatch(step)
        if m is None:
            raise KeyError(path)
        key, index = m[1], m[2]
        last = i == len(steps) - 1
        if index is None:
            if last:
                return node, key
            node = node[key]
        else:
            seq = node[key]
            if last:
                return seq, int(index) - 1
            node = seq[int(index) - 1]
    raise KeyError(path)


def apply_changes(text: str, comparison: Comparison, allow_delete: bool = False) -> Applied:
    """The YAML ``text`` with ``comparison``'s field changes applied (round trip)."""
    from ruamel.yaml.comments import CommentedSeq

    yaml, doc = round_trip(text)
    applied: list[Change] = []
    refused: list[tuple[Change, str]] = []
    lists: dict[str, dict[int, list[Any] | None]] = {}  # list path → 1-based index → new items
    inserts: dict[str, dict[int, list[str]]] = {}
    for c in comparison.changes:
        if c.kind == "own":
            refused.append((c, "gyokaku が書く文言です。入力の項目ではないため反映できません。"))
            continue
        if c.kind == "derived":
            refused.append((c, c.note))
            continue
        if c.kind == "conflict":
            refused.append((c, c.note + " どちらか一方にそろえてください。"))
            continue
        if c.kind == "delete" and not allow_delete:
            refused.append(
                (c, "項目がまるごと削除されています。削除するには --allow-delete を付けてください。")
            )
            continue
        place = _LIST_ITEM.match(c.path)
        if c.kind == "insert":
            inserts.setdefault(c.path, {}).setdefault(c.index, []).extend(c.new)
            applied.append(c)
        elif place is not None:
            lists.setdefault(place[1], {})[int(place[2])] = None if c.kind in ("delete", "joined") else c.new
            applied.append(c)
        else:
            try:
                parent, key = _node(doc, c.path)
            except (KeyError, IndexError, TypeError):
                refused.append((c, "入力に対応する項目が見つかりません。"))
                continue
            if c.kind in ("delete", "joined"):
                if c.path.endswith(".name") or c.path == PLAN_TITLE:
                    refused.append((c, "名前は省けません。削除できません。"))
                    continue
                if key not in parent:  # a 「－」 (a text the input leaves out) cleared: nothing to do
                    continue
                del parent[key]
            elif key in NUMBER_KEYS:
                number = typed_number(c.new[0])
                if number is None:
                    refused.append((c, NOT_A_NUMBER))
                    continue
                parent[key] = number
            elif key not in parent:  # written where a sheet printed 「－」: the field is added
                insert_key(parent, key, _scalar(c.new[0], None))
            else:
                parent[key] = _scalar(c.new[0], parent.get(key))
            applied.append(c)
    for path in sorted(set(lists) | set(inserts)):
        try:
            parent, key = _node(doc, path)
        except (KeyError, IndexError, TypeError):
            parent, key = None, None
        if parent is None or not hasattr(parent, "get"):
            for c in [c for c in applied if c.path.startswith(path)]:
                applied.remove(c)
                refused.append((c, "入力に対応する項目が見つかりません。"))
            continue
        old = parent.get(key)
        old_items: list[Any] = list(old) if old is not None else []
        replaced = lists.get(path, {})
        added = inserts.get(path, {})
        items: list[Any] = [_scalar(v, None) for v in added.get(0, [])]
        for i, item in enumerate(old_items, start=1):
            if i in replaced:
                news = replaced[i]
                if news is not None:
                    items += [item if n == str(item) else _scalar(n, item) for n in news]
            else:
                items.append(item)
            items += [_scalar(v, None) for v in added.get(i, [])]
        if old is not None and len(items) == len(old_items) and all(a is b for a, b in zip(items, old_items)):
            continue
        if isinstance(old, CommentedSeq):
            for k in range(len(old) - 1, -1, -1):
                if k >= len(items):
                    del old[k]
            for k, item in enumerate(items):
                if k < len(old):
                    if old[k] is not item:
                        old[k] = item
                else:
                    old.append(item)
            if not items:
                del parent[key]
        elif items:
            insert_key(parent, key, CommentedSeq(items))
    out = io.StringIO()
    yaml.dump(doc, out)
    return Applied(out.getvalue(), applied, refused)


# --- the report, in Japanese -------------------------------------------------------------------


def _quote(text: str) -> list[str]:
    lines = text.split("\n")
    return [lines[0], *("    " + line for line in lines[1:])]


def stale_line(paths: Sequence[str]) -> str:
    """Fields the input changed after the draft was built, left as the input has them."""
    return (
        f"下書きを作ったあとで入力が変わった項目（{len(paths)} 件: {_few(paths)}）は、"
        "下書きで直されていないため、入力のままにします。"
    )


def report_lines(comparison: Comparison, refused: Sequence[tuple[Change, str]] = ()) -> Iterator[str]:
    """``diff``'s listing: each change with its path, the old text and the new."""
    if comparison.insertions or comparison.deletions:
        yield (
            f"変更履歴（挿入 {comparison.insertions}、削除 {comparison.deletions}）は、"
            "すべて承諾したものとして読みました（Word で元に戻した変更は含みません）。"
        )
    if comparison.stale:
        yield stale_line(comparison.stale)
    for c in comparison.changes:
        if c.kind == "set":
            label = "分割" if len(c.new) > 1 else "変更"
            yield f"{label}: {c.path}"
            yield "  前: " + "\n".join(_quote(c.old))
            for n in c.new:
                yield "  後: " + "\n".join(_quote(n))
        elif c.kind == "insert":
            where = f"{c.path} の先頭" if c.index == 0 else f"{c.path}[{c.index}] の後"
            yield f"追加: {where}に {len(c.new)} 項目"
            for n in c.new:
                yield "  後: " + "\n".join(_quote(n))
        elif c.kind == "joined":
            yield f"結合: {c.path}: {c.note}"
        elif c.kind == "delete":
            yield f"削除: {c.path}（反映には --allow-delete が必要です）"
            yield "  前: " + "\n".join(_quote(c.old))
        elif c.kind == "conflict":
            yield f"食い違い: {c.path}: {c.note}"
        else:
            label = "数の変更" if c.kind == "derived" else "入力からではない文言"
            yield (
                f"{label}（段落 {c.at + 1}、反映できません）: {c.note}"
                if c.kind == "own"
                else (f"{label}（段落 {c.at + 1}、反映できません）:")
            )
            if c.old:
                yield "  前: " + "\n".join(_quote(c.old))
            for n in c.new:
                yield "  後: " + "\n".join(_quote(n))
            if c.kind == "derived":
                yield "  → " + c.note
    for comment in comparison.comments:
        about = f"（{comment.anchor}）" if comment.anchor else ""
        who = comment.author or "（作成者なし）"
        yield f"コメント{about}: {who}: " + "\n".join(_quote(comment.text)) + "（反映しません）"
