"""Names set by a boundary file, a CQC feed or a tender (localities, lots, providers, homes) are shown on the map
as text: hovering over or clicking every area and home of every layer runs no script they carry. And should
markup slip through one day, the Content-Security-Policy refuses to run its script."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from market.models import Lot, Tender
from tests.factories import LocalityFactory, LocationFactory, ProviderFactory, UserFactory, square
from tests.market.mobilisation_factories import award_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Each runs script two ways if written into the page as HTML: a dialog, and a mark on the window.
SCRIPT = '<img src=x onerror="alert(1);window.ran=(window.ran||0)+1">'
DISTRICT = f"Fenland {SCRIPT}"
WARD = f"Ward '><svg onload=alert(2)> {SCRIPT}"
LOT = f"Lot & <b>area</b> {SCRIPT}"
PROVIDER = f"Soar Valley <script>alert(3)</script> {SCRIPT}"
HOME = f"Meadow View {SCRIPT}"


@pytest.fixture
def hostile_map():
    today = timezone.localdate()
    district = LocalityFactory(code="E07000010", name=DISTRICT, boundary=square(-0.3, 52.3, 0.4))
    LocalityFactory(code="E05000001", name=WARD, kind="ward", parent=district, boundary=square(-0.3, 52.3, 0.4))
    area = LocalityFactory(code="LOT-AREA-1", name=LOT, kind="lot_area", boundary=square(-0.3, 52.3, 0.4))
    tender = Tender.objects.create(reference="T-1", title="Homecare")
    lot = Lot.objects.create(tender=tender, code="L-1", name=LOT, area=area)
    award_for(
        lot=lot,
        provider=ProviderFactory(name=PROVIDER),
        awarded_on=today - timedelta(days=30),
        go_live_on=today + timedelta(days=30),
    )
    LocationFactory(
        name=HOME, provider=ProviderFactory(name=PROVIDER), district=district, latitude=52.5, longitude=-0.1
    )


def map_drawn(page) -> None:
    root = "[data-module='app-market-map']"
    page.wait_for_selector(f"{root}[data-map-state='drawn'], {root}[data-map-state='failed']", state="attached")
    assert page.get_attribute(root, "data-map-state") == "drawn"
    assert page.get_attribute(root, "data-shapes") == "1"


def shown_over_the_map(page, selector: str, action) -> list[str]:
    """The texts of `selector` seen while the mouse `action`s ('move' or 'click') over a grid of the map."""
    box = page.locator(".app-map__canvas").bounding_box()
    seen = []
    for i in range(1, 8):
        for j in range(1, 6):
            x, y = box["x"] + box["width"] * i / 8, box["y"] + box["height"] * j / 6
            if action == "click":
                page.mouse.click(x, y)
            else:
                page.mouse.move(x, y)
            for element in page.query_selector_all(selector):
                seen.append(element.inner_text())
            if action == "click":
                # Closed before the next click, which could otherwise land on the popup's link and leave the page.
                page.keyboard.press("Escape")
                page.locator(".leaflet-popup").wait_for(state="detached")
    return seen


@pytest.mark.parametrize(("layer", "name"), [("district", DISTRICT), ("ward", WARD), ("lot_area", LOT)])
def test_hostile_names_in_tooltips_and_popups_of_every_layer_are_text_and_run_nothing(
    page_as, live_server, hostile_map, layer, name
):
    page = page_as(Role.COMMISSIONER)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/map/?layer={layer}")
    map_drawn(page)

    tooltips = shown_over_the_map(page, ".leaflet-tooltip", "move")
    assert name in tooltips  # the name as it is, shown as text
    popups = shown_over_the_map(page, ".leaflet-popup-content", "click")
    assert any(name in popup for popup in popups)
    if layer == "lot_area":
        assert any(PROVIDER in popup for popup in popups)

    page.reload()  # with no area's popup left open over the home
    map_drawn(page)
    page.locator(".leaflet-marker-icon").first.click()
    home_popup = page.locator(".leaflet-popup-content", has_text="Meadow View")
    home_popup.wait_for()
    assert HOME in home_popup.inner_text() and PROVIDER in home_popup.inner_text()
    assert dialogs == []
    assert page.evaluate("window.ran || 0") == 0
    injected = "img[src='x'], svg[onload], script:not([src]):not([type='application/json'])"
    assert page.locator(f"[data-module='app-market-map'] :is({injected})").count() == 0


def test_a_script_that_slips_into_a_page_is_refused_by_its_content_security_policy(browser, live_server, hostile_map):
    signed_in = Client()
    signed_in.force_login(UserFactory(roles=[Role.COMMISSIONER]))
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": signed_in.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    try:
        page = context.new_page()
        console = []
        page.on("console", lambda message: console.append(message.text))
        answer = page.goto(f"{live_server.url}/map/")
        assert "script-src 'self' 'nonce-" in answer.headers["content-security-policy"]
        map_drawn(page)  # the page's own scripts, inline ones with the nonce, ran
        assert console == []
        refused = page.evaluate(
            """() => new Promise(resolve => {
                const seen = [];
                document.addEventListener('securitypolicyviolation', event => seen.push(event.violatedDirective));
                const slipped = document.createElement('div');
                slipped.innerHTML = '<img src="/static/care/favicon.svg" onload="window.ran = 1">';
                const script = document.createElement('script');
                script.textContent = 'window.ran = 1';
                document.body.append(slipped, script);
                setTimeout(() => resolve(seen), 500);
            })"""
        )
        assert page.evaluate("window.ran || 0") == 0
        assert sorted(set(refused)) == ["script-src-attr", "script-src-elem"]
    finally:
        context.close()
