"""Two officers at once: the round's row lock settles who wins."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import Conflict
from market.models import Award, Bid
from market.services import award_make, bid_record
from tests.factories import ProviderFactory
from tests.market.factories import make_bid, make_round


def _race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            outcomes.append(("ok", action()))
        except Exception as error:  # noqa: BLE001 - the outcome is what the test compares
            outcomes.append(("error", error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_awards_of_one_lot_at_once_give_one_award_and_a_conflict():
    round_ = make_round()
    first, second = make_bid(round=round_, quality="80", price="80"), make_bid(round=round_, quality="75", price="90")
    outcomes = _race(
        lambda: award_make(bid=first, awarded_on=date(2016, 7, 1), go_live_on=date(2016, 11, 7)),
        lambda: award_make(bid=second, awarded_on=date(2016, 7, 1), go_live_on=date(2016, 11, 7)),
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    assert isinstance(next(value for kind, value in outcomes if kind == "error"), Conflict)
    assert Award.objects.filter(lot=round_.lot).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bids_recorded_at_once_are_ranked_against_each_other():
    round_ = make_round()
    providers = [ProviderFactory() for _ in range(3)]
    scores = [("70", "70"), ("80", "80"), ("90", "90")]
    outcomes = _race(
        *[
            (
                lambda provider=provider, q=q, p=p: bid_record(
                    round=round_, provider=provider, quality_score=Decimal(q), price_score=Decimal(p)
                )
            )
            for provider, (q, p) in zip(providers, scores, strict=True)
        ]
    )
    assert [kind for kind, _ in outcomes] == ["ok", "ok", "ok"], outcomes
    ranks = dict(Bid.objects.filter(round=round_).values_list("provider_id", "rank"))
    assert [ranks[provider.pk] for provider in providers] == [3, 2, 1]
