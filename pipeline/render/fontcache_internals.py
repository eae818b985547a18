"""Every use of reportlab's private font internals by the font cache (``fontcache``), in one place.

The cache stores a parsed ``TTFont`` as the pickled instance dictionaries of the font and its
face and rebuilds them without running reportlab's parser. It relies on these reportlab names,
none of them documented:

- ``TTFont.__init__`` sets only plain attributes (``fontName``, ``face``, ``encoding``,
  ``state``, ``subfontIndex``, ``shapable`` …): an instance rebuilt with ``TTFont.__new__``
  and its dictionary works once ``face`` and a fresh ``state`` (a ``WeakKeyDictionary`` of the
  documents using the font) are set;
- ``TTFontFace`` keeps what the parser found as plain attributes (``charToGlyph``,
  ``charWidths``, ``defaultWidth``, ``glyphPos``, ``hmetrics``, ``unitsPerEm``, ``ascent`` …),
  the whole file as ``_ttf_data`` (sliced, never changed: a read-only ``mmap`` serves), the
  font-unit scaling as ``_pdfScale`` (a lambda: stored as ``Scale``), the glyph → characters
  table as ``glyphToChar`` (used by text shaping only), and reads a table through
  ``get_table(tag)`` (a new copy each call: ``makeSubset`` asks for ``glyf`` per subset).

Verified with reportlab 5.1.0 (the pinned version) and 4.4.10 (``tests/test_batch.py`` checks
that a restored face measures, subsets and scales as the parsed one does; ``tests/test_fonts.py``
that a broken entry is parsed and stored again). Anything that goes wrong while restoring makes
the cache parse the file instead. Worth it: a BIZ UD face parses in 48–54 ms and restores in
6–8 ms (medians of 7, 2-core EPYC under load): about 0.13 s of each PDF process for the three
faces of the default style sheet.
"""

from __future__ import annotations

import mmap
import pickle
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

LAZY = "glyphToChar"  # a face's table restored only when asked for
DATA = "_ttf_data"
# what a restored face must have for measuring and subsetting (else the entry is not used)
REQUIRED = ("charToGlyph", "charWidths", "defaultWidth", "glyphPos", "hmetrics", "unitsPerEm", "filename")


class Scale:
    """reportlab's font-unit → 1/1000 em scaling (``_pdfScale``), as the picklable object it can be."""

    def __init__(self, units_per_em: int) -> None:
        self.units_per_em = units_per_em
        self.factor = 1000 / units_per_em

    def __call__(self, x: float) -> float:
        return x if self.units_per_em == 1000 else x * self.factor


class RestoredFace(TTFontFace):
    """A ``TTFontFace`` from the cache: ``glyphToChar`` unpickled on first use, tables kept.

    reportlab copies a whole table out of the font each time it makes a subset (the glyph
    table: 4–6 MB, for every 256 characters a PDF uses); a restored face copies it once.
    """

    def __getattr__(self, name: str) -> Any:
        stored = self.__dict__.get("_gk_lazy")
        if name != LAZY or stored is None:
            raise AttributeError(name)
        value = self.__dict__[LAZY] = pickle.loads(stored)
        del self.__dict__["_gk_lazy"]
        return value

    def get_table(self, tag: str) -> bytes:
        tables: dict[str, bytes] = self.__dict__.setdefault("_gk_tables", {})
        found = tables.get(tag)
        if found is None:
            found = tables[tag] = super().get_table(tag)  # type: ignore[no-untyped-call]  # untyped in the stubs
        return found


def font_state(font: TTFont) -> tuple[dict[str, Any], dict[str, Any], bytes] | None:
    """A parsed font as (font's dictionary, face's dictionary, pickled ``glyphToChar``).

    ``None`` when the face's data is not the plain font file (a collection's member or a
    rewritten font): such a face is not cached.
    """
    face = dict(vars(font.face))
    data = face.pop(DATA)
    if len(data) != Path(face["filename"]).stat().st_size:
        return None
    face["_pdfScale"] = Scale(face["unitsPerEm"])
    lazy = pickle.dumps(face.pop(LAZY), protocol=pickle.HIGHEST_PROTOCOL)
    state = dict(vars(font), face=None, state=None)
    return state, face, lazy


def rebuild(
    state: dict[str, Any], face_state: dict[str, Any], lazy: bytes, name: str, data: mmap.mmap
) -> TTFont:
    """The ``TTFont`` of ``font_state``'s parts, named ``name``, reading the font file from ``data``."""
    missing = [key for key in REQUIRED if key not in face_state]
    if missing or not isinstance(face_state["charWidths"], dict) or not isinstance(lazy, bytes):
        raise ValueError(f"not a cached face (missing {missing})")
    face = RestoredFace.__new__(RestoredFace)
    face.__dict__.update(face_state)
    face.__dict__["_gk_lazy"] = lazy
    face.__dict__[DATA] = data
    font = TTFont.__new__(TTFont)
    font.__dict__.update(state)
    font.fontName = name
    font.face = face
    font.state = WeakKeyDictionary()
    return font
