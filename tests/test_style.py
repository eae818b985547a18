"""The style sheet (``style.py``) is user input too. Every malformed one is refused with located
Japanese messages (``file:line:column: key.path: 説明``) in a ``StyleError``, never a traceback,
and the command exits 2 without writing anything."""

from __future__ import annotations

import copy
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.style import STYLES_DIR, StyleError, load_style

from .conftest import build
from .test_properties import REPLACEMENTS, _Dumper, _get, _mutate, _paths, _text_mutation

DEFAULT = (STYLES_DIR / "default.yaml").read_text(encoding="utf-8")
SAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "hiratsuka-2022-h1.yaml"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def edited(old: str, new: str) -> str:
    assert old in DEFAULT, old
    return DEFAULT.replace(old, new, 1)


def refused(tmp_path: Path, text: str) -> str:
    source = tmp_path / "s.yaml"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(StyleError) as err:
        load_style(str(source))
    message = str(err.value)
    assert "Error" not in message and "Traceback" not in message, message  # no Python repr
    return message


BODY = "  body:         {font: mincho, size: 10.5, line: 1.5, after: 1.5, word_style: Normal}"
FOOTER = "  footer:       {font: mincho, size: 9, line: 1.2, align: center, word_style: Footer}\n"


def _colors_written() -> str:
    """The chart's colour list as the default style sheet writes it (``["…", …]``)."""
    found = re.search(r"colors: (\[.*\])", DEFAULT)
    assert found is not None
    return found.group(1)


COLORS = _colors_written()

