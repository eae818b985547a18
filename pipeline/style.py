"""The style sheet (``styles/*.yaml``): how each role of the document model looks.

Both writers read the same ``StyleSheet``; lengths are in mm and sizes in pt.

A style sheet is user input too (a city edits its own): it is read with the input's located
YAML machinery (``load.Walker``) and checked against a schema — types, required and unknown
keys, ranges, and the relations between values the writers depend on — and every problem is
reported as ``file:line:column: key.path: 説明`` in one ``StyleError``.
"""

from __future__ import annotations

import difflib
import os
import re
import string
from dataclasses import dataclass
from pathlib import Path

from .load import InputError, Problem, Walker, read_tree
from .model import Text
from .resources import styles_dir
from .yamlc import MappingNode, Node, ScalarNode

STYLES_DIR = Path(os.environ.get("GYOKAKU_STYLES") or styles_dir())
PAGE_SIZES_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "B5": (182.0, 257.0)}

# The roles the document model uses (``docmodel``; the writers look each one up).
ROLES = (
    "body",
    "doc_number",
    "title",
    "heading1",
    "heading2",
    "heading3",
    "bullet",
    "caption",
    "table_header",
    "table_cell",
    "note",
    "footer",
)
ALIGNS = ("left", "center", "right", "justify")

# Ranges (inclusive) of the style sheet's values. Each value is bounded; a combination of
# extremes may still not fit a page, which the PDF writer reports (PdfLayoutError).
FONT_SIZE_PT = (4.0, 72.0)
TABLE_FONT_SIZE_PT = (4.0, 24.0)  # table_header, table_cell: a count table's narrow columns
LINE_SPACING = (0.8, 4.0)  # line pitch ÷ font size
SPACE_MM = (0.0, 50.0)  # before and after a paragraph
INDENT_MM = (0.0, 50.0)
MARGIN_MM = (0.0, 100.0)
MIN_TEXT_MM = 60.0  # the text area's width and height, in either orientation
TABLE_GRID_PT = (0.0, 6.0)
TABLE_PADDING_MM = (0.0, 5.0)
TABLE_WIDTH = (0.5, 1.0)  # share of the text width
CHART_WIDTH_MM = (30.0, 400.0)  # and at most the text width
CHART_HEIGHT_MM = (20.0, 400.0)  # and at most the text height
CHART_HOLE = (0.0, 0.9)
CHART_DPI = (72, 600)
MAX_CHART_PIXELS = 8_000_000  # the DOCX's chart picture (drawn at twice the size: 4 × this)
MIN_CHART_RADIUS_PT = 10.0
CHART_COLORS = (5, 32)  # the default statuses are five; more statuses reuse colours from the first
BULLET_CHARS = (1, 4)
PAGE_NUMBER_CHARS = 40
FONT_FILE_SUFFIXES = (".ttf", ".ttc")

_COLOR = re.compile(r"#?[0-9A-Fa-f]{6}")


class StyleError(Exception):
    """A style sheet that cannot be used; ``problems`` lists what is wrong, located."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


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
    """Read and check a style sheet; raise ``StyleError`` naming every problem with its place."""
    return _read(style)[0]


PRINTED = ("bullet_mark", "page.page_number")  # the style sheet's own text in the documents


def printed_texts(style: str = "default") -> tuple[Text, ...]:
    """The style sheet's texts that the documents print (the bullet mark, the page number's
    words), located: for the check of characters the fonts cannot print, as the input's."""
    return tuple(t for t in _read(style)[1] if t.path in PRINTED)


def _read(style: str) -> tuple[StyleSheet, list[Text]]:
    path = style_path(style)
    name = str(path)
    try:
        root = read_tree(path, name)
    except InputError as err:
        if [p.message for p in err.problems] == ["ファイルが見つかりません。"]:
            raise StyleError(f"{path}: スタイルシートが見つかりません。", err.problems) from None
        raise _error(name, err.problems, err.more) from None
    w = Walker(name)
    sheet = w.run(lambda walker, node: _sheet(walker, node, path.stem), root)
    if w.problems or sheet is None:
        raise _error(name, w.problems, w.more)
    return sheet, w.texts


