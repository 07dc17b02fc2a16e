"""The CQC sync pages: administrators follow a run as it goes (locations read of those changed, pages of a first
load stored) and read its outcome with the records it could not store; other staff and provider users get the
403 page."""

from datetime import UTC, datetime

import httpx
import pytest
import respx
from django.test import Client

from accounts.roles import Role
from providers.cqc import CqcClient, CqcUnavailable
from providers.models import CqcSyncState, SyncRun
from providers.services.sync import cqc_sync_run, sync_run_start
from tests.factories import LocalityFactory, ProviderMembershipFactory, UserFactory, square
from tests.providers.cqc_bodies import BASE, changes_page, location_body, locations_page, provider_body

pytestmark = pytest.mark.django_db
NOW = datetime(2024, 1, 2, tzinfo=UTC)


def signed_in(*roles: Role) -> Client:
    client = Client()
    client.force_login(UserFactory(roles=roles))
    return client


@pytest.fixture
def cqc():
    with CqcClient(base_url=BASE, api_key="k", requests_per_second=0, sleep=lambda seconds: None) as c:
        yield c


@pytest.fixture(autouse=True)
def scope(settings):
    settings.CQC_LOCAL_AUTHORITIES = ["Cambridgeshire"]
    settings.CQC_REGIONS = []
    LocalityFactory(code="E07000010", name="Fenland", boundary=square(0.0, 52.5, 0.2))


@pytest.fixture
def admin_client() -> Client:
    return signed_in(Role.ADMINISTRATOR)


@respx.mock
def test_a_running_window_shows_locations_read_of_those_changed_and_the_finished_run_its_rejected_records(
    cqc, admin_client
):
    CqcSyncState.objects.create(key="cqc", cursor=datetime(2024, 1, 1, tzinfo=UTC))
    ids = ["1-1000000001", "1-1000000002"]
    respx.get(f"{BASE}/changes/location").respond(json=changes_page(ids, page=1, total_pages=1))
    respx.get(f"{BASE}/changes/provider").respond(
        json=changes_page([], page=1, total_pages=1, path="/changes/provider")
    )
    respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    seen_while_running = {}

    def second_location(request):
        # The administrator opens the run's page while the sync reads the second location.
        run = SyncRun.objects.get()
        seen_while_running["page"] = admin_client.get(f"/jobs/cqc-sync/{run.pk}/").content.decode()
        seen_while_running["list"] = admin_client.get("/jobs/cqc-sync/").content.decode()
        return httpx.Response(200, json=location_body("1-1000000002", key_questions={"Safe": "Very good"}))

    respx.get(f"{BASE}/locations/1-1000000002").mock(side_effect=second_location)

    run = cqc_sync_run(run=sync_run_start(), client=cqc, now=NOW)

    assert "1 location read of 2 changed" in seen_while_running["page"]
    assert 'value="50"' in seen_while_running["page"] and "Refresh this page" in seen_while_running["page"]
    assert "Running" in seen_while_running["list"] and "50%" in seen_while_running["list"]
    page = admin_client.get(f"/jobs/cqc-sync/{run.pk}/?auto=on").content.decode()
    assert "Succeeded" in page and "Records not stored" in page
    assert "1-1000000002" in page and "safe" in page and "is not a CQC rating value" in page
    assert 'http-equiv="refresh"' not in page and "Refresh this page" not in page


def paged_listing(pages: list[list[str]]):
    def answer(request):
        number = int(request.url.params.get("page", "1"))
        return httpx.Response(200, json=locations_page(pages[number - 1], page=number, total_pages=len(pages)))

    return respx.get(f"{BASE}/locations").mock(side_effect=answer)


@respx.mock
def test_a_first_load_records_its_pages_stored_of_the_list_s_pages_and_a_failure_says_why(cqc, admin_client):
    pages = [["1-1000000001"], ["1-1000000002"], ["1-1000000003"]]
    paged_listing(pages)
    for page in pages:
        respx.get(f"{BASE}/locations/{page[0]}").respond(json=location_body(page[0]))
    respx.get(f"{BASE}/locations/1-1000000003").respond(503)
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())

    with pytest.raises(CqcUnavailable):
        cqc_sync_run(run=sync_run_start(), client=cqc, now=NOW)

    run = SyncRun.objects.get()
    assert (run.status, run.pages_done, run.pages_total, run.fetched) == ("failed", 2, 3, 2)
    page = admin_client.get(f"/jobs/cqc-sync/{run.pk}/").content.decode()
    assert "The run failed" in page and "CQC" in page
    assert "Pages of CQC's list stored" in page and "2 of 3" in page
    assert "First load" in admin_client.get("/jobs/cqc-sync/").content.decode()


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.COMPLIANCE_OFFICER, Role.CONTRACT_OFFICER, Role.BROKER])
def test_staff_without_the_administrator_role_get_the_403_page(role):
    run = SyncRun.objects.create()
    client = signed_in(role)
    assert client.get("/jobs/cqc-sync/").status_code == 403
    assert client.get(f"/jobs/cqc-sync/{run.pk}/").status_code == 403


def test_a_provider_user_gets_the_403_page_and_a_run_that_does_not_exist_is_a_404(admin_client):
    provider_user = Client()
    provider_user.force_login(ProviderMembershipFactory().user)
    assert provider_user.get("/jobs/cqc-sync/").status_code == 403
    assert admin_client.get("/jobs/cqc-sync/999999/").status_code == 404
    assert "The CQC sync has not run yet." in admin_client.get("/jobs/cqc-sync/").content.decode()


def test_the_list_of_runs_costs_the_same_queries_however_many_there_are(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/jobs/cqc-sync/").status_code == 200
        return len(captured)

    SyncRun.objects.create(status="succeeded")
    one = queries()
    for _ in range(10):
        SyncRun.objects.create(status="running", to_fetch=5)
    assert queries() == one
