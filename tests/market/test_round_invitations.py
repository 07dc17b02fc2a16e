"""A round's organisations invited by name (market.services.tenders.round_invite): names stored and linked to the
register when it has them, the same name given twice or again recorded once, a closed round refused on its field,
and the round's number invited kept at least the number named."""

from datetime import timedelta

import pytest

from accounts.roles import Role
from core.errors import Conflict, DomainError
from market.models import RoundInvitation, RoundOutcome
from market.services import round_close, round_invite, round_update
from tests.dates import TODAY, days_ago
from tests.factories import ProviderFactory, ProviderMembershipFactory, UserFactory
from tests.market.factories import make_bid, make_round

pytestmark = pytest.mark.django_db


def names(round_) -> list[tuple[str, str | None]]:
    return [(i.name, i.provider.name if i.provider else None) for i in RoundInvitation.objects.filter(round=round_)]


def test_names_are_stored_and_those_in_the_register_linked_to_their_provider():
    officer = UserFactory()
    ProviderFactory(name="Wreake Care Ltd")
    ProviderFactory(name="Soar Valley Homecare Ltd", cqc_provider_id="1-101634239")
    round_ = make_round(opened_on=days_ago(10))
    added = round_invite(
        round=round_, organisations=["wreake care ltd", "1-101634239", "  Sence  Valley Care  "], by=officer
    )
    assert [invitation.name for invitation in added] == [
        "Wreake Care Ltd",
        "Soar Valley Homecare Ltd",
        "Sence Valley Care",
    ]
    assert names(round_) == [
        ("Sence Valley Care", None),
        ("Soar Valley Homecare Ltd", "Soar Valley Homecare Ltd"),
        ("Wreake Care Ltd", "Wreake Care Ltd"),
    ]
    assert {(i.invited_on, i.invited_by) for i in RoundInvitation.objects.all()} == {(TODAY, officer)}
    round_.refresh_from_db()
    assert round_.organisations_invited == 3


def test_a_name_given_twice_or_invited_already_is_recorded_once():
    round_ = make_round(opened_on=days_ago(10))
    round_invite(round=round_, organisations=["Ashby Care", "ASHBY  care", "Blaby Homecare"])
    added = round_invite(round=round_, organisations=["blaby homecare", "Coalville Care"])
    assert [invitation.name for invitation in added] == ["Coalville Care"]
    assert names(round_) == [("Ashby Care", None), ("Blaby Homecare", None), ("Coalville Care", None)]
    round_.refresh_from_db()
    assert round_.organisations_invited == 3


def test_a_higher_number_invited_is_kept_and_may_not_fall_below_the_names():
    round_ = make_round(opened_on=days_ago(10))
    round_update(round=round_, organisations_invited=10)
    round_invite(round=round_, organisations=["Ashby Care", "Blaby Homecare"])
    round_.refresh_from_db()
    assert round_.organisations_invited == 10
    with pytest.raises(DomainError, match="2 organisations are named as invited") as caught:
        round_update(round=round_, organisations_invited=1)
    assert caught.value.field == "organisations_invited"
    round_.refresh_from_db()
    assert round_.organisations_invited == 10


def test_no_names_an_invitation_before_the_round_opened_and_a_closed_round_are_refused():
    round_ = make_round(opened_on=days_ago(10))
    with pytest.raises(DomainError, match="Name at least one organisation") as caught:
        round_invite(round=round_, organisations=["", "   "])
    assert caught.value.field == "organisations"
    with pytest.raises(DomainError, match="before the round opened") as caught:
        round_invite(round=round_, organisations=["Ashby Care"], invited_on=days_ago(11))
    assert caught.value.field == "invited_on"
    round_close(round=round_, outcome=RoundOutcome.NO_BIDS, closed_on=TODAY - timedelta(days=1))
    with pytest.raises(Conflict, match=r"Round 1 of .* closed on .* \(no bids\)") as caught:
        round_invite(round=round_, organisations=["Ashby Care"])
    assert caught.value.field == "round"
    assert not RoundInvitation.objects.exists()


def test_the_api_shows_the_names_read_only_and_not_to_a_bidding_provider(api):
    provider = ProviderFactory(name="Wreake Care Ltd")
    round_ = make_round(opened_on=days_ago(10))
    round_invite(round=round_, organisations=["Wreake Care Ltd", "Ashby Care"])
    api.as_role(Role.COMMISSIONER)
    url = f"/api/v1/market/rounds/{round_.pk}/"
    body = api.get(url).json()
    assert [(row["name"], row["provider"]) for row in body["invitations"]] == [
        ("Ashby Care", None),
        ("Wreake Care Ltd", provider.pk),
    ]
    assert body["organisations_invited"] == 2
    api.patch(url, {"invitations": [{"name": "Blaby Homecare"}]}, format="json")
    assert round_.invitations.count() == 2

    make_bid(round=round_, provider=provider)
    api.force_authenticate(ProviderMembershipFactory(provider=provider).user)
    assert api.get(url).json()["invitations"] == []
