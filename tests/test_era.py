"""Era years (和暦) for every fiscal year and date from 平成 on, in both notations."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.era import date_label, era_of_date, era_of_fiscal_year, fiscal_year_label


def expected_fiscal(year: int) -> tuple[str, int]:
    """Independent rule: the era in force on 1 May of the fiscal year's first calendar year."""
    if year >= 2019:
        return "令和", year - 2018
    if year >= 1989:
        return "平成", year - 1988
    return "昭和", year - 1925


@pytest.mark.parametrize("year", range(1989, 2101))
def test_every_fiscal_year_from_heisei(year: int) -> None:
    era, n = expected_fiscal(year)
    shown = "元" if n == 1 else str(n)
    assert era_of_fiscal_year(year) == (era, n)
    assert fiscal_year_label(year) == f"{era}{shown}（{year}）年度"
    assert fiscal_year_label(year, "era_year_paren") == f"{era}{shown}年（{year}年）度"


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (2019, "令和元（2019）年度"),
        (2022, "令和4（2022）年度"),
        (2018, "平成30（2018）年度"),
        (1989, "平成元（1989）年度"),
        (1990, "平成2（1990）年度"),
        (1988, "昭和63（1988）年度"),
    ],
)
def test_published_examples(year: int, label: str) -> None:
    assert fiscal_year_label(year) == label


@pytest.mark.parametrize(
    ("day", "label", "year_label"),
    [
        (dt.date(2019, 4, 30), "平成31（2019）年4月30日", "平成31年（2019年）4月30日"),
        (dt.date(2019, 5, 1), "令和元（2019）年5月1日", "令和元年（2019年）5月1日"),
        (dt.date(2024, 3, 29), "令和6（2024）年3月29日", "令和6年（2024年）3月29日"),
        (dt.date(1989, 1, 7), "昭和64（1989）年1月7日", "昭和64年（1989年）1月7日"),
        (dt.date(1989, 1, 8), "平成元（1989）年1月8日", "平成元年（1989年）1月8日"),
    ],
)
def test_dates_across_era_changes(day: dt.date, label: str, year_label: str) -> None:
    assert date_label(day) == label
    assert date_label(day, "era_year_paren") == year_label


def test_fiscal_2018_runs_into_reiwa_but_keeps_heisei() -> None:
    assert era_of_fiscal_year(2018) == ("平成", 30)
    assert era_of_date(dt.date(2019, 3, 31)) == ("平成", 31)


def test_every_accepted_year_and_date_has_an_era() -> None:
    """The input accepts fiscal years and dates in ``load``'s range: each one has a label."""
    from pipeline.load import FIRST_YEAR, LAST_YEAR

    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        assert fiscal_year_label(year).endswith(f"（{year}）年度")
    for day in (dt.date(FIRST_YEAR, 1, 1), dt.date(2107, 12, 31)):
        era, n = era_of_date(day)
        assert date_label(day).startswith(f"{era}{'元' if n == 1 else n}（{day.year}）年")
