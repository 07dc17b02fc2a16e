"""A development programme's figures, computed from the status histories and returns of the micro-enterprises
in its areas, in a fixed number of queries whatever the number of localities, micro-enterprises or quarters.

Per programme quarter (quarter 1 starts on the programme's start date; quarters are three calendar months):

- enquiries: micro-enterprises first in contact (their first status, whatever it was) in the quarter;
- new trading: micro-enterprises that started trading for the first time in the quarter;
- hours a week and people supported at the quarter's end: the latest return on or before that day of each
  micro-enterprise trading that day;
- hours in the quarter = hours a week × 13; cost avoidance = hours in the quarter × the programme's hourly cost
  avoidance; net cash flow = cost avoidance − spending; cumulative cash flow = the running sum of net;
- the break-even quarter: the first whose cumulative cash flow is 0 or more (none if no quarter is);
- the forecast: the same from the planned trajectory of hours a week instead of the returns.

Year targets count within their programme year (enquiries, new trading) or are the level to reach by its end
(hours a week). Actual figures stop at `on`: a quarter not yet begun has none, and the quarter in progress is
measured on `on` and marked incomplete.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from market.models import (
    MicroEnterpriseReturn,
    MicroEnterpriseStatus,
    MicroEnterpriseStatusChange,
    Programme,
)
from market.selectors.micro_enterprises import localities_covered

WEEKS_IN_A_QUARTER = 13
QUARTERS_IN_A_YEAR = 4
PENCE = Decimal("0.01")
ZERO = Decimal(0)


def _money(value: Decimal) -> Decimal:
    return value.quantize(PENCE, rounding=ROUND_HALF_UP)


def quarter_dates(start: date, quarter: int) -> tuple[date, date]:
    """First and last day of programme quarter `quarter` (1-based)."""
    first = start + relativedelta(months=3 * (quarter - 1))
    return first, start + relativedelta(months=3 * quarter) - timedelta(days=1)


def programmes_list():
    return Programme.objects.prefetch_related("areas", "years", "quarters").order_by("start_date", "name", "id")


@dataclass
class MicroEnterpriseHistory:
    """One micro-enterprise's status changes and returns, in date order, read once for all quarters."""

    locality_id: int
    locality_code: str
    locality_name: str
    change_days: list[date]
    change_statuses: list[str]
    return_days: list[date]
    returns: list[tuple[Decimal, int]]

    @property
    def first_contact(self) -> date:
        return self.change_days[0]

    def status_on(self, day: date) -> str | None:
        index = bisect_right(self.change_days, day)
        return self.change_statuses[index - 1] if index else None

    def first_trading(self) -> date | None:
        for day, status in zip(self.change_days, self.change_statuses, strict=True):
            if status == MicroEnterpriseStatus.TRADING:
                return day
        return None

    def delivering_on(self, day: date) -> tuple[Decimal, int]:
        """Hours a week and people supported on `day`: nothing unless trading that day."""
        if self.status_on(day) != MicroEnterpriseStatus.TRADING:
            return ZERO, 0
        index = bisect_right(self.return_days, day)
        return self.returns[index - 1] if index else (ZERO, 0)


def histories(programme: Programme) -> list[MicroEnterpriseHistory]:
    """The histories of every micro-enterprise in the programme's areas: three queries."""
    covered = localities_covered(area.pk for area in programme.areas.all())
    by_id: dict[int, MicroEnterpriseHistory] = {}
    changes = (
        MicroEnterpriseStatusChange.objects.filter(micro_enterprise__locality_id__in=covered)
        .order_by("micro_enterprise_id", "on")
        .values_list(
            "micro_enterprise_id",
            "micro_enterprise__locality_id",
            "micro_enterprise__locality__code",
            "micro_enterprise__locality__name",
            "on",
            "status",
        )
    )
    for enterprise_id, locality_id, code, name, day, status in changes:
        history = by_id.setdefault(enterprise_id, MicroEnterpriseHistory(locality_id, code, name, [], [], [], []))
        history.change_days.append(day)
        history.change_statuses.append(status)
    returns = (
        MicroEnterpriseReturn.objects.filter(micro_enterprise_id__in=list(by_id))
        .order_by("micro_enterprise_id", "from_date")
        .values_list("micro_enterprise_id", "from_date", "hours_per_week", "people_supported")
    )
    for enterprise_id, day, hours, people in returns:
        by_id[enterprise_id].return_days.append(day)
        by_id[enterprise_id].returns.append((Decimal(str(hours)), people))
    return list(by_id.values())


def _prefetched(programme: Programme) -> Programme:
    cache = getattr(programme, "_prefetched_objects_cache", {})
    if {"areas", "years", "quarters"} <= set(cache):
        return programme
    return programmes_list().get(pk=programme.pk)


