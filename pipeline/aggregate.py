"""Stage 2, aggregate: every number the documents print, computed from the activities."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Activity, Business, Perspective, ReportInput, Status


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
class Delayed:
    """A delayed activity, with the business and perspective it belongs to."""

    activity: Activity
    business: Business
    perspective: Perspective


@dataclass(frozen=True)
class Counts:
    """The count table and what is derived from it."""

    statuses: tuple[Status, ...]
    rows: tuple[Row, ...]
    businesses: int
    delayed: tuple[Delayed, ...]
    rounding: str = "half_up"

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
