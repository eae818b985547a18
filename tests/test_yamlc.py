"""The C (libyaml) loader is used only where it gives what the pure-Python loader gives."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pipeline import yamlc

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [*sorted((ROOT / "inputs").glob("*.yaml")), *sorted((ROOT / "tests" / "plans").glob("*.yaml"))]


def _nodes(node: yaml.Node | None) -> Iterator[object]:
    """Every node's kind, tag, marks and scalar value, in document order."""
    assert node is not None
    yield type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column, node.end_mark.line
    if isinstance(node, yaml.ScalarNode):
        yield node.value
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _nodes(child)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _nodes(key)
            yield from _nodes(value)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_same_nodes_and_marks_as_the_python_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert list(_nodes(yamlc.compose(text))) == list(_nodes(yaml.compose(text, Loader=yaml.SafeLoader)))


def test_syntax_error_worded_by_the_python_loader() -> None:
    text = "plan:\n  title: a\n title: b\n"
    with pytest.raises(yaml.YAMLError) as python:
        yaml.compose(text, Loader=yaml.SafeLoader)
    with pytest.raises(yaml.YAMLError) as ours:
        yamlc.compose(text)
    assert str(ours.value) == str(python.value)


def test_deep_nesting_never_reaches_the_c_composer() -> None:
    text = "[" * 5000 + "]" * 5000
    assert yamlc.depth_bound(text) > yamlc.C_MAX_DEPTH
    compact = "- " * 600 + "x"
    assert yamlc.depth_bound(compact) > 600
    with pytest.raises(RecursionError):
        yamlc.compose(text)


def test_depth_bound_holds_for_block_nesting() -> None:
    text = "a:\n  b:\n    - - c: 1\n      - d\n"
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert root is not None
    assert yamlc.depth(root) <= yamlc.depth_bound(text)


LAZY_CHECK = """
import re, sys
import pipeline.load, pipeline.render.pdf  # as the command imports them: before yaml and reportlab
import yaml.reader
from reportlab.platypus import paragraph
from pipeline import lazyre

for owner, name in ((yaml.reader.Reader, "NON_PRINTABLE"), (paragraph, "uri_pat")):
    lazy = getattr(owner, name)
    assert isinstance(lazy, lazyre.LazyPattern), name
    pattern, flags = lazy._args
    real = re.compile(pattern, flags)
    for text in ["abc", "a\\x07b", "\\ufeff", "https://example.jp/a/b", "http://192.168.0.1:8080/x?y", "a://b"]:
        ours, theirs = lazy.search(text), real.search(text)
        assert (ours and (ours.span(), ours.groups())) == (theirs and (theirs.span(), theirs.groups())), text
try:
    yaml.safe_load("a: \\x07")
except yaml.reader.ReaderError as err:
    print("refused", err.character == 7)
"""


def test_unused_library_patterns_are_compiled_only_when_used() -> None:
    """``lazyre``: PyYAML's and reportlab's big patterns wait for a use, then match as compiled."""
    done = subprocess.run([sys.executable, "-c", LAZY_CHECK], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["refused", "True"]  # the pure-Python reader still refuses it


LIMITS = yamlc.Limits(nodes=50, keys=3, items=40, chars=10, counted="activities", counted_max=4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [1, {b: 'xxxxxxxxxxx'}]\n", ("chars", 0, 11, "a[2].b", 11)),
        ("a: {k1: 1, k2: 2, k3: 3, k4: 4}\n", ("keys", 0, 25, "a", 3)),
        ("x: {activities: [1, 2, 3]}\ny: {activities: [4, 5]}\n", ("counted", 1, 20, "y.activities[2]", 4)),
        ("- [" + ", ".join(["1"] * 60) + "]\n", ("items", 0, 3 + 3 * 40, "[1][41]", 40)),
        (
            "- [" + ", ".join(["1"] * 30) + "]\n- [" + ", ".join(["1"] * 30) + "]\n",
            ("nodes", 1, 3 + 3 * 17, "[2][18]", 50),
        ),
        ("? [a, b]\n: 'xxxxxxxxxxx'\n", ("chars", 1, 2, "?", 11)),
    ],
    ids=["chars", "keys", "counted", "items", "nodes", "complex-key"],
)
def test_prescan_finds_the_first_place_past_a_limit(text: str, expected: tuple[object, ...]) -> None:
    found = yamlc.prescan(text, LIMITS)
    assert found is not None
    assert (found.kind, found.line, found.column, found.path, found.size) == expected


@pytest.mark.parametrize("text", ["a: [1, 2]\nb: {c: d}\n", "a: [\n", "a: *nothing\n"])
def test_prescan_passes_small_and_invalid_files(text: str) -> None:
    """Within the limits, or not YAML at all (composing then says why): nothing found."""
    assert yamlc.prescan(text, LIMITS) is None


def test_scan_says_whether_every_node_was_counted() -> None:
    """``load`` skips counting the expanded nodes of a file scanned to its end without anchors."""
    assert yamlc.scan("a: [1, 2]\n", LIMITS) == (None, yamlc.C_LOADER is not None)
    assert yamlc.scan("a: [1, 2\n", LIMITS) == (None, False)  # invalid: composing it says why
    excess, counted = yamlc.scan("a: [" + ", ".join(["1"] * 10_000) + "]\n", LIMITS)
    assert excess is not None and not counted
