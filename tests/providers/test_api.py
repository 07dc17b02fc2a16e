import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from providers.models import Condition, Location
from providers.services.ratings import rating_record
from tests.factories import (
    LocalityFactory,
    LocationFactory,
    ProviderFactory,
    ProviderMembershipFactory,
)

pytestmark = pytest.mark.django_db


def rated(location, *ratings):
    for overall, on in ratings:
        rating_record(location=location, overall=overall, report_date=on, source="cqc_api")
    return location


def names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_locations_list_shows_current_rating_place_and_admission_stop(api):
    api.as_role(Role.COMMISSIONER)
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    home = LocationFactory(name="Meadow View", district=fenland)
    rated(home, ("Good", date(2016, 3, 1)), ("Inadequate", date(2017, 1, 20)))
    Condition.objects.create(
        location=home,
        provider=home.provider,
        text="No new admissions",
        stops_admissions=True,
        imposed_on=date(2017, 1, 20),
    )
    row = api.get("/api/v1/locations/").json()["results"][0]
    assert row["current_rating"]["overall"] == "Inadequate"
    assert row["district"]["code"] == "E07000010"
    assert row["stops_admissions"] is True
    detail = api.get(f"/api/v1/locations/{home.pk}/").json()
    assert detail["active_conditions"][0]["text"] == "No new admissions"


def test_a_lifted_condition_no_longer_stops_admissions(api):
    api.as_role(Role.BROKER)
    home = LocationFactory()
    Condition.objects.create(
        location=home,
        provider=home.provider,
        text="No new admissions",
        stops_admissions=True,
        imposed_on=date(2020, 1, 1),
        lifted_on=date(2020, 6, 1),
    )
    assert api.get("/api/v1/locations/").json()["results"][0]["stops_admissions"] is False


def test_locations_are_filtered_by_place_type_specialism_rating_and_status(api):
    api.as_role(Role.BROKER)
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    ward = LocalityFactory(code="E05000001", name="Wisbech North", kind="ward", parent=fenland)
    rated(LocationFactory(name="A Fenland dementia nursing", district=fenland, ward=ward), ("Good", date(2020, 1, 1)))
    rated(
        LocationFactory(
            name="B Fenland residential",
            district=fenland,
            specialisms=["Physical disabilities"],
            service_types=["Care home service without nursing"],
        ),
        ("Requires improvement", date(2020, 1, 1)),
    )
    LocationFactory(name="C agency", care_home=False, service_types=["Domiciliary care service"], specialisms=[])
    LocationFactory(name="D closed", registration_status="Deregistered")

    assert names(api.get("/api/v1/locations/", {"district": "E07000010"})) == [
        "A Fenland dementia nursing",
        "B Fenland residential",
    ]
    assert names(api.get("/api/v1/locations/", {"ward": "E05000001"})) == ["A Fenland dementia nursing"]
    assert names(api.get("/api/v1/locations/", {"care_home": "false"})) == ["C agency"]
    assert names(api.get("/api/v1/locations/", {"service_type": "care home service with nursing"})) == [
        "A Fenland dementia nursing",
        "D closed",
    ]
    assert names(api.get("/api/v1/locations/", {"specialism": "dementia"})) == [
        "A Fenland dementia nursing",
        "D closed",
    ]
    assert names(api.get("/api/v1/locations/", {"rating": "Requires improvement,Inadequate"})) == [
        "B Fenland residential"
    ]
    assert names(api.get("/api/v1/locations/", {"registration_status": "Deregistered"})) == ["D closed"]
    assert names(api.get("/api/v1/locations/", {"search": "agency"})) == ["C agency"]


def test_providers_are_filtered_by_where_and_how_their_locations_are(api):
    api.as_role(Role.COMMISSIONER)
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    in_fenland = ProviderFactory(name="Fenland Homes Ltd")
    LocationFactory.create_batch(2, provider=in_fenland, district=fenland)
    rated(LocationFactory(provider=ProviderFactory(name="Elsewhere Care Ltd")), ("Inadequate", date(2021, 1, 1)))

    assert names(api.get("/api/v1/providers/", {"district": "E07000010"})) == ["Fenland Homes Ltd"]
    assert names(api.get("/api/v1/providers/", {"rating": "Inadequate"})) == ["Elsewhere Care Ltd"]
    assert names(api.get("/api/v1/providers/", {"name": "fenland"})) == ["Fenland Homes Ltd"]
    body = api.get(f"/api/v1/providers/{in_fenland.pk}/").json()
    assert body["location_count"] == 2
    assert len(body["locations"]) == 2


