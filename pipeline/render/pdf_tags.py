"""Tagged PDF (PDF/UA-1, PDF/A-2b) on top of reportlab, which draws but cannot tag.

While reportlab draws, every piece of content is wrapped in a marked-content sequence: a tag
with an MCID that points to a structure element (``Tagger.begin``/``end``), or an artifact
(page numbers, table rules and shading, a table's header rows repeated on a later page).
The structure elements are made as the writer reads the document model, in reading order
(``Elem``). Once every page is laid out, ``finish`` adds to reportlab's file, before it is
written, what reportlab does not make: the structure tree and its ParentTree, ``MarkInfo``,
the pages' ``StructParents`` and tab order, the XMP metadata claiming PDF/UA-1 and PDF/A-2b
(saying what the info dictionary says), and an sRGB OutputIntent. Objects are reportlab's own
(``pdfdoc``), reached through ``rl_internals``: no second pass over the file.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from functools import cache
from html import escape
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


class Elem:
    """A structure element: its standard type, children in reading order, and marked content.

    ``refs`` are the (page index, MCID) of its content, in drawing order. ``repeat`` marks an
    element whose content may be drawn again later (a table's header row on the next page):
    only its first drawing is tagged, the others are artifacts.
    """

    __slots__ = ("tag", "children", "refs", "alt", "scope", "repeat", "text")

    def __init__(self, tag: str, alt: str = "", scope: str = "", text: str = "") -> None:
        self.tag = tag
        self.children: list[Elem] = []
        self.refs: list[tuple[int, int]] = []
        self.alt = alt
        self.scope = scope
        self.repeat = False
        self.text = text  # what it says, for checks and Word/HTML parity (not written to the PDF)

    def add(self, tag: str, alt: str = "", scope: str = "", text: str = "") -> Elem:
        """A new child at the end."""
        child = Elem(tag, alt, scope, text)
        self.children.append(child)
        return child

    def walk(self) -> Iterator[Elem]:
        """This element and its descendants, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


class Tagger:
    """Marked content for one document: MCIDs per page and the tree they belong to."""

    def __init__(self) -> None:
        self.root = Elem("Document")
        self._next: dict[int, int] = {}

    def begin(self, canvas: Canvas, elem: Elem) -> bool:
        """Start ``elem``'s content here; ``False`` (an artifact begun) when it was drawn before."""
        page = canvas.getPageNumber() - 1
        if elem.repeat and elem.refs and elem.refs[0][0] != page:
            canvas.addLiteral("/Artifact <</Type /Pagination>> BDC")
            return False
        mcid = self._next.get(page, 0)
        self._next[page] = mcid + 1
        elem.refs.append((page, mcid))
        canvas.addLiteral(f"/{elem.tag} <</MCID {mcid}>> BDC")
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


def finish(canvas: Canvas, tagger: Tagger, meta: dm.Meta, producer: str) -> None:
    """Add the structure tree, metadata and OutputIntent to ``canvas``'s file (before it is saved)."""
    objs = rli.file_objects(canvas)
    pages = [objs.reference(page) for page in objs.pages]
    per_page: list[list[Any]] = [[] for _ in pages]
    root = PDFDictionary({"Type": PDFName("StructTreeRoot")})
    root_ref = objs.reference(root)

    def build(elem: Elem, parent: Any) -> Any:
        made = PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName(elem.tag), "P": parent})
        ref = objs.reference(made)
        kids: list[Any] = [build(child, ref) for child in elem.children]
        if elem.refs:
            first_page = elem.refs[0][0]
            made.dict["Pg"] = pages[first_page]
        for page, mcid in elem.refs:
            # an MCID on the element's page is a plain integer; one on another page an MCR
            if page == first_page:
                kids.append(mcid)
            else:
                kids.append(PDFDictionary({"Type": PDFName("MCR"), "Pg": pages[page], "MCID": mcid}))
            slots = per_page[page]
            slots.extend([None] * (mcid + 1 - len(slots)))
            slots[mcid] = ref
        made.dict["K"] = kids[0] if len(kids) == 1 else PDFArray(kids)
        if elem.alt:
            made.dict["Alt"] = PDFString(elem.alt)
        if elem.scope:
            made.dict["A"] = PDFDictionary({"O": PDFName("Table"), "Scope": PDFName(elem.scope)})
        return ref

    root.dict["K"] = build(tagger.root, root_ref)
    nums: list[Any] = []
    for i, (page, slots) in enumerate(zip(objs.pages, per_page)):
        if None in slots:
            raise ValueError(f"page {i + 1}: an MCID without a structure element")
        page.StructParents = i
        page.Tabs = PDFName("S")
        nums += [i, objs.reference(PDFArray(slots))]
    root.dict["ParentTree"] = objs.reference(PDFDictionary({"Nums": PDFArray(nums)}))
    root.dict["ParentTreeNextKey"] = len(pages)
    catalog = objs.catalog
    catalog.StructTreeRoot = root
    catalog.MarkInfo = PDFDictionary({"Marked": PDFtrue})
    catalog.Metadata = _Stream({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}, xmp(meta, producer))
    catalog.OutputIntents = PDFArray([_output_intent()])


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
