"""Two districts with wards, block bed lines, vacancy reports and a homecare lot, for the supply and gap
tests; figures worked by hand in the tests that use them."""

from datetime import date
from decimal import Decimal

from contracts.models import ContractStatus
from contracts.services import closure_create, vacancy_report_record
from market.models import Lot
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocalityFactory, LocationFactory
from tests.market.mobilisation_factories import award_for, lot_with_wards

ON = date(2026, 3, 1)


def districts(n: int = 2, *, wards: int = 2, prefix: str = "E07"):
    """n districts, each with `wards` wards: returns [(district, [wards])]."""
    county = LocalityFactory(code="E10000099", name="Testshire", kind="county")
    found = []
    for i in range(n):
        district = LocalityFactory(
            code=f"{prefix}{i:06d}", name=f"District {chr(65 + i)}", kind="district", parent=county
        )
        members = [
            LocalityFactory(
                code=f"E05{prefix[-1]}{i:02d}{w:03d}", name=f"Ward {chr(65 + i)}{w + 1}", kind="ward", parent=district
            )
            for w in range(wards)
        ]
        found.append((district, members))
    return found


def home(district, ward, **fields):
    return LocationFactory(district=district, ward=ward, **fields)


def line(district, ward, *, care_type="nursing_dementia", beds=10, contract=None, **fields):
    location = home(district, ward, **({"provider": contract.provider} if contract else {}))
    return make_line(location=location, contract=contract, care_type=care_type, beds=beds, **fields)


def homecare_lot(wards, *, hours="100", go_live_on=date(2026, 1, 1), ended_on=None) -> Lot:
    lot, _ = lot_with_wards(wards=0)
    lot.area.members.set(wards)
    Lot.objects.filter(pk=lot.pk).update(hours_per_week=Decimal(hours))
    award = award_for(lot=lot, awarded_on=date(2025, 12, 1), go_live_on=go_live_on)
    if ended_on:
        award.ended_on = ended_on
        award.save(update_fields=["ended_on"])
    return lot


def supply_estate():
    """District A: 8 block nursing dementia beds (10 less 2 closed, 2 void) and 4 fresh spot vacancies in ward
    A1, 50 homecare hours; district B: 50 homecare hours in ward B1. Every other line, report and lot is
    left out on ON for a reason named beside it."""
    (a, (a1, a2)), (b, (b1, _b2)) = districts()
    counted = line(a, a1, beds=10, activation_date=date(2026, 1, 1))
    for _ in range(6):
        place(counted, start=date(2026, 1, 5))
    closure_create(
        bed_line=counted, start_date=date(2026, 2, 20), end_date=date(2026, 3, 19), reason="Outbreak", beds=2
    )
    line(a, a2, beds=4, activation_date=date(2026, 1, 1), contract=make_contract(status=ContractStatus.DRAFT))  # draft
    line(a, a2, beds=5, activation_date=date(2026, 1, 1), end_date=date(2026, 2, 15))  # ended before ON
    line(a, a1, care_type="residential", beds=3, activation_date=date(2026, 4, 1))  # not yet active

    def report(when, vacant, *, accepting=True, location=None):
        location = location or home(a, a1)
        vacancy_report_record(
            location=location,
            report_date=when,
            care_type="nursing_dementia",
            vacant_beds=vacant,
            accepting_admissions=accepting,
            today=when,  # as reported on its day
        )
        return location

    report(date(2026, 2, 27), 3)  # fresh: counted
    report(date(2026, 2, 10), 5)  # stale: more than 7 days before ON
    later_zero = report(date(2026, 2, 26), 4)
    report(date(2026, 2, 28), 0, location=later_zero)  # its latest report says none
    report(date(2026, 2, 28), 2, accepting=False)  # not accepting admissions
    after = report(date(2026, 2, 25), 1)  # counted: its latest report by ON
    report(date(2026, 3, 2), 6, location=after)  # after ON: not read for ON

    homecare_lot([a1, b1], hours="100")  # 50 hours to each ward
    homecare_lot([a2], hours="40", ended_on=date(2026, 2, 1))  # its award ended before ON
    return {"a": a, "a1": a1, "a2": a2, "b": b, "b1": b1, "line": counted}
