"""Stage 2, aggregate: every count the documents print, against counts computed here from the YAML
with PyYAML alone (no pipeline code), for the sample, every test plan and generated plans; the
percentage's two roundings; and the sample's counts against the published count table."""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from fractions import Fraction
from math import floor
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.aggregate import Counts, aggregate, match_activities, percent, rate
from pipeline.cli import SAMPLE
from pipeline.load import load
from pipeline.model import Activity, ReportInput

from .conftest import (
    activities,
    expected_counts,
    load_yaml,
    norm,
    on_track_percent,
    reference_lines,
    reference_table,
    status_counts,
    statuses,
)

PLANS = sorted((Path(__file__).parent / "plans").glob("*.yaml"))
INPUTS = [SAMPLE, *PLANS]


def independent(data: dict) -> dict[str, object]:
    """Everything ``Counts`` holds, derived from the YAML's dicts."""
    names = [s["name"] for s in statuses(data)]
    rows = []
    for i, p in enumerate(data["perspectives"], start=1):
        c = status_counts([(None, a) for b in p["businesses"] for a in b["activities"]])
        rows.append((i, p["name"], tuple(c.get(n, 0) for n in names)))
    acts = activities(data)
    all_counts = status_counts(acts)
    delayed = {s["name"] for s in statuses(data) if s.get("delayed")}
    on_track = {s["name"] for s in statuses(data) if s.get("on_track")}
    return {
        "statuses": names,
        "rows": rows,
        "row_totals": [sum(r[2]) for r in rows],
        "column_totals": tuple(all_counts.get(n, 0) for n in names),
        "activities": len(acts),
        "businesses": sum(len(p["businesses"]) for p in data["perspectives"]),
        "on_track": sum(n for name, n in all_counts.items() if name in on_track),
        "on_track_percent": on_track_percent(data),
        "delayed": [(p["name"], b["name"], a["name"]) for p, b, a in acts if a["status"] in delayed],
    }


def of_counts(counts: Counts) -> dict[str, object]:
    """The same facts, read from ``aggregate``'s result."""
    return {
        "statuses": [s.name for s in counts.statuses],
        "rows": [(r.number, r.perspective, r.counts) for r in counts.rows],
        "row_totals": [r.total for r in counts.rows],
        "column_totals": counts.column_totals,
        "activities": counts.activities,
        "businesses": counts.businesses,
        "on_track": counts.on_track,
        "on_track_percent": counts.on_track_percent,
        "delayed": [(d.perspective.name, d.business.name, d.activity.name) for d in counts.delayed],
    }


@pytest.mark.parametrize("path", INPUTS, ids=[p.stem for p in INPUTS])
def test_counts_match_the_yaml(path: Path) -> None:
    assert of_counts(aggregate(load(path))) == independent(load_yaml(path))


# --- generated plans ---------------------------------------------------------------------------

NAME = st.text("甲乙丙丁戊己庚辛壬癸改革事業活動abcXYZ019", min_size=1, max_size=6)


