"""Finding the style sheet's font files on this machine (Debian, Windows, macOS).

A font that cannot be found is an error naming it and how to install it: gyokaku never
falls back to another font.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from .style import FontSpec, StyleSheet


class FontError(Exception):
    """A font the style sheet needs is not installed."""


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
