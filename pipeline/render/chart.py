"""The chart as one drawing: a list of primitives in points, origin at the lower left.

The PDF writer paints these primitives as vectors and the DOCX writer as a picture, so both
documents show the same drawing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..docmodel import Chart
from ..style import StyleSheet

MM = 72 / 25.4  # points per millimetre: the one definition (the PDF writer uses it too)


@dataclass(frozen=True)
class Wedge:
    """A ring segment from ``start`` to ``end`` degrees (counter-clockwise from 3 o'clock)."""

    cx: float
    cy: float
    radius: float
    inner: float
    start: float
    end: float
    fill: str


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    width: float


@dataclass(frozen=True)
class Label:
    """Text whose baseline starts (``start``), centres (``middle``) or ends (``end``) at x, y."""

    x: float
    y: float
    text: str
    font: str
    size: float
    anchor: str = "start"
    color: str = "000000"


Primitive = Wedge | Rect | Line | Label


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    items: tuple[Primitive, ...]


Measure = Callable[[str, str, float], float]


def layout(chart: Chart, style: StyleSheet, measure: Measure) -> Drawing:
    """Lay out a doughnut with outside count labels and a legend on its right."""
    look = style.chart
    width, height = look.width * MM, look.height * MM
    font, size = look.label_font, look.label_size
    radius = height / 2 - size * 1.6
    cx, cy = width * 0.36, height / 2
    inner = radius * look.hole
    total = sum(s.value for s in chart.slices)
    items: list[Primitive] = []
    colors = [look.colors[i % len(look.colors)] for i in range(len(chart.slices))]
    if total == 0:
        items.append(Wedge(cx, cy, radius, inner, 0, 360, "DDDDDD"))
    angle = 90.0
    for s, color in zip(chart.slices, colors):
        if s.value <= 0:
            continue
        sweep = 360.0 * s.value / total
        start, end = angle - sweep, angle
        items.append(Wedge(cx, cy, radius, inner, start, end, color))
        items += _count_label(cx, cy, radius, (start + end) / 2, str(s.value), font, size)
        angle = start
    for i, line in enumerate(chart.center):
        offset = (len(chart.center) - 1) / 2 - i
        items.append(Label(cx, cy + offset * size * 1.3 - size * 0.35, line, font, size, "middle"))
    items += _legend(chart, colors, cx + radius + size * 4.5, height, font, size, measure)
    return Drawing(width, height, tuple(items))


def _count_label(
    cx: float, cy: float, radius: float, mid: float, text: str, font: str, size: float
) -> list[Primitive]:
    rad = math.radians(mid)
    dx, dy = math.cos(rad), math.sin(rad)
    x1, y1 = cx + dx * radius, cy + dy * radius
    x2, y2 = cx + dx * (radius + size * 0.6), cy + dy * (radius + size * 0.6)
    anchor = "start" if dx > 0.25 else "end" if dx < -0.25 else "middle"
    tx = x2 + (size * 0.2 if anchor == "start" else -size * 0.2 if anchor == "end" else 0)
    ty = y2 + (size * 0.15 if dy >= 0 else -size * 0.85)
    return [Line(x1, y1, x2, y2, "555555", 0.5), Label(tx, ty, text, font, size, anchor)]


def _legend(
    chart: Chart,
    colors: list[str],
    x: float,
    height: float,
    font: str,
    size: float,
    measure: Measure,
) -> list[Primitive]:
    pitch = size * 1.7
    top = height / 2 + pitch * (len(chart.slices) - 1) / 2
    name_width = max((measure(s.label, font, size) for s in chart.slices), default=0)
    items: list[Primitive] = []
    for i, (s, color) in enumerate(zip(chart.slices, colors)):
        y = top - i * pitch
        items.append(Rect(x, y - size * 0.1, size * 0.9, size * 0.9, color))
        items.append(Label(x + size * 1.4, y, s.label, font, size))
        count_x = x + size * 1.4 + name_width + size * 3.2
        items.append(Label(count_x, y, str(s.value), font, size, "end"))
    return items
