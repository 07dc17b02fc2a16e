"""The calendar rules every report counts by (core.days), written once."""

from datetime import date

import pytest

from core.days import financial_year, financial_year_of, months_after


@pytest.mark.parametrize(
    ("day", "year"),
    [(date(2026, 3, 31), 2025), (date(2026, 4, 1), 2026), (date(2026, 12, 7), 2026), (date(2027, 1, 1), 2026)],
)
def test_a_day_belongs_to_the_financial_year_starting_the_april_before_it(day, year):
    assert financial_year_of(day) == year


def test_the_financial_year_runs_from_1_april_to_31_march():
    assert financial_year(date(2026, 12, 7)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert financial_year(date(2027, 3, 31)) == (date(2026, 4, 1), date(2027, 3, 31))


@pytest.mark.parametrize(
    ("day", "months", "after"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 12, 7), -12, date(2025, 12, 7)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(9999, 10, 1), 6, date.max),
        (date(1, 3, 1), -6, date.min),
    ],
)
def test_months_after_keeps_the_day_or_takes_the_months_last_and_never_overflows(day, months, after):
    assert months_after(day, months) == after
