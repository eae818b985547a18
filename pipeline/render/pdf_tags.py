"""Tagged PDF (PDF/UA-1, PDF/A-2b) on top of reportlab, which draws but cannot tag.

While reportlab draws, every piece of content is wrapped in a marked-content sequence: a tag
with an MCID that points to a structure element (``Tagger.begin``/``end``), or an artifact
(page numbers, table rules and shading, a table's header rows repeated on a later page).
The structure elements are made as the writer reads the document model, in reading order
(``Tagger.add``): numbers into a few arrays, for a list of 15,000 activities has some 500,000
of them. Once every page is laid out, ``finish`` adds to reportlab's objects what reportlab
does not make (``MarkInfo``, the pages' ``StructParents`` and tab order, the XMP metadata
claiming PDF/UA-1 and PDF/A-2b, saying what the info dictionary says, an sRGB OutputIntent,
and the StructTreeRoot); ``complete`` then appends the structure elements and the ParentTree
to the saved file in compressed object streams, with a cross-reference stream.

What tagging costs (2026-11-30, shared 2-core VM, ``--format pdf``, medians of runs by turns
against the untagged writer): the sample 0.54 s → 0.54 s (whole set 0.65 → 0.67 s); 1,500
activities 3.83 → 4.83 s (+26 %: the marked content drawn, the points of a cell drawn as one
paragraph each, 0.16 s of ``complete`` for the sheets); 15,000 activities 29.3 → 40.1 s and a
peak of 357 → 473 MB (the page streams reportlab kept until it saved were a third longer: each
page's is now deflated as the page ends, ``rl_internals.PageCompressingCanvas``, the file is
joined once, and the whole set's peak is 387 MB; bench/RESULTS.md).
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections.abc import Iterator
from functools import cache
from html import escape
from itertools import islice
from pathlib import Path
from typing import Any

from . import rl_internals as rli  # first: reportlab's URL pattern compiled only when used

# isort: split
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObject, PDFString, PDFtrue
from reportlab.pdfgen.canvas import Canvas

from .. import docmodel as dm

# sRGB profiles shipped by Debian packages, in order of preference (icc-profiles-free: zlib
# licence; colord-data). Where none is found (Windows) littlecms makes one through Pillow.
ICC_PATHS = (
    Path("/usr/share/color/icc/sRGB.icc"),
    Path("/usr/share/color/icc/colord/sRGB.icc"),
)
PDFA_PART, PDFA_CONFORMANCE = 2, "B"


Elem = int  # a structure element: its index in its ``Tagger`` (0: the Document)


class Tagger:
    """The structure elements of one document and the marked content that points to them.

    Elements are numbered in the order they are made, which is reading order among siblings
    (a table's caption, made before it, becomes its first child); ``parents`` gives the tree.
    An element's first marked content is kept in ``pages``/``mcids``; a second and later (a
    title of two lines, a cell split between pages) in ``more``.
    """

    def __init__(self) -> None:
        self.tags: list[str] = ["Document"]
        self.parents = array("i", [-1])
        self.pages = array("i", [-1])
        self.mcids = array("i", [-1])
        self.more: dict[Elem, list[tuple[int, int]]] = {}
        self.alt: dict[Elem, str] = {}
        self.scope: dict[Elem, str] = {}
        self.repeat: set[Elem] = set()  # header cells drawn again on later pages: artifacts there
        self._next: dict[int, int] = {}
        self._operators: dict[tuple[str, int], str] = {}  # one string each, kept by every page's stream

    root: Elem = 0

    def add(self, parent: Elem, tag: str, alt: str = "", scope: str = "", repeat: bool = False) -> Elem:
        """A new element of type ``tag``, the last child of ``parent`` so far."""
        elem = len(self.tags)
        self.tags.append(tag)
        self.parents.append(parent)
        self.pages.append(-1)
        self.mcids.append(-1)
        if alt:
            self.alt[elem] = alt
        if scope:
            self.scope[elem] = scope
        if repeat:
            self.repeat.add(elem)
        return elem

    def adopt(self, parent: Elem, child: Elem) -> None:
        """``child`` (made before ``parent``) becomes ``parent``'s first child."""
        self.parents[child] = parent

    def last_child(self, parent: Elem) -> Elem | None:
        """The element made last, if it is ``parent``'s child."""
        last = len(self.tags) - 1
        return last if last > 0 and self.parents[last] == parent else None

    def begin(self, canvas: Canvas, elem: Elem) -> bool:
        """Start ``elem``'s content here; ``False`` (an artifact begun) when it was drawn before."""
        page = canvas.getPageNumber() - 1
        first = self.pages[elem]
        if elem in self.repeat and first >= 0 and first != page:
            canvas.addLiteral("/Artifact <</Type /Pagination>> BDC")
            return False
        mcid = self._next.get(page, 0)
        self._next[page] = mcid + 1
        if first < 0:
            self.pages[elem], self.mcids[elem] = page, mcid
        else:
            self.more.setdefault(elem, []).append((page, mcid))
        key = (self.tags[elem], mcid)
        operator = self._operators.get(key)
        if operator is None:
            operator = self._operators[key] = f"/{key[0]} <</MCID {mcid}>> BDC"
        canvas.addLiteral(operator)
        return True

    @staticmethod
    def end(canvas: Canvas) -> None:
        """End the innermost marked-content sequence."""
        canvas.addLiteral("EMC")

    @staticmethod
    def artifact(canvas: Canvas, kind: str = "Layout", subtype: str = "") -> None:
        """Start an artifact (``Pagination`` with ``subtype`` Footer for a page number)."""
        extra = f" /Subtype /{subtype}" if subtype else ""
        canvas.addLiteral(f"/Artifact <</Type /{kind}{extra}>> BDC")

    def children(self) -> tuple[array[int], array[int]]:
        """Every element's children in order: ``kids[start[e]:start[e + 1]]``."""
        n = len(self.tags)
        start = array("i", bytes(4 * (n + 1)))
        for parent in self.parents[1:]:
            start[parent + 1] += 1
        for e in range(n):
            start[e + 1] += start[e]
        fill = array("i", start)
        kids = array("i", bytes(4 * max(0, n - 1)))
        for e in range(1, n):
            parent = self.parents[e]
            kids[fill[parent]] = e
            fill[parent] += 1
        return start, kids


