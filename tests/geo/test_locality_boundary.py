"""Geometry lives in its own table (LocalityBoundary): lists of anything placed in a ward or district never
read it, and the migration that moved it kept every boundary."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from geo.models import LocalityBoundary
from providers.services.ratings import rating_record
from tests.factories import LocalityFactory, LocationFactory, square


def _sql_of(api, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/v1/locations/", "/api/v1/locations/export/", "/api/v1/rating-changes/", "/api/v1/providers/"]
)
def test_location_lists_never_read_ward_or_district_geometry(api, url):
    api.as_role(Role.COMMISSIONER)
    district = LocalityFactory(code="E07000009", name="East Cambridgeshire", boundary=square(0.0, 52.0, 1.0))
    ward = LocalityFactory(code="E05000001", kind="ward", parent=district, boundary=square(0.0, 52.0, 0.5))
    for _ in range(3):
        location = LocationFactory(district=district, ward=ward)
        rating_record(location=location, overall="Good", report_date=date(2019, 1, 1), source="cqc_api")
        rating_record(location=location, overall="Inadequate", report_date=date(2021, 1, 1), source="cqc_api")

    statements = _sql_of(api, url)

    assert any("geo_locality" in sql for sql in statements) or url.endswith("providers/")
    assert not [sql for sql in statements if LocalityBoundary._meta.db_table in sql or "boundary" in sql]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_boundary_into_its_own_row_and_back():
    executor = MigrationExecutor(connection)
    before, after = (
        [("geo", "0003_boundary_import_allow_distant_parent")],
        [("geo", "0005_locality_geometry_columns_removed")],
    )
    executor.migrate(before)
    old = MigrationExecutor(connection).loader.project_state(before).apps.get_model("geo", "Locality")
    ward = old.objects.create(
        code="E05000001", name="Ely North", kind="ward", boundary=square(0.2, 52.4), display_boundary=square(0.2, 52.4)
    )
    old.objects.create(code="HTLAH-99", name="Empty lot", kind="lot_area")

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("geo", "LocalityBoundary")
    assert list(new.objects.values_list("locality_id", "boundary", "display_boundary")) == [
        (ward.pk, square(0.2, 52.4), square(0.2, 52.4))
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("geo", "Locality")
    assert old.objects.get(code="E05000001").boundary == square(0.2, 52.4)
    assert old.objects.get(code="HTLAH-99").boundary is None

    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