def test_rating_history_and_changes_of_a_location(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    home = rated(LocationFactory(), ("Good", date(2016, 3, 1)), ("Inadequate", date(2017, 1, 20)))
    history = api.get(f"/api/v1/locations/{home.pk}/ratings/").json()["results"]
    assert [(r["overall"], r["report_date"]) for r in history] == [("Inadequate", "2017-01-20"), ("Good", "2016-03-01")]
    changes = api.get(f"/api/v1/locations/{home.pk}/rating-changes/").json()["results"]
    assert [(c["question"], c["from_value"], c["to_value"], c["direction"]) for c in changes] == [
        ("overall", "Good", "Inadequate", "down")
    ]
    from providers.models import RegistrationEvent

    RegistrationEvent.objects.create(location=home, provider=home.provider, kind="dormant_from", on=date(2018, 1, 1))
    events = api.get(f"/api/v1/locations/{home.pk}/registration-events/").json()["results"]
    assert [(e["kind"], e["on"]) for e in events] == [("dormant_from", "2018-01-01")]
    feed = api.get("/api/v1/rating-changes/", {"direction": "down"}).json()
    assert feed["count"] == 1
    assert feed["results"][0]["location"]["id"] == home.pk


def test_csv_export_follows_the_filters(api):
    api.as_role(Role.COMMISSIONER)
    rated(LocationFactory(name="=HYPERLINK(evil)", registered_beds=45), ("Good", date(2020, 1, 1)))
    LocationFactory(name="Agency", care_home=False)
    response = api.get("/api/v1/locations/export/", {"care_home": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["Name"] == "'=HYPERLINK(evil)"  # never run as a formula in a spreadsheet
    assert (rows[0]["Registered beds"], rows[0]["Current overall rating"]) == ("45", "Good")
    providers = api.get("/api/v1/providers/export/")
    assert len(list(csv.reader(io.StringIO(b"".join(providers.streaming_content).decode())))) == 3


def test_provider_users_see_only_their_own_providers_records(api):
    user = api.as_role(Role.PROVIDER_USER)
    own = ProviderFactory(name="Own Care Ltd")
    ProviderMembershipFactory(user=user, provider=own)
    own_home = rated(
        LocationFactory(name="Own Home", provider=own),
        ("Good", date(2019, 1, 1)),
        ("Requires improvement", date(2021, 1, 1)),
    )
    other = rated(LocationFactory(name="Other Home"), ("Good", date(2019, 1, 1)), ("Inadequate", date(2021, 1, 1)))

    assert names(api.get("/api/v1/providers/")) == ["Own Care Ltd"]
    assert names(api.get("/api/v1/locations/")) == ["Own Home"]
    other_change = other.rating_changes.get()
    for url in (
        f"/api/v1/providers/{other.provider_id}/",
        f"/api/v1/locations/{other.pk}/",
        f"/api/v1/locations/{other.pk}/ratings/",
        f"/api/v1/locations/{other.pk}/rating-changes/",
        f"/api/v1/locations/{other.pk}/registration-events/",
        f"/api/v1/rating-changes/{other_change.pk}/",
    ):
        assert api.get(url).status_code == 404, url
    assert api.get(f"/api/v1/locations/{own_home.pk}/rating-changes/").json()["count"] == 1
    assert [c["location"]["id"] for c in api.get("/api/v1/rating-changes/").json()["results"]] == [own_home.pk]
    exported = b"".join(api.get("/api/v1/locations/export/").streaming_content).decode()
    assert "Own Home" in exported and "Other Home" not in exported
    exported = b"".join(api.get("/api/v1/providers/export/").streaming_content).decode()
    assert "Own Care Ltd" in exported and other.provider.name not in exported


def test_anonymous_callers_get_nothing(api):
    LocationFactory()
    assert api.get("/api/v1/locations/").status_code in (401, 403)


def _list_queries(api, url: str) -> int:
    api.get(url)  # the signed-in user's roles are read once per user object; count the list alone
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, {} if "/export/" in url else {"page_size": 100})
        if response.streaming:  # a CSV export reads its rows while it is sent
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/locations/",
        "/api/v1/providers/",
        "/api/v1/rating-changes/",
        "/api/v1/locations/export/",
        "/api/v1/providers/export/",
    ],
)
def test_lists_cost_the_same_number_of_queries_for_1_and_50_rows(api, url):
    api.as_role(Role.COMMISSIONER)
    district = LocalityFactory(code="E07000010", name="Fenland")

    def add(count):
        for _ in range(count):
            rated(LocationFactory(district=district), ("Good", date(2019, 1, 1)), ("Inadequate", date(2021, 1, 1)))

    add(1)
    one = _list_queries(api, url)
    add(49)
    assert Location.objects.count() == 50
    assert _list_queries(api, url) == one