class _Stream(PDFObject):
    """A stream written as given: ``Length``, an optional filter, the bytes (the XMP unfiltered)."""

    __RefOnly__ = 1  # reportlab writes it as an indirect object wherever it is used (streams must be)

    def __init__(self, entries: dict[str, Any], content: bytes, deflate: bool = False) -> None:
        self.entries = dict(entries)
        self.content = zlib.compress(content, 9) if deflate else content
        if deflate:
            self.entries["Filter"] = PDFName("FlateDecode")

    def format(self, document: Any) -> bytes:
        head: bytes = PDFDictionary({**self.entries, "Length": len(self.content)}).format(document)
        return head + b"\nstream\n" + self.content + b"\nendstream"


PLACEHOLDER = b"0000000000"  # an object number not known yet (patched, same width, by ``complete``)
ROOT = b"<< /Type /StructTreeRoot /K " + PLACEHOLDER + b" 0 R /ParentTree " + PLACEHOLDER + b" 0 R"


class _TreeRoot(PDFObject):
    """The StructTreeRoot, written by reportlab; the numbers of its targets filled in after."""

    __RefOnly__ = 1

    def __init__(self, pages: int) -> None:
        self.pages = pages

    def format(self, document: Any) -> bytes:
        return ROOT + b" /ParentTreeNextKey %d >>" % self.pages


class Finished:
    """What ``complete`` needs once reportlab has saved: the tree, pages and root's numbers."""

    def __init__(self, tagger: Tagger, pages: list[int], root: int, alt: dict[Elem, bytes]) -> None:
        self.tagger, self.pages, self.root, self.alt = tagger, pages, root, alt


def finish(canvas: Canvas, tagger: Tagger, meta: dm.Meta, producer: str) -> Finished:
    """Add to ``canvas``'s file (before it is saved) the catalog's and pages' entries, the
    metadata, the OutputIntent and the StructTreeRoot; the rest is for ``complete``."""
    objs = rli.file_objects(canvas)
    pages = [objs.number(page) for page in objs.pages]
    for i, page in enumerate(objs.pages):
        page.StructParents = i
        page.Tabs = PDFName("S")
    root = _TreeRoot(len(pages))
    catalog = objs.catalog
    catalog.StructTreeRoot = root
    catalog.MarkInfo = PDFDictionary({"Marked": PDFtrue})
    catalog.Metadata = _Stream({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}, xmp(meta, producer))
    catalog.OutputIntents = PDFArray([_output_intent()])
    alt = {e: PDFString(text).format(objs.document) for e, text in tagger.alt.items()}
    return Finished(tagger, pages, objs.number(root), alt)


