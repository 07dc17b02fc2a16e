"""The pages' own 403, 404 and 500 pages, in the GOV.UK style; the API keeps its JSON errors."""

import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories import LocationFactory, ProviderMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_server_error_on_a_page_is_the_service_s_500_page(monkeypatch):
    from contracts.web import views

    def broken(self, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.HoldListView, "get_context_data", broken)
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(roles=[Role.BROKER]))
    answer = client.get("/beds/holds/")
    assert answer.status_code == 500
    assert b"Sorry, there is a problem with the service" in answer.content
    assert b"govuk-template" in answer.content


def test_with_debug_on_people_still_get_the_service_s_404_and_500_pages(settings, monkeypatch):
    from contracts.web import views

    settings.DEBUG, settings.DEBUG_ERROR_PAGES = True, False
    other_home = LocationFactory()
    provider = Client(raise_request_exception=False)
    provider.force_login(ProviderMembershipFactory().user)
    for address in (f"/portal/homes/{other_home.pk}/", "/no-such-page/"):
        answer = provider.get(address)
        assert answer.status_code == 404
        html = answer.content.decode()
        assert "Page not found" in html and "govuk-template" in html
        assert "DEBUG = True" not in html and "URLconf" not in html

    def broken(self, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.HoldListView, "get_context_data", broken)
    broker = Client(raise_request_exception=False)
    broker.force_login(UserFactory(roles=[Role.BROKER]))
    failed = broker.get("/beds/holds/")
    assert failed.status_code == 500
    assert b"Sorry, there is a problem with the service" in failed.content and b"Traceback" not in failed.content
    # The API keeps its JSON answers.
    assert provider.get("/api/v1/no-such-thing/").json()["error"]["status"] == 404


def test_a_developer_may_ask_for_django_s_technical_pages(settings):
    settings.DEBUG, settings.DEBUG_ERROR_PAGES = True, True
    client = Client()
    client.force_login(UserFactory(roles=[Role.BROKER]))
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404 and b"URLconf" in answer.content


def test_a_role_that_may_not_use_a_page_gets_the_403_page_with_a_way_on():
    client = Client()
    client.force_login(UserFactory(roles=[Role.PROVIDER_USER]))
    answer = client.get("/beds/")
    assert answer.status_code == 403
    html = answer.content.decode()
    assert "You cannot use this page" in html and 'href="/"' in html


def test_someone_with_no_role_with_pages_is_told_so_on_the_home_page():
    client = Client()
    client.force_login(UserFactory(roles=[]))
    answer = client.get("/")
    assert answer.status_code == 200
    assert b"has no role with pages in the service yet" in answer.content


def test_an_administrator_is_pointed_to_the_admin_from_the_home_page():
    client = Client()
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True))
    # Their start page is now the first of their pages (boundary uploads); every page links to the admin, in the
    # service navigation as well as the footer.
    html = client.get("/", follow=True).content.decode()
    navigation = html.split('id="navigation"')[1].split("</ul>")[0]
    assert '<a class="govuk-service-navigation__link" href="/admin/">Administration</a>' in navigation
    broker = Client()
    broker.force_login(UserFactory(roles=[Role.BROKER]))
    assert 'href="/admin/"' not in broker.get("/beds/").content.decode()
