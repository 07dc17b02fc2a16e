"""Every page fits the screen: over the demo data, every page (the addresses of tests/web/test_every_page.py) is
opened at 1280 and at 1024 px wide, and no table is wider than the box it sits in, so no column a person decides
with is off to the right. Each page is opened by the first demo user who may open it (the commissioner first, who
sees the most), and each user's own start page by that user: the tables a page shows are the same for every staff
role, and opening all of them again for each role took the run from about two minutes to over ten. One browser
page per user, resized rather than reopened."""

import pytest

from accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in
from tests.web.test_every_page import DEMO_USERS, addresses, demo_with_every_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 1024)
# Each table against the nearest box around it that is not the table's own scrolling wrapper: a table that only fits
# by scrolling sideways overflows too. Named by the table's caption, else the heading before it, else its position.
OVERFLOWING_TABLES = """() => {
  const found = [];
  document.querySelectorAll("table").forEach((table, index) => {
    let box = table.parentElement;
    while (box && (box.clientWidth === 0 || getComputedStyle(box).display === "contents")) box = box.parentElement;
    if (!box) return;
    const wide = Math.max(table.scrollWidth, table.getBoundingClientRect().width);
    if (wide > box.clientWidth + 1) {
      const caption = table.caption ? table.caption.innerText.trim() : "";
      found.push(`table ${index + 1} "${caption.slice(0, 60)}": ${Math.round(wide)} px in a ${box.clientWidth} px box`);
    }
  });
  return found;
}"""


def test_no_table_on_any_page_overflows_at_1280_or_1024_px(browser, live_server, screenshot):
    demo_with_every_page()
    to_open = addresses()
    overflowing, opened, refused = [], set(), set()
    for username in ["commissioner", *(name for name in DEMO_USERS if name != "commissioner")]:
        context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTHS[0], "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, username, DEMO_PASSWORD)
        for address in ["/", *(address for address in to_open if address not in opened)]:
            if address.split("?")[0].endswith((".csv", ".xlsx")):
                opened.add(address)
                continue  # a file to download (the vacancy CSV template), not a page with tables
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            answer = page.goto(address)
            if answer.status in (403, 404):
                refused.add(address)
                continue  # not this user's page
            assert answer.status == 200, f"{username} {address}: answered {answer.status}"
            opened.add(address)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                overflowing += [f"{username} {address} at {width} px: {t}" for t in page.evaluate(OVERFLOWING_TABLES)]
            if page.locator("table").count():
                screenshot(page, f"fit-{username}-{address.strip('/').split('?')[0].replace('/', '-') or 'home'}")
        context.close()
    # An example that is no demo user's own here (a provider's page for a plan of another provider's) is refused to
    # everyone; test_every_page reads it with its own data.
    assert len(opened) > 40 and not set(to_open) - opened - refused - {"/sign-in/"}, set(to_open) - opened
    assert not overflowing, "tables wider than their box:\n" + "\n".join(overflowing)