def _error(name: str, problems: list[Problem], more: int) -> StyleError:
    lines = InputError(problems, more).lines()
    count = len(problems) + more
    head = f"スタイルシート {name} に誤りがあります（{count} 件）。"
    return StyleError("\n".join([head, *(f"  {line}" for line in lines)]), problems)


# --- the schema --------------------------------------------------------------------------

TOP_KEYS = ("page", "fonts", "roles", "bullet_mark", "table", "chart")
PAGE_KEYS = ("size", "margins", "footer_distance", "page_number")
MARGIN_KEYS = ("top", "bottom", "left", "right")
FONT_KEYS = ("name", "files", "package", "bold")
ROLE_KEYS = ("font", "size", "line", "before", "after", "align", "indent", "hanging", "word_style")
TABLE_KEYS = ("grid", "header_fill", "total_fill", "padding", "width")
CHART_KEYS = ("width", "height", "hole", "dpi", "label_font", "label_size", "colors")


@dataclass
class _Page:
    size: tuple[float, float]
    margins: dict[str, float]
    footer_distance: float
    footer_node: Node
    page_number: str


def _sheet(w: Walker, root: Node, name: str) -> StyleSheet | None:
    top = w.mapping(root, "", TOP_KEYS, TOP_KEYS)
    if top is None:
        return None
    page = _page(w, top["page"]) if "page" in top else None
    fonts = _fonts(w, top["fonts"]) if "fonts" in top else None
    roles = _roles(w, top["roles"], fonts) if "roles" in top else None
    bullet = _short_text(w, top["bullet_mark"], "bullet_mark", BULLET_CHARS) if "bullet_mark" in top else None
    table = _table(w, top["table"]) if "table" in top else None
    chart = _chart(w, top["chart"], fonts) if "chart" in top else None
    if page is None or fonts is None or roles is None or bullet is None or table is None or chart is None:
        return None
    sheet = StyleSheet(
        name=name,
        page_size=page.size,
        margins=page.margins,
        footer_distance=page.footer_distance,
        page_number=page.page_number,
        fonts=fonts,
        roles=roles,
        bullet_mark=bullet,
        table=table,
        chart=chart,
    )
    _relations(w, sheet, top, page)
    return sheet


def _number(
    w: Walker,
    keys: dict[str, Node],
    key: str,
    path: str,
    bounds: tuple[float, float],
    unit: str,
    default: float | None = None,
) -> float | None:
    """``keys[key]`` as a number within ``bounds``; ``default`` when absent (``None``: required)."""
    if key not in keys:
        return default
    where = f"{path}.{key}"
    value = w.number(keys[key], where, _plain(bounds[0]))
    if value is None:
        return None
    low, high = bounds
    if not low <= value <= high:
        w.problem(keys[key], where, f"{_plain(value)} は範囲外です（{_plain(low)}〜{_plain(high)} {unit}）。")
        return None
    return value


def _plain(value: float) -> str:
    """10 rather than 10.0."""
    return f"{value:g}"


def _short_text(w: Walker, node: Node, path: str, chars: tuple[int, int]) -> str | None:
    value = w.text(node, path)
    if value is not None and not chars[0] <= len(value) <= chars[1]:
        w.problem(node, path, f"{chars[0]}〜{chars[1]} 文字で書いてください（{len(value)} 文字あります）。")
        return None
    return value


def _page(w: Walker, node: Node) -> _Page | None:
    keys = w.mapping(node, "page", PAGE_KEYS, PAGE_KEYS)
    if keys is None:
        return None
    size = None
    if "size" in keys:
        chosen = w.choice(keys["size"], "page.size", tuple(PAGE_SIZES_MM))
        size = PAGE_SIZES_MM[chosen] if chosen is not None else None
    margins = None
    if "margins" in keys:
        found = w.mapping(keys["margins"], "page.margins", MARGIN_KEYS, MARGIN_KEYS)
        if found is not None:
            values = {k: _number(w, found, k, "page.margins", MARGIN_MM, "mm") for k in MARGIN_KEYS}
            margins = {k: v for k, v in values.items() if v is not None}
            if len(margins) != len(MARGIN_KEYS):
                margins = None
    footer = _number(w, keys, "footer_distance", "page", MARGIN_MM, "mm")
    number = _page_number(w, keys["page_number"]) if "page_number" in keys else None
    if size is None or margins is None or footer is None or number is None:
        return None
    return _Page(size, margins, footer, keys["footer_distance"], number)