XREF = re.compile(rb"\nxref\n0 (\d+)\n")
TRAILER = re.compile(
    rb"/ID\s*(\[<[0-9a-fA-F]+>\s*<[0-9a-fA-F]+>\]).*?/Info (\d+) 0 R.*?/Root (\d+) 0 R", re.S
)
PER_STREAM = 2000  # objects per object stream


def complete(file: bytes | list[bytes], done: Finished) -> bytes:
    """reportlab's saved file with the structure elements and the ParentTree added.

    They are objects numbered after reportlab's, packed into compressed object streams (a
    list of 15,000 activities has 500,000 of them: as plain objects they tripled the file);
    reportlab's cross-reference table and trailer become a cross-reference stream (PDF 1.5,
    allowed by PDF/A-2), and the StructTreeRoot's two numbers are filled in. ``file`` is the
    file's bytes, or its pieces in order (``rli.pdf_pieces``): joined once, with what is added.
    """
    pieces = [file] if isinstance(file, bytes) else file
    k = 0  # reportlab's last pieces (its cross-reference table and trailer) joined as ``data``
    while True:
        k += 1
        data = b"".join(pieces[-k:])  # one piece: itself, not a copy
        tables = list(XREF.finditer(data))
        if tables or k >= len(pieces):
            break
    if not tables:
        raise ValueError("no cross-reference table in reportlab's file")
    objects = pieces[: len(pieces) - k]  # reportlab's pieces before the last ``k``
    before = sum(len(piece) for piece in objects)
    xref = tables[-1]
    size = int(xref.group(1))
    trailer = data.index(b"trailer", xref.end())
    found = TRAILER.search(data, trailer)
    if found is None:
        raise ValueError("no /ID, /Info and /Root in reportlab's trailer")
    file_id, info, root = found.groups()
    old = data[xref.end() : trailer]
    kept = before + xref.start() + 1  # reportlab's objects, kept as they are
    tagger, pages = done.tagger, done.pages
    n = len(tagger.tags)
    first = size  # elements: size .. size + n - 1, then a ParentTree array per page, then the tree
    tree = first + n + len(pages)
    count = n + len(pages) + 1  # the new objects, made one stream's worth at a time
    bodies = _bodies(tagger, pages, first, done)
    # the object streams, numbered after the tree, then the cross-reference stream
    out = bytearray()
    entries = bytearray()
    entries += b"\x00\x00\x00\x00\x00\xff\xff"  # object 0: free
    for k in range(1, size):  # reportlab's objects: in use at their offsets
        entries += b"\x01" + int(old[20 * k : 20 * k + 10]).to_bytes(4, "big") + b"\x00\x00"
    streams = (count + PER_STREAM - 1) // PER_STREAM
    for i in range(count):  # the new objects: in object stream tree + 1 + i // PER_STREAM
        stream, index = divmod(i, PER_STREAM)
        entries += b"\x02" + (tree + 1 + stream).to_bytes(4, "big") + index.to_bytes(2, "big")
    for s in range(streams):
        number = tree + 1 + s
        chunk = list(islice(bodies, PER_STREAM))
        header, offset = [], 0
        for j, body in enumerate(chunk):
            header.append(f"{first + s * PER_STREAM + j} {offset}")
            offset += len(body) + 1
        head = (" ".join(header) + "\n").encode("ascii")
        packed = zlib.compress(head + b"\n".join(chunk) + b"\n", 6)
        _set_entry(entries, number, kept + len(out))
        out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
            number,
            len(chunk),
            len(head),
            len(packed),
        )
        out += packed + b"\nendstream\nendobj\n"
    xref_number = tree + 1 + streams
    xref_at = kept + len(out)
    _set_entry(entries, xref_number, xref_at)
    table = zlib.compress(bytes(entries), 6)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %s 0 R /Info %s 0 R /ID %s" % (
        xref_number,
        xref_number + 1,
        root,
        info,
        file_id,
    )
    out += b" /Filter /FlateDecode /Length %d >>\nstream\n" % len(table)
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    filled = ROOT.replace(PLACEHOLDER, b"%010d" % first, 1).replace(PLACEHOLDER, b"%010d" % tree, 1)
    parts: list[bytes | bytearray | memoryview] = [*objects, memoryview(data)[: xref.start() + 1]]
    for i, part in enumerate(parts):
        at = data.find(ROOT, 0, xref.start()) if i == len(objects) else bytes(part).find(ROOT)
        if at >= 0:
            view = memoryview(part)
            parts[i : i + 1] = [view[:at], filled, view[at + len(ROOT) :]]
            break
    else:
        raise ValueError("no StructTreeRoot in reportlab's file")
    parts.append(out)
    return b"".join(parts)


