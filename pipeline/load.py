"""Stage 1, load: an input file (YAML) → a validated ``ReportInput``.

The YAML is composed into nodes (which keep line and column) and walked against the input
format; every problem is collected with its place, so that a user sees them all at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import math
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from . import yamlc
from .aggregate import match_activities
from .model import (
    DEFAULT_STATUSES,
    EFFECT_KINDS,
    MONEY_UNITS,
    ROUNDINGS,
    TERMS,
    YEAR_STYLES,
    Activity,
    Business,
    Effect,
    Indicator,
    Loc,
    Perspective,
    Plan,
    Problem,
    Report,
    ReportInput,
    Status,
    Text,
    printable,
)
from .yamlc import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["InputError", "Problem", "Walker", "load", "printable", "read_text", "read_tree"]

# Limits: an input past one is refused at once, with its place, before anything is built.
# A department's longest text is about 1,000–5,000 characters and a large plan has a few
# thousand activities; past these, building took minutes (a 10 MB bullet was still being laid
# out after 600 s; 100,000 activities took 165 s) and reading gigabytes (a million keys).
MAX_FILE_BYTES = 32 * 1024 * 1024  # the file (a plan of 20,000 long activities is ~20 MB)
MAX_TEXT_CHARS = 20_000  # characters of one text (any scalar of the file)
MAX_LINE_CHARS = 200  # … of a one-line text: a name, a title, a department (a table cell)
MAX_STATUS_CHARS = 30  # … of a status's name: a column heading of the count table
MAX_ACTIVITIES = 20_000  # activities of the whole file
MAX_KEYS = 100  # keys of one mapping (the format's largest has 8)
MAX_ITEMS = 20_000  # items of one list (no list of the format needs more than the activities)
MAX_STATUSES = 20  # a column each in the count table: 20 still fit an A4 page (5 are usual)
MAX_NODES = 1_000_000  # values of the file, aliases expanded (20,000 activities: ~340,000)
MAX_PROBLEMS = 30  # problems listed; counting goes on for as many again …
MAX_MORE_PROBLEMS = MAX_PROBLEMS  # … then the check stops ("at least N more")
FIRST_YEAR, LAST_YEAR = 1989, 2100  # fiscal years: 平成 on; a DOCX's ZIP dates end in 2107
FORMAT_VERSION = 1

LIMITS = yamlc.Limits(MAX_NODES, MAX_KEYS, MAX_ITEMS, MAX_TEXT_CHARS, "activities", MAX_ACTIVITIES)
# Files larger than this are scanned for the limits before their tree is built (0.6 s for
# 20 MB); a smaller one is built in milliseconds and the walk checks the same limits.
PRESCAN_CHARS = 256 * 1024
# at most this many nodes a character: YAML's densest forms (``?`` lines, ``{a,a,…}``) make one
NODES_PER_CHAR = 2

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_TYPE_NAMES = {
    _STR: "文字列",
    _INT: "整数",
    _BOOL: "真偽値（true/false）",
    _NULL: "空の値",
    _FLOAT: "小数",
    _TIMESTAMP: "日付",
}


class InputError(Exception):
    """An input refused, with every problem found (up to ``MAX_PROBLEMS``)."""

    def __init__(self, problems: list[Problem], more: int = 0) -> None:
        self.problems = sorted(problems, key=lambda p: (p.loc.file, p.loc.line, p.loc.column))
        self.more = more
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """The messages, one a line, ready to print."""
        out = [str(p) for p in self.problems]
        if self.more >= MAX_MORE_PROBLEMS:
            out.append(f"（ほかに少なくとも {self.more} 件の問題があります。そこで検査を止めました）")
        elif self.more:
            out.append(f"（ほかに {self.more} 件の問題があります）")
        return out


class _Stop(Exception):
    """Raised by a walker that has found so many problems that it stops looking."""


T = TypeVar("T")


@dataclass
class Walker:
    """Walks a YAML node tree against a schema, collecting located problems and text values.

    The style sheet is checked with it too (``style.py``).
    """

    file: str
    problems: list[Problem] = field(default_factory=list)
    more: int = 0
    texts: list[Text] = field(default_factory=list)
    lines: dict[str, str] = field(default_factory=dict)
    activities: int = 0
    ids: dict[str, str] = field(default_factory=dict)  # activity ids seen, with the first one's path

    def kept(self, value: str, multiline: bool) -> str:
        """``value`` as the model keeps it: a copy, not the composer's string; one-line values once.

        The composer's strings lie among the YAML nodes, and Python's allocator returns memory
        only when a whole arena is free: a model holding them kept most of the node tree's
        memory after loading (~90 MB at 15,000 activities, and in a forked child too).
        Repeated one-line values (statuses, departments) share one string.
        """
        if not multiline and value in self.lines:
            return self.lines[value]
        copy = value.encode("utf-8").decode("utf-8")
        if not multiline:
            self.lines[copy] = copy
        return copy

    def loc(self, node: Node) -> Loc:
        return Loc(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    @property
    def full(self) -> bool:
        """No more problems are listed (only counted)."""
        return len(self.problems) >= MAX_PROBLEMS

    def problem(self, node: Node | None, path: str, message: str) -> None:
        """Record a problem; past ``MAX_PROBLEMS`` count it, and stop the walk after as many again."""
        loc = self.loc(node) if node is not None else Loc(self.file, 0, 0)
        if self.full:
            self.more += 1
            if self.more >= MAX_MORE_PROBLEMS:
                raise _Stop
            return
        self.problems.append(Problem(loc, path, message))

    def run(self, read: Callable[[Walker, Node], T | None], root: Node) -> T | None:
        """``read(self, root)``, ended early when there are too many problems."""
        try:
            return read(self, root)
        except _Stop:
            return None

    # --- containers -----------------------------------------------------------------------

    def mapping(
        self, node: Node, path: str, known: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, Node] | None:
        """The keys of a mapping node; reports unknown, duplicate and missing keys."""
        if not isinstance(node, MappingNode) or node.tag != _MAP:
            self.problem(node, path, f"キーと値の組（マッピング）が必要です。{_found(node)}")
            return None
        if len(node.value) > MAX_KEYS:
            self.problem(node.value[MAX_KEYS][0], path, _too_many_keys())
            return None
        out: dict[str, Node] = {}
        suggested: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            sub = _join(path, str(key))
            if key_node.tag == _MERGE:
                self.problem(
                    key_node, path, "「<<」（別の項目の取り込み）は使えません。項目をそのまま書いてください。"
                )
            elif not isinstance(key, str) or key_node.tag != _STR:
                self.problem(key_node, path, f"キーは文字列で書いてください。{_found(key_node)}")
            elif key in out:
                self.problem(key_node, sub, "同じキーが2回書かれています。")
            elif key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
                suggested.update(close)
                self.problem(key_node, sub, _unknown_key(key, known, close))
            else:
                out[key] = value_node
        for key in required:
            if (
                key not in out
                and key not in suggested
                and not any(isinstance(k, ScalarNode) and k.value == key for k, _ in node.value)
            ):
                self.problem(node, _join(path, key), f"必須の項目「{key}」がありません。")
        return out

    def entries(self, node: Node, path: str, what: str) -> list[tuple[str, Node, Node]] | None:
        """The entries of a mapping whose keys are names chosen by the user (key, key node, value)."""
        if not isinstance(node, MappingNode) or node.tag != _MAP:
            self.problem(node, path, f"{what}のマッピング（「名前: 内容」）が必要です。{_found(node)}")
            return None
        if len(node.value) > MAX_KEYS:
            self.problem(node.value[MAX_KEYS][0], path, _too_many_keys())
            return None
        out: list[tuple[str, Node, Node]] = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str) or key_node.tag != _STR or not key.strip():
                self.problem(key_node, path, f"名前は文字列で書いてください。{_found(key_node)}")
            elif key in seen:
                self.problem(key_node, _join(path, key), "同じ名前が2回書かれています。")
            else:
                seen.add(key)
                out.append((key, key_node, value_node))
        if not out and not node.value:
            self.problem(node, path, f"{what}を1つ以上書いてください（空です）。")
        return out

    def sequence(self, node: Node, path: str, what: str) -> list[Node] | None:
        """The items of a non-empty sequence node."""
        if not isinstance(node, SequenceNode) or node.tag != _SEQ:
            self.problem(node, path, f"{what}のリスト（「- 」で始まる行）が必要です。{_found(node)}")
            return None
        if not node.value:
            self.problem(node, path, f"{what}を1つ以上書いてください（空のリストです）。")
            return None
        if len(node.value) > MAX_ITEMS:
            self.problem(node.value[MAX_ITEMS], f"{path}[{MAX_ITEMS + 1}]", _too_many_items())
            return None
        return list(node.value)

    # --- scalars ------------------------------------------------------------------------

    def scalar(self, node: Node, path: str, tag: str, expected: str) -> ScalarNode | None:
        """``node`` when it is a scalar of ``tag`` (implicit or written), else a problem."""
        if not isinstance(node, ScalarNode) or node.tag != tag:
            self.problem(node, path, f"{expected}が必要です。{_found(node)}")
            return None
        return node

    def text(self, node: Node, path: str, multiline: bool = False, longest: int | None = None) -> str | None:
        """A non-empty text value of at most ``longest`` characters (by default ``MAX_TEXT_CHARS``,
        ``MAX_LINE_CHARS`` for a one-line text); control characters and lone surrogates are refused."""
        scalar = self.scalar(node, path, _STR, "文字列")
        if scalar is None:
            return None
        value: str = scalar.value
        limit = longest or (MAX_TEXT_CHARS if multiline else MAX_LINE_CHARS)
        if len(value) > limit:
            self.problem(node, path, _too_long(len(value), limit))
            return None
        if not value.strip():
            self.problem(node, path, "空の文字列です。文字を書いてください。")
            return None
        bad = _control_char(value, multiline)
        if bad is not None:
            self.problem(
                node,
                path,
                f"印刷できない制御文字 U+{ord(bad):04X} が含まれています。"
                + ("" if multiline or bad != "\n" else "この項目は1行で書いてください。"),
            )
            return None
        surrogate = _SURROGATE.search(value)
        if surrogate is not None:
            self.problem(
                node,
                path,
                f"文字として使えない符号 U+{ord(surrogate.group()):04X}（対になっていないサロゲート）"
                "が含まれています。",
            )
            return None
        value = self.kept(value, multiline)
        self.texts.append(Text(value, path, self.loc(node)))
        return value

    def texts_list(self, node: Node, path: str, what: str) -> tuple[str, ...]:
        items = self.sequence(node, path, what)
        if items is None:
            return ()
        values = [self.text(item, f"{path}[{i}]", multiline=True) for i, item in _enum(items)]
        return tuple(v for v in values if v is not None)

    def integer(self, node: Node, path: str, example: str = "2022") -> int | None:
        """A whole number written in decimal digits (YAML 1.1's ``1_000``, ``0x1F``, ``1:00``… refused)."""
        scalar = self.scalar(node, path, _INT, f"整数（例: {example}）")
        if scalar is None:
            return None
        written = str(scalar.value).strip()
        if not _DECIMAL.fullmatch(written):
            self.problem(
                node,
                path,
                f"「{_shown(written)}」は整数として読めません。数字だけで書いてください（例: {example}）。",
            )
            return None
        return int(written)

    def number(self, node: Node, path: str, example: str) -> int | float | None:
        """A finite number in decimal notation (``10``, ``10.5``, ``1e2``); an integer stays one."""
        if not isinstance(node, ScalarNode) or node.tag not in (_INT, _FLOAT):
            self.problem(node, path, f"数値（例: {example}）が必要です。{_found(node)}")
            return None
        written = str(node.value).strip()
        if not (_DECIMAL.fullmatch(written) or _DECIMAL_FLOAT.fullmatch(written)):
            self.problem(
                node,
                path,
                f"「{_shown(written)}」は数値として読めません。"
                f"数字と小数点で書いてください（例: {example}）。",
            )
            return None
        if _DECIMAL.fullmatch(written):
            return int(written)
        value = float(written)
        if not math.isfinite(value):
            self.problem(node, path, f"「{_shown(written)}」は大きすぎて数値として扱えません。")
            return None
        return value

    def boolean(self, node: Node, path: str) -> bool:
        """true or false (YAML 1.1's yes/no/on/off too); ``False`` after a problem."""
        scalar = self.scalar(node, path, _BOOL, "true または false")
        if scalar is None:
            return False
        value = _BOOLEANS.get(str(scalar.value).lower())
        if value is None:
            self.problem(node, path, f"「{_shown(str(scalar.value))}」は true か false で書いてください。")
            return False
        return value

    def choice(self, node: Node, path: str, allowed: tuple[str, ...]) -> str | None:
        scalar = self.scalar(node, path, _STR, "文字列")
        if scalar is None:
            return None
        value = str(scalar.value)
        if value not in allowed:
            self.problem(node, path, f"「{_shown(value)}」は使えません。{_one_of(allowed)}")
            return None
        return value

    def date(self, node: Node, path: str) -> dt.date | None:
        """A calendar date (``2022-10-31``; a timestamp gives its date) from 1989 to 2107."""
        expected = "日付（例: 2022-10-31）"
        quoted = (
            isinstance(node, ScalarNode) and node.tag == _STR and _TIMESTAMP_RE.fullmatch(node.value.strip())
        )
        scalar = node if quoted else self.scalar(node, path, _TIMESTAMP, expected)
        if not isinstance(scalar, ScalarNode):
            return None
        written = str(scalar.value).strip()
        match = _TIMESTAMP_RE.fullmatch(written)
        day: dt.date | None = None
        if match is not None:
            try:
                year, month, mday, hour, minute, second = (
                    int(match.group(k) or 0) for k in ("year", "month", "day", "hour", "minute", "second")
                )
                moment = dt.datetime(year, month, mday, hour, minute, second)
                tz_hour, tz_minute = int(match.group("tz_hour") or 0), int(match.group("tz_minute") or 0)
                if tz_hour > 23 or tz_minute > 59:
                    raise ValueError("time zone")
                day = moment.date()
            except (ValueError, OverflowError):
                day = None
        if day is None:
            self.problem(node, path, f"「{_shown(written)}」は日付として正しくありません（例: 2022-10-31）。")
            return None
        if not dt.date(FIRST_YEAR, 1, 1) <= day <= dt.date(2107, 12, 31):
            self.problem(node, path, f"日付 {day.isoformat()} は扱えません（{FIRST_YEAR}年から2107年まで）。")
            return None
        return day


# --- helpers -----------------------------------------------------------------------------


MAX_DIGITS = 18  # of a whole number: past this, not a count or an amount a report prints
_DECIMAL = re.compile(rf"[-+]?[0-9]{{1,{MAX_DIGITS}}}")
_DECIMAL_FLOAT = re.compile(
    rf"[-+]?(?:[0-9]{{1,{MAX_DIGITS}}}(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{{1,3}})?"
)
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}
_TIMESTAMP_RE = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
    r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+](?P<tz_hour>[0-9]{1,2})(?::(?P<tz_minute>[0-9]{2}))?))?)?"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _enum(items: list[Node]) -> list[tuple[int, Node]]:
    """Items numbered from 1, as users count."""
    return list(enumerate(items, start=1))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _shown(value: str, limit: int = 30) -> str:
    """A value as a message quotes it: at most ``limit`` characters."""
    return value if len(value) <= limit else value[:limit] + "…"


