"""The boundary upload pages: administrators upload a file through the API's service, follow its import and read
the rows it rejected; other staff get the 403 page and provider users too."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.roles import Role
from geo.models import BoundaryImport, Locality
from geo.selectors import boundary_import_live_key, boundary_import_progress_key
from geo.services.uploads import boundary_import_run
from tests.factories import ProviderMembershipFactory, UserFactory
from tests.geo.conftest import feature, polygon, write_geojson

pytestmark = pytest.mark.django_db
FIELDS = {"kind": "ward", "code_field": "WD13CD", "name_field": "WD13NM"}


def signed_in(*roles: Role) -> Client:
    client = Client()
    client.force_login(UserFactory(roles=roles))
    return client


def upload(name: str = "wards.geojson", content: bytes = b"{}", **fields) -> BoundaryImport:
    return BoundaryImport.objects.create(file=SimpleUploadedFile(name, content), **{**FIELDS, **fields})


@pytest.fixture
def admin_client() -> Client:
    return signed_in(Role.ADMINISTRATOR)


def test_an_administrator_uploads_a_file_follows_it_and_sees_what_was_imported(admin_client, two_wards_geojson):
    answer = admin_client.post(
        "/jobs/boundaries/upload/",
        {"file": SimpleUploadedFile("wards.geojson", two_wards_geojson.read_bytes()), **FIELDS},
    )
    record = BoundaryImport.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/boundaries/{record.pk}/"
    waiting = admin_client.get(answer["Location"]).content.decode()
    assert "Waiting for a worker" in waiting and "Refresh this page" in waiting
    assert record.created_by.has_role(Role.ADMINISTRATOR)

    boundary_import_run(boundary_import_id=record.pk)  # what the task does
    done = admin_client.get(f"/jobs/boundaries/{record.pk}/?auto=on").content.decode()
    assert Locality.objects.filter(kind="ward").count() == 2
    assert "Imported" in done and "Localities created" in done
    # Finished: no more reloading, even for someone who asked for it.
    assert 'http-equiv="refresh"' not in done and "Refresh this page" not in done
    listed = admin_client.get("/jobs/boundaries/").content.decode()
    assert f'href="/jobs/boundaries/{record.pk}/"' in listed and "wards.geojson" in listed


def test_a_file_uploaded_twice_keeps_its_own_name(admin_client, two_wards_geojson):
    for _ in range(2):
        admin_client.post(
            "/jobs/boundaries/upload/",
            {"file": SimpleUploadedFile("E07000008.geojson", two_wards_geojson.read_bytes()), **FIELDS},
        )
    first, second = BoundaryImport.objects.order_by("pk")
    assert first.file.name != second.file.name and first.file_name == second.file_name == "E07000008.geojson"
    listing = admin_client.get("/jobs/boundaries/").content.decode()
    assert listing.count(">E07000008.geojson</a>") == 2
    assert (
        '<h1 class="govuk-heading-l">E07000008.geojson</h1>'
        in admin_client.get(f"/jobs/boundaries/{second.pk}/").content.decode()
    )


def test_a_rejected_file_lists_each_rejected_row_with_its_field_and_message(admin_client, tmp_path):
    path = write_geojson(
        tmp_path / "bad.geojson",
        [
            feature("E05000001", "Ely North", polygon(0.2, 52.4, 0.3, 52.5)),
            feature("", "Nameless", polygon(0, 0, 1, 1)),
        ],
    )
    record = upload("bad.geojson", path.read_bytes())
    boundary_import_run(boundary_import_id=record.pk)

    page = admin_client.get(f"/jobs/boundaries/{record.pk}/").content.decode()
    assert "The file was rejected" in page and "Rows rejected" in page
    assert "WD13CD" in page and "The code is missing." in page
    assert not Locality.objects.filter(kind="ward").exists()


def test_a_running_import_shows_its_stage_and_rows_and_reloads_only_when_asked(admin_client):
    record = upload(status=BoundaryImport.Status.RUNNING)
    cache.set(boundary_import_live_key(record.pk), {"percent": 30, "stage": "checking", "done": 60, "total": 100})

    page = admin_client.get(f"/jobs/boundaries/{record.pk}/").content.decode()
    assert "30% done" in page and "row 60 of 100" in page
    assert 'http-equiv="refresh"' not in page
    following = admin_client.get(f"/jobs/boundaries/{record.pk}/?auto=on").content.decode()
    assert '<meta http-equiv="refresh" content="10">' in following
    assert "Stop reloading automatically" in following


def test_an_upload_without_a_file_or_fields_is_refused_on_each_field(admin_client):
    answer = admin_client.post("/jobs/boundaries/upload/", {"kind": "parish"})
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "There is a problem" in page and page.count("govuk-form-group--error") == 4
    assert "Select a boundary file" in page and 'href="#id_file"' in page
    assert "Select a valid choice" in page  # "parish" is not a kind of locality
    assert not BoundaryImport.objects.exists()


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.COMPLIANCE_OFFICER, Role.CONTRACT_OFFICER, Role.BROKER])
def test_staff_without_the_administrator_role_get_the_403_page(role):
    record = upload()
    client = signed_in(role)
    for address in ("/jobs/boundaries/", f"/jobs/boundaries/{record.pk}/", "/jobs/boundaries/upload/"):
        assert client.get(address).status_code == 403, address
    assert client.post("/jobs/boundaries/upload/", FIELDS).status_code == 403
    assert BoundaryImport.objects.count() == 1


def test_a_provider_user_gets_the_403_page_and_someone_signed_out_is_sent_to_sign_in():
    client = Client()
    client.force_login(ProviderMembershipFactory().user)
    assert client.get("/jobs/boundaries/").status_code == 403
    answer = Client().get("/jobs/boundaries/")
    assert answer.status_code == 302 and answer["Location"].startswith("/sign-in/")


def test_an_upload_that_does_not_exist_is_a_404(admin_client):
    assert admin_client.get("/jobs/boundaries/999999/").status_code == 404


def test_administrators_find_boundary_uploads_and_cqc_sync_in_the_navigation(admin_client):
    page = admin_client.get("/jobs/boundaries/").content.decode()
    assert 'href="/jobs/boundaries/"' in page and 'href="/jobs/cqc-sync/"' in page
    assert 'href="/jobs/cqc-sync/"' not in signed_in(Role.COMMISSIONER).get("/market/", follow=True).content.decode()


def test_the_list_of_uploads_costs_the_same_queries_however_many_there_are(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/jobs/boundaries/").status_code == 200
        return len(captured)

    upload(created_by=UserFactory())
    one = queries()
    for _ in range(10):
        upload(created_by=UserFactory(), status=BoundaryImport.Status.RUNNING)
    assert queries() == one


def test_a_running_import_keeps_the_percent_alone_where_an_earlier_release_reads_it(
    admin_client, two_wards_geojson, monkeypatch
):
    # During a rolling deploy a web process of an earlier release reads the percent key as a number.
    from geo.services import uploads

    record = upload(content=two_wards_geojson.read_bytes())
    written, real = [], uploads.cache_set
    monkeypatch.setattr(
        uploads, "cache_set", lambda key, value, **kw: (written.append((key, value)), real(key, value, **kw))
    )
    boundary_import_run(boundary_import_id=record.pk)
    percents = [value for key, value in written if key == boundary_import_progress_key(record.pk)]
    lives = [value for key, value in written if key == boundary_import_live_key(record.pk)]
    assert percents and all(isinstance(value, int) for value in percents)
    assert lives and {"percent", "stage", "done", "total"} <= set(lives[-1])
    # A page of this release, while it runs, reads the older key when only it is there.
    record.status = BoundaryImport.Status.RUNNING
    record.save(update_fields=["status"])
    cache.set(boundary_import_progress_key(record.pk), 42)
    assert "42% done" in admin_client.get(f"/jobs/boundaries/{record.pk}/").content.decode()
