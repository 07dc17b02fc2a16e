"""Benchmark: the map page with all 326 districts of England drawn in headless Chromium, from navigation to the
last shape laid out (target < 2 s, issue 12), the first time (layer built) and again (layer from the cache).

Run against PostgreSQL: DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/bench_web_map.py
It works in a throw-away database (test_<name>, created and dropped here), since the page is served by a live
server thread that must see committed rows. Chromium is Debian's (CHROMIUM, default /usr/bin/chromium).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

NATIONAL = Path(__file__).resolve().parents[1] / "geo/data/england_lad_2013.topojson"
CHROMIUM = os.getenv("CHROMIUM", "/usr/bin/chromium")
RUNS = int(os.getenv("BENCH_RUNS", "5"))


def build() -> str:
    from accounts.models import User, role_group
    from accounts.roles import Role
    from geo.services import boundaries_import

    started = time.perf_counter()
    report = boundaries_import(path=NATIONAL, kind="district", code_field="LAD13CD", name_field="LAD13NM")
    print(f"national districts: {report.summary()} in {time.perf_counter() - started:.1f} s")
    user = User.objects.create_user(username="bench-commissioner", password="bench-password-1")  # noqa: S106
    user.groups.add(role_group(Role.COMMISSIONER))
    signed_in = Client()
    signed_in.force_login(user)
    return signed_in.cookies[settings.SESSION_COOKIE_NAME].value


def drawn_ms(browser, url: str, session: str) -> tuple[int, int]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url}])
    page = context.new_page()
    page.goto(url + "/map/?layer=district", wait_until="commit")
    root = "[data-module='app-market-map']"
    page.wait_for_selector(f"{root}[data-map-state='drawn']", state="attached", timeout=60000)
    figures = int(page.get_attribute(root, "data-drawn-ms")), int(page.get_attribute(root, "data-shapes"))
    timing = page.evaluate(
        """() => {
            const page = performance.getEntriesByType("navigation")[0];
            const layers = performance.getEntriesByType("resource")
                .filter(entry => entry.name.includes("/geo/localities/"));
            const layer = layers[0];
            return {page: Math.round(page.responseEnd), layer_start: Math.round(layer.startTime),
                    layer_end: Math.round(layer.responseEnd), layer_kb: Math.round(layer.encodedBodySize / 1024),
                    layer_fetches: layers.length};
        }"""
    )
    print(f"  drawn at {figures[0]} ms: {timing}")
    context.close()
    return figures


def main() -> None:
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    server = None
    try:
        session = build()
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        url = f"http://127.0.0.1:{server.port}"
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            cold = []
            for _ in range(RUNS):
                cache.clear()  # the layer is built afresh, as after any change to the geography
                cold.append(drawn_ms(browser, url, session))
            warm = [drawn_ms(browser, url, session) for _ in range(RUNS)]
            browser.close()
        shapes = {count for _, count in cold + warm}
        for label, runs in (("layer built", cold), ("layer cached", warm)):
            times = [ms for ms, _ in runs]
            print(
                f"map of {shapes} districts, navigation to last shape, {label}: median {statistics.median(times)} ms, "
                f"max {max(times)} ms over {len(times)} runs (target < 2000 ms)"
            )
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        if server is not None:
            server.terminate()
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
