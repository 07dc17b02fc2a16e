"""The map and the register pages in a real browser (Playwright driving Debian's Chromium) against the service
started on a free port: shapes drawn, colouring and legend, a home's popup, no request leaving 127.0.0.1, no
console errors, roles refused, axe-core WCAG 2.2 AA, and a screenshot of every page (var/screenshots/)."""

import json
import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from market.services.mobilisation import gateway_create, milestone_create, plan_create
from tests.contracts.factories import make_line
from tests.factories import (
    LocalityFactory,
    LocationFactory,
    ProviderFactory,
    ProviderMembershipFactory,
    RatingFactory,
    UserFactory,
    square,
)
from tests.market.mobilisation_factories import award_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


SCREENSHOTS = Path(os.getenv("SCREENSHOT_DIR", Path(settings.VAR_DIR) / "screenshots"))
AXE_URL = settings.STATIC_URL + "vendor/axe-core/axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Watched:
    """A page with every request and console error it caused kept for the test to check."""

    def __init__(self, page):
        self.page, self.requests, self.errors = page, [], []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} {message.location.get('url', '')}")

    def outside(self) -> list[str]:
        return [url for url in self.requests if urlparse(url).hostname not in ("127.0.0.1", "localhost")]


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def open_as(*roles, user=None):
        user = user or UserFactory(roles=roles)
        signed_in = Client()
        signed_in.force_login(user)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": signed_in.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        return Watched(context.new_page())

    yield open_as
    for context in contexts:
        context.close()


def visit(watched: Watched, live_server, path: str):
    return watched.page.goto(live_server.url + path)


def map_drawn(watched: Watched) -> int:
    root = "[data-module='app-market-map']"
    watched.page.wait_for_selector(f"{root}[data-map-state='drawn'], {root}[data-map-state='failed']", state="attached")
    assert watched.page.get_attribute(root, "data-map-state") == "drawn", watched.errors
    return int(watched.page.get_attribute("[data-module='app-market-map']", "data-shapes"))


def fills(watched: Watched) -> list[str]:
    """The fill each area is drawn with, one per shape on the map's canvas, as the page script keeps them."""
    return json.loads(watched.page.get_attribute("[data-module='app-market-map']", "data-fills"))


def canvas_picture(watched: Watched) -> dict:
    """What the areas' canvas shows: its pixels (as a PNG address) and how many of them are painted."""
    return watched.page.eval_on_selector(
        ".leaflet-overlay-pane canvas",
        """canvas => {
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
            return {png: canvas.toDataURL(), painted: painted};
        }""",
    )


