from datetime import date, timedelta

import pytest

from accounts.roles import Role
from market.services import award_end
from tests.factories import LocalityFactory, ProviderFactory, square
from tests.market.factories import make_award, make_lot

pytestmark = pytest.mark.django_db
LAYER = "/api/v1/geo/localities/"


def lot_properties(api) -> dict[str, dict]:
    response = api.get(LAYER, {"kind": "lot_area", "properties": "lots"})
    assert response.status_code == 200, response.content
    return {
        feature["id"]: {key: feature["properties"].get(key) for key in ("lot_code", "lot_status", "lead_provider")}
        for feature in response.json()["features"]
    }


def test_lot_areas_on_the_map_show_their_lots_status_and_lead_provider_and_follow_changes(api):
    api.as_role(Role.COMMISSIONER)
    blaby = LocalityFactory(code="HTLAH-01", name="Blaby", kind="lot_area", boundary=square(-1.2, 52.5))
    hinckley = LocalityFactory(code="HTLAH-02", name="Hinckley", kind="lot_area", boundary=square(-1.4, 52.5))
    make_award(lot=make_lot(code="HTLAH-01", area=blaby), provider=ProviderFactory(name="Soar Valley Homecare Ltd"))
    withdrawn = make_award(lot=make_lot(code="HTLAH-02", area=hinckley), provider=ProviderFactory(name="Burbage Ltd"))

    assert lot_properties(api) == {
        "HTLAH-01": {"lot_code": "HTLAH-01", "lot_status": "awarded", "lead_provider": "Soar Valley Homecare Ltd"},
        "HTLAH-02": {"lot_code": "HTLAH-02", "lot_status": "awarded", "lead_provider": "Burbage Ltd"},
    }
    award_end(award=withdrawn, ended_on=date(2016, 10, 21), reason="Provider withdrew")
    assert lot_properties(api)["HTLAH-02"] == {"lot_code": "HTLAH-02", "lot_status": "vacant", "lead_provider": None}


def test_people_in_contingency_are_counted_for_wards_districts_and_lot_areas_alike(api):
    from django.utils import timezone

    from contracts.models import PlacementKind
    from tests.market.mobilisation_factories import homecare, person

    api.as_role(Role.COMMISSIONER)
    started = timezone.localdate() - timedelta(days=30)
    district = LocalityFactory(code="E07000129", name="Blaby", kind="district")
    narborough = LocalityFactory(code="E05005501", name="Narborough", kind="ward", parent=district)
    countesthorpe = LocalityFactory(code="E05005502", name="Countesthorpe", kind="ward", parent=district)
    area = LocalityFactory(code="HTLAH-01", name="Blaby and Lutterworth", kind="lot_area")
    area.members.set([narborough])
    homecare(reference=person(1), kind=PlacementKind.CONTINGENCY, ward=narborough, start=started)
    homecare(reference=person(2), kind=PlacementKind.CONTINGENCY, ward=countesthorpe, start=started)
    homecare(reference=person(3), kind=PlacementKind.LEAD_PROVIDER, ward=narborough, start=started)

    def people(kind: str) -> dict[str, int]:
        response = api.get(LAYER, {"kind": kind, "properties": "people"})
        assert response.status_code == 200, response.content
        features = response.json()["features"]
        return {feature["id"]: feature["properties"]["people_in_contingency"] for feature in features}

    assert people("ward") == {"E05005502": 1, "E05005501": 1}
    assert people("district") == {"E07000129": 2}
    assert people("lot_area") == {"HTLAH-01": 1}


def test_provider_users_are_not_shown_people_in_contingency_on_the_map(api):
    from tests.factories import ProviderMembershipFactory

    api.force_authenticate(ProviderMembershipFactory().user)
    assert api.get(LAYER, {"kind": "district", "properties": "people"}).status_code == 403
