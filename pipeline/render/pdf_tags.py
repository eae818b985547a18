"""Tagged PDF (PDF/UA-1, PDF/A-2b) on top of reportlab, which draws but cannot tag.

While reportlab draws, every piece of content is wrapped in a marked-content sequence: a tag
with an MCID that points to a structure element (``Tagger.begin``/``end``), or an artifact
(page numbers, table rules and shading, a table's header rows repeated on a later page).
The structure elements are made as the writer reads the document model, in reading order
(``Elem``). Once reportlab has written the file, ``finish`` adds with pikepdf what reportlab
cannot write: the structure tree and its ParentTree, ``MarkInfo``, the pages' ``StructParents``
and tab order, the XMP metadata claiming PDF/UA-1 and PDF/A-2b, and an sRGB OutputIntent.
The same drawing gives the same bytes (qpdf writes deterministically, dates from the input).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from functools import cache
from html import escape
from pathlib import Path
from typing import Literal, Protocol

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .. import docmodel as dm

# sRGB profiles shipped by Debian packages, in order of preference (icc-profiles-free: zlib
# licence; colord-data). Where none is found (Windows) littlecms makes one through Pillow.
ICC_PATHS = (
    Path("/usr/share/color/icc/sRGB.icc"),
    Path("/usr/share/color/icc/colord/sRGB.icc"),
)
PDFA_PART, PDFA_CONFORMANCE = 2, "B"


class Canvas(Protocol):
    """The two canvas methods the tagger uses (reportlab's public API)."""

    def getPageNumber(self) -> int: ...

    def addLiteral(self, s: object, escaped: Literal[0, 1] = 1) -> None: ...


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


def finish(data: bytes, tagger: Tagger, meta: dm.Meta, producer: str) -> bytes:
    """reportlab's ``data`` with the structure tree, metadata and OutputIntent: the final file."""
    pdf = pikepdf.Pdf.open(io.BytesIO(data))
    pages = [page.obj for page in pdf.pages]
    per_page: list[list[Dictionary | None]] = [[] for _ in pages]
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))

    def build(elem: Elem, parent: Dictionary) -> Dictionary:
        made = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + elem.tag), P=parent))
        kids: list[object] = [build(child, made) for child in elem.children]
        if elem.refs:
            first_page = elem.refs[0][0]
            made.Pg = pages[first_page]
        for page, mcid in elem.refs:
            # an MCID on the element's page is a plain integer; one on another page an MCR
            kids.append(mcid if page == first_page else Dictionary(Type=Name.MCR, Pg=pages[page], MCID=mcid))
            slots = per_page[page]
            slots.extend([None] * (mcid + 1 - len(slots)))
            slots[mcid] = made
        made.K = kids[0] if len(kids) == 1 else Array(kids)
        if elem.alt:
            made.Alt = String(elem.alt)
        if elem.scope:
            made.A = Dictionary(O=Name.Table, Scope=Name("/" + elem.scope))
        return made

    root.K = build(tagger.root, root)
    nums = Array()
    for i, (page, slots) in enumerate(zip(pages, per_page)):
        page.StructParents = i
        page.Tabs = Name.S
        nums.append(i)
        nums.append(pdf.make_indirect(Array(slots)))
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    root.ParentTreeNextKey = len(pages)
    catalog = pdf.Root
    catalog.StructTreeRoot = root
    catalog.MarkInfo = Dictionary(Marked=True)
    catalog.Lang = String(meta.language)
    catalog.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    _metadata(pdf, meta, producer)
    catalog.OutputIntents = Array([_output_intent(pdf)])
    out = io.BytesIO()
    pdf.save(
        out,
        deterministic_id=True,
        min_version="1.7",
        compress_streams=True,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,  # reportlab's streams kept as they are
    )
    return out.getvalue()


def _pdf_date(date: dt.date) -> str:
    return f"D:{date:%Y%m%d}000000+09'00'"


def _metadata(pdf: pikepdf.Pdf, meta: dm.Meta, producer: str) -> None:
    """The info dictionary and the XMP packet, saying the same (PDF/A requires it)."""
    keywords = ", ".join(meta.keywords)
    info = pdf.trailer.Info if "/Info" in pdf.trailer else pdf.make_indirect(Dictionary())
    info.Title = String(meta.title)
    info.Author = String(meta.author)
    info.Subject = String(meta.subject)
    info.Keywords = String(keywords)
    info.Creator = String("gyokaku")
    info.Producer = String(producer)
    info.CreationDate = info.ModDate = String(_pdf_date(meta.date))
    if "/Trapped" in info:
        del info.Trapped
    pdf.trailer.Info = info
    xmp = XMP.format(
        title=escape(meta.title),
        author=escape(meta.author),
        subject=escape(meta.subject),
        keywords=escape(keywords),
        producer=escape(producer),
        lang=escape(meta.language),
        date=f"{meta.date:%Y-%m-%d}T00:00:00+09:00",
        part=PDFA_PART,
        conformance=PDFA_CONFORMANCE,
    ).encode("utf-8")
    stream = pdf.make_stream(xmp)
    stream.Type = Name.Metadata
    stream.Subtype = Name.XML
    pdf.Root.Metadata = stream


def _output_intent(pdf: pikepdf.Pdf) -> Dictionary:
    profile = pdf.make_stream(srgb_profile())
    profile.N = 3
    return Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFA1,
        OutputConditionIdentifier=String("sRGB IEC61966-2.1"),
        RegistryName=String("http://www.color.org"),
        Info=String("sRGB IEC61966-2.1"),
        DestOutputProfile=profile,
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
