from datetime import date

import pytest

from core.errors import Conflict, DomainError
from market.models import LotStatus, LotStatusChange, RoundOutcome
from market.selectors import rounds_of
from market.services import award_end, lot_status_set, round_close, round_update
from market.services.tenders import TransitionRefused
from tests.factories import LocalityFactory, ProviderFactory, UserFactory
from tests.market.factories import make_award, make_bid, make_lot, make_round

pytestmark = pytest.mark.django_db


def history(lot) -> list[tuple[str, str]]:
    return list(LotStatusChange.objects.filter(lot=lot).order_by("pk").values_list("from_status", "to_status"))


def test_a_lots_status_moves_are_kept_in_its_history_with_who_and_why():
    officer = UserFactory()
    award = make_award()
    lot = lot_status_set(lot=award.lot, status=LotStatus.MOBILISING, by=officer, reason="Contract signed")
    lot = lot_status_set(lot=lot, status=LotStatus.LIVE, by=officer, reason="Go-live 7 November 2016")
    assert lot.status == LotStatus.LIVE
    assert history(lot) == [
        ("", "planned"),
        ("planned", "in_procurement"),
        ("in_procurement", "awarded"),
        ("awarded", "mobilising"),
        ("mobilising", "live"),
    ]
    last = LotStatusChange.objects.filter(lot=lot).latest("pk")
    assert (last.changed_by, last.reason) == (officer, "Go-live 7 November 2016")


def test_a_move_the_lot_cannot_make_is_refused_and_not_recorded():
    lot = make_lot()
    with pytest.raises(TransitionRefused, match="cannot go from planned to live"):
        lot_status_set(lot=lot, status=LotStatus.LIVE)
    lot.refresh_from_db()
    assert lot.status == LotStatus.PLANNED
    assert history(lot) == [("", "planned")]


def test_a_lot_is_not_live_without_a_current_award():
    round_ = make_round()
    round_close(round=round_, outcome=RoundOutcome.NO_COMPLIANT_BID, closed_on=date(2017, 2, 1))
    lot = round_.lot
    lot.refresh_from_db()
    assert lot.status == LotStatus.VACANT
    with pytest.raises(TransitionRefused, match="current award"):
        lot_status_set(lot=lot, status=LotStatus.AWARDED)


def test_an_ended_lot_moves_no_more():
    lot = lot_status_set(lot=make_lot(), status=LotStatus.ENDED, reason="Service decommissioned")
    with pytest.raises(TransitionRefused, match="has ended"):
        lot_status_set(lot=lot, status=LotStatus.IN_PROCUREMENT)


def test_a_vacant_lot_is_re_procured_in_new_rounds_shown_in_order():
    award = make_award(awarded_on=date(2016, 7, 1))
    lot = award.lot
    award_end(award=award, ended_on=date(2016, 10, 14), reason="Provider withdrew before go-live")
    lot.refresh_from_db()
    assert lot.status == LotStatus.VACANT

    second = make_round(lot=lot, opened_on=date(2017, 1, 9), procedure="open")
    make_bid(round=second, compliant=False, non_compliance_reason="Below minimum staffing")
    round_close(round=second, outcome=RoundOutcome.NO_COMPLIANT_BID, closed_on=date(2017, 2, 20))
    third = make_round(lot=lot, opened_on=date(2017, 4, 3), procedure="open")
    round_close(round=third, outcome=RoundOutcome.NO_BIDS, closed_on=date(2017, 5, 15))
    fourth = make_round(
        lot=lot,
        opened_on=date(2017, 6, 1),
        procedure="competitive_negotiation",
        organisations_invited=10,
        services_due_on=date(2017, 11, 6),
    )

    rounds = list(rounds_of(lot=lot))
    assert [(r.number, r.procedure, r.outcome) for r in rounds] == [
        (1, "open", "awarded"),
        (2, "open", "no_compliant_bid"),
        (3, "open", "no_bids"),
        (4, "competitive_negotiation", ""),
    ]
    assert (rounds[1].bid_count, rounds[1].compliant_bid_count) == (1, 0)
    assert rounds[-1] == fourth
    lot.refresh_from_db()
    assert lot.status == LotStatus.VACANT  # still nobody delivers there while the new round runs
    assert lot.awards.get().ended_on == date(2016, 10, 14)


def test_one_round_runs_at_a_time():
    round_ = make_round()
    with pytest.raises(Conflict, match="under way"):
        make_round(lot=round_.lot, opened_on=date(2016, 6, 1))


def test_a_rounds_invitations_and_services_due_are_recorded_while_it_runs_only():
    round_ = make_round(opened_on=date(2016, 5, 1))
    round_update(round=round_, organisations_invited=10, services_due_on=date(2017, 11, 6))
    round_.refresh_from_db()
    assert (round_.organisations_invited, round_.services_due_on, round_.closes_on) == (10, date(2017, 11, 6), None)
    with pytest.raises(DomainError, match="before the round opened") as caught:
        round_update(round=round_, services_due_on=date(2016, 4, 30))
    assert caught.value.field == "services_due_on"
    round_close(round=round_, outcome=RoundOutcome.NO_BIDS, closed_on=date(2016, 8, 1))
    with pytest.raises(Conflict, match="closed on 1 August 2016 \\(no bids\\)"):
        round_update(round=round_, organisations_invited=12)
    round_.refresh_from_db()
    assert round_.organisations_invited == 10


def test_a_round_with_an_awardable_bid_is_not_closed_as_without_a_compliant_bid():
    bid = make_bid(quality="80", price="80")
    with pytest.raises(DomainError, match="award it or abandon") as caught:
        round_close(round=bid.round, outcome=RoundOutcome.NO_COMPLIANT_BID, closed_on=date(2016, 8, 1))
    assert caught.value.field == "outcome"


def test_a_lots_area_must_be_a_lot_area():
    district = LocalityFactory(code="E07000132", name="Hinckley and Bosworth", kind="district")
    with pytest.raises(DomainError, match="not a lot area") as caught:
        make_lot(area=district)
    assert caught.value.field == "area"


def test_an_ended_award_leaves_the_lot_without_a_lead_provider():
    provider = ProviderFactory()
    award = make_award(provider=provider)
    award_end(award=award, ended_on=date(2016, 10, 1), reason="Provider withdrew", lot_status=LotStatus.IN_CONTINGENCY)
    award.lot.refresh_from_db()
    assert award.lot.status == LotStatus.IN_CONTINGENCY
    with pytest.raises(Conflict, match="ended"):
        award_end(award=award, ended_on=date(2016, 10, 2), reason="again")


def test_a_lot_with_a_current_award_is_not_made_vacant_or_ended_by_hand():
    award = make_award(provider=ProviderFactory(name="Burbage and Hinckley Homecare Ltd"))
    for status in (LotStatus.VACANT, LotStatus.ENDED):
        with pytest.raises(TransitionRefused, match="current award to Burbage and Hinckley Homecare Ltd"):
            lot_status_set(lot=award.lot, status=status)
    award_end(award=award, ended_on=date(2016, 10, 21), reason="Provider withdrew", lot_status=LotStatus.ENDED)
    award.lot.refresh_from_db()
    assert award.lot.status == LotStatus.ENDED