def test_provider_user_lists_also_cost_a_fixed_number_of_queries(api):
    user = api.as_role(Role.PROVIDER_USER)
    provider = ProviderFactory()
    ProviderMembershipFactory(user=user, provider=provider)
    LocationFactory(provider=provider)
    one = _list_queries(api, "/api/v1/locations/")
    LocationFactory.create_batch(49, provider=provider)
    assert _list_queries(api, "/api/v1/locations/") == one


def test_csv_export_keeps_negative_longitudes_as_numbers(api):
    api.as_role(Role.COMMISSIONER)
    LocationFactory(name="Narborough office", latitude=52.57, longitude=-1.2, registered_beds=None)
    response = api.get("/api/v1/locations/export/")
    row = next(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert (row["Latitude"], row["Longitude"], row["Registered beds"]) == ("52.57", "-1.2", "")


def test_providers_and_locations_without_a_cqc_id_are_listed_beside_registered_ones(api):
    api.as_role(Role.COMMISSIONER)
    for name in ("Sole Trader Care", "Council Reablement Service"):
        provider = ProviderFactory(name=name, cqc_provider_id=None, registration_status="Not registered")
        LocationFactory(name=f"{name} base", provider=provider, cqc_location_id=None)
    ProviderFactory(name="Registered Care Ltd")
    unregistered = api.get("/api/v1/providers/", {"registration_status": "Not registered"})
    assert names(unregistered) == ["Council Reablement Service", "Sole Trader Care"]
    assert [row["cqc_provider_id"] for row in unregistered.json()["results"]] == [None, None]
    assert len(names(api.get("/api/v1/locations/"))) == 2


def test_the_rating_changes_list_leaves_out_historic_changes_unless_asked(api):
    from providers.services.ratings import RatingInput, ratings_record

    api.as_role(Role.COMPLIANCE_OFFICER)
    replayed = LocationFactory(name="Replayed")
    ratings_record(
        ratings=[
            RatingInput(location_id=replayed.pk, overall="Good", report_date=date(2016, 1, 1)),
            RatingInput(location_id=replayed.pk, overall="Inadequate", report_date=date(2017, 1, 1)),
        ],
        source="cqc_api",
    )
    news = rated(LocationFactory(name="News"), ("Good", date(2019, 1, 1)), ("Inadequate", date(2024, 1, 1)))

    listed = api.get("/api/v1/rating-changes/").json()["results"]
    assert [(c["location"]["id"], c["historic"]) for c in listed] == [(news.pk, False)]
    everything = api.get("/api/v1/rating-changes/", {"include_historic": "true"}).json()["results"]
    assert sorted(c["location"]["id"] for c in everything) == sorted([news.pk, replayed.pk])
    assert api.get("/api/v1/rating-changes/", {"include_historic": "banana"}).status_code == 400
    history = api.get(f"/api/v1/locations/{replayed.pk}/rating-changes/").json()["results"]
    assert [(c["to_value"], c["historic"]) for c in history] == [("Inadequate", True)]
    historic_id = history[0]["id"]
    assert api.get(f"/api/v1/rating-changes/{historic_id}/").status_code == 200


def test_service_types_and_specialisms_match_one_whole_element_ignoring_case(api):
    api.as_role(Role.BROKER)
    without = ProviderFactory(name="Without Ltd")
    LocationFactory(
        name="Residential", provider=without, service_types=["Care home service without nursing"], specialisms=[]
    )
    LocationFactory(
        name="Both",
        service_types=["Domiciliary care service", "Care home service with nursing"],
        specialisms=["Caring for adults over 65 yrs", "Dementia"],
    )

    assert names(api.get("/api/v1/locations/", {"service_type": "nursing"})) == []
    assert names(api.get("/api/v1/locations/", {"service_type": "Care home service WITH nursing"})) == ["Both"]
    assert names(api.get("/api/v1/locations/", {"service_type": "care home service without nursing"})) == [
        "Residential"
    ]
    assert names(api.get("/api/v1/locations/", {"specialism": "dementia"})) == ["Both"]
    assert names(api.get("/api/v1/locations/", {"specialism": "adults"})) == []
    assert names(api.get("/api/v1/providers/", {"service_type": "nursing"})) == []
    assert names(api.get("/api/v1/providers/", {"service_type": "Care home service without nursing"})) == [
        "Without Ltd"
    ]


@pytest.mark.parametrize(
    "url, params, field",
    [
        ("/api/v1/locations/", {"rating": "Terrible"}, "rating"),
        ("/api/v1/locations/", {"rating": "Good,Terrible"}, "rating"),
        ("/api/v1/locations/", {"care_home": "banana"}, "care_home"),
        ("/api/v1/locations/", {"dormant": "maybe"}, "dormant"),
        ("/api/v1/locations/", {"stops_admissions": "2"}, "stops_admissions"),
        ("/api/v1/locations/", {"provider": "1.5"}, "provider"),
        ("/api/v1/locations/export/", {"rating": "Terrible"}, "rating"),
        ("/api/v1/locations/export/", {"care_home": "banana"}, "care_home"),
        ("/api/v1/providers/", {"rating": "Terrible"}, "rating"),
        ("/api/v1/providers/", {"care_home": "banana"}, "care_home"),
        ("/api/v1/providers/export/", {"rating": "Terrible"}, "rating"),
        ("/api/v1/rating-changes/", {"to_value": "Terrible"}, "to_value"),
        ("/api/v1/rating-changes/", {"location": "x"}, "location"),
        ("/api/v1/locations/", {"district": "E07999999"}, "district"),
        ("/api/v1/locations/", {"ward": "E07000010"}, "ward"),
        ("/api/v1/providers/", {"district": "E07999999"}, "district"),
        ("/api/v1/rating-changes/", {"district": "nowhere"}, "district"),
    ],
)
def test_filter_values_the_service_cannot_read_are_a_400_naming_the_filter(api, url, params, field):
    api.as_role(Role.COMMISSIONER)
    LocationFactory()
    response = api.get(url, params)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"], response.json()


def test_the_exports_follow_the_same_filters_as_their_lists(api):
    api.as_role(Role.COMMISSIONER)
    rated(
        LocationFactory(name="Inadequate home", provider=ProviderFactory(name="Poor Ltd")),
        ("Inadequate", date(2021, 1, 1)),
    )
    rated(LocationFactory(name="Good home", provider=ProviderFactory(name="Fine Ltd")), ("Good", date(2021, 1, 1)))
    LocationFactory(name="Agency", care_home=False, service_types=["Domiciliary care service"])
    for params in (
        {"rating": "Inadequate"},
        {"care_home": "false"},
        {"service_type": "domiciliary care service"},
        {"search": "home"},
    ):
        listed = names(api.get("/api/v1/locations/", params))
        exported = csv.DictReader(
            io.StringIO(b"".join(api.get("/api/v1/locations/export/", params).streaming_content).decode())
        )
        assert sorted(row["Name"] for row in exported) == listed, params
    listed = names(api.get("/api/v1/providers/", {"rating": "Inadequate"}))
    exported = csv.DictReader(
        io.StringIO(b"".join(api.get("/api/v1/providers/export/", {"rating": "Inadequate"}).streaming_content).decode())
    )
    assert sorted(row["Name"] for row in exported) == listed == ["Poor Ltd"]


def test_a_locations_rating_history_is_paged_like_any_list(api):
    api.as_role(Role.COMPLIANCE_OFFICER)
    home = rated(LocationFactory(), ("Good", date(2016, 3, 1)), ("Requires improvement", date(2018, 5, 2)))
    first = api.get(f"/api/v1/locations/{home.pk}/ratings/", {"page_size": 1})
    assert first.status_code == 200
    assert first.json()["count"] == 2
    second = api.get(f"/api/v1/locations/{home.pk}/ratings/", {"page_size": 1, "page": 2}).json()["results"]
    assert [r["report_date"] for r in second] == ["2016-03-01"]
    refused = api.get(f"/api/v1/locations/{home.pk}/", {"page": 2})
    assert refused.status_code == 400
    assert "page" in refused.json()["error"]["fields"]
