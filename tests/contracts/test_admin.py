from decimal import Decimal

import pytest

from contracts.models import BedLine, Placement, RateChange
from tests.contracts.factories import make_line
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_refuses_block_beds_beyond_a_homes_registered_beds(admin_client):
    line = make_line(beds=8, registered_beds=10)
    form = {
        "contract": line.contract_id,
        "location": line.location_id,
        "care_type": "residential",
        "beds": 3,
        "activation_date": "2026-06-01",
        "notes": "",
        "rate_changes-TOTAL_FORMS": 0,
        "rate_changes-INITIAL_FORMS": 0,
    }
    response = admin_client.post("/admin/contracts/bedline/add/", form)
    assert response.status_code == 200
    assert "registered beds" in response.content.decode()
    assert BedLine.objects.count() == 1
    form["beds"] = 2
    assert admin_client.post("/admin/contracts/bedline/add/", form).status_code == 302
    assert BedLine.objects.count() == 2


def test_the_admin_refuses_a_placement_on_a_full_line_or_with_a_personal_reference(admin_client):
    line = make_line(beds=1)
    form = {
        "reference": "John Smith",
        "service": "care_home",
        "kind": "block",
        "bed_line": line.pk,
        "start_date": "2026-03-01",
        "source": "community",
    }
    response = admin_client.post("/admin/contracts/placement/add/", form)
    assert response.status_code == 200, response.status_code
    assert "pseudonymous reference" in str(response.context["adminform"].form.errors["reference"])
    form["reference"] = "BRK-2026-0001"
    assert admin_client.post("/admin/contracts/placement/add/", form).status_code == 302
    form["reference"] = "BRK-2026-0002"
    response = admin_client.post("/admin/contracts/placement/add/", form)
    assert response.status_code == 200
    assert "No bed on this line" in str(response.context["adminform"].form.errors["bed_line"])
    assert Placement.objects.count() == 1


def test_the_admin_adds_bed_lines_and_rates_only_on_their_checked_screens(admin_client):
    line = make_line(beds=8, registered_beds=10)
    contract_form = admin_client.get(f"/admin/contracts/contract/{line.contract_id}/change/")
    assert contract_form.status_code == 200
    assert contract_form.context["inline_admin_formsets"][0].has_add_permission is False
    bed_line_form = admin_client.get(f"/admin/contracts/bedline/{line.pk}/change/")
    assert bed_line_form.context["inline_admin_formsets"][0].has_add_permission is False

    rate = {"bed_line": line.pk, "effective_from": "2020-01-01", "weekly_rate": "720.00", "reason": "negotiated"}
    response = admin_client.post("/admin/contracts/ratechange/add/", rate)
    assert response.status_code == 200
    assert "before the contract starts" in str(response.context["adminform"].form.errors["effective_from"])
    rate["effective_from"] = "2026-04-01"
    assert admin_client.post("/admin/contracts/ratechange/add/", rate).status_code == 302
    recorded = RateChange.objects.get(effective_from="2026-04-01")

    rate["weekly_rate"] = "1.00"
    assert admin_client.post(f"/admin/contracts/ratechange/{recorded.pk}/change/", rate).status_code == 403
    recorded.refresh_from_db()
    assert recorded.weekly_rate == Decimal("720.00")
