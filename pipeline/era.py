"""Japanese era (和暦) notation for fiscal years and dates."""

from __future__ import annotations

import datetime as dt

# (era name, first day of the era); newest first.
ERAS: tuple[tuple[str, dt.date], ...] = (
    ("令和", dt.date(2019, 5, 1)),
    ("平成", dt.date(1989, 1, 8)),
    ("昭和", dt.date(1926, 12, 25)),
)


def _era_number(n: int) -> str:
    return "元" if n == 1 else str(n)


def era_of_fiscal_year(year: int) -> tuple[str, int]:
    """Era and era year of a fiscal year (April to March).

    Municipalities name a fiscal year after the era in force on 1 May of its first year:
    2019 → 令和元年度 (the era began on that day), 1989 → 平成元年度, 1988 → 昭和63年度.
    """
    return era_of_date(dt.date(year, 5, 1))


def era_of_date(day: dt.date) -> tuple[str, int]:
    """Era and era year of a calendar date (2019-04-30 → 平成31)."""
    for name, start in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"date {day} is before the eras known here")


def fiscal_year_label(year: int, style: str = "era_paren") -> str:
    """令和4（2022）年度 (``era_paren``) or 令和4年（2022年）度 (``era_year_paren``)."""
    era, n = era_of_fiscal_year(year)
    if style == "era_year_paren":
        return f"{era}{_era_number(n)}年（{year}年）度"
    return f"{era}{_era_number(n)}（{year}）年度"


def date_label(day: dt.date, style: str = "era_paren") -> str:
    """令和6（2024）年3月29日 or 令和6年（2024年）3月29日."""
    era, n = era_of_date(day)
    if style == "era_year_paren":
        return f"{era}{_era_number(n)}年（{day.year}年）{day.month}月{day.day}日"
    return f"{era}{_era_number(n)}（{day.year}）年{day.month}月{day.day}日"
