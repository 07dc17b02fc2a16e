"""The demo loader builds the whole demo (users, geography, providers, the block bed tender) and can run twice."""

import pytest
from django.core.management import call_command

from accounts.models import User
from contracts.models import BedLine
from geo.models import Locality
from providers.models import Location


def snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "localities": Locality.objects.count(),
        "locations": Location.objects.count(),
        "bed_lines": BedLine.objects.count(),
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_load_builds_everything_and_is_idempotent():
    call_command("demo_load")
    first = snapshot()
    call_command("demo_load")
    assert snapshot() == first
    assert Locality.objects.filter(kind="district").count() == 12
    assert set(Locality.objects.filter(kind="county").values_list("code", flat=True)) == {"E10000003", "E10000018"}
    assert Locality.objects.filter(kind="lot_area").count() == 15
    assert User.objects.filter(username="provider", provider_memberships__isnull=False).exists()
    assert first["bed_lines"] > 0
