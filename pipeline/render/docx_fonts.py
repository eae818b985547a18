"""What Word and LibreOffice need to know about each font family the style sheets name.

A DOCX names a font once per run (``w:rFonts``) and describes it once in ``word/fontTable.xml``
(``w:font``: other names, character set, PANOSE, family, pitch, Unicode and code-page signature).
A program that does not have a font of that name uses the description to find the same face under
another name (``w:altName``) or a close substitute (charset, PANOSE, family, pitch).

The BIZ UD faces have two releases with different family names:

- Debian's ``fonts-morisawa-bizud-*`` (the Google Fonts release, version 1.05; name tables read
  with fontTools from ``/usr/share/fonts/truetype/bizud-*``): ``BIZUDMincho-Regular.ttf`` is
  family ``BIZ UDMincho`` / ``BIZ UD明朝`` (nameID 1, en-US 0x409 / ja-JP 0x411; no nameID 16/17),
  ``BIZUDGothic-Regular.ttf`` and ``-Bold.ttf`` are ``BIZ UDGothic`` / ``BIZ UDゴシック``
  (subfamily ``Regular`` / ``Bold``).
- Windows 10 (1809 and later) and 11 ship ``BIZ-UDMinchoM.ttc``, whose family is
  ``BIZ UDMincho Medium`` / ``BIZ UD明朝 Medium``, and ``BIZ-UDGothicR.ttc`` / ``BIZ-UDGothicB.ttc``
  with family ``BIZ UDGothic`` / ``BIZ UDゴシック`` (as in issue 12; the Windows files were not
  available to read here).

So the Gothic has one name everywhere, and the Mincho two. gyokaku writes the Debian/Google name
in the runs (LibreOffice 7.4 substitutes by the run's name only: with ``BIZ UD明朝 Medium`` in the
runs it printed the body in BIZ UDPゴシック, altName or not, measured) and the Windows name as the
``w:altName`` Word looks up when the first is missing. PANOSE, signatures and pitch below are
the Debian files' (OS/2 table; ``post.isFixedPitch`` 1).
"""

from __future__ import annotations

from dataclasses import dataclass

SHIFT_JIS = "80"  # w:charset of a Japanese font (Windows' SHIFTJIS_CHARSET, 128)


@dataclass(frozen=True)
class FontFacts:
    """One family's ``w:font`` entry: its name in runs and what helps find it elsewhere."""

    name: str  # as written in w:rFonts: the Debian / Google Fonts family name (Japanese record)
    alt_names: tuple[str, ...]  # other family names of the same face (Windows' release)
    panose: str  # 10 bytes in hex, from the OS/2 table
    family: str  # w:family: roman (serif), swiss (sans serif), modern, script, decorative, auto
    pitch: str  # w:pitch: fixed or variable
    usb: tuple[str, ...]  # OS/2 ulUnicodeRange1-4 (none: no w:sig)
    csb: tuple[str, ...]  # OS/2 ulCodePageRange1-2
    charset: str = SHIFT_JIS
    english: str = ""  # the English family name of the Debian release (nameID 1, 0x409)


_BIZ_USB = ("E00002F7", "2AC7EDF8", "00000012", "00000000")
_BIZ_CSB = ("20020009", "00000000")

FONTS: dict[str, FontFacts] = {
    f.name: f
    for f in (
        FontFacts(
            name="BIZ UD明朝",
            alt_names=("BIZ UD明朝 Medium",),
            panose="02020400000000000000",
            family="roman",
            pitch="fixed",
            usb=_BIZ_USB,
            csb=_BIZ_CSB,
            english="BIZ UDMincho",
        ),
        FontFacts(
            name="BIZ UDゴシック",
            alt_names=(),  # Windows' family name is the same
            panose="020B0400000000000000",
            family="swiss",
            pitch="fixed",
            usb=_BIZ_USB,
            csb=_BIZ_CSB,
            english="BIZ UDGothic",
        ),
    )
}

# every English or Windows name a reviewer's Word may also know these faces by (for tests, docs)
WINDOWS_NAMES = {"BIZ UD明朝": "BIZ UDMincho Medium", "BIZ UDゴシック": "BIZ UDGothic"}


def facts(name: str) -> FontFacts | None:
    """What is known of the family ``name`` (a style sheet's ``fonts.*.name``), if anything."""
    return FONTS.get(name)


def unknown(name: str) -> FontFacts:
    """A family gyokaku knows nothing of (another style sheet's): its name, Japanese charset only."""
    return FontFacts(name=name, alt_names=(), panose="", family="auto", pitch="variable", usb=(), csb=())
