"""A signed-in session ends after SESSION_IDLE_SECONDS (a working day by default) without a request, and each
request starts that time again."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
WORKING_DAY = timedelta(hours=8)  # SESSION_IDLE_SECONDS's default


def signed_in() -> Client:
    UserFactory(username="broker-1", roles=[Role.BROKER])
    browser = Client()
    assert browser.post("/sign-in/", {"username": "broker-1", "password": PASSWORD}).status_code == 302
    return browser


def signed_in_still(browser: Client) -> bool:
    answer = browser.get("/")
    return not (answer.status_code == 302 and answer["Location"] == "/sign-in/")


def test_a_session_left_idle_for_a_working_day_is_signed_out():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        browser = signed_in()
        clock.shift(WORKING_DAY - timedelta(minutes=1))
        assert signed_in_still(browser)
        clock.shift(WORKING_DAY + timedelta(minutes=1))
        assert not signed_in_still(browser)


def test_each_request_starts_the_idle_time_again():
    # A day and a half of work, never idle for long: the session outlives a working day from signing in.
    with time_machine.travel(timezone.now(), tick=False) as clock:
        browser = signed_in()
        for _ in range(3):
            clock.shift(WORKING_DAY / 2)
            assert signed_in_still(browser)
