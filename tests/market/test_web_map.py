"""The map page: areas coloured by a figure with the same areas and figures in a sortable table below, care
homes as markers; council staff only."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from core import present
from geo.layers import register_layer_properties, unregister_layer_properties
from market.web import map as market_map
from tests.contracts.factories import make_line
from tests.factories import LocalityFactory, LocationFactory, ProviderMembershipFactory, RatingFactory, UserFactory

pytestmark = pytest.mark.django_db
MAP = "/map/"


@pytest.fixture
def signed_in(client):
    def sign_in(*roles):
        user = UserFactory(roles=roles)
        client.force_login(user)
        return user

    return sign_in


@pytest.fixture
def districts():
    month_ago = timezone.localdate() - timedelta(days=30)
    fenland = LocalityFactory(code="E07000010", name="Fenland")
    cambridge = LocalityFactory(code="E07000008", name="Cambridge")
    LocalityFactory(code="E07000009", name="East Cambridgeshire")
    make_line(beds=5, activation_date=month_ago, district=fenland, weekly_rate=Decimal("700"))
    make_line(beds=2, activation_date=month_ago, district=cambridge, weekly_rate=Decimal("700"))
    home = LocationFactory(district=fenland, name="Meadow View Care Home", registered_beds=40)
    home.current_rating = RatingFactory(location=home, overall="Inadequate")
    home.save(update_fields=["current_rating"])
    return {"fenland": fenland, "cambridge": cambridge, "home": home}


def table_rows(response) -> list[str]:
    """The areas in the table, in order (each row's header cell)."""
    html = response.content.decode()
    table = html[html.index('id="areas"') :]
    cells = [cell.split("</th>")[0] for cell in table.split('<th scope="row" class="govuk-table__header">')[1:]]
    return [re.sub(r"<[^>]+>", "", cell) for cell in cells]  # the area's name, without its link


def config_of(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="map-config" type="application/json">') + len(
        '<script id="map-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_staff_see_the_areas_and_their_figures_in_a_table_below_the_map(client, signed_in, districts):
    signed_in(Role.COMMISSIONER)
    response = client.get(MAP)
    assert response.status_code == 200
    assert table_rows(response) == ["Cambridge", "East Cambridgeshire", "Fenland"]
    html = response.content.decode()
    assert "Void beds" in html and "Share of beds rated Requires improvement or worse" in html
    assert "40.0%" in html  # Fenland: 40 of its 100 beds are in a home rated Inadequate
    config = config_of(response)
    assert config["kind"] == "district"
    assert {"voids", "people", "ratings"} <= set(config["properties"])
    assert config["tiles"] is None  # no tile server unless one is licensed


def test_the_table_sorts_on_the_server_by_any_figure_either_way(client, signed_in, districts):
    signed_in(Role.CONTRACT_OFFICER)
    assert table_rows(client.get(MAP, {"sort": "-void_beds"})) == ["Fenland", "Cambridge", "East Cambridgeshire"]
    assert table_rows(client.get(MAP, {"sort": "void_beds"})) == ["East Cambridgeshire", "Cambridge", "Fenland"]
    assert table_rows(client.get(MAP, {"sort": "-name"})) == ["Fenland", "East Cambridgeshire", "Cambridge"]


def test_an_unknown_sort_colouring_or_parameter_is_an_error_naming_it(client, signed_in, districts):
    signed_in(Role.COMMISSIONER)
    for query, named in (
        ({"sort": "beds_wanted"}, "Sort the table by"),
        ({"colour": "sunshine"}, "Colour areas by"),
        ({"layer": "parish"}, "Areas"),
        ({"zoom": "3"}, "zoom"),
        ({"sort": ""}, "sort"),
    ):
        response = client.get(MAP, query)
        assert response.status_code == 400, query
        html = response.content.decode()
        assert "There is a problem" in html and named in html, query


def test_the_lot_areas_layer_shows_each_lots_status_and_lead_provider(client, signed_in):
    from tests.factories import ProviderFactory
    from tests.market.factories import make_award, make_lot

    signed_in(Role.COMMISSIONER)
    area = LocalityFactory(code="HTLAH-01", name="Blaby and Lutterworth", kind="lot_area")
    make_award(lot=make_lot(code="HTLAH-01", area=area), provider=ProviderFactory(name="Soar Valley Homecare Ltd"))
    response = client.get(MAP, {"layer": "lot_area", "sort": "lot_status"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Soar Valley Homecare Ltd" in html and "Awarded" in html.replace("awarded", "Awarded")
    assert set(config_of(response)["properties"]) >= {"lots", "mobilisation"}


def test_care_homes_are_on_the_map_with_their_rating_and_a_link_to_their_page(client, signed_in, districts):
    signed_in(Role.BROKER)
    html = client.get(MAP).content.decode()
    start = html.index('<script id="map-homes" type="application/json">') + len(
        '<script id="map-homes" type="application/json">'
    )
    homes = json.loads(html[start : html.index("</script>", start)])
    ratings = {home["name"]: home["rating"] for home in homes}
    assert len(homes) == 3 and ratings["Meadow View Care Home"] == "Inadequate"
    assert sorted(ratings.values()).count("Not yet rated") == 2
    assert config_of(client.get(MAP))["homeUrl"] == "/homes/0/"


def test_a_figure_registered_later_joins_the_map_with_one_entry(client, signed_in, districts, monkeypatch):
    signed_in(Role.COMMISSIONER)
    register_layer_properties("sample_demand", lambda localities: {loc.id: {"sample_gap": 7} for loc in localities})
    entry = market_map.Colouring(key="sample_gap", label="Sample gap", properties="sample_demand")
    monkeypatch.setattr(market_map, "COLOURINGS", [*market_map.COLOURINGS, entry])
    try:
        response = client.get(MAP, {"colour": "sample_gap", "sort": "-sample_gap"})
        assert response.status_code == 200
        assert "Sample gap" in response.content.decode()
        assert "sample_demand" in config_of(response)["properties"]
    finally:
        unregister_layer_properties("sample_demand")
    # An entry whose properties are not registered is not offered.
    assert "Sample gap" not in client.get(MAP).content.decode()


def test_a_licensed_tile_layer_is_drawn_with_its_attribution(client, signed_in, districts, settings):
    settings.MAP_TILE_URL = "https://tiles.example.gov.uk/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "Crown copyright"
    signed_in(Role.COMMISSIONER)
    assert config_of(client.get(MAP))["tiles"] == {
        "url": "https://tiles.example.gov.uk/{z}/{x}/{y}.png",
        "attribution": "Crown copyright",
    }


def test_provider_users_may_not_open_the_map_and_nobody_unsigned_may(client, districts):
    assert client.get(MAP).status_code == 302
    client.force_login(ProviderMembershipFactory().user)
    assert client.get(MAP).status_code == 403


def test_the_capacity_gap_colours_the_map_for_the_care_type_chosen_and_each_area_links_to_its_page(
    client, signed_in, districts
):
    from market.services.demand import demand_create

    today = timezone.localdate()
    quarter = {"period_start": today - timedelta(days=10), "period_end": today + timedelta(days=80)}
    demand_create(locality=districts["fenland"], care_type="nursing", quantity=Decimal("9"), **quarter)
    signed_in(Role.COMMISSIONER)
    response = client.get(MAP, {"colour": "capacity_gap", "care_type": "nursing"})
    assert response.status_code == 200  # the layers register capacity_gap, and the page offers it by that name
    config = config_of(response)
    assert config["colour"] == "capacity_gap" and config["careType"] == "nursing"
    assert "capacity_gap" in config["properties"]
    assert next(c for c in config["colourings"] if c["key"] == "capacity_gap")["byCareType"] is True
    html = response.content.decode()
    assert "Capacity gap (nursing)" in html  # the table's column says which care type
    assert '<a class="govuk-link" href="/market/capacity-gaps/?locality=E07000010">Fenland</a>' in html
    assert '<a class="govuk-link" href="#areas">table of districts below the map</a>' in html
    # Sorted by the gap, largest first: Fenland's 9 nursing beds wanted, none contracted.
    assert (
        table_rows(client.get(MAP, {"colour": "capacity_gap", "care_type": "nursing", "sort": "-capacity_gap"}))[0]
        == "Fenland"
    )
    assert client.get(MAP, {"care_type": "gardening"}).status_code == 400


def test_home_markers_carry_the_councils_quality_rating_beside_cqcs(client, signed_in, districts):
    from tests.quality.factories import published

    audit = published(location=districts["home"], days_ago=3)
    signed_in(Role.COMMISSIONER)
    html = client.get(MAP).content.decode()
    start = html.index('<script id="map-homes" type="application/json">')
    homes = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    home = next(home for home in homes if home["id"] == districts["home"].pk)
    assert home["rating"] == "Inadequate" and home["councilRating"] == audit.get_rating_display()
    assert home["councilRatedOn"] == present.day(audit.published_on)
    provider_page = client.get(f"/providers/{districts['home'].provider_id}/").content.decode()
    assert "Council quality rating" in provider_page and present.day(audit.published_on, short=True) in provider_page
