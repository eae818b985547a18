"""YAML read with libyaml (PyYAML's C loader) where that is safe, else with the pure-Python loader.

The C loader gives the same nodes, with the same line and column marks, 5–15 times faster. Two
things differ, and both fall back to the pure-Python loader so that users see what they saw:
its wording of syntax errors (a file the C loader refuses is read again in Python, which words
the error), and very deep nesting (its composer recurses in C and would crash the process
instead of raising ``RecursionError``).
"""

from __future__ import annotations

import re

from .lazyre import YAML_NON_PRINTABLE, deferred

# The one import of PyYAML (``lazyre``: its unused pattern for unprintable characters is not
# compiled at start); the other modules take its names from here.
with deferred(YAML_NON_PRINTABLE):
    import yaml
    from yaml.constructor import SafeConstructor as SafeConstructor
    from yaml.error import MarkedYAMLError as MarkedYAMLError
    from yaml.error import YAMLError as YAMLError
    from yaml.nodes import MappingNode, Node, SequenceNode
    from yaml.nodes import ScalarNode as ScalarNode

C_LOADER = getattr(yaml, "CSafeLoader", None)
C_MAX_DEPTH = 1000  # far below where the C composer's recursion overflows a 1 MB stack (Windows)
PYTHON_DEPTH = 100  # deeper trees are composed again in Python (its RecursionError, as before)


_PREFIX = re.compile(r"^[ ?:-]+", re.MULTILINE)  # indentation and block indicators opening a line


def depth_bound(text: str) -> int:
    """An upper bound of the nesting depth of ``text``, found without parsing it.

    Flow collections open with ``[`` or ``{``. A block collection starts a line, or follows
    its parent's indicators (``- ``, ``? ``, ``: ``) at the start of one, and every two levels
    of block nesting take at least one more column: twice the longest such prefix bounds them.
    """
    prefix = max((m.end() - m.start() for m in _PREFIX.finditer(text)), default=0)
    return text.count("[") + text.count("{") + 2 * (prefix + 1) + 1


def children(node: Node) -> list[Node]:
    """A node's direct children (a mapping's keys and values)."""
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def depth(root: Node) -> int:
    """The nesting depth of a node tree (without recursion)."""
    deepest = 0
    stack = [(root, 1)]
    seen: set[int] = set()
    while stack:
        node, level = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(node))
    return deepest


def compose(text: str) -> Node | None:
    """The node tree of ``text``, as ``yaml.compose(text, Loader=yaml.SafeLoader)`` gives it."""
    bound = depth_bound(text)
    if C_LOADER is not None and bound <= C_MAX_DEPTH:
        try:
            root = yaml.compose(text, Loader=C_LOADER)
        except yaml.YAMLError:
            root = None  # refused: the pure-Python loader says why, in its words
        else:
            if root is None or bound <= PYTHON_DEPTH or depth(root) <= PYTHON_DEPTH:
                return root
    return yaml.compose(text, Loader=yaml.SafeLoader)


def safe_load(text: str) -> object:
    """``yaml.safe_load(text)``, with the C loader where it is safe."""
    if C_LOADER is not None and depth_bound(text) <= C_MAX_DEPTH:
        try:
            return yaml.load(text, Loader=C_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)
