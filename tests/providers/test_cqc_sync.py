from datetime import UTC, date, datetime

import pytest
import respx

from core.errors import DomainError
from providers.cqc import CqcClient, CqcUnavailable
from providers.models import CqcSyncState, Location, Provider, Rating, RatingChange, SyncRun
from providers.services.sync import SyncNotConfigured, cqc_sync_run, sync_run_start
from tests.factories import LocalityFactory, PostcodeFactory, square
from tests.providers.cqc_bodies import BASE, changes_page, location_body, locations_page, provider_body

pytestmark = pytest.mark.django_db

CURSOR = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2024, 1, 2, tzinfo=UTC)


@pytest.fixture
def client():
    with CqcClient(base_url=BASE, api_key="k", requests_per_second=0, sleep=lambda seconds: None) as c:
        yield c


@pytest.fixture
def fenland():
    district = LocalityFactory(code="E07000010", name="Fenland", boundary=square(0.0, 52.5, 0.2))
    ward = LocalityFactory(
        code="E05000001", name="Wisbech North", kind="ward", parent=district, boundary=square(0.0, 52.5, 0.1)
    )
    return district, ward


@pytest.fixture
def scope(settings):
    settings.CQC_LOCAL_AUTHORITIES = ["Cambridgeshire"]
    settings.CQC_REGIONS = []


def with_cursor(cursor=CURSOR):
    CqcSyncState.objects.update_or_create(key="cqc", defaults={"cursor": cursor})


def mock_changes(location_ids, provider_ids=()):
    respx.get(f"{BASE}/changes/location").respond(json=changes_page(list(location_ids), page=1, total_pages=1))
    respx.get(f"{BASE}/changes/provider").respond(
        json=changes_page(list(provider_ids), page=1, total_pages=1, path="/changes/provider")
    )


def run_sync(client, now=NOW):
    return cqc_sync_run(run=sync_run_start(), client=client, now=now)


@respx.mock
def test_first_run_loads_every_location_of_the_tracked_local_authority(client, scope, fenland):
    district, ward = fenland
    listing = respx.get(f"{BASE}/locations").respond(json=locations_page(["1-1000000001"]))
    respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())

    run = run_sync(client)

    assert listing.calls.last.request.url.params["localAuthority"] == "Cambridgeshire"
    assert (run.status, run.full_load, run.fetched, run.created) == ("succeeded", True, 1, 2)
    location = Location.objects.select_related("current_rating", "provider").get(cqc_location_id="1-1000000001")
    assert location.provider.name == "Fenland Care Ltd"
    assert (location.care_home, location.registered_beds) == (True, 62)
    assert location.service_types == ["Care home service with nursing"]
    assert location.specialisms == ["Dementia", "Caring for adults over 65 yrs"]
    assert (location.ward_id, location.district_id) == (ward.pk, district.pk)
    assert location.current_rating.overall == "Good"
    assert location.current_rating.well_led == "Good"
    assert CqcSyncState.objects.get().cursor == NOW


@respx.mock
def test_running_the_same_window_twice_changes_nothing_the_second_time(client, scope, fenland):
    with_cursor()
    mock_changes(["1-1000000001"], ["1-101634239"])
    respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    first = run_sync(client)
    assert (first.created, first.updated) == (2, 0)
    history_rows = Location.history.count()

    with_cursor()  # the same window again
    second = run_sync(client)
    assert (second.created, second.updated, second.unchanged, second.rating_changes) == (0, 0, 2, 0)
    assert Location.history.count() == history_rows
    assert Rating.objects.count() == 1
    assert Provider.objects.count() == 1


