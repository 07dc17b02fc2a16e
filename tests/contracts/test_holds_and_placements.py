import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from contracts.models import Hold, HoldStatus, Placement
from contracts.selectors import free_beds_on
from contracts.services import (
    CapacityExceeded,
    NoVoidBed,
    bed_line_create,
    closure_create,
    hold_convert,
    hold_place,
    holds_expire,
    placement_create,
    reference_validate,
)
from core.errors import Conflict, DomainError
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocationFactory, UserFactory

START = date(2026, 1, 1)
# Fixed dates throughout, so the clock is pinned: the factories' contracts date from the same day.
pytestmark = pytest.mark.today(date(2026, 12, 7))


@pytest.mark.django_db
def test_a_hold_takes_a_bed_until_it_expires(settings):
    line = make_line(beds=1)
    hold = hold_place(bed_line=line, reference="BRK-2026-0001", start_date=START)
    assert hold.expires_at - timezone.now() == pytest.approx(settings.HOLD_DURATION, abs=timedelta(seconds=5))
    assert free_beds_on(line=line, on=START) == 0
    with pytest.raises(NoVoidBed):
        hold_place(bed_line=line, reference="BRK-2026-0002", start_date=START)

    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert free_beds_on(line=line, on=START) == 1  # counts only while unexpired, before any sweep
    second = hold_place(bed_line=line, reference="BRK-2026-0002", start_date=START)
    assert second.status == HoldStatus.HELD

    assert holds_expire() == 1
    hold.refresh_from_db()
    assert hold.status == HoldStatus.EXPIRED
    assert holds_expire() == 0


@pytest.mark.django_db
def test_a_hold_converts_into_a_placement_on_its_own_bed():
    line = make_line(beds=1, weekly_rate=Decimal("812.50"))
    hold = hold_place(bed_line=line, reference="BRK-2026-0003", start_date=START)
    placement = hold_convert(hold=hold, source="hospital_discharge")
    assert placement.reference == "BRK-2026-0003"
    assert placement.weekly_cost == Decimal("812.50")
    hold.refresh_from_db()
    assert (hold.status, hold.placement) == (HoldStatus.CONVERTED, placement)
    assert free_beds_on(line=line, on=START) == 0
    with pytest.raises(Conflict):
        hold_convert(hold=hold)


@pytest.mark.django_db
def test_an_expired_hold_cannot_be_converted():
    line = make_line(beds=1)
    hold = hold_place(bed_line=line, reference="BRK-2026-0004", start_date=START)
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(Conflict, match="expired"):
        hold_convert(hold=Hold.objects.get(pk=hold.pk))


@pytest.mark.django_db
def test_no_placement_on_a_full_or_closed_line_or_before_activation():
    line = make_line(beds=2, activation_date=START)
    with pytest.raises(NoVoidBed):
        place(line, start=START - timedelta(days=1))
    place(line, start=START)
    closure_create(
        bed_line=line,
        beds=1,
        start_date=START + timedelta(days=10),
        end_date=START + timedelta(days=37),
        reason="Outbreak",
    )
    # One bed is free today, but an open-ended stay would collide with the closure.
    with pytest.raises(NoVoidBed, match="closed|no void"):
        place(line, start=START + timedelta(days=1))
    # A stay that ends before the closure fits.
    place(line, start=START + timedelta(days=1), end=START + timedelta(days=9))
    with pytest.raises(NoVoidBed):
        place(line, start=START + timedelta(days=5), end=START + timedelta(days=6))
    # After the closure the bed is free again.
    place(line, start=START + timedelta(days=38))


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "ended"])
def test_beds_of_a_draft_or_ended_contract_take_no_hold_or_placement(status):
    line = make_line(beds=2, contract=make_contract(status=status))
    with pytest.raises(DomainError) as refused:
        hold_place(bed_line=line, reference="BRK-2026-0061", start_date=START)
    assert refused.value.field == "bed_line"
    with pytest.raises(DomainError) as refused:
        place(line, start=START)
    assert refused.value.field == "bed_line"
    assert not Hold.objects.exists() and not Placement.objects.exists()


@pytest.mark.django_db
def test_a_future_placement_blocks_an_open_ended_one_that_would_overlap():
    line = make_line(beds=1)
    place(line, start=START + timedelta(days=30))
    with pytest.raises(NoVoidBed):
        place(line, start=START)
    place(line, start=START, end=START + timedelta(days=29))


@pytest.mark.parametrize(
    "reference",
    [
        "John Smith",
        "JohnSmith1",
        "jsmith",
        "943 476 5919",
        "9434765919",
        "P-9434765919",
        "CB6 1AA",
        "CB61AA",
        "REF-CB61AA",
        "",
        "ab",
    ],
)
def test_references_that_look_like_names_nhs_numbers_or_postcodes_are_refused(reference):
    with pytest.raises(DomainError) as refused:
        reference_validate(reference)
    assert refused.value.field == "reference"


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("AB123456C", "National Insurance number"),
        ("ab 12 34 56 c", "National Insurance number"),
        ("AB-12-34-56-C", "National Insurance number"),
        ("QQ123456", "National Insurance number"),
        ("REF-JK987654D", "National Insurance number"),
        ("ab", "too short: it needs at least 4 characters"),
        ("A1", "too short: it needs at least 4 characters"),
        ("BRK-" + "1-" * 15, "too long: it has at most 32 characters"),
        ("BRK 2026/0042", "spaces or symbols"),
    ],
)
def test_a_refused_reference_says_why(reference, why):
    with pytest.raises(DomainError) as refused:
        reference_validate(reference)
    assert why in refused.value.message
    assert refused.value.field == "reference"


