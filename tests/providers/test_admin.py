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


def admin_form_data(response) -> dict:
    """The POST data of an admin change form as the page shows it (main form and inline management forms)."""
    data = {}
    forms_shown = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms_shown.extend(formset.forms)
    for form in forms_shown:
        for name in form.fields:
            if name in getattr(form, "management_fields", ()):
                continue
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


@pytest.fixture
def two_districts():
    from tests.factories import LocalityFactory, square

    fenland = LocalityFactory(code="E07000010", name="Fenland", boundary=square(0.0, 52.5, 0.2))
    wisbech = LocalityFactory(code="E05000001", kind="ward", parent=fenland, boundary=square(0.0, 52.5, 0.2))
    ely = LocalityFactory(code="E07000009", name="East Cambridgeshire", boundary=square(0.2, 52.3, 0.2))
    soham = LocalityFactory(code="E05000002", kind="ward", parent=ely, boundary=square(0.2, 52.3, 0.2))
    return (fenland, wisbech), (ely, soham)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_an_admin_edit_of_a_locations_coordinates_moves_it_to_the_ward_and_district_there(admin_client, two_districts):
    from providers.models import Location

    (fenland, wisbech), (ely, soham) = two_districts
    home = LocationFactory(latitude=52.55, longitude=0.05, ward=wisbech, district=fenland)
    url = f"/admin/providers/location/{home.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    data.update(latitude="52.40", longitude="0.30")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    home = Location.objects.get(pk=home.pk)
    assert (home.latitude, home.longitude, home.district_id, home.ward_id) == (52.40, 0.30, ely.pk, soham.pk)
    assert home.history.first().history_user is not None


def test_an_admin_edit_of_a_postcode_alone_moves_the_location_to_the_postcode(admin_client, two_districts):
    from providers.models import Location
    from tests.factories import PostcodeFactory

    (fenland, wisbech), (ely, soham) = two_districts
    PostcodeFactory(postcode="CB7 5AA", latitude=52.35, longitude=0.25, district_code="E07000009")
    home = LocationFactory(postcode="PE13 1AA", latitude=52.55, longitude=0.05, ward=wisbech, district=fenland)
    url = f"/admin/providers/location/{home.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    data.update(postcode="cb7 5aa")

    assert admin_client.post(url, data).status_code == 302
    home = Location.objects.get(pk=home.pk)
    assert (home.postcode, home.latitude, home.district_id, home.ward_id) == ("CB7 5AA", 52.35, ely.pk, soham.pk)

    data = admin_form_data(admin_client.get(url))
    data.update(postcode="CB9 9ZZ")
    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert "not in the postcode directory" in str(refused.context["adminform"].form.errors["postcode"])
    assert Location.objects.get(pk=home.pk).postcode == "CB7 5AA"


def test_a_location_added_in_the_admin_is_placed_in_its_ward_and_district(admin_client, two_districts):
    from providers.models import Location
    from tests.factories import ProviderFactory

    (fenland, wisbech), _ = two_districts
    provider = ProviderFactory()
    data = admin_form_data(admin_client.get("/admin/providers/location/add/"))
    data.update(
        provider=str(provider.pk),
        name="Council Reablement Base",
        latitude="52.55",
        longitude="0.05",
        registration_status="Not registered",
        service_types="[]",
        regulated_activities="[]",
        specialisms="[]",
        service_user_bands="[]",
    )
    response = admin_client.post("/admin/providers/location/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Location.objects.get(name="Council Reablement Base")
    assert (added.district_id, added.ward_id, added.cqc_location_id) == (fenland.pk, wisbech.pk, None)


def test_a_condition_added_in_the_admin_goes_through_condition_impose(admin_client, api):
    from accounts.roles import Role

    home = LocationFactory()
    data = admin_form_data(admin_client.get("/admin/providers/condition/add/"))
    data.update(
        location=str(home.pk),
        text="No new admissions without CQC's consent",
        imposed_on="2024-03-01",
        stops_admissions="on",
    )
    for _ in range(2):  # the same condition entered twice is recorded once
        assert admin_client.post("/admin/providers/condition/add/", data).status_code == 302

    condition = Condition.objects.get()
    assert (condition.provider_id, condition.source) == (home.provider_id, "manual")
    api.as_role(Role.BROKER)
    assert api.get(f"/api/v1/locations/{home.pk}/").json()["stops_admissions"] is True

    url = f"/admin/providers/condition/{condition.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    data.update(lifted_on="2024-02-01")
    refused = admin_client.post(url, data)
    assert "lifted on or after the day it was imposed" in str(refused.context["adminform"].form.errors)
    data.update(lifted_on="2024-06-01")
    assert admin_client.post(url, data).status_code == 302
    assert api.get(f"/api/v1/locations/{home.pk}/").json()["stops_admissions"] is False
    assert Condition.objects.get().history.count() == 2


def test_the_admin_links_only_provider_users_to_providers_showing_the_services_reason(admin_client):
    from accounts.roles import Role
    from providers.models import ProviderMembership
    from tests.factories import ProviderFactory

    provider = ProviderFactory()
    broker = UserFactory(roles=[Role.BROKER])
    data = {"user": str(broker.pk), "provider": str(provider.pk)}
    refused = admin_client.post("/admin/providers/providermembership/add/", data)
    assert "Only provider users are linked to providers." in str(refused.context["adminform"].form.errors)
    assert not ProviderMembership.objects.exists()

    provider_user = UserFactory(roles=[Role.PROVIDER_USER])
    data["user"] = str(provider_user.pk)
    assert admin_client.post("/admin/providers/providermembership/add/", data).status_code == 302
    assert ProviderMembership.objects.get().user == provider_user


def test_an_admin_edit_of_a_providers_registration_status_is_recorded_as_a_registration_event(admin_client):
    from tests.factories import ProviderFactory

    provider = ProviderFactory(registration_status="Registered")
    url = f"/admin/providers/provider/{provider.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    data.update(registration_status="Deregistered", deregistration_date="2026-11-30")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    provider.refresh_from_db()
    assert provider.registration_status == "Deregistered"
    events = RegistrationEvent.objects.filter(provider=provider, location=None)
    assert [(event.kind, event.on) for event in events] == [("deregistered", date(2026, 11, 30))]


def test_a_provider_added_in_the_admin_with_a_cqc_id_already_held_is_refused_on_the_field(admin_client):
    from providers.models import Provider
    from tests.factories import ProviderFactory

    ProviderFactory(cqc_provider_id="1-101634239")
    data = admin_form_data(admin_client.get("/admin/providers/provider/add/"))
    data.update(name="Second Care Ltd", cqc_provider_id="1-101634239", registration_status="Registered")
    response = admin_client.post("/admin/providers/provider/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["cqc_provider_id"] == ["Another provider has the CQC id 1-101634239."]
    assert Provider.objects.filter(cqc_provider_id="1-101634239").count() == 1
