"""The schema describes what the contracts API answers."""

from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from accounts.roles import Role
from tests.contracts.factories import make_line


@pytest.mark.django_db
def test_a_bed_lines_rate_before_its_first_rate_is_null_and_the_schema_says_it_may_be(api):
    line = make_line(activation_date=timezone.localdate() + timedelta(days=30))  # no rate yet today
    api.as_role(Role.CONTRACT_OFFICER)
    response = api.get("/api/v1/bed-lines/")
    assert response.status_code == 200, response.content
    row = next(row for row in response.json()["results"] if row["id"] == line.pk)
    assert row["weekly_rate"] is None
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["schemas"]["BedLine"]["properties"]["weekly_rate"]["nullable"] is True


def test_the_uplift_answer_is_documented_whole():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert set(schema["components"]["schemas"]["UpliftResult"]["properties"]) == {"uplifted", "already_uplifted"}
