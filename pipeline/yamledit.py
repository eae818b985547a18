"""An input's YAML text edited in place through ruamel.yaml's round trip, for ``import`` (Excel)
and ``apply`` (review): comments, key order, quoting, block scalars and the file's own
indentation stay as written; only the values set change."""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.util import load_yaml_guess_indent

# where a key added to an activity goes: the order of INPUT_FORMAT.md's examples
ACTIVITY_ORDER = (
    "name",
    "id",
    "status",
    "department",
    "plan",
    "results",
    "next",
    "reason",
    "effect",
    "indicators",
)


def round_trip(text: str) -> tuple[YAML, Any]:
    """A round-trip reader/writer set to the text's own indentation, and the document read."""
    _, sequence, offset = load_yaml_guess_indent(text)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 100_000  # never fold a long line
    yaml.indent(mapping=mapping_indent(text), sequence=sequence or 2, offset=offset or 0)
    return yaml, yaml.load(text)


def mapping_indent(text: str) -> int:
    """How far a nested mapping's keys are indented (the first ``key:`` followed by ``sub:``)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for line, following in zip(lines, lines[1:]):
        key = re.fullmatch(r"( *)[^\s#-][^#]*:\s*", line)
        if key is None:
            continue
        inner = len(following) - len(following.lstrip(" "))
        if inner > len(key.group(1)) and not following.lstrip().startswith("- "):
            return inner - len(key.group(1))
    return 2


def insert_key(node: CommentedMap, key: str, value: Any, order: tuple[str, ...] = ACTIVITY_ORDER) -> None:
    """Add ``key`` to ``node`` where ``order`` puts it among the keys already there."""
    rank = order.index(key) if key in order else len(order)
    position = 0
    for i, existing in enumerate(node):
        if existing in order and order.index(existing) < rank:
            position = i + 1
    node.insert(position, key, value)
