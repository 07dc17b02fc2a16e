"""Capacity-gap supply counts block and void beds in its own SQL, for speed. It must agree with the register's one
definition (contracts.selectors.voids_on over each live line in force that day) on any estate: random estates of
lines, placements and closures, compared day by day."""

import contextlib
import random
from datetime import timedelta

import pytest

from contracts.models import LIVE_STATUSES, Contract
from contracts.selectors import voids_on
from contracts.services import closure_create, placement_end
from core.errors import DomainError
from geo.models import LocalityKind
from market.selectors.supply import supply_on
from tests.contracts.factories import make_contract, make_line, place
from tests.dates import TODAY
from tests.factories import LocalityFactory, LocationFactory

pytestmark = pytest.mark.django_db

CARE_TYPES = ("nursing", "residential", "nursing_dementia")


def _random_estate(rng: random.Random, districts) -> None:
    for _ in range(6):
        contract = make_contract(status=rng.choice(["live", "live", "draft", "ended"]))
        for _ in range(rng.randint(1, 3)):
            home = LocationFactory(provider=contract.provider, district=rng.choice(districts))
            start = TODAY - timedelta(days=rng.randint(0, 40))
            line = make_line(
                contract=contract,
                location=home,
                care_type=rng.choice(CARE_TYPES),
                beds=rng.randint(1, 4),
                activation_date=start,
                end_date=rng.choice([None, start + timedelta(days=rng.randint(5, 60))]),
            )
            for _ in range(rng.randint(0, 5)):
                try:
                    stay = place(line, start=start + timedelta(days=rng.randint(0, 20)))
                    if rng.random() < 0.4:
                        placement_end(placement=stay, end_date=stay.start_date + timedelta(days=rng.randint(0, 15)))
                except DomainError:
                    pass  # no bed free that day, or past the line's end: the register refuses, as it should
            if rng.random() < 0.5:
                closed_from = start + timedelta(days=rng.randint(0, 20))
                with contextlib.suppress(DomainError):
                    closure_create(
                        bed_line=line,
                        start_date=closed_from,
                        end_date=closed_from + timedelta(days=rng.randint(0, 10)),
                        beds=rng.randint(1, line.beds),
                        reason="Refurbishment",
                    )


def _by_definition(district, care_type, on):
    block = void = 0
    for contract in Contract.objects.filter(status__in=LIVE_STATUSES).prefetch_related("bed_lines"):
        for line in contract.bed_lines.filter(location__district=district, care_type=care_type):
            if line.activation_date <= on and (line.end_date is None or line.end_date >= on):
                closed = min(sum(c.beds for c in line.closures.all() if c.start_date <= on <= c.end_date), line.beds)
                block += line.beds - closed
                void += voids_on(line=line, on=on)
    return block, void


@pytest.mark.parametrize("seed", [1, 2])
def test_supplys_block_and_void_beds_agree_with_the_registers_definition_on_random_estates(seed):
    rng = random.Random(seed)
    districts = [LocalityFactory(kind=LocalityKind.DISTRICT) for _ in range(2)]
    _random_estate(rng, districts)

    compared = 0
    for offset in range(-40, 61, 20):
        on = TODAY + timedelta(days=offset)
        tally = supply_on(on=on)
        for district in districts:
            for care_type in CARE_TYPES:
                figures = tally.get(district.pk, care_type)
                expected = _by_definition(district, care_type, on)
                assert (int(figures.get("block_beds", 0)), int(figures.get("void_beds", 0))) == expected, (
                    f"{care_type} in {district.name} on {on}"
                )
                compared += 1
    assert compared == 6 * 2 * 3
