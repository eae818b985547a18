"""Paints a chart drawing (``chart.Drawing``) as a PNG picture with Pillow, for the DOCX."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..fonts import bad_font
from . import chart as ch

SUPERSAMPLE = 2  # drawn at twice the size, then box-reduced: smooth edges (3 looked no different)
PNG_LEVEL = 1  # zlib level: 10 ms less than 6 for a somewhat larger file (the sample chart 39 KB, not 28)


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


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return int(hex_color[0:2], 16), int(hex_color[2:4], 16), int(hex_color[4:6], 16)


def to_png(drawing: ch.Drawing, fonts: dict[str, Path], dpi: int) -> bytes:
    """The drawing at ``dpi`` (drawn larger, then reduced, for smooth edges)."""
    scale = dpi / 72 * SUPERSAMPLE
    final_size = (round(drawing.width * dpi / 72), round(drawing.height * dpi / 72))
    size = (final_size[0] * SUPERSAMPLE, final_size[1] * SUPERSAMPLE)
    image = Image.new("RGB", size, "white")
    pen = ImageDraw.Draw(image)

    def xy(x: float, y: float) -> tuple[float, float]:
        return x * scale, (drawing.height - y) * scale

    holes = []
    for item in drawing.items:
        if isinstance(item, ch.Wedge):
            x0, y0 = xy(item.cx - item.radius, item.cy + item.radius)
            x1, y1 = xy(item.cx + item.radius, item.cy - item.radius)
            pen.pieslice(
                (x0, y0, x1, y1),
                -item.end,
                -item.start,
                fill=_rgb(item.fill),
                outline="white",
                width=max(1, round(0.8 * scale)),
            )
            holes.append(item)
        elif isinstance(item, ch.Rect):
            x0, y0 = xy(item.x, item.y + item.height)
            x1, y1 = xy(item.x + item.width, item.y)
            pen.rectangle((x0, y0, x1, y1), fill=_rgb(item.fill))
        elif isinstance(item, ch.Line):
            pen.line(
                (*xy(item.x1, item.y1), *xy(item.x2, item.y2)),
                fill=_rgb(item.color),
                width=max(1, round(item.width * scale)),
            )
    for hole in holes:
        x0, y0 = xy(hole.cx - hole.inner, hole.cy + hole.inner)
        x1, y1 = xy(hole.cx + hole.inner, hole.cy - hole.inner)
        pen.ellipse((x0, y0, x1, y1), fill="white")
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for item in drawing.items:
        if isinstance(item, ch.Label):
            font = _font(fonts[item.font], round(item.size * scale))
            pen.text(
                xy(item.x, item.y), item.text, font=font, fill=_rgb(item.color), anchor=anchors[item.anchor]
            )
    final = image.reduce(SUPERSAMPLE)  # box average of each SUPERSAMPLE² block: 10× faster than LANCZOS
    out = io.BytesIO()
    out.name = "chart.png"  # Pillow then loads its PNG writer alone, not five formats' (15 ms)
    final.save(out, dpi=(dpi, dpi), optimize=False, compress_level=PNG_LEVEL)
    return out.getvalue()
