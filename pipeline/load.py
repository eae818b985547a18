"""Stage 1, load: an input file (YAML) → a validated ``ReportInput``.

The YAML is composed into nodes (which keep line and column) and walked against the input
format; every problem is collected with its place, so that a user sees them all at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlc
from .model import (
    DEFAULT_STATUSES,
    ROUNDINGS,
    TERMS,
    YEAR_STYLES,
    Activity,
    Business,
    Loc,
    Perspective,
    Plan,
    Report,
    ReportInput,
    Status,
    Text,
)
from .yamlc import MappingNode, Node, ScalarNode, SequenceNode

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_NODES = 2_000_000
MAX_PROBLEMS = 30
FORMAT_VERSION = 1

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TYPE_NAMES = {
    _STR: "文字列",
    _INT: "整数",
    _BOOL: "真偽値（true/false）",
    _NULL: "空の値",
    "tag:yaml.org,2002:float": "小数",
    "tag:yaml.org,2002:timestamp": "日付",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located."""

    loc: Loc
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc.line else f"{self.loc.file}: "
        return f"{where}{self.path + ': ' if self.path else ''}{self.message}"


class InputError(Exception):
    """An input refused, with every problem found (up to ``MAX_PROBLEMS``)."""

    def __init__(self, problems: list[Problem], more: int = 0) -> None:
        self.problems = sorted(problems, key=lambda p: (p.loc.file, p.loc.line, p.loc.column))
        self.more = more
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """The messages, one a line, ready to print."""
        out = [str(p) for p in self.problems]
        if self.more:
            out.append(f"（ほかに {self.more} 件の問題があります）")
        return out


