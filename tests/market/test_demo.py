from datetime import date

import pytest

from accounts.roles import Role
from market.demo import DemoPrerequisiteMissing, demo_load
from market.models import Lot, LotStatus, Procedure, RoundOutcome
from market.selectors import rounds_of

pytestmark = pytest.mark.django_db


def test_the_market_demo_needs_the_lot_areas_and_providers_first():
    with pytest.raises(DemoPrerequisiteMissing, match="HTLAH-01"):
        demo_load()


@pytest.fixture
def demo():
    from geo.demo import demo_load as geo_demo_load
    from providers.demo import demo_load as providers_demo_load

    geo_demo_load()
    providers_demo_load()
    return demo_load()


def test_help_to_live_at_home_has_15_lots_8_lead_providers_and_3_vacant_lots(demo):
    assert demo_load() == demo  # idempotent
    assert (demo["lots"], demo["lead_providers"], demo["live_lots"], demo["vacant_lots"]) == (15, 8, 12, 3)
    assert demo["lot_contracts"] == 12
    vacant = Lot.objects.filter(status=LotStatus.VACANT).order_by("code")
    assert [lot.name for lot in vacant] == [
        "Hinckley and Twycross",
        "Groby and Market Bosworth",
        "Mountsorrel and Quorn",
    ]
    live = Lot.objects.filter(status=LotStatus.LIVE).prefetch_related("awards")
    assert {lot.awards.get().go_live_on for lot in live} == {date(2016, 11, 7)}


def test_the_vacant_lots_show_their_failed_rounds_and_the_negotiation_under_way(demo):
    for lot in Lot.objects.filter(status=LotStatus.VACANT):
        rounds = list(rounds_of(lot=lot))
        assert [(r.procedure, r.opened_on.strftime("%Y-%m"), r.outcome) for r in rounds] == [
            (Procedure.OPEN, "2016-01", RoundOutcome.AWARDED),
            (Procedure.OPEN, "2017-01", RoundOutcome.NO_COMPLIANT_BID),
            (Procedure.OPEN, "2017-04", RoundOutcome.NO_COMPLIANT_BID),
            (Procedure.COMPETITIVE_NEGOTIATION, "2017-06", RoundOutcome.PENDING),
        ]
        assert (rounds[-1].organisations_invited, rounds[-1].services_due_on) == (10, date(2017, 11, 6))
        assert [(i.name, i.provider is not None) for i in rounds[-1].invitations.all()] == [
            ("Burbage and Hinckley Homecare Ltd", True),
            ("Charnwood Community Care Ltd", True),
            ("Sence Valley Care Partnership", False),
            ("Wreake Valley Home Support Ltd", True),
        ]
        assert lot.awards.get().ended_on is not None  # the withdrawn provider's award
        assert not lot.awards.filter(ended_on__isnull=True).exists()


def test_the_blaby_lot_shows_its_lead_provider_inadequate_and_stopped_from_new_work(demo, api):
    api.as_role(Role.COMMISSIONER)
    rows = {row["code"]: row for row in api.get("/api/v1/market/lots/", {"page_size": 50}).json()["results"]}
    blaby = rows["HTLAH-01"]
    assert blaby["name"].startswith("Blaby, Countesthorpe, Narborough, Lutterworth")
    assert (blaby["lead_provider_inadequate"], blaby["lead_provider_stops_admissions"]) == (True, True)
    assert [code for code, row in rows.items() if row["lead_provider_stops_admissions"]] == ["HTLAH-01"]
    assert len({row["lead_provider"] for row in rows.values() if row["lead_provider"]}) == 7  # one withdrew
