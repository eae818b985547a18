"""Bad font files and a bad font cache: a located Japanese message and exit 2, never a traceback."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import batch, fonts
from pipeline.cli import EXIT_BAD_INPUT
from pipeline.render import fontcache, raster
from pipeline.style import load_style

STYLE = load_style("default")
MINCHO = STYLE.fonts["mincho"]
REAL = fonts.locate(MINCHO)  # the installed file


def _build(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m pipeline build`` of the sample (summary PDF only) with ``env`` added."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("GYOKAKU_")}
    full.setdefault("GYOKAKU_CACHE_DIR", str(tmp_path / "cache"))
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--out", str(tmp_path / "out"), "--only", "summary"],
        env=full,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _truncated() -> bytes:
    with open(REAL, "rb") as f:
        return f.read(64 * 1024)


def _broken_tables() -> bytes:
    """The real font with its directory intact but the ``head`` table's magic number wiped."""
    data = bytearray(REAL.read_bytes())
    count = int.from_bytes(data[4:6], "big")
    for i in range(count):
        entry = data[12 + 16 * i : 28 + 16 * i]
        if entry[:4] == b"head":
            start = int.from_bytes(entry[8:12], "big")
            data[start : start + 16] = bytes(16)
    return bytes(data)


BAD_FILES: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty": (lambda: b"", "空のファイル"),
    "garbage": (lambda: b"<html>404 Not Found</html>\n" * 200, "TrueType フォントのファイルではありません"),
    "truncated": (_truncated, "途中で切れています"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_font_file_is_named_with_what_to_do(tmp_path: Path, kind: str) -> None:
    make, reason = BAD_FILES[kind]
    folder = tmp_path / "fonts"
    folder.mkdir()
    bad = folder / MINCHO.files[0]
    bad.write_bytes(make())
    done = _build(tmp_path, GYOKAKU_FONT_DIR=str(folder))
    assert done.returncode == EXIT_BAD_INPUT, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert str(bad) in done.stderr and reason in done.stderr
    assert f"apt-get install --reinstall {MINCHO.package}" in done.stderr
    assert "GYOKAKU_FONT_DIR" in done.stderr and "Windows" in done.stderr
    assert not (tmp_path / "out").exists()  # nothing written


def test_font_damaged_inside_its_tables_raises_font_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The directory passes the check; reportlab's parse fails, and says which file, as FontError."""
    monkeypatch.setenv("GYOKAKU_CACHE_DIR", str(tmp_path / "cache"))
    bad = tmp_path / MINCHO.files[0]
    bad.write_bytes(_broken_tables())
    fonts.check_font_file(bad)
    with pytest.raises(fonts.FontError, match="TrueType として読めません") as caught:
        fontcache.ttfont("gyokaku-broken", bad)
    assert str(bad) in str(caught.value)
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_font_damaged_inside_its_tables_fails_the_build_cleanly(tmp_path: Path) -> None:
    folder = tmp_path / "fonts"
    folder.mkdir()
    bad = folder / MINCHO.files[0]
    bad.write_bytes(_broken_tables())
    done = _build(tmp_path, GYOKAKU_FONT_DIR=str(folder))
    assert done.returncode == EXIT_BAD_INPUT, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert str(bad) in done.stderr and f"--reinstall {MINCHO.package}" in done.stderr
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_chart_font_unreadable_by_freetype_raises_font_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"\x00\x01\x00\x00" + bytes(200))
    with pytest.raises(fonts.FontError, match="FreeType") as caught:
        raster.measure({"mincho": bad})("進捗", "mincho", 10.5)
    assert str(bad) in str(caught.value)


def test_every_table_is_checked_in_a_font_collection(tmp_path: Path) -> None:
    """A .ttc whose second member points past the end of the file is refused."""
    real = REAL.read_bytes()
    ttc = b"ttcf" + (0x00010000).to_bytes(4, "big") + (2).to_bytes(4, "big")
    ttc += (20).to_bytes(4, "big") + (len(real) * 2).to_bytes(4, "big")
    header = bytearray(real[: 12 + 16 * int.from_bytes(real[4:6], "big")])
    bad = tmp_path / "collection.ttc"
    bad.write_bytes(ttc + bytes(header))
    with pytest.raises(fonts.FontError, match="途中で切れています"):
        fonts.check_font_file(bad)


def test_corrupt_cache_entries_are_ignored_and_written_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _build(tmp_path).returncode == 0
    entries = sorted(cache.glob("*.pickle"))
    assert entries  # one per face of the style sheet
    good = {entry: entry.read_bytes() for entry in entries}
    for i, entry in enumerate(entries):  # a different kind of damage for each
        entry.write_bytes([b"", b"garbage", good[entry][: len(good[entry]) // 2], pickle.dumps(None)][i % 4])
    done = _build(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert sorted(cache.glob("*.pickle")) == entries
    for entry in entries:
        assert entry.read_bytes() == good[entry]  # parsed again and stored as before


def test_font_cache_restores_the_parsed_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached face is the parsed one; a broken cache entry is parsed again, never trusted."""
    monkeypatch.setenv("GYOKAKU_CACHE_DIR", str(tmp_path / "cache"))
    path = batch.shared_renderers("default").font_files["mincho"]
    parsed = fontcache.ttfont("a", path)
    (entry,) = (tmp_path / "cache").iterdir()
    restored = fontcache.ttfont("b", path)
    assert restored.fontName == "b" and restored.face._ttf_data[:] == parsed.face._ttf_data
    assert "glyphToChar" not in vars(restored.face)  # unpickled only when asked for
    tables = ("charToGlyph", "charWidths", "hmetrics", "glyphPos", "glyphToChar")
    for key in (*tables, "ascent", "descent", "bbox"):
        assert getattr(restored.face, key) == getattr(parsed.face, key)
    for codes in (range(64, 128), [ord(c) for c in "進捗状況、概ね順調"]):  # the 2nd from kept tables
        assert restored.face.makeSubset(codes) == parsed.face.makeSubset(codes)
    with pytest.raises(AttributeError):
        restored.face.no_such_table  # noqa: B018
    assert restored.stringWidth("進捗状況1,543", 10.5) == parsed.stringWidth("進捗状況1,543", 10.5)
    assert [restored.face._pdfScale(v) for v in (1, 977, 2048)] == [
        parsed.face._pdfScale(v) for v in (1, 977, 2048)
    ]
    entry.write_bytes(b"broken")
    again = fontcache.ttfont("c", path)
    assert again.face.charWidths == parsed.face.charWidths


def test_font_cache_keeps_one_entry_per_font_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry made for another version of the font or cache is removed when the new one is stored."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GYOKAKU_CACHE_DIR", str(cache))
    path = batch.shared_renderers("default").font_files["mincho"]
    cache.mkdir()
    stale = cache / f"{path.stem}-0123456789abcdef.pickle"
    others = [cache / f"{path.stem}-Extra-0123456789abcdef.pickle", cache / "Other-0123456789abcdef.pickle"]
    for old in [stale, *others]:
        old.write_bytes(b"old")
    fontcache.ttfont("a", path)
    entry = fontcache._entry(path, 0)
    assert entry.exists() and not stale.exists()
    assert all(other.exists() for other in others)
    assert sorted(cache.iterdir()) == sorted([entry, *others])