def _page_number(w: Walker, node: Node) -> str | None:
    """The page number's text: ``{page}`` once (both writers put the number there), no other braces.

    The PDF writer formats it with ``str.format(page=n)``; the DOCX writer splits it at
    ``{page}`` and puts Word's PAGE field between the two parts.
    """
    path = "page.page_number"
    value = w.text(node, path)
    if value is None:
        return None
    if len(value) > PAGE_NUMBER_CHARS:
        w.problem(node, path, f"{PAGE_NUMBER_CHARS} 文字以内で書いてください（{len(value)} 文字あります）。")
        return None
    try:
        fields = [(text, field, spec, conv) for text, field, spec, conv in string.Formatter().parse(value)]
    except ValueError:
        fields = []
    pages = [f for f in fields if f[1] is not None]
    plain = value.replace("{page}", "")
    if value.count("{page}") != 1 or len(pages) != 1 or "{" in plain or "}" in plain:
        w.problem(
            node,
            path,
            'ページ番号を入れる位置に「{page}」を1回だけ書いてください（例: "- {page} -"）。'
            "ほかに「{」「}」は使えません。",
        )
        return None
    return value


def _fonts(w: Walker, node: Node) -> dict[str, FontSpec] | None:
    entries = w.entries(node, "fonts", "フォント")
    if entries is None:
        return None
    fonts: dict[str, FontSpec] = {}
    ok = bool(entries)
    for key, _, value in entries:
        path = f"fonts.{key}"
        keys = w.mapping(value, path, FONT_KEYS, ("name", "files", "package"))
        if keys is None:
            ok = False
            continue
        name = w.text(keys["name"], f"{path}.name") if "name" in keys else None
        files = _font_files(w, keys["files"], f"{path}.files") if "files" in keys else None
        package = w.text(keys["package"], f"{path}.package") if "package" in keys else None
        bold = w.boolean(keys["bold"], f"{path}.bold") if "bold" in keys else False
        if name is None or files is None or package is None:
            ok = False
            continue
        fonts[key] = FontSpec(key, name, files, package, bold)
    return fonts if ok else None


def _font_files(w: Walker, node: Node, path: str) -> tuple[str, ...] | None:
    items = w.sequence(node, path, "フォントファイル名")
    if items is None:
        return None
    files = []
    for i, item in enumerate(items, start=1):
        name = w.text(item, f"{path}[{i}]")
        if name is None:
            return None
        if not name.lower().endswith(FONT_FILE_SUFFIXES) or "/" in name or "\\" in name:
            w.problem(
                item, f"{path}[{i}]", "フォントのファイル名（.ttf か .ttc、フォルダーなし）を書いてください。"
            )
            return None
        files.append(name)
    return tuple(files)


def _font_key(w: Walker, keys: dict[str, Node], path: str, fonts: dict[str, FontSpec] | None) -> str | None:
    """A key of ``fonts``, named by a role or the chart."""
    if "font" not in keys and "label_font" not in keys:
        return None
    key = "font" if "font" in keys else "label_font"
    value = w.text(keys[key], f"{path}.{key}")
    if value is None or fonts is None:
        return None
    if value not in fonts:
        known = tuple(fonts)
        close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
        hint = f"「{close[0]}」の書き間違いではありませんか。" if close else ""
        w.problem(
            keys[key],
            f"{path}.{key}",
            f"フォント「{value}」は fonts にありません。{hint}fonts にあるもの: {', '.join(known)}",
        )
        return None
    return value


def _roles(w: Walker, node: Node, fonts: dict[str, FontSpec] | None) -> dict[str, Role] | None:
    keys = w.mapping(node, "roles", ROLES, ROLES)
    if keys is None:
        return None
    roles: dict[str, Role] = {}
    for name in ROLES:
        if name in keys:
            role = _role(w, keys[name], f"roles.{name}", fonts)
            if role is not None:
                roles[name] = role
    if len(roles) != len(ROLES):
        return None
    _word_styles(w, keys, roles)
    return roles


