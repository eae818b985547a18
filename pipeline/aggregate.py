"""Stage 2, aggregate: every number the documents print, computed from the activities."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from fractions import Fraction

from .model import (
    EFFECT_KINDS,
    Activity,
    Business,
    Effect,
    Indicator,
    Perspective,
    Report,
    ReportInput,
    Status,
)


@dataclass(frozen=True)
class Row:
    """One perspective's counts, in status order, and its total."""

    number: int
    perspective: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Placed:
    """An activity, with the business and perspective it belongs to."""

    activity: Activity
    business: Business
    perspective: Perspective

    @property
    def names(self) -> tuple[str, str, str]:
        """(perspective, business, activity): how an activity without an ``id`` is matched."""
        return self.perspective.name, self.business.name, self.activity.name


Delayed = Placed  # a delayed activity of section 3


@dataclass(frozen=True)
class Counts:
    """The count table and what is derived from it."""

    statuses: tuple[Status, ...]
    rows: tuple[Row, ...]
    businesses: int
    delayed: tuple[Delayed, ...]
    rounding: str = "half_up"
    effects: Effects | None = None  # when any activity has an effect
    comparison: Comparison | None = None  # when the report names its previous one
    rates: dict[Effect | Indicator, int | None] = field(default_factory=dict)  # each one's 達成率

    @property
    def column_totals(self) -> tuple[int, ...]:
        return tuple(sum(col) for col in zip(*(r.counts for r in self.rows)))

    @property
    def activities(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def on_track(self) -> int:
        return sum(n for s, n in zip(self.statuses, self.column_totals) if s.on_track)

    @property
    def on_track_percent(self) -> int:
        """On-track activities as a whole percentage of all activities."""
        return percent(self.on_track, self.activities, self.rounding)

    def by_status(self) -> tuple[tuple[Status, int], ...]:
        return tuple(zip(self.statuses, self.column_totals))


def percent(part: int, whole: int, rounding: str = "half_up") -> int:
    """``part / whole`` as a whole percentage, in integers so that no float rounding creeps in."""
    if whole <= 0:
        return 0
    if rounding == "down":
        return part * 100 // whole
    return (part * 200 + whole) // (whole * 2)


def aggregate(data: ReportInput) -> Counts:
    """Count activities per perspective × status; list the delayed ones in plan order; total
    the effects, rate the effects and indicators, compare with the previous report."""
    counts = count(data)
    effects = effect_totals(data) if any(p.activity.effect for p in placed(data)) else None
    rates: dict[Effect | Indicator, int | None] = {}
    for item in placed(data):
        effect = item.activity.effect
        if effect is not None:
            rates[effect] = rate(effect.actual, effect.target, data.report.rounding)
        for indicator in item.activity.indicators:
            rates[indicator] = rate(indicator.actual, indicator.target, data.report.rounding)
    comparison = compare(data, counts, data.previous) if data.previous is not None else None
    return replace(counts, effects=effects, comparison=comparison, rates=rates)


def count(data: ReportInput) -> Counts:
    """Count activities per perspective × status; list the delayed ones in plan order."""
    index = {s.name: i for i, s in enumerate(data.statuses)}
    delayed_names = {s.name for s in data.statuses if s.delayed}
    rows = []
    delayed = []
    for number, perspective in enumerate(data.perspectives, start=1):
        counts = [0] * len(data.statuses)
        for business in perspective.businesses:
            for activity in business.activities:
                counts[index[activity.status]] += 1
                if activity.status in delayed_names:
                    delayed.append(Delayed(activity, business, perspective))
        rows.append(Row(number, perspective.name, tuple(counts)))
    businesses = sum(len(p.businesses) for p in data.perspectives)
    return Counts(data.statuses, tuple(rows), businesses, tuple(delayed), data.report.rounding)


def rate(actual: int | float | None, target: int | float | None, rounding: str = "half_up") -> int | None:
    """達成率: ``actual / target`` as a whole percentage, in fractions (``None``: undefined,
    when a value is missing or the target is 0)."""
    if actual is None or target is None or target == 0:
        return None
    share = Fraction(100) * _exact(actual) / _exact(target)
    return math.floor(share) if rounding == "down" else math.floor(share + Fraction(1, 2))


def _exact(value: int | float) -> Fraction:
    """A number as written (``2.3`` is 23/10, not the float's binary value)."""
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def placed(data: ReportInput) -> Iterator[Placed]:
    """Every activity with its business and perspective, in plan order."""
    for perspective in data.perspectives:
        for business in perspective.businesses:
            for activity in business.activities:
                yield Placed(activity, business, perspective)


# --- 財政効果額 --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """Effect amounts added up: 目標額 and 実績額, and how many effects gave each."""

    target: int = 0
    actual: int = 0
    targets: int = 0
    actuals: int = 0

    def __add__(self, other: Money) -> Money:
        return Money(
            self.target + other.target,
            self.actual + other.actual,
            self.targets + other.targets,
            self.actuals + other.actuals,
        )

    @classmethod
    def of(cls, effect: Effect) -> Money:
        return cls(
            effect.target or 0, effect.actual or 0, effect.target is not None, effect.actual is not None
        )

    def rate(self, rounding: str) -> int | None:
        """達成率 of the totals (``None`` when undefined)."""
        if not self.targets or not self.actuals:
            return None
        return rate(self.actual, self.target, rounding)


@dataclass(frozen=True)
class EffectRow:
    """One perspective's effects: per kind (in ``EFFECT_KINDS`` order), and 累計 of the actuals."""

    number: int
    perspective: str
    by_kind: tuple[Money, ...]
    cumulative: int | None = None

    @property
    def total(self) -> Money:
        return sum(self.by_kind, Money())


@dataclass(frozen=True)
class Effects:
    """The effects table: a row per perspective, totals per kind and overall, 累計 when known."""

    kinds: tuple[str, ...]  # the kinds that occur, in EFFECT_KINDS order
    rows: tuple[EffectRow, ...]
    unit: str
    rounding: str
    cumulative: int | None = None  # this and every earlier period's actuals (with ``previous``)
    cumulative_by_kind: tuple[int, ...] | None = None  # … per kind, in EFFECT_KINDS order

    @property
    def by_kind(self) -> tuple[Money, ...]:
        """Totals per kind, in EFFECT_KINDS order."""
        return tuple(sum((r.by_kind[i] for r in self.rows), Money()) for i in range(len(EFFECT_KINDS)))

    @property
    def total(self) -> Money:
        return sum(self.by_kind, Money())

    def kind_total(self, kind: str) -> Money:
        return self.by_kind[EFFECT_KINDS.index(kind)]


def effect_totals(data: ReportInput) -> Effects:
    """Effects per perspective and kind; 累計 follows ``previous`` back as far as it goes."""
    earlier: dict[str, int] = {}
    earlier_by_kind = [0] * len(EFFECT_KINDS)
    previous = data.previous
    while previous is not None:
        for item in placed(previous):
            effect = item.activity.effect
            if effect is not None and effect.actual is not None:
                earlier[item.perspective.name] = earlier.get(item.perspective.name, 0) + effect.actual
                earlier_by_kind[EFFECT_KINDS.index(effect.kind)] += effect.actual
        previous = previous.previous
    chained = data.previous is not None
    rows = []
    kinds: set[str] = set()
    for number, perspective in enumerate(data.perspectives, start=1):
        by_kind = [Money()] * len(EFFECT_KINDS)
        for business in perspective.businesses:
            for activity in business.activities:
                if activity.effect is not None:
                    i = EFFECT_KINDS.index(activity.effect.kind)
                    by_kind[i] = by_kind[i] + Money.of(activity.effect)
                    kinds.add(activity.effect.kind)
        row = EffectRow(number, perspective.name, tuple(by_kind))
        if chained:
            row = replace(row, cumulative=row.total.actual + earlier.get(perspective.name, 0))
        rows.append(row)
    effects = Effects(
        tuple(k for k in EFFECT_KINDS if k in kinds),
        tuple(rows),
        data.report.money_unit,
        data.report.rounding,
    )
    if chained:
        so_far = tuple(m.actual + e for m, e in zip(effects.by_kind, earlier_by_kind))
        effects = replace(effects, cumulative=sum(so_far), cumulative_by_kind=so_far)
    return effects


# --- the comparison with the previous report ------------------------------------------------


@dataclass(frozen=True)
class Match:
    """This report's activities paired with the previous report's (``None``: new), and the
    previous report's activities no longer reported."""

    pairs: tuple[tuple[Placed, Placed | None], ...]
    removed: tuple[Placed, ...]

    @property
    def new(self) -> tuple[Placed, ...]:
        return tuple(now for now, before in self.pairs if before is None)


def match_activities(data: ReportInput, previous: ReportInput) -> Match:
    """Pair activities by ``id`` when both sides have one, else by (perspective, business,
    activity) names; each previous activity is paired at most once."""
    earlier = list(placed(previous))
    by_id = {p.activity.id: p for p in earlier if p.activity.id is not None}
    by_names = {p.names: p for p in earlier}
    used: set[int] = set()
    pairs: list[tuple[Placed, Placed | None]] = []
    for now in placed(data):
        ident = now.activity.id
        before = by_id.get(ident) if ident is not None else None
        if before is None:
            candidate = by_names.get(now.names)
            if candidate is not None and not (ident is not None and candidate.activity.id is not None):
                before = candidate
        if before is not None and id(before) in used:
            before = None
        if before is not None:
            used.add(id(before))
        pairs.append((now, before))
    removed = tuple(p for p in earlier if id(p) not in used)
    return Match(tuple(pairs), removed)


@dataclass(frozen=True)
class Change:
    """An activity whose status changed since the previous report."""

    item: Placed
    before: str


@dataclass(frozen=True)
class Comparison:
    """This report against its previous one: counts, their differences and what changed."""

    report: Report  # the previous report (its period names it)
    column_totals: tuple[int, ...]  # the previous report's activities per this report's statuses
    activities: int  # the previous report's activities, whatever their status
    on_track_percent: int  # the previous report's, by its own statuses
    differences: tuple[int, ...]  # this minus previous, per status
    difference: int  # this minus previous, all activities
    changed: tuple[Change, ...]
    new: tuple[Placed, ...]
    removed: tuple[Placed, ...]
    previous_statuses: tuple[str | None, ...]  # per activity in plan order (None: new)


def compare(data: ReportInput, counts: Counts, previous: ReportInput) -> Comparison:
    """Compare this report's counts and statuses with the previous report's."""
    before = count(previous)
    earlier_by_status: dict[str, int] = {}
    for item in placed(previous):
        earlier_by_status[item.activity.status] = earlier_by_status.get(item.activity.status, 0) + 1
    totals = tuple(earlier_by_status.get(s.name, 0) for s in counts.statuses)
    match = match_activities(data, previous)
    changed = tuple(
        Change(now, was.activity.status)
        for now, was in match.pairs
        if was is not None and was.activity.status != now.activity.status
    )
    return Comparison(
        report=previous.report,
        column_totals=totals,
        activities=before.activities,
        on_track_percent=before.on_track_percent,
        differences=tuple(a - b for a, b in zip(counts.column_totals, totals)),
        difference=counts.activities - before.activities,
        changed=changed,
        new=match.new,
        removed=match.removed,
        previous_statuses=tuple(was.activity.status if was else None for _, was in match.pairs),
    )
