"""The calendar rules the service counts by, each written once: the UK financial year (1 April to 31 March) and
a date some months on."""

from datetime import date

from dateutil.relativedelta import relativedelta

FINANCIAL_YEAR_START_MONTH = 4


def financial_year_of(day: date) -> int:
    """The calendar year a day's financial year starts in: 2026 for 1 April 2026 to 31 March 2027."""
    return day.year if day.month >= FINANCIAL_YEAR_START_MONTH else day.year - 1


def financial_year(day: date) -> tuple[date, date]:
    """The first and last day of the financial year a day falls in."""
    start = date(financial_year_of(day), FINANCIAL_YEAR_START_MONTH, 1)
    return start, start + relativedelta(years=1, days=-1)


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or earlier for a negative count (the month's last day when it has no such
    day: 31 August + 6 = 28 February); the last representable day when that is beyond it."""
    try:
        return day + relativedelta(months=months)
    except (OverflowError, ValueError):
        return date.max if months > 0 else date.min
