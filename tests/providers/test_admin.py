from datetime import date

import pytest

from providers.models import Condition, CqcSyncState, RegistrationEvent, SyncRun
from providers.services.ratings import rating_record
from tests.factories import LocationFactory, ProviderMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_providers_screen_opens_for_an_administrator(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    home = LocationFactory()
    rating_record(location=home, overall="Good", report_date=date(2019, 1, 1))
    rating_record(location=home, overall="Inadequate", report_date=date(2021, 1, 1))
    Condition.objects.create(
        location=home, provider=home.provider, text="No new admissions", imposed_on=date(2021, 1, 1)
    )
    RegistrationEvent.objects.create(location=home, provider=home.provider, kind="registered", on=date(2011, 1, 1))
    ProviderMembershipFactory(provider=home.provider)
    CqcSyncState.objects.create(key="cqc", local_authorities=["Cambridgeshire"])
    SyncRun.objects.create()
    for model in (
        "provider",
        "location",
        "rating",
        "ratingchange",
        "condition",
        "registrationevent",
        "providermembership",
        "cqcsyncstate",
        "syncrun",
    ):
        listing = client.get(f"/admin/providers/{model}/")
        assert listing.status_code == 200, model
    assert "Inadequate" in client.get(f"/admin/providers/location/{home.pk}/change/").content.decode()


def test_compliance_officers_may_record_conditions_in_the_admin(client):
    from accounts.roles import Role
    from accounts.services import roles_sync

    roles_sync()
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER], is_staff=True)
    assert officer.has_perm("providers.add_condition")
    assert not officer.has_perm("providers.change_cqcsyncstate")
