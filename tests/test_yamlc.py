"""The C (libyaml) loader is used only where it gives what the pure-Python loader gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline import yamlc

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [*sorted((ROOT / "inputs").glob("*.yaml")), *sorted((ROOT / "tests" / "plans").glob("*.yaml"))]


def _nodes(node: yaml.Node):
    """Every node's kind, tag, marks and scalar value, in document order."""
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
    assert yamlc.depth(yaml.compose(text, Loader=yaml.SafeLoader)) <= yamlc.depth_bound(text)
