"""Parsed TrueType fonts kept on disk between runs.

reportlab parses a whole font file (cmap, widths, glyph offsets) before it can measure a character:
about 0.1 s for each BIZ UD face, 0.3 s of every cold ``gyokaku build``. The parsed face is stored
once in the user's cache folder, keyed by the font file (path, size, time), reportlab's and
Python's versions; anything unexpected (no cache folder, a stale or broken entry) falls back to
parsing the file, so the cache can only make a run faster, never different.

A restored face maps the font file instead of reading it up front (the tables a PDF embeds
are read when it is saved, each once), and unpickles its glyph → characters table only if
something asks for it (reportlab's text shaping does; gyokaku's PDFs never shape text).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import mmap
import os
import pickle
import re
import sys
import tempfile
from pathlib import Path
from weakref import WeakKeyDictionary

import reportlab
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

CACHE_VERSION = 2
LAZY = "glyphToChar"  # a face's table restored only when asked for


class _Scale:
    """reportlab's font-unit → 1/1000 em scaling, as the picklable object it can be."""

    def __init__(self, units_per_em: int) -> None:
        self.units_per_em = units_per_em
        self.factor = 1000 / units_per_em

    def __call__(self, x):
        return x if self.units_per_em == 1000 else x * self.factor


def cache_dir() -> Path | None:
    """$GYOKAKU_CACHE_DIR, else the platform's cache folder; ``None`` when caching is off ("")."""
    if "GYOKAKU_CACHE_DIR" in os.environ:
        value = os.environ["GYOKAKU_CACHE_DIR"]
        return Path(value) if value else None
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "gyokaku" / "fonts"


def _entry(path: Path, subfont: int) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    stat = path.stat()
    key = "|".join(
        map(
            str,
            (
                CACHE_VERSION,
                path.resolve(),
                subfont,
                stat.st_size,
                stat.st_mtime_ns,
                reportlab.Version,
                sys.version_info[:2],
            ),
        )
    )
    return folder / f"{path.stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pickle"


def ttfont(name: str, path: Path, subfont: int = 0) -> TTFont:
    """``TTFont(name, path)``, from the cache when it holds this file, else parsed (and stored)."""
    entry = _entry(path, subfont)
    if entry is not None:
        with contextlib.suppress(Exception):
            return _restore(entry.read_bytes(), name, path)
    font = TTFont(name, str(path), subfontIndex=subfont)
    if entry is not None:
        with contextlib.suppress(Exception):
            _store(entry, font)
    return font


def _store(entry: Path, font: TTFont) -> None:
    face = dict(vars(font.face))
    data = face.pop("_ttf_data")
    if len(data) != Path(face["filename"]).stat().st_size:
        return  # not a plain font file: keep it out of the cache
    face["_pdfScale"] = _Scale(face["unitsPerEm"])
    lazy = pickle.dumps(face.pop(LAZY), protocol=pickle.HIGHEST_PROTOCOL)
    state = dict(vars(font), face=None, state=None)
    blob = pickle.dumps((state, face, lazy), protocol=pickle.HIGHEST_PROTOCOL)
    entry.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".font-", dir=entry.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, entry)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _drop_stale(entry)


def _drop_stale(entry: Path) -> None:
    """Remove the older entries of ``entry``'s font file name: only ``entry`` can be used now.

    They were made for another version of the font, reportlab, Python or this cache. Two
    different files of one name would replace each other's entry at every run: parsed each
    time, never wrong.
    """
    stem = entry.name.rsplit("-", 1)[0]  # as ``_entry`` names it: STEM-HASH.pickle
    same_font = re.compile(re.escape(stem) + r"-[0-9a-f]{16}\.pickle")
    for other in entry.parent.glob(f"{glob.escape(stem)}-*.pickle"):
        if other != entry and same_font.fullmatch(other.name):
            with contextlib.suppress(OSError):
                other.unlink()


class _RestoredFace(TTFontFace):
    """A ``TTFontFace`` from the cache: ``glyphToChar`` unpickled on first use, tables kept.

    reportlab copies a whole table out of the font each time it makes a subset (the glyph
    table: 4–6 MB, for every 256 characters a PDF uses); a restored face copies it once.
    """

    def __getattr__(self, name: str):
        stored = self.__dict__.get("_gk_lazy")
        if name != LAZY or stored is None:
            raise AttributeError(name)
        value = self.__dict__[LAZY] = pickle.loads(stored)
        del self.__dict__["_gk_lazy"]
        return value

    def get_table(self, tag):
        tables = self.__dict__.setdefault("_gk_tables", {})
        found = tables.get(tag)
        if found is None:
            found = tables[tag] = super().get_table(tag)
        return found


def _mapped(path: Path) -> mmap.mmap:
    """The font file's bytes, mapped read-only (sliced as reportlab slices its bytes)."""
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _restore(blob: bytes, name: str, path: Path) -> TTFont:
    state, face_state, lazy = pickle.loads(blob)
    face = _RestoredFace.__new__(_RestoredFace)
    face.__dict__.update(face_state)
    face._gk_lazy = lazy
    face._ttf_data = _mapped(path)
    font = TTFont.__new__(TTFont)
    font.__dict__.update(state)
    font.fontName = name
    font.face = face
    font.state = WeakKeyDictionary()
    return font
