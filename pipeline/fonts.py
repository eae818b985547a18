"""Finding the style sheet's font files on this machine (Debian, Windows, macOS).

A font that cannot be found is an error naming it and how to install it: gyokaku never
falls back to another font. A font file that is empty, truncated or not a TrueType font is
an error naming the file and how to reinstall it (its header and table directory are read
when it is found: a few hundred bytes; reportlab's parse reports the rest, ``fontcache``).
"""

from __future__ import annotations

import os
import struct
import sys
from functools import cache
from pathlib import Path
from typing import BinaryIO

from .style import FontSpec, StyleSheet

# tables reportlab reads to measure and embed a TrueType font (``TTFontFile.extractInfo``)
REQUIRED_TABLES = ("cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post")
TRUETYPE = (b"\x00\x01\x00\x00", b"true")
_found: dict[Path, FontSpec] = {}  # every located file's font, for the messages about the file


class FontError(Exception):
    """A font the style sheet needs is not installed, or its file cannot be used."""


def font_dirs() -> list[Path]:
    """Where fonts live: $GYOKAKU_FONT_DIR first, then the system's and the user's folders."""
    dirs: list[Path] = []
    if os.environ.get("GYOKAKU_FONT_DIR"):
        dirs += [Path(p) for p in os.environ["GYOKAKU_FONT_DIR"].split(os.pathsep) if p]
    if sys.platform == "win32" or os.environ.get("WINDIR"):
        windir = os.environ.get("WINDIR", r"C:\Windows")
        dirs.append(Path(windir) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    home = Path.home()
    dirs += [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local" / "share" / "fonts",
        home / ".fonts",
        Path("/Library/Fonts"),
        home / "Library" / "Fonts",
    ]
    return dirs


@cache
def _index(dirs: tuple[Path, ...]) -> dict[str, Path]:
    """Font files by lower-case file name (first found wins)."""
    found: dict[str, Path] = {}
    for base in dirs:
        if not base.is_dir():
            continue
        for root, _, files in os.walk(base):
            for file in files:
                if file.lower().endswith((".ttf", ".ttc")):
                    found.setdefault(file.lower(), Path(root) / file)
    return found


def locate(spec: FontSpec) -> Path:
    """The file of ``spec``; ``FontError`` with install advice when there is none."""
    index = _index(tuple(font_dirs()))
    for name in spec.files:
        path = index.get(name.lower())
        if path is not None:
            _found[path] = spec
            check_font_file(path)
            return path
    raise FontError(
        f"フォント「{spec.name}」が見つかりません（探したファイル: {', '.join(spec.files)}）。\n"
        f"  Debian/Ubuntu: sudo apt-get install {spec.package}\n"
        "  Windows: Windows 10 以降に標準で入っています（C:\\Windows\\Fonts）。"
        "ない場合は「設定 > 個人用設定 > フォント」から追加してください。\n"
        "  別の場所にある場合は、環境変数 GYOKAKU_FONT_DIR にそのフォルダーを指定してください。"
    )


def locate_all(style: StyleSheet) -> dict[str, Path]:
    """Every font of the style sheet, by its key; the first missing one raises ``FontError``."""
    return {key: locate(spec) for key, spec in style.fonts.items()}


def bad_font(path: Path, reason: str) -> FontError:
    """The error for a font file that cannot be used: the file, why, and how to replace it."""
    spec = _found.get(path)
    name = f"「{spec.name}」" if spec else ""
    debian = (
        f"sudo apt-get install --reinstall {spec.package}"
        if spec
        else f"dpkg -S {path} で分かるパッケージを sudo apt-get install --reinstall で入れ直す"
    )
    lines = [
        f"フォント{name}のファイル {path} は使えません: {reason}。",
        "  壊れているか、途中までしか書かれていないか、フォントではないファイルです。"
        "フォントを入れ直してください。",
        f"  Debian/Ubuntu: {debian}",
        "  Windows: 「設定 > 個人用設定 > フォント」でこのフォントを削除してから、もう一度インストール"
        "してください（BIZ UD フォントは Windows 10 以降の標準フォントです）。",
    ]
    extra = [p for p in os.environ.get("GYOKAKU_FONT_DIR", "").split(os.pathsep) if p]
    if any(path.is_relative_to(Path(p)) for p in extra):
        lines.append(
            "  環境変数 GYOKAKU_FONT_DIR のフォルダーにあるファイルです: "
            "正しいファイルに置き換えるか、取り除いてください。"
        )
    return FontError("\n".join(lines))


def check_font_file(path: Path) -> None:
    """``FontError`` unless ``path`` starts as a complete TrueType file (or collection) does.

    Reads the header and the table directory: every table must lie inside the file, and the
    tables reportlab needs must be there. Catches an empty, truncated or foreign file before
    anything is rendered; a file damaged inside its tables is left to the parser.
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                raise bad_font(path, "空のファイルです（0 バイト）")
            head = f.read(12)
            if head[:4] == b"ttcf" and len(head) == 12:
                (count,) = struct.unpack(">I", head[8:12])
                offsets = f.read(4 * count)
                if count == 0 or len(offsets) < 4 * count:
                    raise bad_font(path, f"フォント集（TTC）の目次が途中で切れています（{size:,} バイト）")
                for offset in struct.unpack(f">{count}I", offsets):
                    _check_directory(f, path, offset, size)
            else:
                _check_directory(f, path, 0, size)
    except OSError as err:
        raise bad_font(path, f"読み込めません（{err.strerror}）") from None


def _check_directory(f: BinaryIO, path: Path, offset: int, size: int) -> None:
    """One font's table directory at ``offset``: TrueType outlines, every table inside the file."""
    f.seek(offset)
    head = f.read(12)
    if len(head) < 12:
        raise bad_font(path, f"途中で切れています（{size:,} バイトしかありません）")
    if head[:4] == b"OTTO":
        raise bad_font(path, "PostScript（CFF）アウトラインのフォントは使えません。TrueType 版が必要です")
    if head[:4] not in TRUETYPE:
        raise bad_font(path, "TrueType フォントのファイルではありません")
    (count,) = struct.unpack(">H", head[4:6])
    directory = f.read(16 * count)
    if count == 0 or len(directory) < 16 * count:
        raise bad_font(path, f"表の目次が途中で切れています（{size:,} バイトしかありません）")
    tags = set()
    for i in range(count):
        tag, _, start, length = struct.unpack(">4sIII", directory[16 * i : 16 * i + 16])
        name = tag.decode("latin-1").strip()
        if start + length > size:
            raise bad_font(path, f"途中で切れています（表 {name} が {size:,} バイトのファイルの外です）")
        tags.add(name)
    missing = [t for t in REQUIRED_TABLES if t not in tags]
    if missing:
        raise bad_font(path, f"必要な表 {', '.join(missing)} がありません")
