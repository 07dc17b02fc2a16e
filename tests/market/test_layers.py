from datetime import date

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