@st.composite
def plans(draw: st.DrawFn) -> dict:
    """A valid plan: default or custom statuses (any flags), 1–4 perspectives, any rounding."""
    status_list = None
    names = ["済", "概ね順調", "遅れ", "未着手", "休止"]
    if draw(st.booleans()):
        names = draw(st.lists(NAME, min_size=1, max_size=6, unique=True))
        flags = [draw(st.sampled_from([{}, {"on_track": True}, {"delayed": True}])) for _ in names]
        status_list = [{"name": n, **f} for n, f in zip(names, flags)]
    perspectives = []
    for p_name in draw(st.lists(NAME, min_size=1, max_size=4, unique=True)):
        businesses = []
        for b_name in draw(st.lists(NAME, min_size=1, max_size=3, unique=True)):
            acts = [
                {"name": a, "status": draw(st.sampled_from(names))}
                for a in draw(st.lists(NAME, min_size=1, max_size=5, unique=True))
            ]
            businesses.append({"name": b_name, "activities": acts})
        perspectives.append({"name": p_name, "businesses": businesses})
    plan: dict = {
        "format": 1,
        "plan": {"organization": "甲市", "title": "甲市行政改革計画", "period": [2020, 2024]},
        "report": {
            "fiscal_year": 2022,
            "term": "first_half",
            "rounding": draw(st.sampled_from(["half_up", "down"])),
        },
        "perspectives": perspectives,
    }
    if status_list:
        plan["statuses"] = status_list
    return plan


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_generated_counts_match_the_yaml(plan: dict) -> None:
    text = yaml.safe_dump(plan, allow_unicode=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        counts = aggregate(load(path))
    assert of_counts(counts) == independent(yaml.safe_load(text))


# --- the percentage ------------------------------------------------------------------------------


def test_percent_rounds_half_up_or_down_exactly() -> None:
    for whole in range(1, 121):
        for part in range(whole + 1):
            share = Fraction(100 * part, whole)
            assert percent(part, whole, "half_up") == floor(share + Fraction(1, 2)), (part, whole)
            assert percent(part, whole, "down") == floor(share), (part, whole)
    assert percent(0, 0) == 0


# --- the sample's counts as published ---------------------------------------------------------


def test_sample_counts_match_the_published_table(sample_data: dict) -> None:
    assert [[norm(c) for c in r] for r in expected_counts(sample_data)] == [
        [norm(c) for c in r] for r in reference_table()
    ]


def test_sample_has_27_businesses_and_50_activities_as_published(sample_data: dict) -> None:
    first = next(line for line in reference_lines() if "事業で" in line)
    businesses, activities = map(int, re.findall(r"\d+", first))
    found = [b for p in sample_data["perspectives"] for b in p["businesses"]]
    assert len(found) == businesses
    assert sum(len(b["activities"]) for b in found) == activities


def test_aggregate_of_the_sample_gives_the_published_table() -> None:
    counts = aggregate(load(SAMPLE))
    published = reference_table()
    assert [norm(c) for c in published[0][1:-1]] == [s.name for s in counts.statuses]
    body = [[norm(c) for c in row[1:]] for row in published[1:-1]]
    assert body == [[*map(str, r.counts), str(r.total)] for r in counts.rows]
    totals = [norm(c) for c in published[-1][1:]]
    assert totals == [*map(str, counts.column_totals), str(counts.activities)]


# --- issue 10: 達成率 and the matching of activities across reports ------------------------------


@pytest.mark.parametrize("rounding", ["half_up", "down"])
def test_rates_in_fractions(rounding: str) -> None:
    cases = [
        (1, 8),
        (3, 8),
        (5, 8),
        (2, 3),
        (9500, 12000),
        (98.9, 99.0),
        (0.5, 0.3),
        (7, 0),
        (None, 5),
        (5, None),
    ]
    for actual, target in cases:
        if actual is None or target is None or target == 0:
            assert rate(actual, target, rounding) is None
            continue
        share = Fraction(str(actual)) * 100 / Fraction(str(target))
        expected = floor(share) if rounding == "down" else floor(share + Fraction(1, 2))
        assert rate(actual, target, rounding) == expected, (actual, target)


def test_activities_matched_by_id_when_both_have_one_else_by_names() -> None:
    data = load(SAMPLE)
    first = data.perspectives[0].businesses[0]

    def with_activities(*activities: Activity) -> ReportInput:
        business = replace(first, activities=activities)
        return replace(data, perspectives=(replace(data.perspectives[0], businesses=(business,)),))

    a, b = Activity("甲", "概ね順調", id="X"), Activity("乙", "遅れ")
    now = with_activities(replace(a, name="甲（改）"), b, Activity("丙", "済", id="Z"))
    before = with_activities(a, replace(b, id="Y"), Activity("丙", "済", id="W"))
    match = match_activities(now, before)
    pairs = [(n.activity.name, p.activity.name if p else None) for n, p in match.pairs]
    # 甲 renamed but its id kept: matched; 乙 has an id on one side only: matched by name;
    # 丙 has different ids on both sides: one new, one removed
    assert pairs == [("甲（改）", "甲"), ("乙", "乙"), ("丙", None)]
    assert [p.activity.id for p in match.removed] == ["W"]