@pytest.mark.parametrize(
    "reference", ["BRK-2026-0042", "P000123", "cc-21-77", "HTLA-0933", "AB12345", "AB-2026-0042", "CB-000123"]
)
def test_pseudonymous_references_are_accepted(reference):
    assert reference_validate(reference) == reference.upper()


@pytest.mark.django_db
def test_block_beds_never_exceed_registered_beds_at_a_home():
    contract = make_contract()
    home = LocationFactory(provider=contract.provider, registered_beds=10)
    make_line(contract=contract, location=home, beds=6)
    with pytest.raises(CapacityExceeded) as refused:
        make_line(contract=contract, location=home, beds=5, care_type="residential")
    assert refused.value.field == "beds"
    # Filling the home up to exactly its registered beds is allowed.
    bed_line_create(
        contract=contract, location=home, care_type="nursing", beds=4, activation_date=START, weekly_rate=Decimal("700")
    )


@pytest.mark.django_db
def test_homecare_and_direct_payments_are_counted_by_arrangement():
    from contracts.selectors import homecare_counts
    from tests.factories import ProviderFactory

    lead, contingency = ProviderFactory(), ProviderFactory()
    for number in range(3):
        placement_create(
            reference=f"HC-{number:04d}",
            kind="lead_provider",
            provider=lead,
            hours_per_week=Decimal("7"),
            start_date=START,
        )
    for number in range(2):
        placement_create(
            reference=f"HX-{number:04d}",
            kind="contingency",
            service="homecare",
            provider=contingency,
            hours_per_week=Decimal("10.5"),
            start_date=START,
        )
    placement_create(reference="DP-0001", kind="direct_payment", start_date=START)
    placement_create(reference="DP-0002", kind="direct_payment", start_date=START, end_date=START)
    with pytest.raises(DomainError) as refused:
        placement_create(reference="HC-9999", kind="lead_provider", provider=lead, start_date=START)
    assert refused.value.field == "hours_per_week"

    counts = homecare_counts(on=START + timedelta(days=1))
    assert counts == {"lead_provider": 3, "contingency": 2, "spot": 0, "direct_payment": 1, "hours_per_week": 42.0}


def _race(action_one, action_two):
    """Run two actions in their own threads and database connections, released together by a barrier."""
    barrier = threading.Barrier(2)
    outcomes = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            outcomes.append(("ok", action()))
        except Exception as error:  # noqa: BLE001 - the outcome is what the test compares
            outcomes.append(("error", error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in (action_one, action_two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_last_bed_goes_to_one_broker_only():
    line = make_line(beds=2)
    place(line, start=START)  # one void bed left
    brokers = UserFactory(), UserFactory()
    outcomes = _race(
        lambda: hold_place(bed_line=line, reference="BRK-0000-0001", start_date=START, by=brokers[0]),
        lambda: hold_place(bed_line=line, reference="BRK-0000-0002", start_date=START, by=brokers[1]),
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, NoVoidBed) and error.status_code == 409
    assert Hold.objects.filter(bed_line=line, status=HoldStatus.HELD).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_last_bed_race_between_a_hold_and_a_placement_over_the_api():
    from rest_framework.test import APIClient

    from accounts.roles import Role

    line = make_line(beds=1)
    clients = []
    for _ in range(2):
        client = APIClient()
        client.force_authenticate(UserFactory(roles=[Role.BROKER]))
        clients.append(client)
    outcomes = _race(
        lambda: (
            clients[0]
            .post(
                "/api/v1/holds/",
                {"bed_line": line.pk, "reference": "BRK-1-0001", "start_date": str(START)},
                format="json",
            )
            .status_code
        ),
        lambda: (
            clients[1]
            .post(
                "/api/v1/placements/",
                {"bed_line": line.pk, "reference": "BRK-1-0002", "kind": "block", "start_date": str(START)},
                format="json",
            )
            .status_code
        ),
    )
    codes = sorted(code for _, code in outcomes)
    assert codes == [201, 409], outcomes
    taken = Hold.objects.filter(bed_line=line).count() + Placement.objects.filter(bed_line=line).count()
    assert taken == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bed_lines_added_at_once_cannot_overfill_a_home():
    contract = make_contract()
    home = LocationFactory(provider=contract.provider, registered_beds=10)

    def add(care_type):
        return lambda: bed_line_create(
            contract=contract,
            location=home,
            care_type=care_type,
            beds=6,
            activation_date=START,
            weekly_rate=Decimal("700"),
        )

    outcomes = _race(add("nursing"), add("residential"))
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    assert isinstance(next(value for kind, value in outcomes if kind == "error"), CapacityExceeded)
