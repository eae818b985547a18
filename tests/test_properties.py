"""Generated and mutated inputs (hypothesis), through ``load`` and the command. Valid ones always
build both formats with the input's counts;
invalid ones always exit 2 with a located message and write nothing."""

from __future__ import annotations

import copy
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pdfplumber
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.build import Renderers
from pipeline.load import InputError, load

from .conftest import build, docx_tables

COVERED = sorted(
    chr(c)
    for c in Renderers.create().covered()
    if c > 0x20 and unicodedata.category(chr(c))[0] in "LNPS" and not 0xD800 <= c <= 0xDFFF
)
DEFAULT_STATUSES = ["済", "概ね順調", "遅れ", "未着手", "休止"]
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

text = st.text(st.sampled_from(COVERED), min_size=1, max_size=24)


def unique_names(min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(text, min_size=min_size, max_size=max_size, unique=True)


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    custom = draw(st.booleans())
    statuses = DEFAULT_STATUSES
    status_list = None
    if custom:
        statuses = draw(unique_names(2, 5))
        flags = draw(
            st.lists(
                st.sampled_from(["on_track", "delayed", None]), min_size=len(statuses), max_size=len(statuses)
            )
        )
        status_list = [{"name": s, **({f: True} if f else {})} for s, f in zip(statuses, flags)]
    perspectives = []
    for p_name in draw(unique_names(1, 4)):
        businesses = []
        for b_name in draw(unique_names(1, 3)):
            activities = [
                {"name": a, "status": draw(st.sampled_from(statuses))} for a in draw(unique_names(1, 4))
            ]
            business: dict[str, Any] = {
                "name": b_name,
                "priority": draw(st.booleans()),
                "activities": activities,
            }
            if draw(st.booleans()):
                long = draw(st.integers(0, 1)) * draw(st.integers(800, 2500))
                bullets = draw(st.lists(text, min_size=1, max_size=3))
                business["highlights"] = bullets + ([("長い取組の説明、" * 200)[:long]] if long else [])
            businesses.append(business)
        perspectives.append({"name": p_name, "businesses": businesses})
    plan = {
        "format": 1,
        "plan": {"organization": draw(text), "title": draw(text), "period": [2020, 2024]},
        "report": {
            "fiscal_year": draw(st.integers(1989, 2040)),
            "term": draw(st.sampled_from(["first_half", "second_half", "full_year"])),
        },
        "perspectives": perspectives,
    }
    if status_list:
        plan["statuses"] = status_list
    return plan


def count_rows(plan: dict[str, Any]) -> list[list[str]]:
    """Each perspective's counts per status and total, then the totals row: numbers only."""
    names = [s["name"] for s in plan.get("statuses", [])] or DEFAULT_STATUSES
    rows: list[list[str]] = []
    columns: Counter[str] = Counter()
    for p in plan["perspectives"]:
        c = Counter(a["status"] for b in p["businesses"] for a in b["activities"])
        columns.update(c)
        rows.append([str(c[n]) for n in names] + [str(sum(c.values()))])
    rows.append([str(columns[n]) for n in names] + [str(sum(columns.values()))])
    return rows


def numbers_of(table: Sequence[Sequence[str | None]]) -> list[list[str]]:
    return [[re.sub(r"\s", "", c or "") for c in row[1:]] for row in table[1:]]


def write_plan(folder: Path, plan: dict[str, Any]) -> Path:
    source = folder / "plan.yaml"
    source.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return source


@SETTINGS
@given(plans())
def test_valid_plans_build_both_formats_with_the_input_counts(plan: dict[str, Any]) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        code, output = build(["build", str(write_plan(folder, plan)), "--out", str(folder / "out")])
        assert code == 0, output
        expected = count_rows(plan)
        word = next(t for t in docx_tables(folder / "out" / "plan.docx") if t[0][0] == "取組の視点")
        assert numbers_of(word) == expected
        with pdfplumber.open(folder / "out" / "plan.pdf") as pdf:
            tables = [t for page in pdf.pages for t in page.extract_tables()]
        table = next(t for t in tables if t[0][0] and t[0][0].replace("\n", "") == "取組の視点")
        assert numbers_of(table) == expected
    finally:
        shutil.rmtree(folder)


def _break(plan: dict[str, Any], how: str, where: int) -> dict[str, Any]:
    """One kind of mistake a person editing YAML by hand makes."""
    p = plan["perspectives"][where % len(plan["perspectives"])]
    b = p["businesses"][0]
    a = b["activities"][0]
    if how == "missing_status":
        del a["status"]
    elif how == "bad_status":
        a["status"] = "存在しない区分"
    elif how == "unknown_key":
        b["prioritty"] = True
    elif how == "wrong_type":
        plan["report"]["fiscal_year"] = "二〇二二"
    elif how == "empty_list":
        b["activities"] = []
    elif how == "missing_plan_title":
        del plan["plan"]["title"]
    elif how == "duplicate_activity":
        b["activities"].append(dict(a))
    elif how == "control_char":
        a["name"] = a["name"] + "\x0b"
    return plan


@SETTINGS
@given(
    plans(),
    st.sampled_from(
        [
            "missing_status",
            "bad_status",
            "unknown_key",
            "wrong_type",
            "empty_list",
            "missing_plan_title",
            "duplicate_activity",
            "control_char",
        ]
    ),
    st.integers(0, 10),
)
def test_invalid_plans_exit_2_located_and_write_nothing(plan: dict[str, Any], how: str, where: int) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        source = write_plan(folder, _break(plan, how, where))
        code, output = build(["build", str(source), "--out", str(folder / "out")])
        assert code == 2, output
        assert re.search(r"plan\.yaml:\d+:\d+: ", output), output
        assert "Traceback" not in output
        assert not (folder / "out").exists()
    finally:
        shutil.rmtree(folder)


# --- issue 14: mutations anywhere in the input tree never give a traceback --------------------

ROOT = Path(__file__).resolve().parent.parent
MUTATED_SOURCES = [
    ROOT / "inputs" / "hiratsuka-2022-h1.yaml",
    *sorted((ROOT / "tests" / "plans").glob("*.yaml")),
    *sorted((ROOT / "inputs").glob("aoba-*.yaml")),  # the Additions; h2 names h1 as its previous
]
SOURCE_DATA = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in MUTATED_SOURCES]
MUTATION_SETTINGS = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