@respx.mock
def test_a_downgrade_seen_by_the_sync_is_recorded_as_a_rating_change(client, scope, fenland):
    with_cursor()
    mock_changes(["1-1000000001"])
    location_route = respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    run_sync(client)

    location_route.respond(
        json=location_body(
            overall="Requires improvement",
            report_date="2024-01-01",
            key_questions={"Safe": "Inadequate", "Caring": "Good"},
            historic=[{"reportDate": "2023-05-10", "overall": {"rating": "Good", "keyQuestionRatings": []}}],
        )
    )
    later = run_sync(client, now=datetime(2024, 1, 3, tzinfo=UTC))

    assert later.rating_changes == 5  # overall, safe, effective, responsive, well-led; caring stayed Good
    changes = dict(RatingChange.objects.values_list("question", "to_value"))
    assert changes["overall"] == "Requires improvement"
    assert changes["safe"] == "Inadequate"
    assert "caring" not in changes
    assert Location.objects.get().current_rating.overall == "Requires improvement"


@respx.mock
def test_a_failed_run_leaves_the_cursor_where_it_was_and_writes_nothing(client, scope):
    with_cursor()
    mock_changes(["1-1000000001", "1-1000000002"])
    respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
    respx.get(f"{BASE}/locations/1-1000000002").respond(503)

    with pytest.raises(CqcUnavailable):
        run_sync(client)

    run = SyncRun.objects.get()
    assert run.status == "failed"
    assert "HTTP 503" in run.errors[-1]["message"]
    assert CqcSyncState.objects.get().cursor == CURSOR
    assert not Location.objects.exists()


@respx.mock
def test_changed_ids_cqc_no_longer_knows_are_skipped_and_recorded(client, scope, fenland):
    with_cursor()
    mock_changes(["1-1000000001", "1-999"])
    respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
    respx.get(f"{BASE}/locations/1-999").respond(404, json={"statusCode": 404, "message": "Not found"})
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())

    run = run_sync(client)

    assert run.status == "succeeded"
    assert run.skipped_ids == ["1-999"]
    assert Location.objects.count() == 1
    assert CqcSyncState.objects.get().cursor == NOW


@respx.mock
def test_a_changed_provider_cqc_no_longer_knows_is_skipped_recorded_and_kept(client, scope):
    from tests.factories import ProviderFactory

    tracked = ProviderFactory(cqc_provider_id="1-555000001", name="Old Name Ltd")
    with_cursor()
    mock_changes([], ["1-555000001"])
    respx.get(f"{BASE}/providers/1-555000001").respond(404, json={"statusCode": 404, "message": "Not found"})

    run = run_sync(client)

    assert (run.status, run.skipped_ids, run.failed) == ("succeeded", ["1-555000001"], 0)
    assert Provider.objects.get(pk=tracked.pk).name == "Old Name Ltd"


@respx.mock
def test_locations_outside_the_tracked_authorities_are_not_stored(client, scope):
    with_cursor()
    mock_changes(["1-2000000001"])
    respx.get(f"{BASE}/locations/1-2000000001").respond(
        json=location_body("1-2000000001", local_authority="Westminster", region="London")
    )
    run = run_sync(client)
    assert run.out_of_scope == 1
    assert not Location.objects.exists()


@respx.mock
def test_a_location_without_coordinates_is_placed_by_its_postcode(client, scope, fenland):
    district, ward = fenland
    PostcodeFactory(
        postcode="PE13 1AA", latitude=52.56, longitude=0.06, district_code="E07000010", ward_code="E05000001"
    )
    with_cursor()
    mock_changes(["1-1000000001"])
    respx.get(f"{BASE}/locations/1-1000000001").respond(
        json=location_body(latitude=None, longitude=None, postcode="pe131aa")
    )
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    run_sync(client)
    location = Location.objects.get()
    assert (location.postcode, location.latitude, location.district_id, location.ward_id) == (
        "PE13 1AA",
        52.56,
        district.pk,
        ward.pk,
    )


@respx.mock
def test_scope_set_in_the_admin_overrides_settings(client, settings):
    settings.CQC_LOCAL_AUTHORITIES = []
    CqcSyncState.objects.create(key="cqc", local_authorities=["Leicestershire"])
    listing = respx.get(f"{BASE}/locations").respond(json=locations_page([]))
    run = run_sync(client)
    assert run.status == "succeeded"
    assert listing.calls.last.request.url.params["localAuthority"] == "Leicestershire"


