"""The what-if reads today's free block beds from the free-bed state (contracts.models.FreeBedState) once it is
rebuilt for today, and counts them on any other day: both give the same beds and the same plan."""

import random
from datetime import timedelta
from unittest import mock

import pytest

from contracts.selectors.bed_finder import free_bed_state_ready
from contracts.services import placement_create
from contracts.services.free_beds import free_bed_state_rebuild
from market.selectors.failure import FreeBedRows, failure_what_if, free_beds
from tests.contracts.factories import make_contract, make_line
from tests.contracts.test_free_bed_state import CARE_TYPES, HERE, _estate, _write
from tests.dates import TODAY
from tests.factories import LocationFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def _failing_provider():
    """A provider with people of both care types in a home at HERE."""
    provider = ProviderFactory(name="Failing Care Ltd")
    home = LocationFactory(provider=provider, latitude=HERE[0], longitude=HERE[1], registered_beds=40)
    contract = make_contract(provider=provider, start_date=TODAY - timedelta(days=400))
    for care_type in CARE_TYPES:
        line = make_line(
            contract=contract, location=home, care_type=care_type, beds=6, activation_date=TODAY - timedelta(days=300)
        )
        for number in range(6):
            placement_create(
                reference=f"BRK-2026-{care_type[:3]}{number}",
                kind="block",
                start_date=TODAY - timedelta(days=10),
                bed_line=line,
            )
    return provider


def _beds(provider, *, state: bool, include_restricted: bool) -> list[tuple]:
    with mock.patch("market.selectors.failure.free_bed_state_ready", return_value=state):
        beds = free_beds(
            provider=provider,
            care_types=set(CARE_TYPES),
            on=TODAY,
            reach=None,
            include_restricted=include_restricted,
            most=dict.fromkeys(CARE_TYPES, 100),
        )
    return sorted((bed.group, bed.location_id, bed.bed_line_id, bed.care_type, bed.weekly_rate) for bed in beds)


def _plan(provider, *, state: bool, read_once: bool = False) -> list[tuple]:
    with mock.patch("market.selectors.failure.free_bed_state_ready", return_value=state):
        candidates = FreeBedRows(care_types=set(CARE_TYPES), on=TODAY) if read_once else None
        answer = failure_what_if(provider=provider, on=TODAY, radius_km=30, market_after=False, candidates=candidates)
    return [(move.person.reference, move.bed and move.bed.bed_line_id, move.distance_km) for move in answer.moves]


@pytest.mark.parametrize("seed", range(4))
def test_todays_free_beds_from_the_state_equal_the_counted_ones(seed):
    rng = random.Random(seed)
    lines = _estate(rng)
    provider = _failing_provider()
    free_bed_state_rebuild()
    for step in range(40):
        _write(rng, lines, step)
    # The services keep the state (tests.contracts.test_free_bed_state); _write also expires holds with a clock
    # days ahead, which stamps those lines with that day, so the state is rebuilt for today as every night.
    free_bed_state_rebuild()
    assert free_bed_state_ready(TODAY)

    found = 0
    for include_restricted in (False, True):
        from_state = _beds(provider, state=True, include_restricted=include_restricted)
        counted = _beds(provider, state=False, include_restricted=include_restricted)
        assert from_state == counted
        found += len(from_state)
    assert found  # there were free beds to compare
    plan = _plan(provider, state=True)
    assert plan == _plan(provider, state=False)
    # The nightly rule reads every provider's free beds once (FreeBedRows): the same plan.
    assert _plan(provider, state=True, read_once=True) == plan
