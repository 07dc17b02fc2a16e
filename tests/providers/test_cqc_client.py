import httpx
import pytest
import respx

from providers.cqc import CqcClient, CqcNotFound, CqcUnavailable
from tests.providers.cqc_bodies import BASE, SOFT_429, changes_page, location_body


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    with CqcClient(base_url=BASE, api_key="test-key", requests_per_second=0, sleep=sleeps.append) as c:
        yield c


@respx.mock
def test_the_subscription_key_goes_in_the_cqc_header(client):
    route = respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
    assert client.location("1-1000000001")["name"] == "Meadow View Care Home"
    assert route.calls.last.request.headers["Ocp-Apim-Subscription-Key"] == "test-key"


@respx.mock
def test_changes_follow_next_page_uri_to_the_last_page(client):
    from datetime import UTC, datetime

    route = respx.get(f"{BASE}/changes/location")
    route.side_effect = lambda request: httpx.Response(
        200,
        json=changes_page(
            {"1": ["1-1", "1-2"], "2": ["1-3"], "3": ["1-4"]}[request.url.params.get("page", "1")],
            page=int(request.url.params.get("page", "1")),
            total_pages=3,
        ),
    )
    ids = list(
        client.changed_location_ids(start=datetime(2024, 1, 1, tzinfo=UTC), end=datetime(2024, 1, 2, tzinfo=UTC))
    )
    assert ids == ["1-1", "1-2", "1-3", "1-4"]
    assert route.call_count == 3
    first = route.calls[0].request.url.params
    assert first["startTimestamp"] == "2024-01-01T00:00:00Z"
    assert first["endTimestamp"] == "2024-01-02T00:00:00Z"
    # The relative nextPageUri is resolved under /public/v1, not the host root.
    assert route.calls[2].request.url.path == "/public/v1/changes/location"


@respx.mock
def test_http_429_is_retried_after_the_time_cqc_asks_for(client, sleeps):
    respx.get(f"{BASE}/locations/1-1000000001").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=location_body())]
    )
    assert client.location("1-1000000001")["locationId"] == "1-1000000001"
    assert sleeps == [7.0]


@respx.mock
def test_soft_429_in_a_200_body_is_retried_not_taken_as_data(client, sleeps):
    route = respx.get(f"{BASE}/locations/1-1000000001").mock(
        side_effect=[httpx.Response(200, json=SOFT_429), httpx.Response(200, json=location_body())]
    )
    body = client.location("1-1000000001")
    assert body["name"] == "Meadow View Care Home"
    assert route.call_count == 2
    assert sleeps == [2.0]


@respx.mock
def test_server_errors_are_retried_with_growing_backoff(client, sleeps):
    respx.get(f"{BASE}/providers/1-101634239").mock(
        side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"providerId": "1-101634239"})]
    )
    assert client.provider("1-101634239")["providerId"] == "1-101634239"
    assert sleeps == [1.0, 2.0]


@respx.mock
def test_persistent_server_errors_end_in_cqc_unavailable(client, sleeps):
    route = respx.get(f"{BASE}/locations/1-1000000001").respond(500)
    with pytest.raises(CqcUnavailable, match="HTTP 500 after 5 attempts"):
        client.location("1-1000000001")
    assert route.call_count == 5
    assert len(sleeps) == 4


@respx.mock
def test_an_unknown_id_is_not_found_without_retrying(client):
    route = respx.get(f"{BASE}/locations/1-404").respond(404, json={"statusCode": 404, "message": "Not found"})
    with pytest.raises(CqcNotFound):
        client.location("1-404")
    assert route.call_count == 1


@respx.mock
def test_a_timeout_ends_in_cqc_unavailable(client):
    respx.get(f"{BASE}/locations/1-1000000001").mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(CqcUnavailable, match="no answer within"):
        client.location("1-1000000001")


@respx.mock
def test_requests_are_spaced_to_the_configured_rate():
    now = [100.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(round(seconds, 3))
        now[0] += seconds

    respx.get(f"{BASE}/locations/1-1000000001").respond(json=location_body())
    client = CqcClient(base_url=BASE, api_key="k", requests_per_second=4, sleep=sleep, clock=lambda: now[0])
    for _ in range(3):
        client.location("1-1000000001")
    assert sleeps == [0.25, 0.25]


def test_the_timeout_comes_from_settings(settings):
    settings.CQC_TIMEOUT_SECONDS = 3
    client = CqcClient(base_url=BASE, api_key="k")
    assert client.http.timeout.read == 3


@respx.mock
def test_the_subscription_key_never_reaches_the_logs(caplog, sleeps):
    caplog.set_level("DEBUG")
    respx.get(f"{BASE}/locations/1-1000000001").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=SOFT_429), httpx.Response(200, json=location_body())]
    )
    with CqcClient(base_url=BASE, api_key="secret-subscription-key", requests_per_second=0, sleep=sleeps.append) as c:
        c.location("1-1000000001")
    assert "retrying" in caplog.text
    assert "secret-subscription-key" not in caplog.text
