"""Issue 3: generated inputs. Valid ones always build both formats with the input's counts;
invalid ones always exit 2 with a located message and write nothing."""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

import pdfplumber
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.build import Renderers

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
def plans(draw: st.DrawFn) -> dict:
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
            business: dict = {"name": b_name, "priority": draw(st.booleans()), "activities": activities}
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


def count_rows(plan: dict) -> list[list[str]]:
    """Each perspective's counts per status and total, then the totals row: numbers only."""
    names = [s["name"] for s in plan.get("statuses", [])] or DEFAULT_STATUSES
    rows, columns = [], Counter()
    for p in plan["perspectives"]:
        c = Counter(a["status"] for b in p["businesses"] for a in b["activities"])
        columns.update(c)
        rows.append([str(c[n]) for n in names] + [str(sum(c.values()))])
    rows.append([str(columns[n]) for n in names] + [str(sum(columns.values()))])
    return rows


def numbers_of(table: list[list[str | None]]) -> list[list[str]]:
    return [[re.sub(r"\s", "", c or "") for c in row[1:]] for row in table[1:]]


def write_plan(folder: Path, plan: dict) -> Path:
    source = folder / "plan.yaml"
    source.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return source


@SETTINGS
@given(plans())
def test_valid_plans_build_both_formats_with_the_input_counts(plan: dict) -> None:
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


def _break(plan: dict, how: str, where: int) -> dict:
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
def test_invalid_plans_exit_2_located_and_write_nothing(plan: dict, how: str, where: int) -> None:
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
