"""The market admin saves through the services: what the API refuses, the admin refuses, on the form."""

from datetime import date

import pytest
from django.urls import reverse

from market.models import Award, Lot, LotStatus, LotStatusChange
from tests.factories import LocalityFactory
from tests.market.admin_forms import form_errors
from tests.market.factories import make_award, make_bid, make_lot, make_round, make_tender

pytestmark = pytest.mark.django_db


def lot_form(lot: Lot, **changes) -> dict:
    values = {
        "code": lot.code,
        "name": lot.name,
        "area": lot.area_id,
        "service": lot.service,
        "hours_per_week": lot.hours_per_week or "",
        "notes": lot.notes,
        "new_status": "",
        "status_reason": "",
    }
    values.update(changes)
    return values


def test_the_admin_adds_a_lot_with_beds_sought_and_refuses_an_area_that_is_not_a_lot_area(admin_client):
    tender = make_tender(service="care_home_beds")
    district = LocalityFactory(code="E07000009", name="East Cambridgeshire", kind="district")
    area = LocalityFactory(code="CCC-EAST", name="East Cambridgeshire block beds", kind="lot_area")
    url = reverse("admin:market_lot_add")
    values = {
        "tender": tender.pk,
        "code": "CCC-BB-01",
        "name": "East Cambridgeshire",
        "service": "care_home_beds",
        "hours_per_week": "",
        "notes": "",
        "new_status": "",
        "status_reason": "",
        "beds_nursing": "40",
        "beds_nursing_dementia": "25",
    }
    refused = admin_client.post(url, {**values, "area": district.pk})
    assert "area" in form_errors(refused)
    assert not Lot.objects.exists()

    added = admin_client.post(url, {**values, "area": area.pk})
    assert added.status_code == 302, form_errors(added)
    lot = Lot.objects.get(code="CCC-BB-01")
    assert {row.care_type: row.beds for row in lot.capacities.all()} == {"nursing": 40, "nursing_dementia": 25}
    assert lot.history.first().history_user is not None


def test_the_admin_moves_a_lots_status_only_along_allowed_moves(admin_client):
    lot = make_lot()
    url = reverse("admin:market_lot_change", args=[lot.pk])
    refused = admin_client.post(url, lot_form(lot, new_status="live"))
    assert "cannot go from planned to live" in " ".join(form_errors(refused).values())
    lot.refresh_from_db()
    assert lot.status == LotStatus.PLANNED

    moved = admin_client.post(url, lot_form(lot, new_status="ended", status_reason="No longer commissioned"))
    assert moved.status_code == 302
    change = LotStatusChange.objects.filter(lot=lot).latest("pk")
    assert (change.to_status, change.reason) == ("ended", "No longer commissioned")


def test_the_admin_refuses_to_award_a_bid_below_the_quality_threshold(admin_client):
    round_ = make_round(lot=make_lot(tender=make_tender(quality_threshold=60)))
    low = make_bid(round=round_, quality="40", price="100")
    url = reverse("admin:market_award_add")
    values = {"bid": low.pk, "awarded_on": "2016-07-01", "go_live_on": "2016-11-07", "contract": ""}
    errors = form_errors(admin_client.post(url, values))
    assert "below the tender's threshold" in errors["bid"]
    assert not Award.objects.exists()


def test_every_market_change_page_opens_for_an_administrator(admin_client):
    award = make_award(awarded_on=date(2016, 7, 1))
    bid = award.bid
    for name, pk in [
        ("tender", award.lot.tender_id),
        ("lot", award.lot_id),
        ("procurementround", bid.round_id),
        ("bid", bid.pk),
        ("award", award.pk),
        ("lotstatuschange", LotStatusChange.objects.filter(lot=award.lot).first().pk),
    ]:
        response = admin_client.get(reverse(f"admin:market_{name}_change", args=[pk]))
        assert response.status_code == 200, name
