"""Providers' vacancy reports as brokers read them: the one freshness rule (a report is stale when it is dated
more than VACANCY_REPORT_STALE_DAYS before today), and the market-wide "vacancies today" shop window, every home's
latest report for each care type, as brokers know it from the NHS Capacity Tracker."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import OuterRef, Subquery

from contracts.models import VacancyReport
from geo.selectors import Point, distance_km


def vacancy_stale_before(*, today: date) -> date:
    """The freshness rule: a vacancy report dated before this day is stale on `today`."""
    return today - timedelta(days=settings.VACANCY_REPORT_STALE_DAYS)


def vacancy_report_stale(report_date: date | None, *, today: date) -> bool:
    """Stale, or never reported (None)."""
    return report_date is None or report_date < vacancy_stale_before(today=today)


@dataclass(frozen=True)
class HomeVacancies:
    """A home's latest report for one care type."""

    location_id: int
    home: str
    provider: str
    postcode: str
    district: str
    care_type: str
    vacant_beds: int
    accepting_admissions: bool
    reported_on: date
    stale: bool
    distance_km: float | None


def vacancies_today(*, today: date, near: Point | None = None) -> list[HomeVacancies]:
    """Every home's latest vacancy report for each care type it reports, dated by `today`, stale ones marked: by
    distance from `near` (homes without coordinates last), else by home name. One query."""
    latest = (
        VacancyReport.objects.filter(
            location=OuterRef("location"), care_type=OuterRef("care_type"), report_date__lte=today
        )
        .order_by("-report_date", "-id")
        .values("id")[:1]
    )
    reports = VacancyReport.objects.filter(report_date__lte=today, id=Subquery(latest)).values_list(
        "location_id",
        "location__name",
        "location__provider__name",
        "location__postcode",
        "location__district__name",
        "location__latitude",
        "location__longitude",
        "care_type",
        "vacant_beds",
        "accepting_admissions",
        "report_date",
    )
    stale_before = vacancy_stale_before(today=today)
    rows = []
    for (
        location_id,
        home,
        provider,
        postcode,
        district,
        latitude,
        longitude,
        care_type,
        vacant_beds,
        accepting,
        reported_on,
    ) in reports:
        distance = None
        if near is not None and latitude is not None and longitude is not None:
            distance = round(distance_km(near.latitude, near.longitude, latitude, longitude), 1)
        rows.append(
            HomeVacancies(
                location_id=location_id,
                home=home,
                provider=provider,
                postcode=postcode or "",
                district=district or "",
                care_type=care_type,
                vacant_beds=vacant_beds,
                accepting_admissions=accepting,
                reported_on=reported_on,
                stale=reported_on < stale_before,
                distance_km=distance,
            )
        )
    if near is not None:
        rows.sort(key=lambda row: (row.distance_km is None, row.distance_km or 0, row.home, row.care_type))
    else:
        rows.sort(key=lambda row: (row.home, row.location_id, row.care_type))
    return rows
