"""The alert list counts its alerts exactly up to API_EXACT_COUNT_UP_TO; beyond, `count` is PostgreSQL's estimate and
says so (`count_exact`), the exact figure is one parameter away, and the pages' links stay right either way."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from tests.factories import LocationFactory
from tests.tasks.test_alerts_api import make_alert

pytestmark = pytest.mark.django_db
URL = "/api/v1/alerts/"


@pytest.fixture
def twelve_alerts(settings):
    settings.API_EXACT_COUNT_UP_TO = 5
    home = LocationFactory()
    return [make_alert(location=home) for _ in range(12)]


def pages(api, **query) -> list[dict]:
    """Every page, followed by its `next` link from the first."""
    answer = api.get(URL, {"page_size": 5, **query})
    bodies = [answer.json()]
    while bodies[-1]["next"]:
        bodies.append(api.get(bodies[-1]["next"]).json())
    return bodies


def test_up_to_the_limit_the_count_is_exact(api, settings):
    settings.API_EXACT_COUNT_UP_TO = 5
    home = LocationFactory()
    for _ in range(5):
        make_alert(location=home)
    api.as_role(Role.COMPLIANCE_OFFICER)
    body = api.get(URL).json()
    assert (body["count"], body["count_exact"]) == (5, True)


@pytest.mark.postgres
def test_beyond_the_limit_the_count_is_an_estimate_that_says_so_and_never_counts_every_alert(api, twelve_alerts):
    api.as_role(Role.COMPLIANCE_OFFICER)
    with CaptureQueriesContext(connection) as captured:
        body = api.get(URL, {"page_size": 5}).json()
    assert body["count_exact"] is False
    assert body["count"] >= 6  # more than the limit, which the bounded count saw
    counts = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    assert counts and all("LIMIT 6" in sql for sql in counts)


@pytest.mark.postgres
def test_the_pages_links_are_right_whatever_the_estimate(api, twelve_alerts):
    api.as_role(Role.COMPLIANCE_OFFICER)
    bodies = pages(api)
    assert [len(body["results"]) for body in bodies] == [5, 5, 2]
    assert {row["id"] for body in bodies for row in body["results"]} == {alert.pk for alert in twelve_alerts}
    assert bodies[1]["previous"] and bodies[0]["previous"] is None
    assert bodies[-1]["count"] >= 12  # never fewer than the alerts already paged through
    gone = api.get(URL, {"page_size": 5, "page": 4})
    assert gone.status_code == 404


def test_the_exact_figure_is_given_when_asked_for(api, twelve_alerts):
    api.as_role(Role.COMPLIANCE_OFFICER)
    body = api.get(URL, {"page_size": 5, "exact_count": "true"}).json()
    assert (body["count"], body["count_exact"]) == (12, True)
    last = api.get(URL, {"page_size": 5, "page": "last"}).json()  # finding the last page counts every alert
    assert (last["count"], last["count_exact"], len(last["results"]), last["next"]) == (12, True, 2, None)


def test_a_word_that_is_not_true_or_false_is_refused_naming_the_parameter(api, twelve_alerts):
    api.as_role(Role.COMPLIANCE_OFFICER)
    answer = api.get(URL, {"exact_count": "perhaps"})
    assert answer.status_code == 400
    assert "exact_count" in answer.json()["error"]["fields"]


def test_the_schema_says_what_the_count_is():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["get"]
    assert "exact_count" in [parameter["name"] for parameter in operation["parameters"]]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert "count_exact" in body["required"]
    assert "estimate" in body["properties"]["count"]["description"]
