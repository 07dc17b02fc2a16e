"""A home's page shows the alerts about it (filled by tasks through core.slots, since contracts may not import
tasks): how many are unresolved, how many are the person's, the newest few with links; a provider user sees their
own home's alerts, linked to the portal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Team
from accounts.roles import Role
from core.slots import slot_contents, slot_fill, slot_unfill
from tasks.models import AlertStatus
from tests.factories import LocationFactory, ProviderMembershipFactory, UserFactory
from tests.tasks.test_inbox_pages import make_alert, signed_in

pytestmark = pytest.mark.django_db


def test_a_homes_page_counts_its_unresolved_alerts_and_lists_the_newest_marking_the_persons_own():
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    home = LocationFactory(name="Meadow View")
    mine = make_alert(location=home, title="Meadow View void beds", severity="high", owner_user=officer, ago=2)
    team = Team.objects.create(name="Quality")
    team.members.add(officer)
    make_alert(location=home, title="Meadow View rated Inadequate", owner_team=team, ago=1)
    make_alert(location=home, title="Meadow View acknowledged", status=AlertStatus.ACKNOWLEDGED, ago=3)
    make_alert(location=home, title="Meadow View old news", status=AlertStatus.RESOLVED)
    make_alert(location=LocationFactory(), title="Another home's alert")

    page = signed_in(user=officer).get(f"/homes/{home.pk}/").content.decode()

    assert "3 unresolved alerts about this home, 2 not yet acknowledged; 2 assigned to you or your teams." in page
    assert page.index("Meadow View rated Inadequate") < page.index("Meadow View void beds")  # newest first
    assert f'href="/alerts/{mine.pk}/"' in page and "assigned to you" in page
    assert "old news" not in page and "Another home" not in page
    assert f'href="/alerts/?provider={home.provider_id}"' in page


def test_a_home_without_alerts_says_so():
    home = LocationFactory()
    page = signed_in(Role.COMMISSIONER).get(f"/homes/{home.pk}/").content.decode()
    assert "There are no unresolved alerts about this home." in page


def test_a_provider_user_sees_their_homes_alerts_linked_to_the_portal():
    membership = ProviderMembershipFactory()
    home = LocationFactory(provider=membership.provider)
    make_alert(location=home, title="Your home's voids")
    page = signed_in(user=membership.user).get(f"/homes/{home.pk}/").content.decode()
    assert "1 unresolved alert about this home, 1 not yet acknowledged." in page
    assert "assigned to you" not in page and 'href="/portal/alerts/"' in page


def test_the_homes_alerts_cost_the_same_queries_however_many_there_are(rf):
    user = UserFactory(roles=[Role.COMPLIANCE_OFFICER])
    home = LocationFactory()
    request = rf.get("/")
    request.user = user

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            slot_contents("contracts.home_alerts", request=request, home=home)
        return len(captured)

    make_alert(location=home)
    queries()  # the person's roles are read once and kept
    one = queries()
    for _ in range(8):
        make_alert(location=home)
    assert queries() == one


def test_a_slot_shows_each_filler_in_turn_and_nothing_for_a_filler_that_returns_none(rf):
    slot_fill("test.slot", key="first", template="a.html", context=lambda *, request, n: {"n": n})
    slot_fill("test.slot", key="quiet", template="b.html", context=lambda *, request, n: None)
    try:
        assert slot_contents("test.slot", request=rf.get("/"), n=2) == [{"template": "a.html", "context": {"n": 2}}]
    finally:
        slot_unfill("test.slot", key="first")
        slot_unfill("test.slot", key="quiet")
    assert slot_contents("test.slot", request=rf.get("/"), n=2) == []


def test_a_home_with_more_alerts_than_are_shown_says_how_many_are_left_out():
    home = LocationFactory()
    for hours in range(7):
        make_alert(location=home, title=f"Alert {hours} hours old", ago=hours)
    page = signed_in(Role.COMMISSIONER).get(f"/homes/{home.pk}/").content.decode()
    assert "The newest 5 of 7 are shown." in page
    assert "Alert 4 hours old" in page and "Alert 5 hours old" not in page
