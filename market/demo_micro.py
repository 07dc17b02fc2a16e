"""Demo micro-enterprise programme: East Cambridgeshire's, two years from January 2021.

Its targets (year 1: 200 enquiries, 50 new micro-enterprises trading, 250 hours a week; year 2: 400, 125, 750),
its planned hours a week by quarter (0, 100, 175, 250, 375, 500, 650, 750), its spending (£25,000 a quarter in
year 1, £15,000 in year 2) and £4.50 an hour of cost avoidance are the council's. The micro-enterprises, with
invented trading names, are illustrative and cover the programme's first year:

- enquiries by quarter: 30, 45, 55, 60 (190 in year 1);
- new micro-enterprises trading by quarter: 0, 12, 14, 16 (42), each delivering 6 hours a week to 2 people
  from the day it starts trading; one of the first to trade ceases in the fourth quarter;
- so at the quarters' ends: 0, 72, 156 and 246 hours a week (41 trading, 82 people supported).

Runs after the geo demo (East Cambridgeshire and its wards); idempotent (a second run finds the programme and
writes nothing). The demo account `microenterprise` (a provider user) reports the returns of the first one.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.demo import DEMO_PASSWORD
from accounts.roles import Role
from accounts.services import user_upsert
from geo.models import Locality, LocalityKind
from market.models import MicroEnterprise, MicroEnterpriseStatus, Programme
from market.selectors.programmes import quarter_dates
from market.services.micro_enterprises import (
    micro_enterprise_create,
    micro_enterprise_member_add,
    micro_enterprise_return_record,
    micro_enterprise_status_set,
    programme_create,
)

PROGRAMME_NAME = "East Cambridgeshire micro-enterprise development"
DISTRICT = "E07000009"
START = date(2021, 1, 1)
YEARS = [
    {"year": 1, "enquiries_target": 200, "trading_target": 50, "hours_per_week_target": Decimal(250)},
    {"year": 2, "enquiries_target": 400, "trading_target": 125, "hours_per_week_target": Decimal(750)},
]
TRAJECTORY = [0, 100, 175, 250, 375, 500, 650, 750]
SPENDING = [25_000] * 4 + [15_000] * 4
HOURLY_COST_AVOIDANCE = Decimal("4.50")

ENQUIRIES = [30, 45, 55, 60]
NEW_TRADING = [0, 12, 14, 16]
HOURS_PER_WEEK_EACH = Decimal(6)
PEOPLE_EACH = 2
CEASED_ON = date(2021, 11, 15)  # the first micro-enterprise to trade stops (its carer retires)
DEMO_ACCOUNT = "microenterprise"

KINDS = ["Home Help", "Companions", "Community Care", "Carers", "Support at Home", "Helping Hands"]
SERVICES = [
    "Personal care and companionship, one to one",
    "Companionship, shopping and meals",
    "Personal care, medication prompts",
    "Sitting service and respite for carers",
]


class DemoPrerequisiteMissing(RuntimeError):
    pass


def _spread(start: date, end: date, count: int, offset: int = 0) -> list[date]:
    """`count` days spread across [start, end], starting `offset` days in."""
    span = (end - start).days - offset
    return [start + timedelta(days=offset + (span * index) // max(count, 1)) for index in range(count)]


def demo_load() -> dict[str, int]:
    district = Locality.objects.filter(code=DISTRICT, kind=LocalityKind.DISTRICT).first()
    wards = list(Locality.objects.filter(kind=LocalityKind.WARD, parent__code=DISTRICT).order_by("code"))
    if district is None or not wards:
        raise DemoPrerequisiteMissing(
            "The micro-enterprise demo needs the geo demo's East Cambridgeshire and its wards first. "
            "Run manage.py demo_load, which loads them in order."
        )
    if not Programme.objects.filter(name=PROGRAMME_NAME).exists():
        with transaction.atomic():
            _load(district, wards)
    return _counts()


def _load(district: Locality, wards: list[Locality]) -> None:
    programme_create(
        name=PROGRAMME_NAME,
        start_date=START,
        areas=[district],
        years=YEARS,
        quarters=[
            {"quarter": number, "planned_hours_per_week": Decimal(hours), "spending": Decimal(spending)}
            for number, (hours, spending) in enumerate(zip(TRAJECTORY, SPENDING, strict=True), start=1)
        ],
        hourly_cost_avoidance=HOURLY_COST_AVOIDANCE,
        notes="Two-year programme; East Cambridgeshire first, where home care is hardest to find.",
    )
    enquiries: list[list[MicroEnterprise]] = []
    number = 0
    for quarter, count in enumerate(ENQUIRIES, start=1):
        start, end = quarter_dates(START, quarter)
        made = []
        for day in _spread(start, end - timedelta(days=10), count):
            ward = wards[number % len(wards)]
            made.append(
                micro_enterprise_create(
                    trading_name=f"{ward.name} {KINDS[number % len(KINDS)]} {number + 1:03d}",
                    locality=ward,
                    services=SERVICES[number % len(SERVICES)],
                    # Most are sole traders working one to one; a few employ carers and must register.
                    needs_cqc_registration=number % 10 == 9,
                    status_on=day,
                )
            )
            number += 1
        enquiries.append(made)

    # Who starts trading in each quarter: the earliest enquiries not yet trading, after a fortnight developing.
    waiting = [enterprise for made in enquiries for enterprise in made]
    trading: list[MicroEnterprise] = []
    for quarter, count in enumerate(NEW_TRADING, start=1):
        start, end = quarter_dates(START, quarter)
        days = _spread(start, end - timedelta(days=5), count, offset=3)
        for day in days:
            enterprise = next(item for item in waiting if item.status_since < day - timedelta(days=20))
            waiting.remove(enterprise)
            micro_enterprise_status_set(
                micro_enterprise=enterprise, status=MicroEnterpriseStatus.DEVELOPING, on=day - timedelta(days=14)
            )
            micro_enterprise_status_set(micro_enterprise=enterprise, status=MicroEnterpriseStatus.TRADING, on=day)
            micro_enterprise_return_record(
                micro_enterprise=enterprise,
                from_date=day,
                hours_per_week=HOURS_PER_WEEK_EACH,
                people_supported=PEOPLE_EACH,
            )
            enterprise.refresh_from_db()
            trading.append(enterprise)
    # A third of the rest are developing a business plan; the others are still enquiries.
    for index, enterprise in enumerate(waiting):
        if index % 3 == 0:
            micro_enterprise_status_set(
                micro_enterprise=enterprise,
                status=MicroEnterpriseStatus.DEVELOPING,
                on=enterprise.status_since + timedelta(days=21),
            )
    micro_enterprise_status_set(
        micro_enterprise=trading[0], status=MicroEnterpriseStatus.CEASED, on=CEASED_ON, notes="Carer retired."
    )
    account = user_upsert(
        username=DEMO_ACCOUNT,
        roles=[Role.PROVIDER_USER],
        email=f"{DEMO_ACCOUNT}@example.org",
        password=DEMO_PASSWORD,
        organisation=trading[1].trading_name,
    )
    micro_enterprise_member_add(micro_enterprise=trading[1], user=account)


def _counts() -> dict[str, int]:
    programme = Programme.objects.filter(name=PROGRAMME_NAME).first()
    enterprises = MicroEnterprise.objects.filter(locality__parent__code=DISTRICT)
    return {
        "micro_enterprise_programmes": 1 if programme else 0,
        "micro_enterprises": enterprises.count(),
        "micro_enterprises_trading": enterprises.filter(status=MicroEnterpriseStatus.TRADING).count(),
    }
