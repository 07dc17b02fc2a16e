import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from geo.models import BoundaryImport, Locality
from geo.services import locality_compose
from tests.factories import LocalityFactory, UserFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def test_an_administrator_uploads_boundaries_in_the_admin_and_an_import_is_queued(
    admin_client, two_wards_geojson, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = admin_client.post(
            "/admin/geo/boundaryimport/add/",
            {
                "file": SimpleUploadedFile("wards.geojson", two_wards_geojson.read_bytes()),
                "kind": "ward",
                "code_field": "WD13CD",
                "name_field": "WD13NM",
            },
        )
    assert response.status_code == 302
    record = BoundaryImport.objects.get()
    assert (record.status, record.created_by) == ("pending", admin_client.user)
    assert len(queued) == 1  # the task is sent once the upload is committed


def test_editing_an_areas_members_in_the_admin_recomputes_its_boundary(admin_client):
    first = LocalityFactory(code="E05000001", kind="ward", boundary=square(0.0, 52.0, 0.1))
    second = LocalityFactory(code="E05000002", kind="ward", boundary=square(0.1, 52.0, 0.1))
    lot = locality_compose(code="LOT-1", name="Lot 1", kind="lot_area", member_codes=["E05000001"])

    response = admin_client.post(
        f"/admin/geo/locality/{lot.pk}/change/",
        {
            "code": "LOT-1",
            "name": "Lot 1",
            "kind": "lot_area",
            "members": [first.pk, second.pk],
            "source": "",
            "attribution": "",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    assert Locality.objects.get(pk=lot.pk).max_longitude == pytest.approx(0.2)


@pytest.mark.django_db
def test_boundaries_are_shown_read_only_in_the_admin_and_their_list_reads_no_geometry(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ward = LocalityFactory(code="E05000001", name="Ely North", kind="ward", boundary=square(0.2, 52.4))

    with CaptureQueriesContext(connection) as queries:
        listing = admin_client.get("/admin/geo/localityboundary/", {"q": "Ely"})
    detail = admin_client.get(f"/admin/geo/localityboundary/{ward.pk}/change/")

    assert listing.status_code == 200 and "Ely North" in listing.content.decode()
    assert not [q for q in queries.captured_queries if '"geo_localityboundary"."boundary"' in q["sql"]]
    assert detail.status_code == 200 and "points (full boundary)" in detail.content.decode().lower()
    assert admin_client.get("/admin/geo/localityboundary/add/").status_code == 403