class Raw:
    """A scalar written exactly so: a tag and its text (``!!int "x"``, a plain ``0b_``)."""

    def __init__(self, tag: str, value: str, style: str | None = None) -> None:
        self.tag, self.value, self.style = tag, value, style

    def __repr__(self) -> str:
        return f"Raw({self.tag!r}, {self.value[:20]!r}, {self.style!r})"


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Raw, lambda dumper, raw: yaml.ScalarNode(raw.tag, raw.value, style=raw.style))

ODD_SCALARS = [
    Raw(_INT_TAG, "0b_"),
    Raw(_INT_TAG, "0x_"),
    "0o",
    Raw(_INT_TAG, "1_000"),
    Raw(_INT_TAG, "1:00"),
    Raw(_FLOAT_TAG, ".inf"),
    Raw(_FLOAT_TAG, ".nan"),
    Raw(_INT_TAG, "x", '"'),
    Raw("tag:yaml.org,2002:bool", "maybe", '"'),
    Raw("tag:yaml.org,2002:timestamp", "2022-02-30"),
    Raw("tag:yaml.org,2002:timestamp", "junk", '"'),
    Raw("tag:yaml.org,2002:binary", "AAAA", '"'),
    Raw("!foo", "x"),
    Raw(_INT_TAG, "9" * 5000),
    "\ud800",
    "a\udfffb",
    "\x07",
    "",
    " ",
    "あ" * 20_001,
]
COMMON = [None, True, False, 0, -1, 2022, 1.5, "x", "済", [], {}, ["x"], {"x": 1}, {"name": "x"}]
REPLACEMENTS = st.one_of(  # odd scalars half of the time
    st.sampled_from(ODD_SCALARS),
    st.sampled_from(ODD_SCALARS),
    st.sampled_from(COMMON),
    st.one_of(st.integers(), st.text(max_size=5)),
)


Path_ = tuple[object, ...]  # keys and indices from the root


def _paths(node: object, prefix: Path_ = ()) -> list[Path_]:
    """Every place in a loaded YAML tree, the root first."""
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _get(tree: Any, path: Path_) -> Any:
    """The node at ``path`` (a loaded YAML tree is dicts and lists)."""
    for step in path:
        tree = tree[step]
    return tree


