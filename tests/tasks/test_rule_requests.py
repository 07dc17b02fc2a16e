"""Rule runs asked for by writes (tasks.triggers): one transaction asks once for the rules its writes touched,
when it commits; a rolled-back transaction or savepoint asks for nothing, and the next transaction still asks."""

import pytest
from django.db import transaction

from tasks import triggers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def asked(monkeypatch):
    """The rule runs sent to the broker, one list of codes per send."""
    sent: list[list[str]] = []
    monkeypatch.setattr(triggers, "_enqueue", lambda codes: sent.append(list(codes)))
    return sent


def test_many_writes_in_one_transaction_ask_once_for_every_rule_they_touched(asked):
    with transaction.atomic():
        for _ in range(500):
            triggers.rules_request(topic="placement")
        triggers.rules_request(topic="cqc_sync")
        assert asked == []  # nothing before the commit
    assert len(asked) == 1
    assert set(asked[0]) == set(triggers.rules_for("placement")) | set(triggers.rules_for("cqc_sync"))


def test_a_rolled_back_transaction_asks_nothing_and_the_next_one_still_asks(asked):
    with pytest.raises(RuntimeError), transaction.atomic():
        triggers.rules_request(topic="cqc_sync")
        raise RuntimeError("the import failed")
    assert asked == []
    with transaction.atomic():
        triggers.rules_request(topic="placement")
    assert asked == [triggers.rules_for("placement")]


def test_a_rolled_back_savepoint_drops_what_it_asked_and_the_transaction_asks_for_the_rest(asked):
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            triggers.rules_request(topic="cqc_sync")
            raise RuntimeError("one row refused")
        triggers.rules_request(topic="placement")
    assert asked == [triggers.rules_for("placement")]


def test_a_write_outside_a_transaction_asks_at_once(asked):
    triggers.rules_request(topic="placement")
    triggers.rules_request(topic="placement")
    assert asked == [triggers.rules_for("placement")] * 2