@dataclass
class _Walker:
    """Collects problems and text values while walking the node tree."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    more: int = 0
    texts: list[Text] = field(default_factory=list)
    lines: dict[str, str] = field(default_factory=dict)

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

    def problem(self, node: Node | None, path: str, message: str) -> None:
        loc = self.loc(node) if node is not None else Loc(self.file, 0, 0)
        if len(self.problems) >= MAX_PROBLEMS:
            self.more += 1
            return
        self.problems.append(Problem(loc, path, message))

    # --- containers -----------------------------------------------------------------------

    def mapping(
        self, node: Node, path: str, known: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, Node] | None:
        """The keys of a mapping node; reports unknown, duplicate and missing keys."""
        if not isinstance(node, MappingNode):
            self.problem(node, path, f"キーと値の組（マッピング）が必要です。{_found(node)}")
            return None
        out: dict[str, Node] = {}
        suggested: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            sub = _join(path, str(key))
            if not isinstance(key, str) or key_node.tag != _STR:
                self.problem(key_node, path, f"キーは文字列で書いてください。{_found(key_node)}")
            elif key in out:
                self.problem(key_node, sub, "同じキーが2回書かれています。")
            elif key not in known:
                self.problem(key_node, sub, _unknown_key(key, known))
                suggested.update(difflib.get_close_matches(key, known, n=1, cutoff=0.5))
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

    def sequence(self, node: Node, path: str, what: str) -> list[Node] | None:
        """The items of a non-empty sequence node."""
        if not isinstance(node, SequenceNode):
            self.problem(node, path, f"{what}のリスト（「- 」で始まる行）が必要です。{_found(node)}")
            return None
        if not node.value:
            self.problem(node, path, f"{what}を1つ以上書いてください（空のリストです）。")
            return None
        return list(node.value)

    # --- scalars ------------------------------------------------------------------------

    def scalar(self, node: Node, path: str, tag: str, expected: str) -> object | None:
        if not isinstance(node, ScalarNode) or node.tag != tag:
            self.problem(node, path, f"{expected}が必要です。{_found(node)}")
            return None
        return _construct(node)

    def text(self, node: Node, path: str, multiline: bool = False) -> str | None:
        """A non-empty text value; control characters are refused."""
        value = self.scalar(node, path, _STR, "文字列")
        if value is None:
            return None
        assert isinstance(value, str)
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
        value = self.kept(value, multiline)
        self.texts.append(Text(value, path, self.loc(node)))
        return value

    def texts_list(self, node: Node, path: str, what: str) -> tuple[str, ...]:
        items = self.sequence(node, path, what)
        if items is None:
            return ()
        values = [self.text(item, f"{path}[{i}]", multiline=True) for i, item in _enum(items)]
        return tuple(v for v in values if v is not None)

    def integer(self, node: Node, path: str) -> int | None:
        value = self.scalar(node, path, _INT, "整数（例: 2022）")
        return value if isinstance(value, int) else None

    def boolean(self, node: Node, path: str) -> bool:
        value = self.scalar(node, path, _BOOL, "true または false")
        return bool(value)

    def choice(self, node: Node, path: str, allowed: tuple[str, ...]) -> str | None:
        value = self.scalar(node, path, _STR, "文字列")
        if value is None:
            return None
        if value not in allowed:
            self.problem(node, path, f"「{value}」は使えません。{_one_of(allowed)}")
            return None
        return str(value)


# --- helpers -----------------------------------------------------------------------------


def _enum(items: list[Node]) -> list[tuple[int, Node]]:
    """Items numbered from 1, as users count."""
    return list(enumerate(items, start=1))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_CONSTRUCTOR = yamlc.SafeConstructor()


def _construct(node: ScalarNode) -> object:
    if node.tag == _STR:
        return node.value
    value = _CONSTRUCTOR.construct_object(node, deep=True)
    _CONSTRUCTOR.constructed_objects.clear()
    return value


def _found(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "（書かれているのはマッピングです）"
    if isinstance(node, SequenceNode):
        return "（書かれているのはリストです）"
    kind = _TYPE_NAMES.get(node.tag, "値")
    shown = str(node.value)
    if len(shown) > 30:
        shown = shown[:30] + "…"
    return f"（書かれているのは{kind}「{shown}」です）"


def _unknown_key(key: str, known: tuple[str, ...]) -> str:
    message = f"「{key}」という項目はありません。"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
    if close:
        return message + f"「{close[0]}」の書き間違いではありませんか。"
    return message + f"使える項目: {', '.join(known)}"


def _one_of(allowed: tuple[str, ...] | list[str]) -> str:
    return "次のいずれかを指定してください: " + "、".join(allowed)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # unicodedata category Cc
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _control_char(value: str, multiline: bool) -> str | None:
    """The first control character of ``value`` (a line break is allowed in multiline text)."""
    found = (_CONTROL_BUT_NEWLINE if multiline else _CONTROL).search(value)
    return found.group() if found else None


def _duplicates(w: _Walker, items: list[tuple[Node, str | None]], path: str, what: str) -> None:
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


def read_text(path: Path) -> str:
    """The file's text: refused when missing, too large, empty or not UTF-8."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise InputError([Problem(Loc(name, 0, 0), "", "ファイルが見つかりません。")]) from None
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise InputError(
            [Problem(Loc(name, 0, 0), "", f"ファイルが大きすぎます（{size:,} バイト、上限 {limit} MiB）。")]
        )
    data = path.read_bytes()
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
        raise InputError([Problem(Loc(name, 0, 0), "", "ファイルが空です。")])
    return text


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
    try:
        node = yamlc.compose(text)
    except yamlc.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        loc = Loc(name, mark.line + 1, mark.column + 1) if mark else Loc(name, 0, 0)
        detail = " ".join(filter(None, [err.context, err.problem]))
        message = f"YAML の書き方に誤りがあります: {_syntax_hint(detail)}（{detail}）"
        raise InputError([Problem(loc, "", message)]) from None
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
)
STATUS_KEYS = ("name", "on_track", "delayed", "description")
PERSPECTIVE_KEYS = ("name", "businesses")
BUSINESS_KEYS = ("name", "priority", "department", "highlights", "activities")
ACTIVITY_KEYS = ("name", "status", "department", "plan", "results", "next", "reason")