def test_a_sync_with_no_scope_refuses_to_pull_all_of_england(client, settings):
    settings.CQC_LOCAL_AUTHORITIES, settings.CQC_REGIONS = [], []
    with pytest.raises(SyncNotConfigured, match="CQC_LOCAL_AUTHORITIES"):
        run_sync(client)
    assert SyncRun.objects.get().status == "failed"


@respx.mock
def test_the_sync_task_does_nothing_without_a_subscription_key(settings):
    from providers.tasks import cqc_sync

    settings.CQC_API_KEY = ""
    assert cqc_sync.apply().get() is None
    assert not SyncRun.objects.exists()
    assert not respx.calls


def test_a_second_sync_while_one_runs_does_nothing_and_says_so(client, scope):
    from providers.services.sync import SyncAlreadyRunning

    running = sync_run_start()
    with pytest.raises(SyncAlreadyRunning):
        run_sync(client)
    second = SyncRun.objects.exclude(pk=running.pk).get()
    assert second.status == "failed"
    assert "Another CQC sync" in second.errors[0]["message"]
    assert SyncRun.objects.get(pk=running.pk).status == "running"
    assert not CqcSyncState.objects.filter(cursor__isnull=False).exists()


@respx.mock
def test_a_run_left_running_by_a_dead_worker_does_not_block_the_next(client, scope, settings):
    from datetime import timedelta

    from django.utils import timezone

    stale = sync_run_start()
    SyncRun.objects.filter(pk=stale.pk).update(
        started_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    )
    respx.get(f"{BASE}/locations").respond(json=locations_page([]))
    assert run_sync(client).status == "succeeded"


@respx.mock
def test_the_sync_task_runs_a_sync_and_returns_its_run(settings, scope):
    from providers.tasks import cqc_sync

    settings.CQC_API_KEY = "k"
    settings.CQC_API_BASE_URL = BASE
    settings.CQC_REQUESTS_PER_SECOND = 0
    respx.get(f"{BASE}/locations").respond(json=locations_page([]))
    run_id = cqc_sync.apply().get()
    run = SyncRun.objects.get(pk=run_id)
    assert (run.status, run.full_load) == ("succeeded", True)
    assert CqcSyncState.objects.get().cursor is not None


@respx.mock
def test_deregistration_and_dormancy_seen_by_the_sync_are_registration_events(client, scope, fenland):
    from providers.models import RegistrationEvent

    with_cursor()
    mock_changes(["1-1000000001"])
    location_route = respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    run_sync(client)
    assert list(RegistrationEvent.objects.values_list("kind", "on")) == [("registered", date(2011, 2, 1))]

    location_route.respond(
        json=location_body(registrationStatus="Deregistered", deregistrationDate="2024-01-02", dormancy="Y")
    )
    run = run_sync(client, now=datetime(2024, 1, 3, tzinfo=UTC))

    assert run.updated == 1
    location = Location.objects.get()
    assert (location.registration_status, location.dormant) == ("Deregistered", True)
    kinds = set(RegistrationEvent.objects.values_list("kind", flat=True))
    assert kinds == {"registered", "deregistered", "dormant_from"}
    assert RegistrationEvent.objects.get(kind="deregistered").on == date(2024, 1, 2)


@respx.mock
def test_a_location_with_a_rating_cqc_does_not_publish_fails_alone_naming_the_question(client, scope, fenland):
    with_cursor()
    mock_changes(["1-1000000001", "1-1000000002"])
    respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
    respx.get(f"{BASE}/locations/1-1000000002").respond(
        json=location_body("1-1000000002", key_questions={"Safe": "Very good"})
    )
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())

    run = run_sync(client)

    assert (run.status, run.fetched, run.failed) == ("succeeded", 2, 1)
    assert run.errors[0]["id"] == "1-1000000002"
    assert run.errors[0]["field"] == "safe"
    assert "'Very good' is not a CQC rating value" in run.errors[0]["message"]
    assert list(Location.objects.values_list("cqc_location_id", flat=True)) == ["1-1000000001"]
    assert CqcSyncState.objects.get().cursor == NOW


