"""Text measured with Pillow's FreeType for the chart's layout (PDF, Word chart and the HTML's SVG)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from ..fonts import bad_font
from . import chart as ch


@lru_cache(maxsize=64)
def _font(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    """The font file at a pixel size; ``FontError`` naming the file when FreeType cannot read it."""
    try:
        return ImageFont.truetype(str(path), size_px)
    except OSError as err:
        raise bad_font(path, f"FreeType で読めません（{err}）") from None


def measure(fonts: dict[str, Path]) -> ch.Measure:
    """Text width in pt with the given font files (the chart's layout uses it for both writers)."""

    def width(text: str, font: str, size: float) -> float:
        return _font(fonts[font], 1000).getlength(text) * size / 1000

    return width