def load(path: str | os.PathLike[str], display_name: str | None = None) -> ReportInput:
    """Read and validate one input file; raise ``InputError`` listing every problem."""
    file = Path(path)
    name = display_name or str(path)
    text = read_text(file)
    root = _compose(text, name)
    if expanded_size(root) > MAX_NODES:
        raise InputError(
            [
                Problem(
                    Loc(name, 0, 0),
                    "",
                    "エイリアス（*）を展開すると要素が多すぎます。アンカーとエイリアスを使わずに書いてください。",
                )
            ]
        )
    w = _Walker(name)
    result = _report_input(w, root)
    if w.problems or result is None:
        raise InputError(w.problems, w.more)
    return result


def _report_input(w: _Walker, root: Node) -> ReportInput | None:
    top = w.mapping(root, "", TOP_KEYS, ("format", "plan", "report", "perspectives"))
    if top is None:
        return None
    if "format" in top:
        version = w.integer(top["format"], "format")
        if version is not None and version != FORMAT_VERSION:
            w.problem(
                top["format"],
                "format",
                f"入力形式の版 {version} には対応していません（{FORMAT_VERSION} のみ）。",
            )
    plan = _plan(w, top["plan"]) if "plan" in top else None
    report = _report(w, top["report"]) if "report" in top else None
    statuses = _statuses(w, top["statuses"]) if "statuses" in top else DEFAULT_STATUSES
    names = tuple(s.name for s in statuses)
    perspectives = _each(w, top.get("perspectives"), "perspectives", "取組の視点", _perspective, names)
    if plan is None or report is None or perspectives is None:
        return None
    return ReportInput(w.file, plan, report, statuses, perspectives, tuple(w.texts))


def _plan(w: _Walker, node: Node) -> Plan | None:
    keys = w.mapping(node, "plan", PLAN_KEYS, PLAN_KEYS)
    if keys is None:
        return None
    organization = w.text(keys["organization"], "plan.organization") if "organization" in keys else None
    title = w.text(keys["title"], "plan.title") if "title" in keys else None
    period = _period(w, keys["period"]) if "period" in keys else None
    if organization is None or title is None or period is None:
        return None
    return Plan(organization, title, *period)


def _period(w: _Walker, node: Node) -> tuple[int, int] | None:
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


def _year(w: _Walker, node: Node, path: str) -> int | None:
    year = w.integer(node, path)
    if year is not None and not 1989 <= year <= 2200:
        w.problem(node, path, f"年度 {year} は扱えません（西暦 1989〜2200 の整数で書いてください）。")
        return None
    return year


def _report(w: _Walker, node: Node) -> Report | None:
    keys = w.mapping(node, "report", REPORT_KEYS, ("fiscal_year", "term"))
    if keys is None:
        return None
    year = _year(w, keys["fiscal_year"], "report.fiscal_year") if "fiscal_year" in keys else None
    term = w.choice(keys["term"], "report.term", tuple(TERMS)) if "term" in keys else None
    extra: dict[str, object] = {}
    if "title" in keys:
        extra["title"] = w.text(keys["title"], "report.title")
    if "document_number" in keys:
        extra["document_number"] = w.text(keys["document_number"], "report.document_number")
    if "detail_documents" in keys:
        extra["detail_documents"] = w.texts_list(
            keys["detail_documents"], "report.detail_documents", "資料番号"
        )
    if "date" in keys:
        extra["date"] = _date(w, keys["date"], "report.date")
    if "rounding" in keys:
        extra["rounding"] = w.choice(keys["rounding"], "report.rounding", ROUNDINGS)
    if "year_style" in keys:
        extra["year_style"] = w.choice(keys["year_style"], "report.year_style", YEAR_STYLES)
    if year is None or term is None or any(v is None for v in extra.values()):
        return None
    return Report(year, term, **extra)  # type: ignore[arg-type]


