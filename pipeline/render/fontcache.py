"""Parsed TrueType fonts kept on disk between runs, and a bad font file reported, not a traceback.

reportlab parses a whole font file (cmap, widths, glyph offsets) before it can measure a character:
about 0.1 s for each BIZ UD face, 0.3 s of every cold ``gyokaku build``. The parsed face is stored
once in the user's cache folder, keyed by the font file (path, size, time), reportlab's and
Python's versions; anything unexpected (no cache folder, a stale, broken or foreign entry) falls
back to parsing the file, and the entry is written again: the cache can only make a run faster,
never different. How a face is taken apart and rebuilt (reportlab's private attributes) is in
``fontcache_internals``.

A restored face maps the font file instead of reading it up front (the tables a PDF embeds
are read when it is saved, each once), and unpickles its glyph → characters table only if
something asks for it (reportlab's text shaping does; gyokaku's PDFs never shape text).
A file reportlab cannot parse raises ``fonts.FontError`` naming it.
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
from pathlib import Path

import reportlab
from reportlab.pdfbase.ttfonts import TTFont

from ..fonts import FontError, bad_font
from ..write import atomic_write
from . import fontcache_internals as internals

CACHE_VERSION = 2


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
    """``TTFont(name, path)``, from the cache when it holds this file, else parsed (and stored).

    ``FontError`` (naming the file and what to do) when the file cannot be read or parsed.
    """
    try:
        entry = _entry(path, subfont)
    except OSError as err:
        raise bad_font(path, f"読み込めません（{err.strerror}）") from None
    if entry is not None:
        with contextlib.suppress(Exception):  # a corrupt or foreign entry: parsed and stored again
            return _restore(entry.read_bytes(), name, path)
    font = _parse(name, path, subfont)
    if entry is not None:
        with contextlib.suppress(Exception):
            _store(entry, font)
    return font


def _parse(name: str, path: Path, subfont: int) -> TTFont:
    """reportlab's parse of the file; whatever it fails on is a bad font file."""
    try:
        return TTFont(name, str(path), subfontIndex=subfont)
    except FontError:
        raise
    except Exception as err:  # TTFError, struct.error, IndexError …: reportlab has no one error
        raise bad_font(path, f"TrueType として読めません（{type(err).__name__}: {err}）") from None


def _store(entry: Path, font: TTFont) -> None:
    parts = internals.font_state(font)
    if parts is None:
        return  # not a plain font file: keep it out of the cache
    atomic_write(entry, pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL))
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


def _mapped(path: Path) -> mmap.mmap:
    """The font file's bytes, mapped read-only (sliced as reportlab slices its bytes)."""
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _restore(blob: bytes, name: str, path: Path) -> TTFont:
    state, face_state, lazy = pickle.loads(blob)
    if face_state.get("filename") != str(path):
        raise ValueError("an entry made for another file")
    return internals.rebuild(state, face_state, lazy, name, _mapped(path))
