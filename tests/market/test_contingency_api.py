from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from contracts.models import Placement, PlacementKind
from contracts.services import placement_end
from market.services.contingency import contingency_create
from tests.factories import ProviderFactory, ProviderMembershipFactory
from tests.market.mobilisation_factories import homecare, lot_with_wards, person

pytestmark = pytest.mark.django_db

LEAD, CONTINGENCY, DIRECT = PlacementKind.LEAD_PROVIDER, PlacementKind.CONTINGENCY, PlacementKind.DIRECT_PAYMENT


def lot_in_contingency(people: int = 3, *, first: int = 0):
    lot, (ward, other_ward) = lot_with_wards()
    for n in range(first, first + people):
        homecare(reference=person(n), kind=CONTINGENCY, ward=ward, start=date(2016, 11, 7))
    homecare(reference=person(first + 900), kind=LEAD, ward=other_ward, start=date(2016, 11, 7))
    arrangement = contingency_create(
        lot=lot,
        reason="provider_withdrew",
        start_date=date(2016, 11, 7),
        transfer_start=date(2017, 1, 2),
        people_per_week=1,
        providers=[ProviderFactory(name="Contingency Care Ltd")],
    )
    return lot, ward, arrangement


def test_an_arrangement_shows_people_by_arrangement_on_a_date_and_transfer_progress(api):
    api.as_role(Role.CONTRACT_OFFICER)
    lot, ward, arrangement = lot_in_contingency(3)
    placement_end(placement=Placement.objects.get(reference=person(0)), end_date=date(2017, 1, 5))
    homecare(reference=person(0), kind=DIRECT, ward=ward, start=date(2017, 1, 5))

    body = api.get(f"/api/v1/market/contingency-arrangements/{arrangement.pk}/", {"on": "2017-01-16"}).json()
    assert body["people"] == {"lead_provider": 1, "contingency": 2, "direct_payment": 1}
    progress = body["transfer_progress"]
    assert (progress["to_move"], progress["planned"], progress["moved"], progress["status"]) == (3, 2, 1, "behind")

    listed = api.get("/api/v1/market/contingency-arrangements/", {"on": "2016-12-01"}).json()["results"]
    assert listed[0]["people"] == {"lead_provider": 1, "contingency": 3, "direct_payment": 0}

    trend = api.get(
        f"/api/v1/market/contingency-arrangements/{arrangement.pk}/trend/",
        {"start": "2016-11-07", "end": "2017-01-31", "step": "month"},
    ).json()
    assert (trend["start"], trend["end"], trend["step"]) == ("2016-11-07", "2017-01-31", "month")
    assert [(point["on"], point["contingency"]) for point in trend["points"]] == [
        ("2016-11-07", 3),
        ("2016-11-30", 3),
        ("2016-12-31", 3),
        ("2017-01-31", 2),
    ]


