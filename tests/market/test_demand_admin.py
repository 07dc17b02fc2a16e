from datetime import date
from decimal import Decimal

import pytest

from market.models import Demand, PendingArrangement
from market.services.demand import demand_create
from tests.market.admin_forms import form_errors
from tests.market.demand_factories import districts

pytestmark = pytest.mark.django_db


def test_the_admin_saves_demand_through_the_service_and_shows_its_refusal(admin_client):
    (district, _), _ = districts()
    demand_create(
        locality=district,
        care_type="nursing",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        quantity=Decimal(10),
    )
    form = {
        "locality": district.pk,
        "care_type": "nursing",
        "period_start": "2026-03-01",
        "period_end": "2026-06-30",
        "quantity": "4",
        "source": "entered",
        "notes": "",
    }
    refused = admin_client.post("/admin/market/demand/add/", form)
    assert "overlaps" in form_errors(refused)["period_start"]
    assert Demand.objects.count() == 1
    form["period_start"] = "2026-04-01"
    assert admin_client.post("/admin/market/demand/add/", form).status_code == 302
    assert Demand.objects.count() == 2


def test_the_admin_refuses_a_reference_that_looks_like_a_name(admin_client):
    (district, _), _ = districts()
    form = {
        "reference": "John Smith",
        "locality": district.pk,
        "care_type": "nursing",
        "waiting_since": "2026-01-05",
        "bridging": "interim_bed",
        "outcome": "",
        "notes": "",
    }
    assert "pseudonymous" in form_errors(admin_client.post("/admin/market/pendingarrangement/add/", form))["reference"]
    form["reference"] = "PA-0009"
    assert admin_client.post("/admin/market/pendingarrangement/add/", form).status_code == 302
    assert PendingArrangement.objects.get().reference == "PA-0009"
