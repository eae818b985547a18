"""YAML read with libyaml (PyYAML's C loader) where that is safe, else with the pure-Python loader.

The C loader gives the same nodes, with the same line and column marks, 5–15 times faster. Two
things differ, and both fall back to the pure-Python loader so that users see what they saw:
its wording of syntax errors (a file the C loader refuses is read again in Python, which words
the error), and very deep nesting (its composer recurses in C and would crash the process
instead of raising ``RecursionError``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lazyre import YAML_NON_PRINTABLE, deferred

# The one import of PyYAML (``lazyre``: its unused pattern for unprintable characters is not
# compiled at start); the other modules take its names from here.
with deferred(YAML_NON_PRINTABLE):
    import yaml
    from yaml.constructor import SafeConstructor as SafeConstructor
    from yaml.error import MarkedYAMLError as MarkedYAMLError
    from yaml.error import YAMLError as YAMLError
    from yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        Event,
        MappingStartEvent,
        ScalarEvent,
        SequenceStartEvent,
    )
    from yaml.nodes import MappingNode as MappingNode
    from yaml.nodes import Node as Node
    from yaml.nodes import ScalarNode as ScalarNode
    from yaml.nodes import SequenceNode as SequenceNode
    from yaml.reader import ReaderError as ReaderError

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


@dataclass(frozen=True)
class Limits:
    """Sizes past which a file is refused before its node tree is built."""

    nodes: int  # nodes in the file (an alias counts once)
    keys: int  # keys of one mapping
    items: int  # items of one list
    chars: int  # characters of one scalar
    counted: str  # a key whose lists' items are counted over the whole file …
    counted_max: int  # … up to this many


@dataclass(frozen=True)
class Excess:
    """The first place where a file passes one of its ``Limits``."""

    kind: str  # "nodes", "keys", "items", "chars" or "counted"
    line: int  # 0-based, as the parser's marks
    column: int
    path: str  # perspectives[1].businesses[2].activities (items counted from 1)
    size: int  # what was found there (characters of the scalar; otherwise the limit passed)


class _Frame:
    """An open collection while the events are read."""

    __slots__ = ("mapping", "n", "key", "counted")

    def __init__(self, mapping: bool, counted: bool) -> None:
        self.mapping = mapping
        self.n = 0  # children seen (a mapping's keys and values both)
        self.key = "?"  # the mapping's current key
        self.counted = counted


def _path(stack: list[_Frame]) -> str:
    """The path of the node being read (each frame's current child)."""
    out = ""
    for frame in stack:
        if frame.mapping:
            out = f"{out}.{frame.key}" if out else frame.key
        else:
            out = f"{out}[{frame.n}]"
    return out


def prescan(text: str, limits: Limits) -> Excess | None:
    """The first place ``text`` passes ``limits``, read from libyaml's events without a tree.

    Building the tree of a huge file takes seconds and gigabytes before anything can be said
    (a million keys: 10 s, 830 MB); the events of one are read at C speed and the reading
    stops where a limit is passed. ``None`` when no limit is passed, when libyaml is missing
    or when the file is not valid YAML (composing it then says why).
    """
    return scan(text, limits)[0]


def scan(text: str, limits: Limits) -> tuple[Excess | None, bool]:
    """``prescan``, and whether every event was read and counted (no limit passed, valid YAML):
    then the file has at most ``limits.nodes`` nodes, aliases counted once."""
    if C_LOADER is None:
        return None, False
    parser = C_LOADER(text)
    stack: list[_Frame] = []
    nodes = counted = 0
    try:
        while True:
            event: Event = parser.get_event()
            if event is None:
                return None, True
            if isinstance(event, CollectionEndEvent):
                stack.pop()
                continue
            if not isinstance(event, (ScalarEvent, AliasEvent, MappingStartEvent, SequenceStartEvent)):
                continue
            mark = event.start_mark
            line, column = (mark.line, mark.column) if mark is not None else (0, 0)
            parent = stack[-1] if stack else None
            is_key = False
            if parent is not None:
                parent.n += 1
                if parent.mapping:
                    is_key = parent.n % 2 == 1
                    if is_key:
                        if parent.n // 2 + 1 > limits.keys:
                            return Excess("keys", line, column, _path(stack[:-1]), limits.keys), False
                        parent.key = event.value if isinstance(event, ScalarEvent) else "?"
                else:
                    if parent.counted:
                        counted += 1
                        if counted > limits.counted_max:
                            return Excess("counted", line, column, _path(stack), limits.counted_max), False
                    if parent.n > limits.items:
                        return Excess("items", line, column, _path(stack), limits.items), False
            nodes += 1
            if nodes > limits.nodes:
                return Excess("nodes", line, column, _path(stack), limits.nodes), False
            if isinstance(event, ScalarEvent):
                if len(event.value) > limits.chars:
                    return Excess("chars", line, column, _path(stack), len(event.value)), False
            elif isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                mapping = isinstance(event, MappingStartEvent)
                listed = not mapping and parent is not None and parent.mapping and not is_key
                stack.append(_Frame(mapping, listed and parent is not None and parent.key == limits.counted))
    except YAMLError:
        return None, False
    finally:
        parser.dispose()
