"""Signing in and out of the pages with the session, for every role, throttled like the API."""

import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
LIMIT = 10  # LOGIN_FAILURE_LIMIT's default


@pytest.mark.parametrize("role", list(Role))
def test_every_role_signs_in_with_the_session_and_lands_on_a_page_of_the_service(role):
    UserFactory(username=f"person-{role.value}", roles=[role])
    browser = Client()
    answer = browser.post("/sign-in/", {"username": f"person-{role.value}", "password": PASSWORD}, follow=True)
    assert answer.status_code == 200
    assert browser.session["_auth_user_id"]
    assert answer.redirect_chain[0][0] == "/"
    assert b"Sign out" in answer.content


def test_the_sign_in_page_names_the_service_not_the_host(settings):
    settings.SITE_NAME = "Care market"
    html = Client().get("/sign-in/", HTTP_HOST="127.0.0.1:18110").content.decode()
    assert '<h1 class="govuk-heading-l">Sign in to Care market</h1>' in html
    assert "<title>Sign in – Care market</title>" in html
    assert "127.0.0.1" not in html


def test_a_wrong_password_shows_the_error_summary_and_keeps_the_person_signed_out():
    UserFactory(username="broker-1", roles=[Role.BROKER])
    browser = Client()
    page = browser.post("/sign-in/", {"username": "broker-1", "password": "not-it"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is a problem" in html
    assert "Enter a correct user name and password" in html
    assert "<title>Error: Sign in" in html
    assert "_auth_user_id" not in browser.session


def test_empty_fields_are_named_one_by_one_and_link_to_their_inputs():
    page = Client().post("/sign-in/", {"username": "", "password": ""})
    html = page.content.decode()
    assert '<a href="#id_username">Enter your user name</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert "govuk-input--error" in html


def test_next_is_followed_to_the_service_s_own_pages_only():
    UserFactory(username="broker-1", roles=[Role.BROKER])
    inside = Client().post("/sign-in/?next=/admin/", {"username": "broker-1", "password": PASSWORD, "next": "/admin/"})
    assert inside["Location"] == "/admin/"
    outside = Client().post(
        "/sign-in/", {"username": "broker-1", "password": PASSWORD, "next": "https://elsewhere.example/steal"}
    )
    assert outside["Location"] == "/"


def test_the_api_s_browser_sign_in_address_is_the_same_sign_in():
    UserFactory(username="broker-1", roles=[Role.BROKER])
    browser = Client()
    assert browser.get("/api-auth/login/").status_code == 200
    browser.post("/api-auth/login/", {"username": "broker-1", "password": PASSWORD})
    assert browser.get("/api/v1/accounts/me/").status_code == 200


def test_sign_out_is_a_post_and_ends_the_session():
    user = UserFactory(roles=[Role.BROKER])
    browser = Client()
    browser.force_login(user)
    assert browser.get("/sign-out/").status_code == 405
    assert "_auth_user_id" in browser.session
    answer = browser.post("/sign-out/", follow=True)
    assert "_auth_user_id" not in browser.session
    assert b"You have signed out" in answer.content


def test_repeated_failed_sign_ins_are_locked_out_on_the_sign_in_page_too():
    UserFactory(username="broker-1", roles=[Role.BROKER])
    browser = Client(REMOTE_ADDR="192.0.2.30")
    for n in range(LIMIT - 1):
        assert browser.post("/sign-in/", {"username": "broker-1", "password": f"guess-{n}"}).status_code == 200
    locked = browser.post("/sign-in/", {"username": "broker-1", "password": "guess-last"})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert b"govuk-template" in locked.content  # the service's own page, not the admin's
    again = browser.post("/sign-in/", {"username": "broker-1", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in browser.session


def test_someone_signed_out_is_sent_from_the_home_page_to_sign_in():
    answer = Client().get("/")
    assert answer.status_code == 302
    assert answer["Location"] == "/sign-in/"


def test_a_page_address_that_does_not_exist_is_the_404_page_and_under_the_api_the_json_error():
    page = Client().get("/no-such-page/")
    assert page.status_code == 404
    assert b"Page not found" in page.content
    api = Client().get("/api/v1/no-such-thing/")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