# (case id, text replaced, replacement, the reported path, a needle on the reported line or None)
CASES = [
    ("colors-empty", COLORS, "[]", "chart.colors", "colors: []"),
    ("colors-too-few", COLORS, '["5B8BC9", "8CC47A"]', "chart.colors", "colors:"),
    ("colors-same", COLORS, COLORS.replace(COLORS[12:18], COLORS[2:8].lower()), "chart.colors[2]", "colors:"),
    ("colour-5-digits", 'header_fill: "D9D9D9"', 'header_fill: "#12345"', "table.header_fill", "header_fill"),
    ("colour-name", 'total_fill: "F2F2F2"', "total_fill: red", "table.total_fill", "total_fill"),
    ("colour-list", 'total_fill: "F2F2F2"', "total_fill: [1, 2]", "table.total_fill", "total_fill"),
    ("dpi-0", "dpi: 240", "dpi: 0", "chart.dpi", "dpi:"),
    ("dpi-huge", "dpi: 240", "dpi: 100000", "chart.dpi", "dpi:"),
    ("dpi-float", "dpi: 240", "dpi: 240.5", "chart.dpi", "dpi:"),
    ("dpi-yaml11", "dpi: 240", "dpi: 2_40", "chart.dpi", "dpi:"),
    ("chart-width-negative", "width: 150 ", "width: -150 ", "chart.width", "width: -150"),
    ("chart-wider-than-text", "width: 150 ", "width: 200 ", "chart.width", "width: 200"),
    ("chart-hole", "hole: 0.5", "hole: 1.5", "chart.hole", "hole:"),
    ("label-font", "label_font: gothic", "label_font: gothik", "chart.label_font", "label_font"),
    ("label-too-big", "label_size: 9", "label_size: 60", "chart.label_size", "label_size"),
    ("margin-negative", "left: 22,", "left: -3,", "page.margins.left", "margins:"),
    (
        "margins-list",
        "margins: {top: 20, bottom: 20, left: 22, right: 22}",
        "margins: [20, 20, 22, 22]",
        "page.margins",
        "margins:",
    ),
    (
        "margin-missing",
        "margins: {top: 20, bottom: 20, left: 22, right: 22}",
        "margins: {top: 20, bottom: 20, left: 22}",
        "page.margins.right",
        "margins:",
    ),
    ("page-size", "size: A4", "size: A5", "page.size", "size: A5"),
    (
        "footer-above-margin",
        "footer_distance: 10",
        "footer_distance: 50",
        "page.footer_distance",
        "footer_distance",
    ),
    (
        "page-number-index",
        'page_number: "- {page} -"',
        'page_number: "{0}"',
        "page.page_number",
        "page_number",
    ),
    (
        "page-number-twice",
        'page_number: "- {page} -"',
        'page_number: "{page}/{page}"',
        "page.page_number",
        "page_number",
    ),
    (
        "page-number-spec",
        'page_number: "- {page} -"',
        'page_number: "{page:03d}"',
        "page.page_number",
        "page_number",
    ),
    (
        "page-number-none",
        'page_number: "- {page} -"',
        'page_number: "page"',
        "page.page_number",
        "page_number",
    ),
    (
        "page-number-brace",
        'page_number: "- {page} -"',
        'page_number: "{page} }"',
        "page.page_number",
        "page_number",
    ),
    ("size-5000", BODY, BODY.replace("size: 10.5", "size: 5000"), "roles.body.size", "body:"),
    ("size-0", BODY, BODY.replace("size: 10.5", "size: 0"), "roles.body.size", "body:"),
    ("size-inf", BODY, BODY.replace("size: 10.5", "size: .inf"), "roles.body.size", "body:"),
    ("size-text", BODY, BODY.replace("size: 10.5", 'size: "10.5pt"'), "roles.body.size", "body:"),
    ("size-tag", BODY, BODY.replace("size: 10.5", 'size: !!float "x"'), "roles.body.size", "body:"),
    ("line-0", BODY, BODY.replace("line: 1.5", "line: 0"), "roles.body.line", "body:"),
    (
        "table-cell-size",
        "size: 9.5, line: 1.3, word_style: Table Text",
        "size: 40, line: 1.3, word_style: Table Text",
        "roles.table_cell.size",
        "table_cell:",
    ),
    ("role-is-list", BODY, "  body: [mincho, 10.5]", "roles.body", "body:"),
    ("role-missing", FOOTER, "", "roles.footer", None),
    (
        "role-unknown",
        FOOTER,
        FOOTER + "  sidebar:      {font: mincho, size: 9, word_style: Sidebar}\n",
        "roles.sidebar",
        "sidebar:",
    ),
    ("role-key-unknown", BODY, BODY.replace("after: 1.5", "aftr: 1.5"), "roles.body.aftr", "body:"),
    ("role-font-unknown", BODY, BODY.replace("font: mincho", "font: minch"), "roles.body.font", "body:"),
    ("role-align", BODY, BODY.replace("after: 1.5", "align: middle"), "roles.body.align", "body:"),
    (
        "hanging-over-indent",
        "indent: 9, hanging: 3.7",
        "indent: 2, hanging: 3.7",
        "roles.bullet.hanging",
        "bullet:",
    ),
    (
        "indent-negative",
        "indent: 9, hanging: 3.7",
        "indent: -9, hanging: 0",
        "roles.bullet.indent",
        "bullet:",
    ),
    (
        "word-style-table",
        "word_style: Caption",
        "word_style: Table Grid",
        "roles.caption.word_style",
        "caption:",
    ),
    ("word-style-case", "word_style: Caption", "word_style: caption", "roles.caption.word_style", "caption:"),
    ("word-style-shared", "word_style: Caption", "word_style: Title", "roles.caption.word_style", "caption:"),
    (
        "fonts-empty-files",
        "files: [BIZUDMincho-Regular.ttf, BIZ-UDMinchoM.ttc]",
        "files: []",
        "fonts.mincho.files",
        "files: []",
    ),
    (
        "fonts-otf",
        "files: [BIZUDMincho-Regular.ttf, BIZ-UDMinchoM.ttc]",
        "files: [BIZUDMincho.otf]",
        "fonts.mincho.files[1]",
        "BIZUDMincho.otf",
    ),
    (
        "fonts-no-package",
        "    package: fonts-morisawa-bizud-mincho\n",
        "",
        "fonts.mincho.package",
        "name: BIZ UD明朝",
    ),
    ("fonts-bold-text", "    bold: true", "    bold: sometimes", "fonts.gothic_bold.bold", "bold: sometimes"),
    ("bullet-empty", 'bullet_mark: "・"', 'bullet_mark: ""', "bullet_mark", "bullet_mark"),
    ("bullet-long", 'bullet_mark: "・"', 'bullet_mark: "・・・・・・"', "bullet_mark", "bullet_mark"),
    ("table-width", "width: 1.0 ", "width: 2 ", "table.width", "width: 2 "),
    ("top-unknown", "chart:\n", "chrt:\n", "chrt", "chrt:"),
    ("surrogate", 'bullet_mark: "・"', 'bullet_mark: "\\ud800"', "bullet_mark", "bullet_mark"),
]