def _role(w: Walker, node: Node, path: str, fonts: dict[str, FontSpec] | None) -> Role | None:
    keys = w.mapping(node, path, ROLE_KEYS, ("font", "size", "word_style"))
    if keys is None:
        return None
    font = _font_key(w, keys, path, fonts)
    sizes = TABLE_FONT_SIZE_PT if path.startswith("roles.table_") else FONT_SIZE_PT
    size = _number(w, keys, "size", path, sizes, "pt")
    line = _number(w, keys, "line", path, LINE_SPACING, "倍", Role.line)
    before = _number(w, keys, "before", path, SPACE_MM, "mm", Role.before)
    after = _number(w, keys, "after", path, SPACE_MM, "mm", Role.after)
    align = w.choice(keys["align"], f"{path}.align", ALIGNS) if "align" in keys else Role.align
    indent = _number(w, keys, "indent", path, INDENT_MM, "mm", Role.indent)
    hanging = _number(w, keys, "hanging", path, INDENT_MM, "mm", Role.hanging)
    word_style = _word_style(w, keys["word_style"], f"{path}.word_style") if "word_style" in keys else None
    values = (font, size, line, before, after, align, indent, hanging, word_style)
    if any(v is None for v in values):
        return None
    assert font is not None and size is not None and line is not None and before is not None
    assert after is not None and align is not None and indent is not None and hanging is not None
    assert word_style is not None
    if hanging > indent:
        w.problem(
            keys["hanging"],
            f"{path}.hanging",
            f"ぶら下げ（{_plain(hanging)} mm）は字下げ indent（{_plain(indent)} mm）以下にしてください。",
        )
        return None
    return Role(font, size, line, before, after, align, indent, hanging, word_style)


# Word's built-in styles that are not paragraph styles (python-docx's template has them all):
# a role given one of these names would fail in Word. Names are compared as Word compares
# style ids: without spaces, ignoring case.
_TABLE_STYLE_FAMILIES = (
    "Light Shading",
    "Light List",
    "Light Grid",
    "Medium Shading 1",
    "Medium Shading 2",
    "Medium List 1",
    "Medium List 2",
    "Medium Grid 1",
    "Medium Grid 2",
    "Medium Grid 3",
    "Dark List",
    "Colorful Shading",
    "Colorful List",
    "Colorful Grid",
)
_NOT_PARAGRAPH = {
    "Normal Table",
    "Table Grid",
    "No List",
    "Default Paragraph Font",
    "Strong",
    "Emphasis",
    "Subtle Emphasis",
    "Intense Emphasis",
    "Subtle Reference",
    "Intense Reference",
    "Book Title",
    *(
        f"{family}{accent}"
        for family in _TABLE_STYLE_FAMILIES
        for accent in ["", *(f" Accent {i}" for i in range(1, 7))]
    ),
}
_PARAGRAPH = (
    "Normal",
    "Header",
    "Footer",
    *(f"Heading {i}" for i in range(1, 10)),
    "No Spacing",
    "Title",
    "Subtitle",
    "List Paragraph",
    "Body Text",
    "Body Text 2",
    "Body Text 3",
    "List",
    "List 2",
    "List 3",
    "List Bullet",
    "List Bullet 2",
    "List Bullet 3",
    "List Number",
    "List Number 2",
    "List Number 3",
    "List Continue",
    "List Continue 2",
    "List Continue 3",
    "Quote",
    "Caption",
    "Intense Quote",
    "TOC Heading",
)


def _style_id(name: str) -> str:
    return name.replace(" ", "").lower()


_NOT_PARAGRAPH_IDS = {_style_id(n) for n in _NOT_PARAGRAPH}
_PARAGRAPH_IDS = {_style_id(n): n for n in _PARAGRAPH}


def _word_style(w: Walker, node: Node, path: str) -> str | None:
    value = _short_text(w, node, path, (1, 100))
    if value is None:
        return None
    sid = _style_id(value)
    if sid in _NOT_PARAGRAPH_IDS or sid.endswith("char"):
        w.problem(node, path, f"「{value}」は Word の段落スタイルではありません（表や文字のスタイルです）。")
        return None
    known = _PARAGRAPH_IDS.get(sid)
    if known is not None and known != value:
        w.problem(node, path, f"Word の組み込みスタイルは「{known}」と書いてください。")
        return None
    return value