def programme_figures(*, programme: Programme, on: date) -> dict:
    """The programme's quarters, years and break-even, actual (to `on`) and forecast. See the module's doc."""
    programme = _prefetched(programme)
    rate = programme.hourly_cost_avoidance
    targets = {year.year: year for year in programme.years.all()}
    enterprises = histories(programme)
    first_contacts = [enterprise.first_contact for enterprise in enterprises]
    first_tradings = [day for day in (enterprise.first_trading() for enterprise in enterprises) if day]

    quarters, cumulative, forecast_cumulative = [], ZERO, ZERO
    break_even = forecast_break_even = None
    year_counts: dict[int, dict[str, int]] = defaultdict(lambda: {"enquiries": 0, "new_trading": 0})
    for planned in programme.quarters.all():
        number = planned.quarter
        start, end = quarter_dates(programme.start_date, number)
        year = (number - 1) // QUARTERS_IN_A_YEAR + 1
        target = targets.get(year)
        forecast_hours = planned.planned_hours_per_week * WEEKS_IN_A_QUARTER
        forecast_avoided = _money(forecast_hours * rate)
        forecast_net = forecast_avoided - planned.spending
        forecast_cumulative += forecast_net
        if forecast_break_even is None and forecast_cumulative >= 0:
            forecast_break_even = number
        row = {
            "quarter": number,
            "year": year,
            "start": start,
            "end": end,
            "complete": end <= on,
            "spending": planned.spending,
            "planned_hours_per_week": planned.planned_hours_per_week,
            "enquiries_target": target.enquiries_target if target else None,
            "new_trading_target": target.trading_target if target else None,
            "hours_per_week_target": target.hours_per_week_target if target else None,
            "forecast_hours": forecast_hours,
            "forecast_cost_avoidance": forecast_avoided,
            "forecast_net_cash_flow": forecast_net,
            "forecast_cumulative_cash_flow": forecast_cumulative,
        }
        actual = dict.fromkeys(
            (
                "measured_on",
                "enquiries",
                "enquiries_year_to_date",
                "new_trading",
                "new_trading_year_to_date",
                "trading",
                "hours_per_week",
                "people_supported",
                "hours_against_trajectory",
                "hours",
                "cost_avoidance",
                "net_cash_flow",
                "cumulative_cash_flow",
            )
        )
        if start <= on:
            measured = min(end, on)
            enquiries = sum(1 for day in first_contacts if start <= day <= measured)
            new_trading = sum(1 for day in first_tradings if start <= day <= measured)
            year_counts[year]["enquiries"] += enquiries
            year_counts[year]["new_trading"] += new_trading
            delivering = [enterprise.delivering_on(measured) for enterprise in enterprises]
            hours_per_week = sum((hours for hours, _ in delivering), ZERO)
            hours = hours_per_week * WEEKS_IN_A_QUARTER
            avoided = _money(hours * rate)
            net = avoided - planned.spending
            cumulative += net
            if break_even is None and cumulative >= 0:
                break_even = number
            actual.update(
                measured_on=measured,
                enquiries=enquiries,
                enquiries_year_to_date=year_counts[year]["enquiries"],
                new_trading=new_trading,
                new_trading_year_to_date=year_counts[year]["new_trading"],
                trading=sum(1 for enterprise in enterprises if enterprise.status_on(measured) == "trading"),
                hours_per_week=hours_per_week,
                people_supported=sum(people for _, people in delivering),
                hours_against_trajectory=hours_per_week - planned.planned_hours_per_week,
                hours=hours,
                cost_avoidance=avoided,
                net_cash_flow=net,
                cumulative_cash_flow=cumulative,
            )
        row.update(actual)
        quarters.append(row)

    return {
        "programme": programme.pk,
        "name": programme.name,
        "on": on,
        "hourly_cost_avoidance": rate,
        "quarters": quarters,
        "years": _years(quarters, targets),
        "break_even_quarter": break_even,
        "forecast_break_even_quarter": forecast_break_even,
    }


def _years(quarters: list[dict], targets: dict) -> list[dict]:
    """Each programme year: its targets, what was achieved in it, and its cost avoidance and cash flow."""
    years = []
    for year in sorted({row["year"] for row in quarters} | set(targets)):
        rows = [row for row in quarters if row["year"] == year]
        measured = [row for row in rows if row["measured_on"] is not None]
        last = measured[-1] if measured else None
        target = targets.get(year)
        spending = sum((row["spending"] for row in rows), ZERO)
        forecast_avoided = sum((row["forecast_cost_avoidance"] for row in rows), ZERO)
        avoided = sum((row["cost_avoidance"] for row in measured), ZERO) if measured else None
        years.append(
            {
                "year": year,
                "start": rows[0]["start"] if rows else None,
                "end": rows[-1]["end"] if rows else None,
                "complete": bool(rows) and all(row["complete"] for row in rows),
                "enquiries_target": target.enquiries_target if target else None,
                "new_trading_target": target.trading_target if target else None,
                "hours_per_week_target": target.hours_per_week_target if target else None,
                "enquiries": last["enquiries_year_to_date"] if last else None,
                "new_trading": last["new_trading_year_to_date"] if last else None,
                "hours_per_week": last["hours_per_week"] if last else None,
                "spending": spending,
                "cost_avoidance": avoided,
                "net_cash_flow": avoided - sum((row["spending"] for row in measured), ZERO) if measured else None,
                "forecast_cost_avoidance": forecast_avoided,
                "forecast_net_cash_flow": forecast_avoided - spending,
            }
        )
    return years


def programme_health(*, programme: Programme, on: date) -> dict:
    """ "State of health" by locality on `on`: micro-enterprises by status (those in contact by then), and the
    hours a week and people supported by those trading, per micro-enterprise locality and in total."""
    programme = _prefetched(programme)
    statuses = MicroEnterpriseStatus.values
    rows: dict[int, dict] = {}
    total = {"locality": None, "locality_name": "All areas", **dict.fromkeys(statuses, 0)}
    total.update(hours_per_week=ZERO, people_supported=0)
    for enterprise in histories(programme):
        status = enterprise.status_on(on)
        if status is None:
            continue
        row = rows.setdefault(
            enterprise.locality_id,
            {
                "locality": enterprise.locality_code,
                "locality_name": enterprise.locality_name,
                **dict.fromkeys(statuses, 0),
                "hours_per_week": ZERO,
                "people_supported": 0,
            },
        )
        hours, people = enterprise.delivering_on(on)
        for target in (row, total):
            target[status] += 1
            target["hours_per_week"] += hours
            target["people_supported"] += people
    localities = sorted(rows.values(), key=lambda row: (row["locality_name"], row["locality"]))
    return {"programme": programme.pk, "on": on, "localities": localities, "total": total}