@respx.mock
def test_a_record_that_failed_is_fetched_again_by_the_next_run_until_stored(client, scope, fenland):
    with_cursor()
    mock_changes(["1-1000000002"])
    location_route = respx.get(f"{BASE}/locations/1-1000000002").respond(
        json=location_body("1-1000000002", key_questions={"Safe": "Very good"})
    )
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    assert run_sync(client).failed == 1

    mock_changes([])  # CQC does not list it as changed again
    location_route.respond(json=location_body("1-1000000002"))
    retried = run_sync(client, now=datetime(2024, 1, 3, tzinfo=UTC))
    assert (retried.fetched, retried.created, retried.failed, retried.errors) == (1, 2, 0, [])
    assert Location.objects.get().current_rating.safe == "Good"

    calls = location_route.call_count
    assert run_sync(client, now=datetime(2024, 1, 4, tzinfo=UTC)).fetched == 0
    assert location_route.call_count == calls


@respx.mock
def test_an_unexpected_error_ends_the_run_as_failed_and_leaves_the_cursor(client, scope):
    with_cursor()
    mock_changes(["1-1000000001"])
    respx.get(f"{BASE}/locations/1-1000000001").mock(side_effect=RuntimeError("connection pool broken"))

    with pytest.raises(RuntimeError):
        run_sync(client)

    run = SyncRun.objects.get()
    assert (run.status, run.finished_at is not None) == ("failed", True)
    assert "RuntimeError" in run.errors[-1]["message"]
    assert CqcSyncState.objects.get().cursor == CURSOR


@respx.mock
def test_a_tracked_region_scopes_both_the_first_load_and_later_changes(client, settings, fenland):
    settings.CQC_LOCAL_AUTHORITIES, settings.CQC_REGIONS = [], ["East"]
    listing = respx.get(f"{BASE}/locations").respond(json=locations_page(["1-1000000001"]))
    respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body(local_authority="Suffolk"))
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    run_sync(client)
    assert listing.calls.last.request.url.params["region"] == "East"
    assert "localAuthority" not in listing.calls.last.request.url.params

    mock_changes(["1-1000000002", "1-2000000001"])
    respx.get(f"{BASE}/locations/1-1000000002").respond(
        json=location_body("1-1000000002", local_authority="Norfolk", region="East")
    )
    respx.get(f"{BASE}/locations/1-2000000001").respond(
        json=location_body("1-2000000001", local_authority="Westminster", region="London")
    )
    later = run_sync(client, now=datetime(2024, 1, 3, tzinfo=UTC))

    assert (later.full_load, later.created, later.out_of_scope) == (False, 1, 1)
    assert sorted(Location.objects.values_list("cqc_location_id", flat=True)) == ["1-1000000001", "1-1000000002"]


@respx.mock
def test_a_first_sync_replaying_years_of_ratings_lists_no_new_changes(client, scope, fenland):
    from providers.selectors import rating_changes_since

    respx.get(f"{BASE}/locations").respond(json=locations_page(["1-1000000001"]))
    respx.get(f"{BASE}/locations/1-1000000001").respond(
        json=location_body(
            overall="Good",
            report_date="2023-05-10",
            historic=[
                {"reportDate": "2017-01-10", "overall": {"rating": "Inadequate", "keyQuestionRatings": []}},
                {"reportDate": "2019-03-10", "overall": {"rating": "Requires improvement", "keyQuestionRatings": []}},
            ],
        )
    )
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())

    run = run_sync(client)

    assert run.rating_changes == 2
    assert RatingChange.objects.filter(historic=True).count() == 2
    assert list(rating_changes_since()) == []