def _word_styles(w: Walker, keys: dict[str, Node], roles: dict[str, Role]) -> None:
    """Two roles cannot share a Word style: one role's look would replace the other's in Word."""
    first: dict[str, str] = {}
    for name, role in roles.items():
        sid = _style_id(role.word_style)
        if sid in first:
            role_keys = keys[name]
            where = role_keys
            if isinstance(role_keys, MappingNode):
                where = next(
                    (v for k, v in role_keys.value if getattr(k, "value", None) == "word_style"), role_keys
                )
            w.problem(
                where,
                f"roles.{name}.word_style",
                f"Word スタイル「{role.word_style}」は roles.{first[sid]} と同じです。"
                "役割ごとに別の名前にしてください。",
            )
        else:
            first[sid] = name


def _color(w: Walker, node: Node, path: str) -> str | None:
    """A colour ``RRGGBB`` (``#RRGGBB`` also), kept without ``#`` as the writers use it.

    An unquoted colour of digits (``000000``) is read as YAML wrote it, not as a number.
    """
    written = str(node.value).strip() if isinstance(node, ScalarNode) else None
    if written is None or not _COLOR.fullmatch(written):
        shown = f"「{written[:30]}」" if written is not None else "マッピングかリスト"
        w.problem(
            node,
            path,
            f'色は 16 進 6 桁の "#RRGGBB" で書いてください（例: "#D9D9D9"）。書かれているのは{shown}です。',
        )
        return None
    return written.lstrip("#")


def _table(w: Walker, node: Node) -> TableLook | None:
    keys = w.mapping(node, "table", TABLE_KEYS, TABLE_KEYS)
    if keys is None:
        return None
    grid = _number(w, keys, "grid", "table", TABLE_GRID_PT, "pt")
    header = _color(w, keys["header_fill"], "table.header_fill") if "header_fill" in keys else None
    total = _color(w, keys["total_fill"], "table.total_fill") if "total_fill" in keys else None
    padding = _number(w, keys, "padding", "table", TABLE_PADDING_MM, "mm")
    width = _number(w, keys, "width", "table", TABLE_WIDTH, "（文字幅に対する割合）")
    if grid is None or header is None or total is None or padding is None or width is None:
        return None
    return TableLook(grid, header, total, padding, width)


def _chart(w: Walker, node: Node, fonts: dict[str, FontSpec] | None) -> ChartLook | None:
    keys = w.mapping(node, "chart", CHART_KEYS, CHART_KEYS)
    if keys is None:
        return None
    width = _number(w, keys, "width", "chart", CHART_WIDTH_MM, "mm")
    height = _number(w, keys, "height", "chart", CHART_HEIGHT_MM, "mm")
    hole = _number(w, keys, "hole", "chart", CHART_HOLE, "（半径に対する割合）")
    dpi = None
    if "dpi" in keys:
        dpi = w.integer(keys["dpi"], "chart.dpi", "240")
        if dpi is not None and not CHART_DPI[0] <= dpi <= CHART_DPI[1]:
            w.problem(keys["dpi"], "chart.dpi", f"{dpi} は範囲外です（{CHART_DPI[0]}〜{CHART_DPI[1]} dpi）。")
            dpi = None
    label_font = _font_key(w, keys, "chart", fonts)
    label_size = _number(w, keys, "label_size", "chart", FONT_SIZE_PT, "pt")
    colors = _colors(w, keys["colors"]) if "colors" in keys else None
    if (
        width is None
        or height is None
        or hole is None
        or dpi is None
        or label_font is None
        or label_size is None
        or colors is None
    ):
        return None
    return ChartLook(width, height, hole, dpi, label_font, label_size, colors)


def _colors(w: Walker, node: Node) -> tuple[str, ...] | None:
    items = w.sequence(node, "chart.colors", "色")
    if items is None:
        return None
    low, high = CHART_COLORS
    if not low <= len(items) <= high:
        w.problem(
            node,
            "chart.colors",
            f"色を {low}〜{high} 個書いてください（{len(items)} 個あります）。"
            f"進捗区分が色より多いときは、最初の色から順に使い回します。",
        )
        return None
    colors: list[str] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items, start=1):
        color = _color(w, item, f"chart.colors[{i}]")
        if color is None:
            return None
        if color.upper() in seen:
            w.problem(
                item,
                f"chart.colors[{i}]",
                f"{seen[color.upper()]}番目と同じ色です。区分の見分けがつきません。",
            )
            return None
        seen[color.upper()] = i
        colors.append(color)
    return tuple(colors)