@pytest.mark.parametrize(("old", "new", "path", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_style_sheet_is_refused_located(
    tmp_path: Path, old: str, new: str, path: str | None, needle: str | None
) -> None:
    text = edited(old, new)
    message = refused(tmp_path, text)
    assert message.startswith("スタイルシート ") and "に誤りがあります" in message, message
    located = re.findall(r"s\.yaml:(\d+):(\d+): ([^:]+): (.+)", message)
    assert located, message
    for _, _, _, explanation in located:
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", explanation), explanation  # said in Japanese
    if path is not None:
        lines = [int(line) for line, _, where, _ in located if where == path]
        assert lines, message
        if needle is not None:
            assert line_of(text, needle) in lines, message


def test_margins_that_eat_the_page(tmp_path: Path) -> None:
    """A 1 mm text width: each margin is in range, together they leave no room."""
    text = edited("size: A4", "size: B5").replace(
        "margins: {top: 20, bottom: 20, left: 22, right: 22}",
        "margins: {top: 20, bottom: 20, left: 90.5, right: 90.5}",
    )
    message = refused(tmp_path, text)
    assert f"s.yaml:{line_of(text, 'margins:')}:" in message
    assert "page.margins: 左右の余白が大きすぎます。文字の幅が 1 mm" in message


def test_chart_picture_bounded(tmp_path: Path) -> None:
    """dpi 100000 took 23.6 GB: the picture's pixels are bounded, whatever dpi and size give them."""
    text = edited("dpi: 240", "dpi: 600").replace("height: 62", "height: 100")
    message = refused(tmp_path, text)
    assert (
        f"s.yaml:{line_of(text, 'dpi: 600')}:" in message and "chart.dpi: 図の画像が大きすぎます" in message
    )
    source = tmp_path / "ok.yaml"
    source.write_text(edited("dpi: 240", "dpi: 600"), encoding="utf-8")
    assert load_style(str(source)).chart.dpi == 600


def test_every_problem_at_once(tmp_path: Path) -> None:
    text = edited("dpi: 240", "dpi: 0").replace(
        "size: 10.5, line: 1.5, after", "size: 0, line: 1.5, after", 1
    )
    message = refused(tmp_path, text.replace('bullet_mark: "・"', "bullet_mark: [1]"))
    assert "chart.dpi" in message and "roles.body.size" in message and "bullet_mark" in message
    assert "（3 件）" in message


def test_yaml_syntax_error_in_style_sheet(tmp_path: Path) -> None:
    text = edited("  footer_distance: 10", "\tfooter_distance: 10")
    message = refused(tmp_path, text)
    assert f"s.yaml:{line_of(text, 'footer_distance')}:" in message and "タブ文字" in message


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "page: 1\n"], ids=["empty", "list", "scalar-page"])
def test_not_a_style_sheet(tmp_path: Path, text: str) -> None:
    refused(tmp_path, text)


def test_folder_as_style_sheet(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").mkdir()
    with pytest.raises(StyleError) as err:
        load_style(str(tmp_path / "x.yaml"))
    assert "フォルダー" in str(err.value)


def test_colours_with_hash_or_unquoted_digits_are_read_as_written(tmp_path: Path) -> None:
    text = edited('header_fill: "D9D9D9"', 'header_fill: "#d9d9d9"').replace(
        'total_fill: "F2F2F2"', "total_fill: 000000"
    )
    source = tmp_path / "s.yaml"
    source.write_text(text, encoding="utf-8")
    style = load_style(str(source))
    assert (style.table.header_fill, style.table.total_fill) == ("d9d9d9", "000000")


def test_default_style_sheet_is_read_as_written() -> None:
    """The checked reading gives the values of the file (an independent YAML read of it)."""
    raw = yaml.safe_load(DEFAULT)
    style = load_style("default")
    assert style.margins == {k: float(v) for k, v in raw["page"]["margins"].items()}
    assert style.page_number == raw["page"]["page_number"]
    assert style.chart.colors == tuple(raw["chart"]["colors"])
    assert style.chart.dpi == raw["chart"]["dpi"]
    for name, role in raw["roles"].items():
        for key, value in role.items():
            assert getattr(style.roles[name], key) == value, (name, key)
    assert set(style.fonts) == set(raw["fonts"])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("dpi: 240", "dpi: 100000"),
        (BODY, BODY.replace("size: 10.5", "size: 5000")),
        (FOOTER, ""),
        ('page_number: "- {page} -"', 'page_number: "{0}"'),
    ],
    ids=["dpi", "size", "missing-role", "page-number"],
)
def test_build_and_check_refuse_a_bad_style_sheet(tmp_path: Path, old: str, new: str) -> None:
    style = tmp_path / "s.yaml"
    style.write_text(edited(old, new), encoding="utf-8")
    out = tmp_path / "out"
    code, output = build(["build", str(SAMPLE), "--style", str(style), "--out", str(out)])
    assert code == 2, output
    assert "Traceback" not in output and "Error" not in output, output
    assert re.search(r"エラー: スタイルシート .*s\.yaml に誤りがあります", output), output
    assert re.search(r"s\.yaml:\d+:\d+: ", output), output
    assert not out.exists()


