from datetime import date
from decimal import Decimal

import pytest

from core.errors import Conflict, DomainError
from market.models import Bid, LotStatus, RoundOutcome
from market.services import award_make, bid_record, tender_update
from market.services.tenders import NotAwardable
from tests.contracts.factories import make_contract
from tests.factories import ProviderFactory
from tests.market.factories import make_award, make_bid, make_lot, make_round, make_tender

pytestmark = pytest.mark.django_db


def ranked(round_) -> list[tuple[str, Decimal, int | None]]:
    return [
        (bid.provider.name, bid.weighted_total, bid.rank)
        for bid in Bid.objects.filter(round=round_).select_related("provider").order_by("provider__name")
    ]


def test_weighted_totals_follow_the_tenders_weighting_and_ranks_are_recomputed_for_the_round():
    round_ = make_round(lot=make_lot(tender=make_tender(quality_weight=Decimal("70"), price_weight=Decimal("30"))))
    make_bid(round=round_, provider=ProviderFactory(name="A"), quality="80", price="50")  # 56 + 15 = 71
    make_bid(round=round_, provider=ProviderFactory(name="B"), quality="70", price="90")  # 49 + 27 = 76
    assert ranked(round_) == [("A", Decimal("71.00"), 2), ("B", Decimal("76.00"), 1)]

    make_bid(round=round_, provider=ProviderFactory(name="C"), quality="90", price="100")  # 63 + 30 = 93
    assert ranked(round_) == [("A", Decimal("71.00"), 3), ("B", Decimal("76.00"), 2), ("C", Decimal("93.00"), 1)]


def test_equal_totals_share_a_rank_and_bids_that_cannot_be_awarded_are_not_ranked():
    round_ = make_round(lot=make_lot(tender=make_tender(quality_threshold=Decimal("60"))))
    make_bid(round=round_, provider=ProviderFactory(name="A"), quality="70", price="70")
    make_bid(round=round_, provider=ProviderFactory(name="B"), quality="70", price="70")
    make_bid(round=round_, provider=ProviderFactory(name="C"), quality="65", price="60")
    make_bid(round=round_, provider=ProviderFactory(name="D"), quality="50", price="100")  # below the threshold
    make_bid(
        round=round_,
        provider=ProviderFactory(name="E"),
        quality="99",
        price="99",
        compliant=False,
        non_compliance_reason="No business continuity plan",
    )
    assert [rank for *_, rank in ranked(round_)] == [1, 1, 3, None, None]


def test_a_new_weighting_on_the_tender_recomputes_its_bids():
    tender = make_tender(quality_weight=Decimal("60"), price_weight=Decimal("40"))
    round_ = make_round(lot=make_lot(tender=tender))
    make_bid(round=round_, provider=ProviderFactory(name="Quality"), quality="90", price="40")  # 54 + 16 = 70
    make_bid(round=round_, provider=ProviderFactory(name="Price"), quality="60", price="100")  # 36 + 40 = 76
    assert ranked(round_) == [("Price", Decimal("76.00"), 1), ("Quality", Decimal("70.00"), 2)]

    tender_update(tender=tender, quality_weight=Decimal("80"), price_weight=Decimal("20"))
    # Quality 72 + 8 = 80; Price 48 + 20 = 68.
    assert ranked(round_) == [("Price", Decimal("68.00"), 2), ("Quality", Decimal("80.00"), 1)]


def test_weights_that_do_not_add_up_to_100_are_refused():
    with pytest.raises(DomainError, match="add up to 100") as caught:
        make_tender(quality_weight=Decimal("60"), price_weight=Decimal("30"))
    assert caught.value.field == "price_weight"


def test_recording_a_bid_again_replaces_it():
    round_ = make_round()
    provider = ProviderFactory()
    make_bid(round=round_, provider=provider, quality="50", price="50")
    bid = make_bid(round=round_, provider=provider, quality="80", price="80")
    assert Bid.objects.filter(round=round_).count() == 1
    assert bid.weighted_total == Decimal("80.00")


def test_a_non_compliant_bid_needs_a_reason():
    with pytest.raises(DomainError, match="why") as caught:
        make_bid(compliant=False)
    assert caught.value.field == "non_compliance_reason"


def test_an_award_is_refused_for_a_non_compliant_bid():
    bid = make_bid(compliant=False, non_compliance_reason="Missing TUPE information")
    with pytest.raises(NotAwardable, match="not compliant"):
        award_make(bid=bid, awarded_on=date(2016, 7, 1), go_live_on=date(2016, 11, 7))
    assert bid.round.lot.awards.count() == 0


def test_an_award_is_refused_for_a_bid_below_the_quality_threshold():
    round_ = make_round(lot=make_lot(tender=make_tender(quality_threshold=Decimal("60"))))
    bid = make_bid(round=round_, quality="59.99", price="100")
    with pytest.raises(NotAwardable, match="below the tender's threshold"):
        award_make(bid=bid, awarded_on=date(2016, 7, 1), go_live_on=date(2016, 11, 7))


def test_an_award_closes_the_round_names_the_lead_provider_and_awards_the_lot():
    provider = ProviderFactory(name="Soar Valley Homecare Ltd")
    contract = make_contract(provider=provider, kind="call_off", service="homecare_hours", start_date=date(2016, 11, 7))
    award = make_award(provider=provider, contract=contract)
    award.lot.refresh_from_db()
    award.bid.round.refresh_from_db()
    assert award.lead_provider == provider
    assert award.lot.status == LotStatus.AWARDED
    assert (award.bid.round.outcome, award.bid.round.closed_on) == (RoundOutcome.AWARDED, date(2016, 7, 1))
    assert award.contract == contract


def test_an_award_refuses_a_contract_with_another_provider():
    contract = make_contract(kind="call_off", service="homecare_hours")
    with pytest.raises(DomainError, match="another provider") as caught:
        make_award(contract=contract)
    assert caught.value.field == "contract"


def test_a_lot_has_at_most_one_current_award():
    award = make_award()
    round_ = award.bid.round
    with pytest.raises(Conflict):  # the round is closed: nothing more is bid or awarded in it
        bid_record(round=round_, provider=ProviderFactory(), quality_score=Decimal(90), price_score=Decimal(90))
    with pytest.raises(Conflict, match="current award"):  # nor is the lot procured again while it is awarded
        make_round(lot=award.lot, opened_on=date(2017, 1, 9))