def _value_node(keys: dict[str, Node], *path: str) -> Node | None:
    """The node at ``path`` below ``keys`` (mapping keys only), if there is one."""
    node = keys.get(path[0])
    for key in path[1:]:
        if not isinstance(node, MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == key), None)
    return node


def _relations(w: Walker, sheet: StyleSheet, top: dict[str, Node], page: _Page) -> None:
    """What the values must satisfy together for the writers to lay out a page."""
    mm_per_pt = 25.4 / 72
    short, long = sheet.page_size
    m = sheet.margins
    width = short - m["left"] - m["right"]
    height = short - m["top"] - m["bottom"]  # the landscape list's text height
    margins = _value_node(top, "page", "margins") or top["page"]
    if width < MIN_TEXT_MM:
        w.problem(
            margins,
            "page.margins",
            f"左右の余白が大きすぎます。文字の幅が {_plain(round(width, 1))} mm しか残りません"
            f"（{_plain(MIN_TEXT_MM)} mm 以上必要です）。",
        )
    if height < MIN_TEXT_MM:
        w.problem(
            margins,
            "page.margins",
            "上下の余白が大きすぎます。"
            f"横向きのページで文字の高さが {_plain(round(height, 1))} mm しか残りません"
            f"（{_plain(MIN_TEXT_MM)} mm 以上必要です）。",
        )
    footer = sheet.roles["footer"]
    lowest = round(footer.size * 0.1 + 0.05, 1)  # the DOCX footer's distance is this much lower
    if m["bottom"] < lowest:
        w.problem(
            _value_node(top, "page", "margins") or top["page"],
            "page.margins.bottom",
            f"下の余白 {_plain(m['bottom'])} mm にはページ番号（{_plain(footer.size)} pt）が入りません"
            f"（{_plain(lowest)} mm 以上にしてください）。",
        )
    elif not lowest <= page.footer_distance <= m["bottom"]:
        w.problem(
            page.footer_node,
            "page.footer_distance",
            f"ページ番号の位置は {_plain(lowest)}〜{_plain(m['bottom'])} mm（下の余白の中）にしてください。",
        )
    text_height = min(height, long - m["top"] - m["bottom"])
    for name, role in sheet.roles.items():
        if role.leading * mm_per_pt > text_height / 2:
            w.problem(
                _value_node(top, "roles", name) or top["roles"],
                f"roles.{name}",
                f"1行の高さ（{_plain(role.size)} pt × {_plain(role.line)}）が"
                "ページの文字の高さの半分を超えます。",
            )
        if role.indent > width / 2:
            w.problem(
                _value_node(top, "roles", name, "indent") or top["roles"],
                f"roles.{name}.indent",
                f"字下げ（{_plain(role.indent)} mm）が"
                f"文字の幅（{_plain(round(width, 1))} mm）の半分を超えます。",
            )
    chart = sheet.chart
    if chart.width > width:
        w.problem(
            _value_node(top, "chart", "width") or top["chart"],
            "chart.width",
            f"図の幅 {_plain(chart.width)} mm が文字の幅 {_plain(round(width, 1))} mm を超えます。",
        )
    if chart.height > height:
        w.problem(
            _value_node(top, "chart", "height") or top["chart"],
            "chart.height",
            f"図の高さ {_plain(chart.height)} mm が文字の高さ {_plain(round(height, 1))} mm を超えます。",
        )
    radius = chart.height / mm_per_pt / 2 - chart.label_size * 1.6
    if radius < MIN_CHART_RADIUS_PT:
        w.problem(
            _value_node(top, "chart", "label_size") or top["chart"],
            "chart.label_size",
            f"図の高さ {_plain(chart.height)} mm に対して"
            f"ラベルの文字（{_plain(chart.label_size)} pt）が大きすぎます。",
        )
    pixels = round(chart.width / 25.4 * chart.dpi) * round(chart.height / 25.4 * chart.dpi)
    if pixels > MAX_CHART_PIXELS:
        w.problem(
            _value_node(top, "chart", "dpi") or top["chart"],
            "chart.dpi",
            f"図の画像が大きすぎます（{pixels:,} 画素、上限 {MAX_CHART_PIXELS:,}）。"
            "dpi か図の大きさを小さくしてください。",
        )