def _date(w: _Walker, node: Node, path: str) -> dt.date | None:
    value = w.scalar(node, path, "tag:yaml.org,2002:timestamp", "日付（例: 2022-10-31）")
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _statuses(w: _Walker, node: Node) -> tuple[Status, ...] | None:
    items = w.sequence(node, "statuses", "進捗区分")
    if items is None:
        return None
    statuses: list[Status] = []
    named: list[tuple[Node, str | None]] = []
    for i, item in _enum(items):
        path = f"statuses[{i}]"
        keys = w.mapping(item, path, STATUS_KEYS, ("name",))
        if keys is None or "name" not in keys:
            named.append((item, None))
            continue
        name = w.text(keys["name"], f"{path}.name")
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


def _each(
    w: _Walker,
    node: Node | None,
    path: str,
    what: str,
    read: Callable[..., object | None],
    *args: object,
) -> tuple | None:
    """Read every item of a required non-empty list; ``None`` when anything failed."""
    if node is None:
        return None
    items = w.sequence(node, path, what)
    if items is None:
        return None
    values = [read(w, item, f"{path}[{i}]", *args) for i, item in _enum(items)]
    _duplicates(w, [(item, getattr(v, "name", None)) for item, v in zip(items, values)], path, what)
    if any(v is None for v in values):
        return None
    return tuple(values)


def _perspective(w: _Walker, node: Node, path: str, statuses: tuple[str, ...]) -> Perspective | None:
    keys = w.mapping(node, path, PERSPECTIVE_KEYS, PERSPECTIVE_KEYS)
    if keys is None:
        return None
    name = w.text(keys["name"], f"{path}.name") if "name" in keys else None
    businesses = _each(w, keys.get("businesses"), f"{path}.businesses", "事業", _business, statuses)
    if name is None or businesses is None:
        return _Named(name) if name is not None else None  # type: ignore[return-value]
    return Perspective(name, businesses)


def _business(w: _Walker, node: Node, path: str, statuses: tuple[str, ...]) -> Business | None:
    keys = w.mapping(node, path, BUSINESS_KEYS, ("name", "activities"))
    if keys is None:
        return None
    name = w.text(keys["name"], f"{path}.name") if "name" in keys else None
    priority = w.boolean(keys["priority"], f"{path}.priority") if "priority" in keys else False
    department = w.text(keys["department"], f"{path}.department") if "department" in keys else None
    highlights = (
        w.texts_list(keys["highlights"], f"{path}.highlights", "取組状況") if "highlights" in keys else ()
    )
    activities = _each(w, keys.get("activities"), f"{path}.activities", "活動", _activity, statuses)
    if name is None or activities is None:
        return _Named(name) if name is not None else None  # type: ignore[return-value]
    return Business(name, activities, priority, department, highlights)


def _activity(w: _Walker, node: Node, path: str, statuses: tuple[str, ...]) -> Activity | None:
    keys = w.mapping(node, path, ACTIVITY_KEYS, ("name", "status"))
    if keys is None:
        return None
    name = w.text(keys["name"], f"{path}.name") if "name" in keys else None
    status = None
    if "status" in keys:
        status = w.text(keys["status"], f"{path}.status")
        if status is not None and status not in statuses:
            w.problem(
                keys["status"],
                f"{path}.status",
                f"「{status}」は進捗区分にありません。{_one_of(statuses)}",
            )
            status = None
    optional = {
        key: w.text(keys[key], f"{path}.{key}", multiline=key != "department")
        for key in ("department", "plan", "next", "reason")
        if key in keys
    }
    results = w.texts_list(keys["results"], f"{path}.results", "実績") if "results" in keys else ()
    if name is None or status is None:
        return _Named(name) if name is not None else None  # type: ignore[return-value]
    return Activity(name, status, results=results, **optional)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Named:
    """A placeholder for an item with problems, keeping its name for duplicate checks."""

    name: str
