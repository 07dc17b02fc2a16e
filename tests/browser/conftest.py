"""Browser tests: Playwright for Python driving Debian's Chromium against the service on a free port.

Fixtures for any page's tests:
- `browser`: one headless Chromium for the session (Debian's package: scripts/test.sh installs it when missing);
- `page_as(role, **user_fields)`: a new browser context signed in through the sign-in page as a new user with that
  role (a provider user is linked to `provider=`, if given); returns the Playwright page;
- `axe_check(page)`: runs the vendored axe-core with the WCAG 2.2 AA rules and fails on serious or critical
  violations;
- `screenshot(page, name)`: saves a full-page PNG under var/screenshots/ for a person to look at after a run.
Every page opened through these fixtures records its requests and console: the test fails if any request left
127.0.0.1 or the console logged an error.
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from django.conf import settings

from accounts.roles import Role
from tests.factories import ProviderMembershipFactory, UserFactory

# Playwright's sync API runs an event loop in this thread; the tests still make data with the ORM beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The live server listens on 127.0.0.1, the only host a page may reach.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE_URL = settings.STATIC_URL + "vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium is not installed: scripts/test.sh (make test) installs Debian's package, or run "
            "`apt-get install -y chromium` as root."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageLog:
    """What a page asked for and what its console said, checked when the test ends."""

    def __init__(self):
        self.outside: list[str] = []
        self.console_errors: list[str] = []

    def request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in {"data", "blob", "about"}:
            return
        if url.hostname not in LOCAL_HOSTS:
            self.outside.append(request.url)

    def console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def page_error(self, error) -> None:
        self.console_errors.append(str(error))


@pytest.fixture
def open_page(browser, live_server):
    """open_page() -> a new page in its own context (no session), logged; checked when the test ends."""
    contexts, logs = [], []

    def make():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        log = PageLog()
        page.on("request", log.request)
        page.on("console", log.console)
        page.on("pageerror", log.page_error)
        page.set_default_timeout(15_000)
        contexts.append(context)
        logs.append(log)
        return page

    yield make
    for context in contexts:
        context.close()
    outside = [url for log in logs for url in log.outside]
    errors = [text for log in logs for text in log.console_errors]
    # A 403 or 404 page, or a form sent back with its errors (400), is logged by Chromium as a failed resource load;
    # that is the page under test, not an error.
    errors = [text for text in errors if not re.search(r"status of (400|403|404)", text)]
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert not errors, f"console errors: {errors}"


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def page_as(open_page):
    """page_as(Role.BROKER) -> a page signed in as a new user with that role (provider=... for a provider user)."""
    counter = iter(range(1, 1000))

    def make(role: Role, *, provider=None, **user_fields):
        username = user_fields.pop("username", f"{role.value}-{next(counter)}")
        if role == Role.PROVIDER_USER:
            extra = {"provider": provider} if provider is not None else {}
            user = ProviderMembershipFactory(user__username=username, **extra).user
        else:
            user = UserFactory(username=username, roles=[role], **user_fields)
        page = open_page()
        sign_in(page, user.username)
        assert page.get_by_role("button", name=re.compile("Sign out")).count() == 1, page.content()[:2000]
        page.user = user
        return page

    return make


@pytest.fixture
def axe_check():
    def check(page) -> list[dict]:
        # From the service's own static files: the Content-Security-Policy refuses a script injected inline.
        page.add_script_tag(url=urljoin(page.url, AXE_URL))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
        )
        serious = [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:5]}" for v in serious
        ]
        assert not serious, f"accessibility violations on {page.url}:\n" + "\n".join(summary)
        return result["violations"]

    return check


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def checked(axe_check, screenshot):
    """checked(page, name): the page passes axe's WCAG 2.2 AA rules, and its screenshot is saved."""

    def check(page, name: str) -> None:
        page.wait_for_load_state("load")
        axe_check(page)
        screenshot(page, name)

    return check