def test_a_changed_but_valid_style_sheet_builds(tmp_path: Path) -> None:
    """Values inside the ranges are used: a B5 page with other margins and a smaller chart."""
    text = (
        edited("size: A4", "size: B5")
        .replace(
            "margins: {top: 20, bottom: 20, left: 22, right: 22}",
            "margins: {top: 15, bottom: 18, left: 15, right: 15}",
        )
        .replace("width: 150 ", "width: 120 ")
        .replace('header_fill: "D9D9D9"', 'header_fill: "#C0C0C0"')
    )
    style = tmp_path / "s.yaml"
    style.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code, output = build(
        ["build", str(SAMPLE), "--style", str(style), "--out", str(out), "--only", "summary"]
    )
    assert code == 0, output
    from pypdf import PdfReader

    box = PdfReader(out / "hiratsuka-2022-h1.pdf").pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (182, 257)


# --- any change anywhere in the style sheet: a style sheet or a located StyleError ----------------

DEFAULT_TREE = yaml.safe_load(DEFAULT)


@st.composite
def mutated_style_sheets(draw: st.DrawFn) -> str:
    tree = copy.deepcopy(DEFAULT_TREE)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(tree)
        path = paths[draw(st.integers(0, len(paths) - 1))]
        how = draw(st.sampled_from(["replace"] * 4 + ["other", "empty", "delete", "duplicate", "rename"]))
        other = _get(tree, paths[draw(st.integers(0, len(paths) - 1))])
        tree = _mutate(tree, path, how, draw(REPLACEMENTS), other)
    text = yaml.dump(tree, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    how = draw(st.sampled_from(["none", "none", "dup_line", "del_line", "indent_line", "raw:\x07", "raw:: "]))
    return text if how == "none" else _text_mutation(text, how, draw(st.integers(0, 10_000)))


STYLE_DIR = Path(tempfile.mkdtemp(prefix="gyokaku-styles-"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_style_sheets())
def test_mutated_style_sheets_load_or_are_refused_located(text: str) -> None:
    source = STYLE_DIR / "s.yaml"
    source.write_text(text, encoding="utf-8")
    try:
        load_style(str(source))
    except StyleError as err:
        message = str(err)
        message.encode("utf-8")
        assert err.problems and "Error" not in message, message
        for problem in err.problems:
            assert problem.loc.line > 0 or problem.message == "ファイルが空です。", message
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", problem.message), message


def test_printed_texts_are_located_for_the_font_check(tmp_path: Path) -> None:
    """The bullet mark and the page number are printed: the characters check can see them."""
    from pipeline.style import printed_texts

    text = edited('bullet_mark: "・"', 'bullet_mark: "✅"')
    source = tmp_path / "s.yaml"
    source.write_text(text, encoding="utf-8")
    found = {t.path: t for t in printed_texts(str(source))}
    assert set(found) == {"bullet_mark", "page.page_number"}
    assert found["bullet_mark"].value == "✅" and found["bullet_mark"].loc.line == line_of(
        text, "bullet_mark"
    )
    assert found["page.page_number"].value == "- {page} -"


def test_bottom_margin_too_small_for_the_page_number(tmp_path: Path) -> None:
    text = edited("bottom: 20,", "bottom: 0.5,").replace("footer_distance: 10", "footer_distance: 0.5")
    message = refused(tmp_path, text)
    assert f"s.yaml:{line_of(text, 'margins:')}:" in message
    assert "page.margins.bottom: 下の余白 0.5 mm にはページ番号（9 pt）が入りません" in message