def _set_entry(entries: bytearray, number: int, offset: int) -> None:
    """Cross-reference stream entry ``number`` (appended in order): in use, at ``offset``."""
    if len(entries) != 7 * number:
        raise ValueError(f"cross-reference entry {number} out of order")
    entries += b"\x01" + offset.to_bytes(4, "big") + b"\x00\x00"


def _bodies(tagger: Tagger, pages: list[int], first: int, done: Finished) -> Iterator[bytes]:
    """The structure elements' dictionaries (object ``first + e``), each page's ParentTree
    array, then the ParentTree."""
    start, kids = tagger.children()
    slots: list[array[int]] = [array("i") for _ in pages]

    def slot(page: int, mcid: int, elem: Elem) -> None:
        page_slots = slots[page]
        if len(page_slots) <= mcid:
            page_slots.extend([-1] * (mcid + 1 - len(page_slots)))
        page_slots[mcid] = first + elem

    tags, parents, more = tagger.tags, tagger.parents, tagger.more
    first_pages, mcids = tagger.pages, tagger.mcids
    n = len(tags)
    for e in range(n):
        items = [f"{first + k} 0 R" for k in kids[start[e] : start[e + 1]]]
        parent = done.root if e == 0 else first + parents[e]
        head = f"<< /Type /StructElem /S /{tags[e]} /P {parent} 0 R"
        page = first_pages[e]
        if page >= 0:
            head += f" /Pg {pages[page]} 0 R"
            items.append(str(mcids[e]))
            slot(page, mcids[e], e)
            for other, mcid in more.get(e, ()):
                # an MCID on the element's page is a plain integer; one on another page an MCR
                mcr = f"<< /Type /MCR /Pg {pages[other]} 0 R /MCID {mcid} >>"
                items.append(str(mcid) if other == page else mcr)
                slot(other, mcid, e)
        head += " /K " + (items[0] if len(items) == 1 else "[" + " ".join(items) + "]")
        scope = tagger.scope.get(e)
        if scope:
            head += f" /A << /O /Table /Scope /{scope} >>"
        body = head.encode("ascii")
        if e in done.alt:
            body += b" /Alt " + done.alt[e]
        yield body + b" >>"
    for i, page_slots in enumerate(slots):
        if -1 in page_slots:
            raise ValueError(f"page {i + 1}: an MCID without a structure element")
        yield ("[" + " ".join(f"{number} 0 R" for number in page_slots) + "]").encode("ascii")
    nums = " ".join(f"{i} {first + n + i} 0 R" for i in range(len(pages)))
    yield f"<< /Nums [{nums}] >>".encode("ascii")


def xmp(meta: dm.Meta, producer: str) -> bytes:
    """The XMP packet: what reportlab's info dictionary says, and the PDF/A and PDF/UA claims."""
    return XMP.format(
        title=escape(meta.title),
        author=escape(meta.author),
        subject=escape(meta.subject),
        keywords=escape(", ".join(meta.keywords)),
        producer=escape(producer),
        lang=escape(meta.language),
        date=f"{meta.date:%Y-%m-%d}T00:00:00+09:00",
        part=PDFA_PART,
        conformance=PDFA_CONFORMANCE,
    ).encode("utf-8")


def _output_intent() -> PDFDictionary:
    profile = _Stream({"N": 3}, srgb_profile(), deflate=True)
    return PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
            "RegistryName": PDFString("http://www.color.org"),
            "Info": PDFString("sRGB IEC61966-2.1"),
            "DestOutputProfile": profile,
        }
    )


@cache
def srgb_profile() -> bytes:
    """An sRGB ICC profile: Debian's (icc-profiles-free), else one made by littlecms (Pillow)."""
    for path in ICC_PATHS:
        if path.is_file():
            return path.read_bytes()
    from PIL import ImageCms

    made = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    made[24:36] = bytes(12)  # the creation date: none, so that the bytes do not change
    made[84:100] = bytes(16)  # the profile ID (an MD5 that covered the date): "not computed"
    return bytes(made)


XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Keywords>{keywords}</pdf:Keywords>
   <pdf:Producer>{producer}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmp:CreatorTool>gyokaku</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <pdfaid:part>{part}</pdfaid:part>
   <pdfaid:conformance>{conformance}</pdfaid:conformance>
   <pdfuaid:part>1</pdfuaid:part>
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Part of ISO 14289 followed</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
