import pytest

from contracts.models import BedLine, Placement
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