def paged_listing(pages: list[list[str]], *, broken_page: int | None = None):
    """The list of locations in pages (1-based); `broken_page` has an item without its locationId."""

    def answer(request):
        import httpx

        number = int(request.url.params.get("page", "1"))
        body = locations_page(pages[number - 1], page=number, total_pages=len(pages))
        if number == broken_page:
            body["locations"].append({"locationName": "No id"})
        return httpx.Response(200, json=body)

    return respx.get(f"{BASE}/locations").mock(side_effect=answer)


def listed_pages(route) -> list[int]:
    return [int(call.request.url.params.get("page", "1")) for call in route.calls]


THREE_PAGES = [["1-1000000001", "1-1000000002"], ["1-1000000003", "1-1000000004"], ["1-1000000005"]]


def mock_locations(ids):
    return {i: respx.get(f"{BASE}/locations/{i}").respond(json=location_body(i)) for i in ids}


@respx.mock
def test_a_first_load_that_fails_after_page_2_continues_from_page_3_and_loses_nothing(client, scope, fenland):
    listing = paged_listing(THREE_PAGES)
    routes = mock_locations([i for page in THREE_PAGES for i in page])
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    routes["1-1000000005"].respond(503)

    with pytest.raises(CqcUnavailable):
        run_sync(client)
    failed = SyncRun.objects.get()
    assert (failed.status, failed.fetched) == ("failed", 4)
    assert Location.objects.count() == 4  # pages 1 and 2 are kept
    assert CqcSyncState.objects.get().cursor is None  # the load is not complete

    routes["1-1000000005"].respond(json=location_body("1-1000000005"))
    pages_before = len(listing.calls)
    fetches_before = {i: route.call_count for i, route in routes.items()}
    resumed = run_sync(client, now=datetime(2024, 1, 3, tzinfo=UTC))

    assert listed_pages(listing)[pages_before:] == [3]
    assert [i for i, route in routes.items() if route.call_count > fetches_before[i]] == ["1-1000000005"]
    assert (resumed.status, resumed.full_load, resumed.fetched, resumed.created) == ("succeeded", True, 1, 1)
    assert Location.objects.count() == 5
    # Changes CQC made while the load went on are read from when it began.
    assert CqcSyncState.objects.get().cursor == NOW


@respx.mock
def test_a_first_load_longer_than_its_time_budget_completes_over_several_runs(client, scope, fenland):
    listing = paged_listing(THREE_PAGES)
    mock_locations([i for page in THREE_PAGES for i in page])
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())

    def run_out_of_time():
        return cqc_sync_run(run=sync_run_start(), client=client, now=NOW, time_budget_seconds=0)

    statuses = [run_out_of_time().status for _ in range(3)]

    assert statuses == ["incomplete", "incomplete", "succeeded"]
    assert listed_pages(listing) == [1, 2, 3]  # each page read once
    assert Location.objects.count() == 5
    assert CqcSyncState.objects.get().cursor == NOW
    mock_changes([])
    assert run_sync(client, now=datetime(2024, 1, 3, tzinfo=UTC)).full_load is False


@respx.mock
def test_a_first_load_record_that_failed_in_an_earlier_run_is_retried_once_the_load_completes(client, scope, fenland):
    paged_listing(THREE_PAGES)
    routes = mock_locations([i for page in THREE_PAGES for i in page])
    routes["1-1000000001"].respond(json=location_body("1-1000000001", key_questions={"Safe": "Very good"}))
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    for _ in range(3):
        cqc_sync_run(run=sync_run_start(), client=client, now=NOW, time_budget_seconds=0)
    assert not Location.objects.filter(cqc_location_id="1-1000000001").exists()

    routes["1-1000000001"].respond(json=location_body("1-1000000001"))
    mock_changes([])
    run_sync(client, now=datetime(2024, 1, 3, tzinfo=UTC))
    assert Location.objects.filter(cqc_location_id="1-1000000001").exists()


@respx.mock
def test_a_list_page_with_an_item_missing_its_location_id_fails_the_run_naming_the_field_and_page(
    client, scope, fenland
):
    paged_listing(THREE_PAGES, broken_page=2)
    mock_locations([i for page in THREE_PAGES for i in page])
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())

    with pytest.raises(DomainError):
        run_sync(client)

    message = SyncRun.objects.get().errors[-1]["message"]
    assert "locationId" in message and "page 2" in message
    assert "KeyError" not in message
    assert Location.objects.count() == 2  # page 1 was stored


