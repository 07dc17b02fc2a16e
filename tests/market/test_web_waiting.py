"""The brokers' waiting list: add someone waiting with how they are bridged, see the days each has waited with
long waits (more than PENDING_WAIT_LONG_DAYS) marked, and close a wait with its outcome, through the services the
API uses. Every other role is refused (403)."""

import html

import pytest
from django.test import Client

from accounts.roles import Role
from market.models import PendingArrangement
from market.services.demand import pending_create
from tests.dates import TODAY, days_ago
from tests.factories import LocalityFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_as(role):
    client = Client()
    client.force_login(UserFactory(roles=[role]))
    return client


def date_fields(name, day):
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def rows(page: str) -> str:
    return page.split('id="waiting"', 1)[1].split("</table>", 1)[0]


def test_a_broker_adds_someone_waiting_and_sees_the_days_and_the_long_waits(settings):
    settings.PENDING_WAIT_LONG_DAYS = 42
    district = LocalityFactory(name="East Cambridgeshire")
    pending_create(reference="BRK-2026-0001", locality=district, care_type="nursing", waiting_since=days_ago(42))
    pending_create(
        reference="BRK-2026-0002",
        locality=district,
        care_type="nursing",
        waiting_since=days_ago(43),
        bridging="interim_bed",
    )
    client = client_as(Role.BROKER)

    refused = client.post("/beds/waiting/new/", {"reference": "Jane Smith", "bridging": "none"})
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "Choose where the person lives" in text
    assert "Choose the care they are waiting for" in text

    answer = client.post(
        "/beds/waiting/new/",
        {
            "reference": "BRK-2026-0003",
            "locality": district.code,
            "care_type": "homecare_hours",
            "hours_per_week": "10.5",
            "bridging": "reablement",
            **date_fields("waiting_since", days_ago(3)),
        },
        follow=True,
    )
    page = answer.content.decode()
    assert "BRK-2026-0003 is on the waiting list for homecare hours." in page
    table = rows(page)
    # Longest first; 43 days is long, 42 days (the setting) is not.
    assert table.index("BRK-2026-0002") < table.index("BRK-2026-0001") < table.index("BRK-2026-0003")
    long_row = table.split("BRK-2026-0002", 1)[1].split("</tr>", 1)[0]
    boundary_row = table.split("BRK-2026-0001", 1)[1].split("</tr>", 1)[0]
    assert "43" in long_row and "Long wait" in long_row and "Interim bed" in long_row
    assert "42" in boundary_row and "Long wait" not in boundary_row
    assert "10.5 hours a week" in table and "Reablement" in table
    assert "Waiting now: 3, 1 for more than 42 days" in page


def test_a_broker_closes_a_wait_with_its_outcome():
    wait = pending_create(
        reference="BRK-2026-0010", locality=LocalityFactory(), care_type="residential", waiting_since=days_ago(10)
    )
    client = client_as(Role.BROKER)
    refused = client.post(f"/beds/waiting/{wait.pk}/close/", date_fields("ended_on", TODAY))
    assert refused.status_code == 400 and "Choose how the wait ended" in refused.content.decode()
    early = client.post(
        f"/beds/waiting/{wait.pk}/close/", {"outcome": "placed", **date_fields("ended_on", days_ago(11))}
    )
    assert early.status_code == 400
    assert "The day the wait ended must be on or after the day it began" in html.unescape(early.content.decode())

    answer = client.post(
        f"/beds/waiting/{wait.pk}/close/", {"outcome": "placed", **date_fields("ended_on", TODAY)}, follow=True
    )
    page = html.unescape(answer.content.decode())
    assert "BRK-2026-0010's wait ended on" in page and "placed in a care home" in page
    assert "BRK-2026-0010" not in rows(page)
    wait.refresh_from_db()
    assert (wait.ended_on, wait.outcome) == (TODAY, "placed")
    assert client.get(f"/beds/waiting/{wait.pk}/close/").status_code == 404  # already closed


def test_a_second_open_wait_for_the_same_person_is_refused_on_the_reference():
    district = LocalityFactory()
    pending_create(reference="BRK-2026-0020", locality=district, care_type="nursing", waiting_since=days_ago(5))
    answer = client_as(Role.BROKER).post(
        "/beds/waiting/new/",
        {
            "reference": "BRK-2026-0020",
            "locality": district.code,
            "care_type": "nursing",
            "bridging": "none",
            **date_fields("waiting_since", TODAY),
        },
    )
    assert answer.status_code == 400
    assert "BRK-2026-0020 is already waiting for care; end that wait first." in answer.content.decode()
    assert PendingArrangement.objects.count() == 1


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.BROKER}))
def test_every_other_role_is_refused_the_waiting_list(role):
    wait = pending_create(
        reference="BRK-2026-0030", locality=LocalityFactory(), care_type="nursing", waiting_since=days_ago(1)
    )
    client = client_as(role)
    for address in ("/beds/waiting/", "/beds/waiting/new/", f"/beds/waiting/{wait.pk}/close/"):
        assert client.get(address).status_code == 403, address
    assert client.post(f"/beds/waiting/{wait.pk}/close/", {"outcome": "placed"}).status_code == 403
