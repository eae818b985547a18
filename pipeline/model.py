"""Typed model of one progress report, as read from the input YAML (stage 1's output)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Loc:
    """Where a value stands in its input file (1-based line and column)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Status:
    """One progress status (進捗区分), e.g. 概ね順調."""

    name: str
    on_track: bool = False
    delayed: bool = False
    description: str | None = None


DEFAULT_STATUSES: tuple[Status, ...] = (
    Status("済", on_track=True),
    Status("概ね順調", on_track=True),
    Status("遅れ", delayed=True),
    Status("未着手"),
    Status("休止"),
)


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity (活動) of a business."""

    name: str
    status: str
    department: str | None = None
    plan: str | None = None
    results: tuple[str, ...] = ()
    next: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Business:
    """A business (事業) of a perspective."""

    name: str
    activities: tuple[Activity, ...]
    priority: bool = False
    department: str | None = None
    highlights: tuple[str, ...] = ()


@dataclass(frozen=True)
class Perspective:
    """A perspective (取組の視点), printed （1）, （2）, …"""

    name: str
    businesses: tuple[Business, ...]


@dataclass(frozen=True)
class Plan:
    """The reform plan the report belongs to."""

    organization: str
    title: str
    first_year: int
    last_year: int


TERMS = {"first_half": "上半期", "second_half": "下半期", "full_year": ""}
ROUNDINGS = ("half_up", "down")
YEAR_STYLES = ("era_paren", "era_year_paren")


@dataclass(frozen=True)
class Report:
    """The period reported on and how the report is titled."""

    fiscal_year: int
    term: str
    title: str = "取組状況【総括】"
    document_number: str | None = None
    detail_documents: tuple[str, ...] = ()
    date: dt.date | None = None
    rounding: str = "half_up"
    year_style: str = "era_paren"


@dataclass(frozen=True, slots=True)
class Text:
    """One text value of the input with its place, for checks on printed characters."""

    value: str
    path: str
    loc: Loc


@dataclass(frozen=True)
class ReportInput:
    """A whole validated input file."""

    source: str
    plan: Plan
    report: Report
    statuses: tuple[Status, ...]
    perspectives: tuple[Perspective, ...]
    texts: tuple[Text, ...] = field(default=(), compare=False, repr=False)

    def status(self, name: str) -> Status:
        """The status called ``name`` (validated to exist)."""
        for status in self.statuses:
            if status.name == name:
                return status
        raise KeyError(name)

    def activity_count(self) -> int:
        """How many activities the plan has."""
        return sum(len(b.activities) for p in self.perspectives for b in p.businesses)

    def issue_date(self) -> dt.date:
        """The document date: the report's own, else the day after its term ends."""
        if self.report.date is not None:
            return self.report.date
        year = self.report.fiscal_year
        if self.report.term == "first_half":
            return dt.date(year, 10, 1)
        return dt.date(year + 1, 4, 1)
