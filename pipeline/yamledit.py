"""An input's YAML text edited in place through ruamel.yaml's round trip, for ``import`` (Excel)
and ``apply`` (review): comments, key order, quoting, block scalars and the file's own
indentation stay as written; only the values set change."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.util import load_yaml_guess_indent

from .load import ACTIVITY_KEYS

# where a key added to an activity goes: the loader's keys, in INPUT_FORMAT.md's order
ACTIVITY_ORDER = ACTIVITY_KEYS


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


def rebased_previous(doc: Any, source: Path, target: Path) -> str | None:
    """Set ``report.previous`` of ``doc`` (an input read from ``source``, to be written at
    ``target`` in another folder) to name the same file from ``target``'s folder; the new
    value, or ``None`` when nothing changes (same folder, no or an absolute ``previous``)."""
    here, there = source.resolve().parent, target.resolve().parent
    report = doc.get("report") if isinstance(doc, CommentedMap) else None
    previous = report.get("previous") if isinstance(report, CommentedMap) else None
    if here == there or not isinstance(previous, str) or os.path.isabs(previous):
        return None
    moved = Path(os.path.relpath(here / previous, there)).as_posix()
    if moved == previous:
        return None
    assert isinstance(report, CommentedMap)
    report["previous"] = type(previous)(moved)  # quoted as it was (ruamel's str subclasses)
    return moved


def moved_text(text: str, source: Path, target: Path) -> tuple[str, str | None]:
    """``text`` (read from ``source``) as written at ``target``: ``rebased_previous`` applied."""
    if source.resolve().parent == target.resolve().parent:
        return text, None
    yaml, doc = round_trip(text)
    moved = rebased_previous(doc, source, target)
    if moved is None:
        return text, None
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue(), moved
