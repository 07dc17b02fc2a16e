"""Repeated failed sign-ins are locked out, per user name from one address and, at a higher limit, per address
(django-axes with accounts.lockout, see settings)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/accounts/token/"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
LIMIT = 10  # LOGIN_FAILURE_LIMIT's default
ADDRESS_LIMIT = 100  # LOGIN_ADDRESS_FAILURE_LIMIT's default


def token_sign_in(username: str, password: str, *, address: str = "192.0.2.10"):
    return APIClient().post(TOKEN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_limit_th_wrong_password_is_refused_with_429_and_then_the_right_one_too():
    UserFactory(username="cqc-feed")
    answers = [token_sign_in("cqc-feed", f"guess-{n}").status_code for n in range(LIMIT)]
    assert answers == [401] * (LIMIT - 1) + [429]
    refused = token_sign_in("cqc-feed", PASSWORD)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert "too many failed sign-ins" in refused.json()["error"]["message"].lower()
    assert int(refused["Retry-After"]) == 15 * 60
    assert "token" not in refused.json()


def test_wrong_passwords_behind_a_shared_address_lock_out_that_user_name_there_and_nobody_else():
    UserFactory(username="cqc-feed")
    UserFactory(username="broker-system", roles=[Role.BROKER])
    council_proxy = "192.0.2.10"
    for n in range(LIMIT):
        token_sign_in("cqc-feed", f"guess-{n}", address=council_proxy)
    assert token_sign_in("cqc-feed", PASSWORD, address=council_proxy).status_code == 429
    assert "token" in token_sign_in("broker-system", PASSWORD, address=council_proxy).json()
    assert "token" in token_sign_in("cqc-feed", PASSWORD, address="203.0.113.5").json()


def test_an_address_guessing_many_user_names_is_locked_out_at_the_higher_limit_and_other_addresses_are_not():
    UserFactory(username="broker-system")
    answers = [token_sign_in(f"someone-{n}", "guess", address="192.0.2.66").status_code for n in range(ADDRESS_LIMIT)]
    assert answers == [401] * (ADDRESS_LIMIT - 1) + [429]
    assert token_sign_in("broker-system", PASSWORD, address="192.0.2.66").status_code == 429
    assert token_sign_in("broker-system", PASSWORD, address="192.0.2.67").status_code == 200


def test_a_colleague_signing_in_from_the_address_does_not_clear_its_count():
    UserFactory(username="broker-system")
    for n in range(ADDRESS_LIMIT - 1):
        token_sign_in(f"someone-{n}", "guess", address="192.0.2.66")
    assert token_sign_in("broker-system", PASSWORD, address="192.0.2.66").status_code == 200
    assert token_sign_in("someone-else", "guess", address="192.0.2.66").status_code == 429


def test_a_successful_sign_in_clears_the_count():
    UserFactory(username="cqc-feed")
    for n in range(LIMIT - 1):
        token_sign_in("cqc-feed", f"guess-{n}", address=f"198.51.100.{n}")
    assert token_sign_in("cqc-feed", PASSWORD, address="203.0.113.5").status_code == 200
    assert token_sign_in("cqc-feed", "one-more-guess", address="203.0.113.6").status_code == 401


def test_the_lockout_passes_after_the_cool_off_time():
    UserFactory(username="cqc-feed")
    for n in range(LIMIT):
        token_sign_in("cqc-feed", f"guess-{n}")
    assert token_sign_in("cqc-feed", PASSWORD).status_code == 429
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - timedelta(minutes=16))
    assert token_sign_in("cqc-feed", PASSWORD).status_code == 200


def test_the_admin_sign_in_is_locked_out_too():
    UserFactory(username="admin-person", is_staff=True, is_superuser=True)
    browser = Client(REMOTE_ADDR="192.0.2.20")
    for n in range(LIMIT - 1):
        page = browser.post("/admin/login/", {"username": "admin-person", "password": f"guess-{n}"})
        assert page.status_code == 200  # the form again, with its error
    locked = browser.post("/admin/login/", {"username": "admin-person", "password": "guess-last"})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    again = browser.post("/admin/login/", {"username": "admin-person", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in browser.session


def test_a_wrong_password_is_a_401_naming_the_scheme_and_a_missing_one_a_400_naming_the_field():
    UserFactory(username="cqc-feed")
    wrong = token_sign_in("cqc-feed", "guess")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"] == "Token"
    assert wrong.json()["error"]["message"] == "No active user has that user name and password."
    missing = APIClient().post(TOKEN, {"username": "cqc-feed"}, format="json", REMOTE_ADDR="192.0.2.10")
    assert missing.status_code == 400
    assert "password" in missing.json()["error"]["fields"]


def test_a_sign_in_sent_as_a_form_is_refused_with_415_and_no_token():
    UserFactory(username="cqc-feed")
    form = APIClient().post(TOKEN, {"username": "cqc-feed", "password": PASSWORD}, format="multipart")
    assert form.status_code == 415
    assert form.json()["error"]["code"] == "unsupported_media_type"
    assert "token" not in form.json()
