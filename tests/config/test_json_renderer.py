"""The API's JSON is written by orjson (core.renderers) and reads exactly as DRF's own renderer wrote it: the same
bytes for money, days, times with their offsets, ids and translated words, and the browsable API where it was."""

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from accounts.roles import Role
from core.renderers import JSONRenderer

LONDON = ZoneInfo("Europe/London")


def both(data, accepted_media_type=None, renderer_context=None) -> tuple[bytes, bytes]:
    return (
        JSONRenderer().render(data, accepted_media_type, renderer_context),
        DRFJSONRenderer().render(data, accepted_media_type, renderer_context),
    )


VALUES = {
    "weekly_rate": Decimal("1520.00"),
    "uplift": Decimal("0.0300"),
    "small": Decimal("-0.01"),
    "day": date(2026, 12, 7),
    "summer_noon": datetime(2026, 7, 1, 12, 0, tzinfo=LONDON),
    "winter_noon": datetime(2026, 12, 7, 12, 0, 30, 123456, tzinfo=LONDON),
    "utc": datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
    "naive": datetime(2026, 12, 7, 9, 30),
    "at": time(9, 30, 15),
    "stay": timedelta(days=2, hours=3),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "label": gettext_lazy("Residential dementia"),
    "words": ["£1,234.56", "Café – 7 December 2026", "line\u2028break\u2029here", "emoji 🏠"],
    "nested": {"a": [1, 2.5, None, True, False], "b": {"c": []}},
    "ids": {1, 2, 3},
    "tuple": (1, "two"),
    "numbers": [0, -1, 2**53, 2**63 - 1, 0.1 + 0.2, 1e22, 3.0],
    7: "an int key",
}


def test_every_kind_of_value_is_written_as_drf_wrote_it():
    ours, theirs = both(VALUES)
    assert ours == theirs
    body = json.loads(ours)
    assert body["weekly_rate"] == 1520.0
    assert body["summer_noon"] == "2026-07-01T12:00:00+01:00"
    assert body["winter_noon"] == "2026-12-07T12:00:30.123456Z"
    assert body["utc"] == "2026-12-07T09:30:00Z"
    assert body["naive"] == "2026-12-07T09:30:00"
    assert body["id"] == "12345678-1234-5678-1234-567812345678"
    assert body["label"] == "Residential dementia"
    assert body["words"][2] == "line\u2028break\u2029here"
    assert b"\\u2028" in ours and "\u2028".encode() not in ours  # a strict JavaScript subset, as DRF makes it


def test_a_value_orjson_cannot_write_is_written_by_drf():
    ours, theirs = both({"huge": 2**70, "negative": -(2**65)})
    assert ours == theirs == b'{"huge":1180591620717411303424,"negative":-36893488147419103232}'


def test_an_indented_answer_is_drfs_own():
    for media_type, context in (("application/json; indent=2", {}), ("application/json", {"indent": 4})):
        ours, theirs = both(VALUES, media_type, context)
        assert ours == theirs
        assert b"\n" in ours


def test_a_value_neither_can_write_is_still_a_server_error():
    with pytest.raises(TypeError):
        JSONRenderer().render({"thing": object()})


def test_small_exponents_are_written_shorter_as_the_same_number():
    ours, theirs = both({"tiny": 1e-7})
    assert (ours, theirs) == (b'{"tiny":1e-7}', b'{"tiny":1e-07}')
    assert json.loads(ours) == json.loads(theirs)


@pytest.mark.django_db
def test_an_api_answer_is_the_bytes_drf_would_have_written(api):
    from tests.factories import LocationFactory

    LocationFactory.create_batch(3)
    api.as_role(Role.COMMISSIONER)
    for path in ("/api/v1/locations/", "/api/v1/accounts/me/"):
        answer = api.get(path)
        assert answer.status_code == 200, answer.content[:300]
        assert answer["Content-Type"] == "application/json"
        assert answer.content == DRFJSONRenderer().render(answer.data)
    error = api.get("/api/v1/locations/", {"nonsense": "1"})
    assert error.status_code == 400
    assert error.content == DRFJSONRenderer().render(error.data)


@pytest.mark.django_db
def test_the_browsable_api_is_still_offered_to_a_browser(api):
    api.as_role(Role.COMMISSIONER)
    answer = api.get("/api/v1/accounts/me/", HTTP_ACCEPT="text/html")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/html")
    assert "&quot;username&quot;" in answer.content.decode()  # the JSON, indented, inside the page