def test_contract_officers_create_arrangements_and_a_second_open_one_is_a_409(api):
    api.as_role(Role.COMMISSIONER)
    lot, _ = lot_with_wards()
    made = api.post(
        "/api/v1/market/contingency-arrangements/",
        {"lot": lot.code, "reason": "lot_vacant", "start_date": "2016-11-07", "people_per_week": 10},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["people"] == {"lead_provider": 0, "contingency": 0, "direct_payment": 0}
    again = api.post(
        "/api/v1/market/contingency-arrangements/",
        {"lot": lot.code, "reason": "provider_failed", "start_date": "2017-01-01"},
        format="json",
    )
    assert again.status_code == 409


def test_compliance_officers_and_brokers_read_but_do_not_write(api):
    lot, _, arrangement = lot_in_contingency(1)
    for role in (Role.COMPLIANCE_OFFICER, Role.BROKER):
        api.as_role(role)
        assert api.get("/api/v1/market/contingency-arrangements/").status_code == 200
        patched = api.patch(
            f"/api/v1/market/contingency-arrangements/{arrangement.pk}/", {"people_per_week": 50}, format="json"
        )
        assert patched.status_code == 403


def test_provider_users_see_no_contingency_arrangements(api):
    user = api.as_role(Role.PROVIDER_USER)
    _, _, arrangement = lot_in_contingency(1)
    ProviderMembershipFactory(user=user, provider=arrangement.providers.get())
    assert api.get("/api/v1/market/contingency-arrangements/").status_code == 403
    assert api.get(f"/api/v1/market/contingency-arrangements/{arrangement.pk}/").status_code == 403


def test_the_arrangements_list_costs_the_same_number_of_queries_for_1_and_5_lots(api):
    api.as_role(Role.COMMISSIONER)
    lot_in_contingency(2, first=0)

    def count():
        api.get("/api/v1/market/contingency-arrangements/")
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/market/contingency-arrangements/", {"page_size": 100, "on": "2017-05-07"})
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    one, rows = count()
    assert rows == 1
    for n in range(4):
        lot_in_contingency(3, first=100 * (n + 1))
    assert count() == (one, 5)


def test_a_trend_with_a_bad_step_or_reversed_dates_is_a_400(api):
    api.as_role(Role.COMMISSIONER)
    _, _, arrangement = lot_in_contingency(1)
    url = f"/api/v1/market/contingency-arrangements/{arrangement.pk}/trend/"
    assert api.get(url, {"step": "day"}).status_code == 400
    assert api.get(url, {"start": "2017-02-01", "end": "2017-01-01"}).status_code == 400
    assert api.get(url, {"colour": "red"}).status_code == 400
    assert api.get(url, {"start": "0001-01-01"}).status_code == 400  # to today: far more than three years
    assert api.get(url, {"start": "2016-01-01", "end": "9999-12-31"}).status_code == 400


def test_the_lots_map_layer_shows_mobilisation_rag_and_people_in_contingency(api):
    from datetime import timedelta

    from django.utils import timezone

    from market.services.contingency import contingency_escalate
    from market.services.mobilisation import milestone_create, plan_create
    from tests.market.mobilisation_factories import award_for

    api.as_role(Role.COMMISSIONER)
    today = timezone.localdate()
    lot, ward, arrangement = lot_in_contingency(3)
    contingency_escalate(lot=lot, reason="Gateway passed at high risk")
    mobilising, _ = lot_with_wards()
    plan = plan_create(
        award=award_for(lot=mobilising, awarded_on=today - timedelta(days=30), go_live_on=today + timedelta(days=60))
    )
    milestone_create(plan=plan, kind="policies", title="Policies", due_on=today - timedelta(days=1))

    def layer():
        response = api.get("/api/v1/geo/localities/", {"kind": "lot_area", "properties": "mobilisation,contingency"})
        assert response.status_code == 200, response.content
        return {feature["id"]: feature["properties"] for feature in response.json()["features"]}

    features = layer()
    assert features[lot.area.code]["people_in_contingency"] == 3
    assert features[lot.area.code]["people_with_lead_provider"] == 1
    assert features[lot.area.code]["contingency_escalated"] is True
    assert features[lot.area.code]["mobilisation_rag"] is None
    assert features[mobilising.area.code]["mobilisation_rag"] == "red"
    assert features[mobilising.area.code]["people_in_contingency"] == 0

    homecare(reference=person(77), kind=CONTINGENCY, ward=ward, start=today - timedelta(days=1))
    assert layer()[lot.area.code]["people_in_contingency"] == 4  # the cached layer follows new placements


def test_lot_delivery_gives_the_lots_register_rag_and_contingency_in_a_fixed_number_of_queries():
    from market.models import Lot
    from market.selectors.layers import lot_delivery

    lot, _, arrangement = lot_in_contingency(2)
    with CaptureQueriesContext(connection) as one:
        found = lot_delivery(lots=[lot], on=date(2017, 5, 7))
    assert found[lot.pk]["people"] == {"lead_provider": 1, "contingency": 2, "direct_payment": 0}
    assert found[lot.pk]["contingency"] == {"id": arrangement.pk, "reason": "provider_withdrew", "escalated": False}
    assert found[lot.pk]["mobilisation_rag"] is None
    for n in range(3):
        lot_in_contingency(2, first=100 * (n + 1))
    lots = list(Lot.objects.all())
    with CaptureQueriesContext(connection) as many:
        found = lot_delivery(lots=lots, on=date(2017, 5, 7))
    assert len(found) == 4 and len(many) == len(one)
    assert lot_delivery(lots=[lot], on=date(2016, 11, 6))[lot.pk]["contingency"] is None


def test_a_broker_records_the_home_ward_of_a_homecare_package_and_the_lot_counts_it(api):
    api.as_role(Role.BROKER)
    lot, (ward, _) = lot_with_wards()
    provider = ProviderFactory()
    made = api.post(
        "/api/v1/placements/",
        {
            "reference": "HC-777001",
            "kind": "contingency",
            "service": "homecare",
            "provider": provider.pk,
            "hours_per_week": "10.5",
            "start_date": "2017-01-02",
            "home_ward": ward.code,
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["home_ward"] == ward.code
    from market.selectors.contingency import people_in_area

    assert people_in_area(area=lot.area, on=date(2017, 1, 2))[CONTINGENCY] == 1
    refused = api.post(
        "/api/v1/placements/",
        {"reference": "HC-777002", "kind": "direct_payment", "start_date": "2017-01-02", "home_ward": lot.area.code},
        format="json",
    )
    assert refused.status_code == 400 and "home_ward" in refused.json()["error"]["fields"]