def _mutate(tree: Any, path: Path_, how: str, value: object, other: object) -> Any:
    """``tree`` with one node replaced, emptied, duplicated, deleted or its key renamed."""
    if not path:
        return {"replace": value, "other": other}.get(how, value)
    parent, key = _get(tree, path[:-1]), path[-1]
    current = _get(tree, path)
    if how == "replace":
        parent[key] = value
    elif how == "other":
        parent[key] = copy.deepcopy(other)
    elif how == "empty":
        parent[key] = type(current)() if isinstance(current, (dict, list, str)) else None
    elif how == "delete":
        del parent[key]
    elif how == "duplicate" and isinstance(parent, list) and isinstance(key, int):
        parent.insert(key, copy.deepcopy(current))
    elif how == "rename" and isinstance(parent, dict):
        parent[f"{key}x" if isinstance(key, str) else "x"] = parent.pop(key)
    return tree


def _text_mutation(text: str, how: str, where: int) -> str:
    """A line duplicated (a key twice), deleted or indented by one space; or a character inserted."""
    lines = text.splitlines(keepends=True)
    i = where % len(lines)
    if how == "dup_line":
        lines.insert(i, lines[i])
    elif how == "del_line":
        del lines[i]
    elif how == "indent_line":
        lines[i] = " " + lines[i]
    elif how.startswith("raw:"):  # a character typed into the file as it is
        column = where % (len(lines[i]) + 1)
        lines[i] = lines[i][:column] + how[4:] + lines[i][column:]
    return "".join(lines)


@st.composite
def mutated_inputs(draw: st.DrawFn) -> str:
    """One of the valid inputs with one to three mutations anywhere in its tree, as YAML text."""
    tree = copy.deepcopy(SOURCE_DATA[draw(st.integers(0, len(SOURCE_DATA) - 1))])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(tree)
        path = paths[draw(st.integers(0, len(paths) - 1))]
        how = draw(st.sampled_from(["replace"] * 4 + ["other", "empty", "delete", "duplicate", "rename"]))
        other = _get(tree, paths[draw(st.integers(0, len(paths) - 1))])
        tree = _mutate(tree, path, how, draw(REPLACEMENTS), other)
    text = yaml.dump(tree, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    raw = [
        f"raw:{ch}"
        for ch in ("\x00", "\x07", "\t", "\x85", "\ufeff", "\ufffe", "\u2028", "'", '"', ": ", "&a", "*a")
    ]
    how = draw(st.sampled_from(["none", "none", "none", "dup_line", "del_line", "indent_line", *raw]))
    return text if how == "none" else _text_mutation(text, how, draw(st.integers(0, 10_000)))


FILE_LEVEL = ("ファイルが空です。",)


def _assert_refused_located(err: InputError, name: str) -> None:
    assert err.problems
    for problem in err.problems:
        line = str(problem)
        line.encode("utf-8")  # printable: no lone surrogate
        assert line.startswith(f"{name}:"), line
        assert problem.loc.line > 0 or problem.message in FILE_LEVEL, line
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", problem.message), line


MUTATION_DIR = Path(tempfile.mkdtemp(prefix="gyokaku-mutations-"))
shutil.copyfile(ROOT / "inputs" / "aoba-2022-h1.yaml", MUTATION_DIR / "aoba-2022-h1.yaml")


@MUTATION_SETTINGS
@given(mutated_inputs())
def test_mutated_inputs_load_or_are_refused_located(text: str) -> None:
    source = MUTATION_DIR / "plan.yaml"
    source.write_text(text, encoding="utf-8")
    try:
        data = load(source)
    except InputError as err:
        _assert_refused_located(err, str(source))
    else:
        assert data.activity_count() >= 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_inputs())
def test_mutated_inputs_through_check(text: str) -> None:
    source = MUTATION_DIR / "cli.yaml"
    source.write_text(text, encoding="utf-8")
    code, output = build(["check", str(source)])
    assert "Traceback" not in output
    assert code in (0, 2), output
    if code == 2:
        assert re.search(rf"{re.escape(str(source))}(:\d+:\d+)?: ", output), output