def axe_violations(watched: Watched) -> list[dict]:
    # From the service's own static files: the Content-Security-Policy refuses a script injected inline.
    watched.page.add_script_tag(url=urljoin(watched.page.url, AXE_URL))
    found = watched.page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations)", WCAG_22_AA
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(watched: Watched, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    watched.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def market():
    month_ago = timezone.localdate() - timedelta(days=30)
    districts = [
        LocalityFactory(code=f"E0700000{n}", name=name, boundary=square(-0.3 + 0.2 * n, 52.3, 0.2))
        for n, name in enumerate(["Cambridge", "East Cambridgeshire", "Fenland"], start=1)
    ]
    for n, district in enumerate(districts[:2]):
        LocalityFactory(
            code=f"E0500000{n}",
            name=f"Ward {n}",
            kind="ward",
            parent=district,
            boundary=square(-0.1 + 0.2 * n, 52.3, 0.1),
        )
    area = LocalityFactory(
        code="HTLAH-01", name="Blaby and Lutterworth", kind="lot_area", boundary=square(-0.1, 52.3, 0.4)
    )
    make_line(beds=6, activation_date=month_ago, district=districts[2], weekly_rate=Decimal("700"))
    home = LocationFactory(name="Meadow View Care Home", district=districts[0], latitude=52.40, longitude=0.0)
    home.current_rating = RatingFactory(location=home, overall="Requires improvement")
    home.save(update_fields=["current_rating"])
    for n in range(3):
        LocationFactory(
            name=f"Fen House {n}",
            district=districts[1],
            latitude=52.35 + n * 0.0001,
            longitude=0.25,
            registered_beds=30,
        )
    from market.models import Lot, Tender

    tender = Tender.objects.create(reference="LCC-HTLAH", title="Help to Live at Home")
    lot = Lot.objects.create(tender=tender, code="HTLAH-01", name="Blaby and Lutterworth", area=area)
    award = award_for(lot=lot, provider=ProviderFactory(name="Soar Valley Homecare Ltd"), go_live_on=date(2016, 11, 7))
    plan = plan_create(award=award)
    milestone_create(plan=plan, kind="policies", title="Policies agreed", due_on=date(2016, 9, 30))
    gateway_create(
        plan=plan, name="Go-live gateway", criteria=[{"text": "Registered manager in post", "mandatory": True}]
    )
    return {"districts": districts, "home": home, "lot": lot, "contract": make_line(district=districts[2]).contract}


def test_each_layer_draws_one_shape_per_area_with_nothing_fetched_from_outside(open_as, live_server, market):
    watched = open_as(Role.COMMISSIONER)
    for layer, shapes in (("district", 3), ("ward", 2), ("lot_area", 1)):
        visit(watched, live_server, f"/map/?layer={layer}")
        assert map_drawn(watched) == shapes, layer
        assert len(fills(watched)) == shapes, layer
        # Drawn on one canvas, not as SVG paths, and the canvas is painted.
        assert watched.page.locator(".leaflet-overlay-pane canvas").count() == 1, layer
        assert watched.page.locator(".leaflet-overlay-pane path").count() == 0, layer
        assert canvas_picture(watched)["painted"] > 0, layer
        screenshot(watched, f"map-{layer}")
    assert watched.outside() == []
    assert watched.errors == []


def test_changing_the_colouring_changes_the_fills_and_the_legend(open_as, live_server, market):
    watched = open_as(Role.CONTRACT_OFFICER)
    visit(watched, live_server, "/map/?colour=void_beds")
    map_drawn(watched)
    before, legend = fills(watched), watched.page.inner_text(".app-map__legend h2")
    picture = canvas_picture(watched)["png"]
    assert legend == "Void beds"
    watched.page.select_option("#colour", "share_beds_requires_improvement_or_worse")
    assert watched.page.inner_text(".app-map__legend h2") == "Share of beds rated Requires improvement or worse"
    assert fills(watched) != before
    # The canvas is drawn again with the new fills (Leaflet redraws on the next animation frame).
    watched.page.wait_for_function(
        "before => document.querySelector('.leaflet-overlay-pane canvas').toDataURL() !== before", arg=picture
    )
    assert "colour=share_beds_requires_improvement_or_worse" in watched.page.url
    assert watched.errors == []


def test_a_click_on_a_home_opens_its_popup_with_a_link_to_its_page(open_as, live_server, market):
    watched = open_as(Role.BROKER)
    visit(watched, live_server, "/map/")
    map_drawn(watched)
    watched.page.click("[title='Meadow View Care Home: Requires improvement']")
    popup = watched.page.wait_for_selector(".leaflet-popup-content")
    assert "Meadow View Care Home" in popup.inner_text() and "Requires improvement" in popup.inner_text()
    link = popup.query_selector("a")
    assert link.get_attribute("href") == f"/homes/{market['home'].pk}/"
    link.click()
    watched.page.wait_for_selector("h1")
    assert watched.page.inner_text("h1") == "Meadow View Care Home"
    assert watched.outside() == [] and watched.errors == []


def pages_of(market) -> dict[str, str]:
    return {
        "map": "/map/",
        "map-sorted": "/map/?layer=lot_area&sort=-lot_status",
        "lots": "/lots/",
        "lot": f"/lots/{market['lot'].pk}/",
        "contracts": "/contracts/",
        "contract": f"/contracts/{market['contract'].pk}/",
        "provider": f"/providers/{market['home'].provider_id}/",
        "home": f"/homes/{market['home'].pk}/",
    }


def test_every_page_passes_axe_wcag_22_aa_with_no_serious_or_critical_violations(open_as, live_server, market):
    watched = open_as(Role.COMMISSIONER)
    for name, path in pages_of(market).items():
        answer = visit(watched, live_server, path)
        assert answer.status == 200, path
        if name.startswith("map"):
            map_drawn(watched)
        assert axe_violations(watched) == [], path
        screenshot(watched, f"page-{name}")
    visit(watched, live_server, "/map/?sort=beds_wanted")  # the error page of a bad sort, too
    assert axe_violations(watched) == []
    screenshot(watched, "page-map-error")
    assert watched.outside() == []
    # The only errors the browser saw: the bad sort's own 400, which is the answer asked for.
    assert watched.errors and all("400" in error and "sort=beds_wanted" in error for error in watched.errors)


def test_provider_users_are_refused_the_map_lots_and_contracts_and_see_only_their_own_homes(
    open_as, live_server, market
):
    membership = ProviderMembershipFactory(provider=market["home"].provider)
    watched = open_as(user=membership.user)
    pages = pages_of(market)
    for name in ("map", "lots", "lot", "contracts", "contract"):
        assert visit(watched, live_server, pages[name]).status == 403, name
    screenshot(watched, "refused-provider-user")
    assert visit(watched, live_server, pages["home"]).status == 200
    stranger = LocationFactory(name="Someone Else's Home")
    assert visit(watched, live_server, f"/homes/{stranger.pk}/").status == 404
    assert visit(watched, live_server, f"/providers/{stranger.provider_id}/").status == 404


def test_every_colouring_the_layers_register_draws_on_every_layer_and_popups_link(open_as, live_server, market):
    from market.services.demand import demand_create
    from market.web.map import colourings_offered

    today = timezone.localdate()
    demand_create(
        locality=market["districts"][1],
        care_type="nursing",
        quantity=Decimal("9"),
        period_start=today - timedelta(days=10),
        period_end=today + timedelta(days=80),
    )
    offered = [colouring.key for colouring in colourings_offered()]
    assert "capacity_gap" in offered  # registered by market under that name, and so offered
    watched = open_as(Role.COMMISSIONER)
    for layer in ("district", "ward", "lot_area"):
        for key in offered:
            answer = visit(watched, live_server, f"/map/?layer={layer}&colour={key}")
            assert answer.status == 200, (layer, key)
            assert map_drawn(watched) >= 1, (layer, key)
            assert watched.page.get_attribute(".app-map__legend", "data-colour") == key
    # The capacity gap is one figure per care type: the chooser picks which one colours the areas.
    visit(watched, live_server, "/map/?colour=capacity_gap&care_type=nursing")
    map_drawn(watched)
    assert watched.page.inner_text(".app-map__legend h2") == "Capacity gap (nursing)"
    # Two districts have a nursing figure: East Cambridgeshire's 9 beds wanted, Fenland's block beds (a surplus).
    assert watched.page.get_attribute(".app-map__legend", "data-figures") == "2"
    nursing = fills(watched)
    watched.page.select_option("#care_type", "residential")
    assert watched.page.inner_text(".app-map__legend h2") == "Capacity gap (residential)"
    assert fills(watched) != nursing and "care_type=residential" in watched.page.url
    screenshot(watched, "map-capacity-gap")
    # The table below the map is the keyboard's way to each area, and says the nursing gap.
    visit(watched, live_server, "/map/?colour=capacity_gap&care_type=nursing")
    row = watched.page.locator("#areas tbody tr", has_text="East Cambridgeshire")
    assert row.get_by_role("link", name="East Cambridgeshire").get_attribute("href") == (
        "/market/capacity-gaps/?locality=E07000002"
    )
    assert "9" in row.locator("td").last.inner_text()
    assert watched.page.get_by_role("link", name="table of districts below the map").get_attribute("href") == "#areas"
    # A lot area's popup names the lead provider and the status in words, and links to the lot.
    visit(watched, live_server, "/map/?layer=lot_area")
    map_drawn(watched)
    # The map starts below the page's headline figures: bring it into view before clicking its middle.
    watched.page.locator(".leaflet-container").scroll_into_view_if_needed()
    box = watched.page.locator(".leaflet-container").bounding_box()
    watched.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = watched.page.wait_for_selector(".leaflet-popup-content")
    text = popup.inner_text()
    assert "Soar Valley Homecare Ltd" in text and "None" not in text
    market["lot"].refresh_from_db()
    status = market["lot"].get_status_display()
    assert status in popup.inner_html() and f">{market['lot'].status}<" not in popup.inner_html()
    link = popup.query_selector("a")
    assert link.get_attribute("href") == f"/lots/{market['lot'].pk}/"
    screenshot(watched, "map-lot-popup")
    assert watched.outside() == [] and watched.errors == []