def _tag_name(tag: str) -> str:
    """``!!binary`` for YAML's own tags, the tag as written otherwise."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def _found(node: Node) -> str:
    """What a node holds, for a message: （書かれているのは整数「2022」です）."""
    if isinstance(node, (MappingNode, SequenceNode)):
        kind = "マッピング" if isinstance(node, MappingNode) else "リスト"
        if node.tag not in (_MAP, _SEQ):
            return f"（書かれているのはタグ「{_shown(_tag_name(node.tag))}」のついた{kind}です）"
        return f"（書かれているのは{kind}です）"
    shown = _shown(str(node.value))
    name = _TYPE_NAMES.get(node.tag)
    if name is None:
        return f"（書かれているのはタグ「{_shown(_tag_name(node.tag))}」のついた値「{shown}」です）"
    return f"（書かれているのは{name}「{shown}」です）"


def _unknown_key(key: str, known: tuple[str, ...], close: list[str]) -> str:
    message = f"「{_shown(key)}」という項目はありません。"
    if close:
        return message + f"「{close[0]}」の書き間違いではありませんか。"
    return message + f"使える項目: {', '.join(known)}"


def _one_of(allowed: tuple[str, ...] | list[str]) -> str:
    return "次のいずれかを指定してください: " + "、".join(allowed)


def _too_long(chars: int, limit: int = MAX_TEXT_CHARS) -> str:
    if limit < MAX_TEXT_CHARS:
        return f"長すぎます（{chars:,} 字、この項目は {limit:,} 字まで）。短くしてください。"
    return f"文字が多すぎます（{chars:,} 字、上限 {limit:,} 字）。文章を分けて短くしてください。"


def _too_many_keys() -> str:
    return f"項目が多すぎます（{MAX_KEYS:,} 個を超えています）。字下げがずれていないか確かめてください。"


def _too_many_items() -> str:
    return f"リストの項目が多すぎます（1つのリストに {MAX_ITEMS:,} 個まで）。"


def _too_many_activities() -> str:
    return f"活動が多すぎます（1つのファイルに {MAX_ACTIVITIES:,} 件まで）。ファイルを分けてください。"


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # unicodedata category Cc
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _control_char(value: str, multiline: bool) -> str | None:
    """The first control character of ``value`` (a line break is allowed in multiline text)."""
    found = (_CONTROL_BUT_NEWLINE if multiline else _CONTROL).search(value)
    return found.group() if found else None


def _duplicates(w: Walker, items: list[tuple[Node, str | None]], path: str, what: str) -> None:
    seen: dict[str, int] = {}
    for i, (node, name) in enumerate(items, start=1):
        if name is None:
            continue
        if name in seen:
            w.problem(
                node,
                f"{path}[{i}].name",
                f"{what}名「{name}」が{seen[name]}番目と重複しています。",
            )
        else:
            seen[name] = i


# --- reading bytes -----------------------------------------------------------------------


def _refused(name: str, message: str) -> InputError:
    return InputError([Problem(Loc(name, 0, 0), "", message)])


def read_text(path: Path, name: str | None = None) -> str:
    """The file's text: refused when missing, not a regular file, too large, empty or not UTF-8.

    Only a regular file is opened (a folder, a named pipe or a device is refused from its
    status, and the opened file is checked again, without blocking, in case it was swapped).
    """
    name = name or str(path)
    try:
        status = path.stat()
    except FileNotFoundError:
        raise _refused(name, "ファイルが見つかりません。") from None
    except (OSError, ValueError) as err:
        raise _refused(name, f"ファイルを調べられません（{_reason(err)}）。") from None
    _regular(name, status.st_mode)
    if status.st_size > MAX_FILE_BYTES:
        raise _refused(name, _too_large(status.st_size))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise _refused(name, f"ファイルを開けません（{_reason(err)}）。") from None
    try:
        _regular(name, os.fstat(fd).st_mode)
        chunks = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        raise _refused(name, f"ファイルを読めません（{_reason(err)}）。") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:
        raise _refused(name, _too_large(len(data)))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        hint = "ファイルを UTF-8 で保存し直してください。"
        if _looks_like_shift_jis(data):
            hint = "Shift_JIS で保存されているようです。" + hint
        raise InputError(
            [Problem(Loc(name, line, column), "", f"UTF-8 として読めない文字があります。{hint}")]
        ) from None
    if not text.strip():
        raise _refused(name, "ファイルが空です。")
    return text


def _regular(name: str, mode: int) -> None:
    """Refuse what is not a regular file (before reading it: a pipe would block for ever)."""
    if stat.S_ISDIR(mode):
        raise _refused(name, "フォルダーです。YAML ファイルを指定してください。")
    if not stat.S_ISREG(mode):
        raise _refused(
            name,
            "通常のファイルではありません（名前付きパイプや装置など）。YAML ファイルを指定してください。",
        )


def _reason(err: Exception) -> str:
    return err.strerror if isinstance(err, OSError) and err.strerror else str(err)


def _too_large(size: int) -> str:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    return f"ファイルが大きすぎます（{size:,} バイト、上限 {limit} MiB）。"


def _looks_like_shift_jis(data: bytes) -> bool:
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        return False
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def expanded_size(root: Node) -> int:
    """How many nodes the tree has once every alias is expanded (counted, not expanded)."""
    sizes: dict[int, int] = {}
    order: list[Node] = []
    stack = [root]
    seen: set[int] = set()
    while stack:  # post-order without recursion: a deep file cannot overflow the stack
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(yamlc.children(node))
    for node in reversed(order):
        sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in yamlc.children(node))
    return sizes[id(root)]


# What a YAML parser's message (PyYAML or libyaml) means, in words for a first-time editor
SYNTAX_HINTS = (
    ("cannot start any token", "タブ文字や「@」「`」は使えません。字下げは半角スペースで書いてください。"),
    (
        "mapping values are not allowed",
        '値の中に「: 」があります。値なら引用符（"）で囲み、項目なら字下げを確かめてください。',
    ),
    ("could not find expected ':'", "「項目名: 値」の「:」が見つかりません。"),
    ("found unexpected end of stream", "引用符や括弧が閉じられないまま、ファイルが終わっています。"),
    ("undefined alias", "「*」で参照しているアンカー（&）がありません。"),
    ("expected ',' or ']'", "「[」と「]」の対応か、「,」の区切りを確かめてください。"),
    ("expected ',' or '}'", "「{」と「}」の対応か、「,」の区切りを確かめてください。"),
    ("did not find expected key", "字下げがそろっていません。同じ階層の項目は同じ位置から書いてください。"),
    ("expected <block end>", "字下げがそろっていません。同じ階層の項目は同じ位置から書いてください。"),
    ("did not find expected '-'", "字下げがそろっていません。リストの「- 」は同じ位置から書いてください。"),
    ("node content", "値が書かれていないか、括弧が閉じられていません。"),
)


def _syntax_hint(detail: str) -> str:
    """A Japanese explanation of a parser message, or a general one."""
    for marker, hint in SYNTAX_HINTS:
        if marker in detail:
            return hint
    return "字下げや「:」、引用符と括弧の対応を確かめてください。"


def _compose(text: str, name: str) -> Node:
    """The file's node tree; a syntax error (and too deep a nesting) located and explained."""
    try:
        node = yamlc.compose(text)
    except yamlc.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        loc = Loc(name, mark.line + 1, mark.column + 1) if mark else Loc(name, 0, 0)
        detail = " ".join(filter(None, [err.context, err.problem]))
        message = f"YAML の書き方に誤りがあります: {_syntax_hint(detail)}（{detail}）"
        raise InputError([Problem(loc, "", message)]) from None
    except yamlc.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        column = err.position - (text.rfind("\n", 0, err.position) + 1) + 1
        code = err.character if isinstance(err.character, int) else ord(err.character)
        message = f"YAML に書けない文字 U+{code:04X}（制御文字など）が含まれています。取り除いてください。"
        raise InputError([Problem(Loc(name, line, column), "", message)]) from None
    except yamlc.YAMLError as err:
        raise InputError([Problem(Loc(name, 0, 0), "", f"YAML として読めません（{err}）。")]) from None
    except RecursionError:
        raise InputError([Problem(Loc(name, 0, 0), "", "入れ子が深すぎます。")]) from None
    if node is None:
        raise InputError([Problem(Loc(name, 0, 0), "", "ファイルが空です。")])
    return node