REPORTS = [
    {
        "linkId": "5c1b0f8a-0001",
        "reportDate": "2023-05-10",
        "reportUri": "/reports/5c1b0f8a-0001",
        "firstVisitDate": "2023-03-28",
        "reportType": "Location",
    },
    {"linkId": "5c1b0f8a-0000", "reportDate": "2019-01-04", "reportType": "Location"},
]
MANAGER_CONTACT = {
    "personTitle": "Mrs",
    "personGivenName": "Jane",
    "personFamilyName": "Privateperson",
    "personRoles": ["Registered Manager"],
}


@respx.mock
def test_the_sync_keeps_a_locations_reports_and_manager_absence_but_no_manager_names(client, scope, fenland, api):
    from accounts.roles import Role
    from providers.models import LocationReport

    activities = [{"name": "Accommodation", "code": "RA2", "contacts": [MANAGER_CONTACT]}]
    body = location_body(reports=REPORTS, registeredManagerAbsentDate="2024-02-01", regulatedActivities=activities)
    respx.get(f"{BASE}/locations").respond(json=locations_page(["1-1000000001"]))
    location_route = respx.get(f"{BASE}/locations/1-1000000001").respond(json=body)
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    run_sync(client)

    location = Location.objects.get()
    assert location.registered_manager_absent_date == date(2024, 2, 1)
    api.as_role(Role.COMPLIANCE_OFFICER)
    detail = api.get(f"/api/v1/locations/{location.pk}/")
    assert detail.json()["registered_manager_absent_date"] == "2024-02-01"
    assert detail.json()["reports"] == [
        {
            "link_id": "5c1b0f8a-0001",
            "report_date": "2023-05-10",
            "report_type": "Location",
            "first_visit_date": "2023-03-28",
        },
        {"link_id": "5c1b0f8a-0000", "report_date": "2019-01-04", "report_type": "Location", "first_visit_date": None},
    ]
    assert "Privateperson" not in detail.content.decode()

    with_cursor(NOW)
    mock_changes(["1-1000000001"])
    location_route.respond(json={**body, "reports": [{**REPORTS[0], "reportType": "Provider"}, REPORTS[1]]})
    run_sync(client, now=datetime(2024, 1, 3, tzinfo=UTC))
    assert LocationReport.objects.get(link_id="5c1b0f8a-0001").report_type == "Provider"
    assert LocationReport.objects.count() == 2


@respx.mock
def test_a_report_without_its_link_id_fails_that_location_alone_naming_the_field(client, scope, fenland):
    with_cursor()
    mock_changes(["1-1000000001"])
    respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body(reports=[{"reportDate": "2023-05-10"}]))
    run = run_sync(client)
    assert (run.status, run.failed, run.errors[0]["field"]) == ("succeeded", 1, "reports.linkId")


@respx.mock
def test_the_sync_task_queues_the_rest_of_a_first_load_that_ran_out_of_time(settings, scope, fenland, monkeypatch):
    from providers.tasks import cqc_sync

    settings.CQC_API_KEY, settings.CQC_API_BASE_URL, settings.CQC_REQUESTS_PER_SECOND = "k", BASE, 0
    settings.CQC_SYNC_TIME_BUDGET_SECONDS = 0
    paged_listing(THREE_PAGES)
    mock_locations([i for page in THREE_PAGES for i in page])
    respx.get(f"{BASE}/providers/1-101634239").respond(json=provider_body())
    queued = []
    monkeypatch.setattr(cqc_sync, "apply_async", lambda **options: queued.append(options))

    run_id = cqc_sync.apply().get()

    assert SyncRun.objects.get(pk=run_id).status == "incomplete"
    assert queued == [{"countdown": 60}]
    assert CqcSyncState.objects.get().load_pages == 1
