"""Typed model of one progress report, as read from the input YAML (stage 1's output)."""

from __future__ import annotations

import datetime as dt
import re
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
class Problem:
    """One thing wrong with an input (or worth a warning), located."""

    loc: Loc
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc.line else f"{self.loc.file}: "
        return printable(f"{where}{self.path + ': ' if self.path else ''}{self.message}")


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # controls and lone surrogates


def printable(line: str) -> str:
    """``line`` with control characters and lone surrogates shown as ``\\uXXXX``.

    A message quotes what the file holds; such characters would break the message's line,
    drive the terminal, or (surrogates) stop the message from being written at all.
    """
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


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


EFFECT_KINDS = ("歳出削減", "歳入確保")  # 財政効果額's kinds, in the order the documents show them
MONEY_UNITS = ("円", "千円", "百万円")


@dataclass(frozen=True, slots=True)
class Effect:
    """An activity's 財政効果額 of this period, in ``Report.money_unit``."""

    kind: str
    target: int | None = None
    actual: int | None = None


@dataclass(frozen=True, slots=True)
class Indicator:
    """An activity's 指標: a target value and this period's actual value."""

    name: str
    unit: str | None = None
    target: int | float | None = None
    actual: int | float | None = None


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
    id: str | None = None
    effect: Effect | None = None
    indicators: tuple[Indicator, ...] = ()
    loc: Loc | None = field(default=None, compare=False, repr=False)  # where the activity is written


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
TERM_ORDER = {"first_half": 0, "second_half": 1, "full_year": 1}  # a full year ends with its second half
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
    previous: str | None = None  # the previous report's path, as written (relative to this file)
    money_unit: str = "千円"

    @property
    def order(self) -> tuple[int, int]:
        """Where the period stands in time: (fiscal year, half)."""
        return self.fiscal_year, TERM_ORDER[self.term]


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
    previous: ReportInput | None = field(default=None, compare=False, repr=False)
    warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)

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