# --- the format --------------------------------------------------------------------------

TOP_KEYS = ("format", "plan", "report", "statuses", "perspectives")
PLAN_KEYS = ("organization", "title", "period")
REPORT_KEYS = (
    "fiscal_year",
    "term",
    "title",
    "document_number",
    "detail_documents",
    "date",
    "rounding",
    "year_style",
    "previous",
    "money_unit",
)
STATUS_KEYS = ("name", "on_track", "delayed", "description")
PERSPECTIVE_KEYS = ("name", "businesses")
BUSINESS_KEYS = ("name", "priority", "department", "highlights", "activities")
# in the order of INPUT_FORMAT.md's examples: a key added to an activity goes in this order too
ACTIVITY_KEYS = (
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
EFFECT_KEYS = ("kind", "target", "actual")
INDICATOR_KEYS = ("name", "unit", "target", "actual")
MAX_PREVIOUS = 40  # reports followed back through ``report.previous`` (a plan has ~8 to 20)


def load(path: str | os.PathLike[str], display_name: str | None = None) -> ReportInput:
    """Read and validate one input file and the reports its ``report.previous`` chain names;
    raise ``InputError`` listing every problem.

    The cyclic garbage collector is paused meanwhile: the node trees and the model hold no
    cycles, and its passes over the hundreds of thousands of objects they allocate took 20–40 %
    of loading (1,500 activities: 0.18 → 0.15 s; with the Additions and a previous report
    0.75 → 0.47 s, in CPU time).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load(Path(path), display_name or str(path), ())
    finally:
        if paused:
            gc.enable()


def _load(path: Path, name: str, later: tuple[tuple[Path, str], ...]) -> ReportInput:
    """``load``, for a file that ``later`` (the reports read so far, newest first) lead back to."""
    root = read_tree(path, name)
    w = Walker(name)
    result = w.run(_report_input, root)
    if w.problems or result is None:
        raise InputError(w.problems, w.more)
    if result.report.previous is None:
        return result
    del root, w  # this file's node tree is freed before the previous report's is built
    return _with_previous(result, path, later)


def _with_previous(data: ReportInput, path: Path, later: tuple[tuple[Path, str], ...]) -> ReportInput:
    """``data`` with its previous report (and that one's, as far back as files exist).

    The previous report of the file given is required; further back, a missing file ends the
    chain with a warning. Another plan, a later period, this file itself and a loop are refused,
    naming both files.
    """
    written = data.report.previous or ""
    loc = next((t.loc for t in data.texts if t.path == "report.previous"), Loc(data.source, 0, 0))
    name = os.path.normpath(os.path.join(os.path.dirname(data.source), written))
    target = path.parent / written

    def refuse(message: str) -> InputError:
        return InputError([Problem(loc, "report.previous", message)])

    here = _resolved(path)
    there = _resolved(target)
    if there == here:
        raise refuse(
            "このファイル自身が前回の報告に指定されています。前回の報告のファイルを指定してください。"
        )
    for earlier_path, earlier_name in later:
        if there == earlier_path:
            raise refuse(
                f"前回の報告をたどると「{earlier_name}」に戻ります（循環しています）。"
                "前回の報告の指定を確かめてください。"
            )
    if later and not _exists(target):
        warning = Problem(
            loc, "report.previous", f"前回の報告「{name}」が見つからないため、累計はここまでです。"
        )
        return replace(data, warnings=(*data.warnings, warning))
    if len(later) >= MAX_PREVIOUS:
        warning = Problem(loc, "report.previous", f"前回の報告は {MAX_PREVIOUS} 件までたどります。")
        return replace(data, warnings=(*data.warnings, warning))
    try:
        previous = _load(target, name, ((here, data.source), *later))
    except InputError as err:
        head = Problem(loc, "report.previous", f"前回の報告「{name}」を読み込めませんでした。")
        raise InputError([head, *err.problems], err.more) from None
    if previous.plan.title != data.plan.title:
        raise refuse(
            f"前回の報告「{name}」は別の計画（{previous.plan.title}）のものです。"
            f"このファイルの計画は「{data.plan.title}」です。"
        )
    if previous.report.order > data.report.order:
        raise refuse(
            f"前回の報告「{name}」（{_period_words(previous.report)}）は、"
            f"このファイル（{_period_words(data.report)}）より後の期間です。"
        )
    if later:  # further back only the effects' actuals are read
        return replace(data, previous=previous, warnings=(*data.warnings, *previous.warnings))
    warnings = (*data.warnings, *renamed_warnings(data, previous), *previous.warnings)
    # section 4 prints the previous report's names and statuses: their characters are checked too
    printed = tuple(t for t in previous.texts if t.path.endswith((".name", ".status")))
    return replace(data, previous=previous, warnings=warnings, texts=(*data.texts, *printed))


def _period_words(report: Report) -> str:
    """2022年度上半期 (a full year: 2022年度)."""
    return f"{report.fiscal_year}年度{TERMS[report.term]}"


def _exists(path: Path) -> bool:
    """Whether anything is at ``path`` (a name too long for the system is nothing)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _resolved(path: Path) -> Path:
    """``path`` made absolute with links resolved (as far as it exists)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def renamed_warnings(data: ReportInput, previous: ReportInput) -> list[Problem]:
    """A warning per business where an activity without an ``id`` is new and another without one
    is no longer reported: probably one activity renamed, compared as one removed and one new."""
    match = match_activities(data, previous)
    gone: dict[tuple[str, str], list[str]] = {}
    for item in match.removed:
        if item.activity.id is None:
            gone.setdefault((item.perspective.name, item.business.name), []).append(item.activity.name)
    paths = {
        id(a): f"perspectives[{i}].businesses[{j}].activities[{k}]"
        for i, p in enumerate(data.perspectives, start=1)
        for j, b in enumerate(p.businesses, start=1)
        for k, a in enumerate(b.activities, start=1)
    }
    out = []
    for item in match.new:
        names = gone.get((item.perspective.name, item.business.name))
        if item.activity.id is None and names:
            loc = item.activity.loc or Loc(data.source, 0, 0)
            out.append(
                Problem(
                    loc,
                    paths[id(item.activity)],
                    f"活動「{_shown(item.activity.name)}」は前回の報告にない新規の活動として扱います。"
                    f"前回の「{_shown(names[0])}」の名前を変えたのであれば、"
                    "両方の報告に同じ id を書いてください。",
                )
            )
    return out


def read_tree(path: Path, name: str) -> Node:
    """A YAML file's node tree, every node with its line and column; ``InputError`` if it has none.

    Refused before the tree is built: what is not a readable regular UTF-8 file, and a file
    past ``LIMITS``; then a syntax error, and aliases that would expand past ``MAX_NODES``.
    """
    text = read_text(path, name)
    excess, counted = yamlc.scan(text, LIMITS) if len(text) > PRESCAN_CHARS else (None, False)
    if excess is not None:
        raise InputError([_excess_problem(name, excess)])
    root = _compose(text, name)
    # a file scanned to its end has at most MAX_NODES nodes, and so has one too short to hold
    # more (NODES_PER_CHAR); without an anchor (&) there is no alias to expand: its size is known
    # (0.1–0.2 s saved at 1,500 activities; 2–3 ms of the sample's 5 ms)
    bounded = counted or len(text) * NODES_PER_CHAR <= MAX_NODES
    if not (bounded and "&" not in text) and expanded_size(root) > MAX_NODES:
        raise _refused(
            name,
            "要素が多すぎます（エイリアス（*）を展開すると "
            f"{MAX_NODES:,} 個を超えます）。アンカーとエイリアスを使わずに書いてください。",
        )
    return root


def _excess_problem(name: str, excess: yamlc.Excess) -> Problem:
    """A limit passed (found before the tree is built), as a located problem."""
    messages = {
        "chars": _too_long(excess.size),
        "keys": _too_many_keys(),
        "items": _too_many_items(),
        "counted": _too_many_activities(),
        "nodes": f"要素が多すぎます（1つのファイルに {MAX_NODES:,} 個まで）。ファイルを分けてください。",
    }
    return Problem(Loc(name, excess.line + 1, excess.column + 1), excess.path, messages[excess.kind])


def _report_input(w: Walker, root: Node) -> ReportInput | None:
    top = w.mapping(root, "", TOP_KEYS, ("format", "plan", "report", "perspectives"))
    if top is None:
        return None
    if "format" in top:
        version = w.integer(top["format"], "format", "1")
        if version is not None and version != FORMAT_VERSION:
            w.problem(
                top["format"],
                "format",
                f"入力形式の版 {version} には対応していません（{FORMAT_VERSION} のみ）。",
            )
    plan = _plan(w, top["plan"]) if "plan" in top else None
    report = _report(w, top["report"]) if "report" in top else None
    statuses = _statuses(w, top["statuses"]) if "statuses" in top else DEFAULT_STATUSES
    # statuses that could not be read: activities' statuses are not checked against them
    names = tuple(s.name for s in statuses) if statuses is not None else None
    perspectives = _each(w, top.get("perspectives"), "perspectives", "取組の視点", _perspective, names)
    if plan is None or report is None or statuses is None or perspectives is None:
        return None
    return ReportInput(w.file, plan, report, statuses, perspectives, tuple(w.texts))


def _plan(w: Walker, node: Node) -> Plan | None:
    keys = w.mapping(node, "plan", PLAN_KEYS, PLAN_KEYS)
    if keys is None:
        return None
    organization = w.text(keys["organization"], "plan.organization") if "organization" in keys else None
    title = w.text(keys["title"], "plan.title") if "title" in keys else None
    period = _period(w, keys["period"]) if "period" in keys else None
    if organization is None or title is None or period is None:
        return None
    return Plan(organization, title, *period)


def _period(w: Walker, node: Node) -> tuple[int, int] | None:
    items = w.sequence(node, "plan.period", "初年度と最終年度")
    if items is None:
        return None
    if len(items) != 2:
        w.problem(node, "plan.period", f"[初年度, 最終年度] の2つの年が必要です（{len(items)} 個あります）。")
        return None
    first = _year(w, items[0], "plan.period[1]")
    last = _year(w, items[1], "plan.period[2]")
    if first is None or last is None:
        return None
    if first > last:
        w.problem(node, "plan.period", f"初年度 {first} が最終年度 {last} より後になっています。")
        return None
    return first, last


def _year(w: Walker, node: Node, path: str) -> int | None:
    year = w.integer(node, path)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        w.problem(
            node, path, f"年度 {year} は扱えません（西暦 {FIRST_YEAR}〜{LAST_YEAR} の整数で書いてください）。"
        )
        return None
    return year


def _report(w: Walker, node: Node) -> Report | None:
    keys = w.mapping(node, "report", REPORT_KEYS, ("fiscal_year", "term"))
    if keys is None:
        return None
    ok = True

    def optional(key: str, read: Callable[[Node, str], T | None], default: T) -> T:
        nonlocal ok
        if key not in keys:
            return default
        value = read(keys[key], f"report.{key}")
        ok = ok and value is not None
        return default if value is None else value

    year = _year(w, keys["fiscal_year"], "report.fiscal_year") if "fiscal_year" in keys else None
    term = w.choice(keys["term"], "report.term", tuple(TERMS)) if "term" in keys else None
    title = optional("title", w.text, Report.title)
    document_number = optional("document_number", w.text, None)
    no_documents: tuple[str, ...] = ()
    detail_documents = optional(
        "detail_documents", lambda n, p: w.texts_list(n, p, "資料番号") or None, no_documents
    )
    date = optional("date", w.date, None)
    rounding = optional("rounding", lambda n, p: w.choice(n, p, ROUNDINGS), Report.rounding)
    year_style = optional("year_style", lambda n, p: w.choice(n, p, YEAR_STYLES), Report.year_style)
    previous = optional("previous", w.text, None)
    money_unit = optional("money_unit", lambda n, p: w.choice(n, p, MONEY_UNITS), Report.money_unit)
    if year is None or term is None or not ok:
        return None
    return Report(
        year, term, title, document_number, detail_documents, date, rounding, year_style, previous, money_unit
    )


def _statuses(w: Walker, node: Node) -> tuple[Status, ...] | None:
    items = w.sequence(node, "statuses", "進捗区分")
    if items is None:
        return None
    if len(items) > MAX_STATUSES:
        w.problem(
            items[MAX_STATUSES],
            f"statuses[{MAX_STATUSES + 1}]",
            f"進捗区分が多すぎます（{MAX_STATUSES} 個まで。集計表の列になります）。",
        )
        return None
    statuses: list[Status] = []
    named: list[tuple[Node, str | None]] = []
    for i, item in _enum(items):
        path = f"statuses[{i}]"
        keys = w.mapping(item, path, STATUS_KEYS, ("name",))
        if keys is None or "name" not in keys:
            named.append((item, None))
            continue
        name = w.text(keys["name"], f"{path}.name", longest=MAX_STATUS_CHARS)
        named.append((item, name))
        on_track = w.boolean(keys["on_track"], f"{path}.on_track") if "on_track" in keys else False
        delayed = w.boolean(keys["delayed"], f"{path}.delayed") if "delayed" in keys else False
        description = w.text(keys["description"], f"{path}.description") if "description" in keys else None
        if on_track and delayed:
            w.problem(item, path, "on_track と delayed の両方を true にはできません。")
        if name is not None:
            statuses.append(Status(name, on_track, delayed, description))
    _duplicates(w, named, "statuses", "進捗区分")
    return tuple(statuses)


Statuses = tuple[str, ...] | None  # the status names an activity may have (None: not checked)
Item = tuple[str | None, T | None]  # an item's name (for duplicate checks) and its value
Reader = Callable[[Walker, Node, str, Statuses], Item[T]]


def _each(
    w: Walker, node: Node | None, path: str, what: str, read: Reader[T], statuses: Statuses
) -> tuple[T, ...] | None:
    """Read every item of a required non-empty list; ``None`` when anything failed."""
    if node is None:
        return None
    if read is _activity and isinstance(node, SequenceNode):
        if w.activities + len(node.value) > MAX_ACTIVITIES:
            first_over = MAX_ACTIVITIES - w.activities + 1
            w.problem(node.value[first_over - 1], f"{path}[{first_over}]", _too_many_activities())
            raise _Stop
        w.activities += len(node.value)
    items = w.sequence(node, path, what)
    if items is None:
        return None
    read_items = [read(w, item, f"{path}[{i}]", statuses) for i, item in _enum(items)]
    _duplicates(w, [(item, name) for item, (name, _) in zip(items, read_items)], path, what)
    values = [value for _, value in read_items if value is not None]
    if len(values) != len(items):
        return None
    return tuple(values)


def _name(w: Walker, keys: dict[str, Node], path: str) -> str | None:
    return w.text(keys["name"], f"{path}.name") if "name" in keys else None


def _perspective(w: Walker, node: Node, path: str, statuses: Statuses) -> Item[Perspective]:
    keys = w.mapping(node, path, PERSPECTIVE_KEYS, PERSPECTIVE_KEYS)
    if keys is None:
        return None, None
    name = _name(w, keys, path)
    businesses = _each(w, keys.get("businesses"), f"{path}.businesses", "事業", _business, statuses)
    if name is None or businesses is None:
        return name, None
    return name, Perspective(name, businesses)


def _business(w: Walker, node: Node, path: str, statuses: Statuses) -> Item[Business]:
    keys = w.mapping(node, path, BUSINESS_KEYS, ("name", "activities"))
    if keys is None:
        return None, None
    name = _name(w, keys, path)
    priority = w.boolean(keys["priority"], f"{path}.priority") if "priority" in keys else False
    department = w.text(keys["department"], f"{path}.department") if "department" in keys else None
    highlights = (
        w.texts_list(keys["highlights"], f"{path}.highlights", "取組状況") if "highlights" in keys else ()
    )
    activities = _each(w, keys.get("activities"), f"{path}.activities", "活動", _activity, statuses)
    if name is None or activities is None:
        return name, None
    return name, Business(name, activities, priority, department, highlights)


def _activity(w: Walker, node: Node, path: str, statuses: Statuses) -> Item[Activity]:
    keys = w.mapping(node, path, ACTIVITY_KEYS, ("name", "status"))
    if keys is None:
        return None, None
    name = _name(w, keys, path)
    status = None
    if "status" in keys:
        status = w.text(keys["status"], f"{path}.status")
        if status is not None and statuses is not None and status not in statuses:
            w.problem(
                keys["status"],
                f"{path}.status",
                f"「{_shown(status)}」は進捗区分にありません。{_one_of(statuses)}",
            )
            status = None
    optional = {
        key: w.text(keys[key], f"{path}.{key}", multiline=key != "department") if key in keys else None
        for key in ("department", "plan", "next", "reason")
    }
    results = w.texts_list(keys["results"], f"{path}.results", "実績") if "results" in keys else ()
    ident = _id(w, keys["id"], f"{path}.id") if "id" in keys else None
    effect = _effect(w, keys["effect"], f"{path}.effect") if "effect" in keys else None
    indicators = _indicators(w, keys["indicators"], f"{path}.indicators") if "indicators" in keys else ()
    if name is None or status is None or ("effect" in keys and effect is None) or indicators is None:
        return name, None
    return name, Activity(
        name,
        status,
        department=optional["department"],
        plan=optional["plan"],
        results=results,
        next=optional["next"],
        reason=optional["reason"],
        id=ident,
        effect=effect,
        indicators=indicators or (),
        loc=w.loc(node),
    )


def _id(w: Walker, node: Node, path: str) -> str | None:
    """An activity's identifier: one line, unique in the file (the first place is named)."""
    ident = w.text(node, path)
    if ident is None:
        return None
    first = w.ids.get(ident)
    if first is not None:
        w.problem(
            node,
            path,
            f"活動ID「{_shown(ident)}」は {first} にも書かれています。"
            "IDはファイルの中で1つずつにしてください。",
        )
        return None
    w.ids[ident] = path
    return ident


def _amount(w: Walker, node: Node, path: str, unit: str) -> int | None:
    """A money amount: a whole number, zero or more (in ``report.money_unit``)."""
    value = w.integer(node, path, "12000")
    if value is not None and value < 0:
        w.problem(node, path, f"金額 {value} は負の数です。0 以上の整数（{unit}単位）で書いてください。")
        return None
    return value


def _effect(w: Walker, node: Node, path: str) -> Effect | None:
    """財政効果額: its kind (required), 目標額 and 実績額."""
    keys = w.mapping(node, path, EFFECT_KEYS, ("kind",))
    if keys is None:
        return None
    kind = w.choice(keys["kind"], f"{path}.kind", EFFECT_KINDS) if "kind" in keys else None
    unit = "report.money_unit の"
    target = _amount(w, keys["target"], f"{path}.target", unit) if "target" in keys else None
    actual = _amount(w, keys["actual"], f"{path}.actual", unit) if "actual" in keys else None
    if kind is None or ("target" in keys and target is None) or ("actual" in keys and actual is None):
        return None
    return Effect(kind, target, actual)


def _indicators(w: Walker, node: Node, path: str) -> tuple[Indicator, ...] | None:
    """指標: each a name, a unit, a target and an actual value (numbers); names unique."""
    items = w.sequence(node, path, "指標")
    if items is None:
        return None
    out: list[Indicator] = []
    named: list[tuple[Node, str | None]] = []
    ok = True
    for i, item in _enum(items):
        sub = f"{path}[{i}]"
        keys = w.mapping(item, sub, INDICATOR_KEYS, ("name",))
        if keys is None:
            named.append((item, None))
            ok = False
            continue
        name = _name(w, keys, sub)
        named.append((item, name))
        unit = w.text(keys["unit"], f"{sub}.unit") if "unit" in keys else None
        values = {
            key: w.number(keys[key], f"{sub}.{key}", "5") if key in keys else None
            for key in ("target", "actual")
        }
        if (
            name is None
            or ("unit" in keys and unit is None)
            or any(key in keys and values[key] is None for key in values)
        ):
            ok = False
            continue
        out.append(Indicator(name, unit, values["target"], values["actual"]))
    _duplicates(w, named, path, "指標")
    return tuple(out) if ok else None
