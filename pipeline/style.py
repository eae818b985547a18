"""The style sheet (``styles/*.yaml``): how each role of the document model looks.

Both writers read the same ``StyleSheet``; lengths are in mm and sizes in pt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import yamlc

STYLES_DIR = Path(os.environ.get("GYOKAKU_STYLES", Path(__file__).resolve().parent.parent / "styles"))
PAGE_SIZES_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "B5": (182.0, 257.0)}


class StyleError(Exception):
    """A style sheet that cannot be used."""


@dataclass(frozen=True)
class FontSpec:
    """A font as the style sheet names it: the name Word knows, files to embed, its package."""

    key: str
    name: str
    files: tuple[str, ...]
    package: str
    bold: bool = False


@dataclass(frozen=True)
class Role:
    """How one role (body, heading1…) looks."""

    font: str
    size: float
    line: float = 1.4
    before: float = 0.0
    after: float = 0.0
    align: str = "left"
    indent: float = 0.0
    hanging: float = 0.0
    word_style: str = "Normal"

    @property
    def leading(self) -> float:
        """Line pitch in pt."""
        return round(self.size * self.line, 2)


@dataclass(frozen=True)
class TableLook:
    grid: float
    header_fill: str
    total_fill: str
    padding: float
    width: float


@dataclass(frozen=True)
class ChartLook:
    width: float
    height: float
    hole: float
    dpi: int
    label_font: str
    label_size: float
    colors: tuple[str, ...]


@dataclass(frozen=True)
class StyleSheet:
    """A whole style sheet."""

    name: str
    page_size: tuple[float, float]
    margins: dict[str, float]
    footer_distance: float
    page_number: str
    fonts: dict[str, FontSpec]
    roles: dict[str, Role]
    bullet_mark: str
    table: TableLook
    chart: ChartLook

    def page(self, orientation: str) -> tuple[float, float]:
        """Page width and height in mm for ``portrait`` or ``landscape``."""
        w, h = self.page_size
        return (h, w) if orientation == "landscape" else (w, h)

    def text_width(self, orientation: str) -> float:
        return self.page(orientation)[0] - self.margins["left"] - self.margins["right"]

    def role(self, name: str) -> Role:
        return self.roles[name]

    def font_of(self, role: str) -> FontSpec:
        return self.fonts[self.roles[role].font]


def style_path(style: str) -> Path:
    """A style name (``default``) or a path to a YAML file."""
    candidate = Path(style)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    return STYLES_DIR / f"{style}.yaml"


def load_style(style: str = "default") -> StyleSheet:
    """Read a style sheet; raise ``StyleError`` naming what is wrong."""
    path = style_path(style)
    try:
        raw = yamlc.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise StyleError(f"{path}: スタイルシートが見つかりません。") from None
    except yamlc.YAMLError as err:
        raise StyleError(f"{path}: スタイルシートの YAML に誤りがあります（{err}）。") from None
    try:
        return _build(path.stem, raw)
    except (KeyError, TypeError, ValueError) as err:
        raise StyleError(f"{path}: スタイルシートの項目に誤りがあります（{err!r}）。") from None


def _build(name: str, raw: dict) -> StyleSheet:
    page = raw["page"]
    fonts = {
        key: FontSpec(key, f["name"], tuple(f["files"]), f["package"], bool(f.get("bold", False)))
        for key, f in raw["fonts"].items()
    }
    roles = {key: Role(**value) for key, value in raw["roles"].items()}
    for key, role in roles.items():
        if role.font not in fonts:
            raise ValueError(f"roles.{key}.font: {role.font} is not in fonts")
    chart = dict(raw["chart"])
    chart["colors"] = tuple(str(c) for c in chart["colors"])
    return StyleSheet(
        name=name,
        page_size=PAGE_SIZES_MM[page["size"]],
        margins={k: float(v) for k, v in page["margins"].items()},
        footer_distance=float(page["footer_distance"]),
        page_number=str(page["page_number"]),
        fonts=fonts,
        roles=roles,
        bullet_mark=str(raw["bullet_mark"]),
        table=TableLook(**raw["table"]),
        chart=ChartLook(**chart),
    )
