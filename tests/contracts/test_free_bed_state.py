"""The free-bed state the bed finder reads for today's searches: kept by every service that changes beds, equal to
the one definition of free beds (bed_lines_with_voids) after any sequence of writes, and repaired by a command."""

import random
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from contracts.models import BedLine, FreeBedState, Hold, HoldStatus, Placement
from contracts.selectors import BedSearch, beds_available
from contracts.selectors.bed_finder import free_bed_state_ready
from contracts.services import (
    bed_line_update,
    closure_create,
    closure_update,
    contract_break_decide,
    contract_update,
    hold_convert,
    hold_place,
    hold_release,
    holds_expire,
    placement_create,
    placement_end,
    placement_move,
    rate_change_create,
    uplift_apply,
)
from contracts.services.free_beds import free_bed_state_rebuild
from core.errors import DomainError
from tests.contracts.factories import make_contract, make_line
from tests.dates import TODAY
from tests.factories import LocationFactory, ProviderFactory, RatingFactory

pytestmark = pytest.mark.django_db
HERE = (52.3990, 0.2620)
CARE_TYPES = ["nursing", "residential"]


def _estate(rng: random.Random) -> list[BedLine]:
    """A few providers' homes around HERE with lines of two care types, some placements and a restricted home."""
    lines = []
    for number in range(rng.randint(3, 5)):
        provider = ProviderFactory()
        contract = make_contract(provider=provider, start_date=TODAY - timedelta(days=400))
        for _ in range(rng.randint(1, 3)):
            location = LocationFactory(
                provider=provider,
                latitude=HERE[0] + rng.uniform(-0.15, 0.15),
                longitude=HERE[1] + rng.uniform(-0.15, 0.15),
                registered_beds=60,
            )
            if rng.random() < 0.2:
                location.current_rating = RatingFactory(location=location, overall="Inadequate")
                location.save()
            for _ in range(rng.randint(1, 2)):
                lines.append(
                    make_line(
                        contract=contract,
                        location=location,
                        care_type=rng.choice(CARE_TYPES),
                        beds=rng.randint(1, 4),
                        activation_date=TODAY - timedelta(days=rng.choice([300, 30, 0])) + timedelta(days=number % 2),
                        weekly_rate=Decimal("800.00"),
                    )
                )
    return lines


def _write(rng: random.Random, lines: list[BedLine], step: int) -> None:
    """One random write through a service; a refusal (no bed left, bad dates) is part of the mix."""
    line = BedLine.objects.get(pk=rng.choice(lines).pk)
    day = TODAY + timedelta(days=rng.randint(-5, 5))
    placements = list(Placement.objects.filter(bed_line__isnull=False, end_date__isnull=True))
    holds = list(Hold.objects.filter(status=HoldStatus.HELD))
    action = rng.choice(
        ["place", "place", "end", "move", "hold", "hold", "release", "convert", "expire", "close", "reopen", "rate"]
        + ["uplift", "beds", "line_end", "contract_status", "break"]
    )
    try:
        if action == "place":
            placement_create(reference=f"BRK-2026-{step:04d}", kind="block", start_date=day, bed_line=line)
        elif action == "end" and placements:
            placement = rng.choice(placements)
            placement_end(placement=placement, end_date=max(day, placement.start_date), reason="went_home")
        elif action == "move" and placements:
            placement = rng.choice(placements)
            placement_move(placement=placement, on=max(TODAY, placement.start_date), kind="block", bed_line=line)
        elif action == "hold":
            hold_place(bed_line=line, reference=f"BRK-2026-{step:04d}", start_date=TODAY)
        elif action == "release" and holds:
            hold_release(hold=rng.choice(holds))
        elif action == "convert" and holds:
            hold_convert(hold=rng.choice(holds))
        elif action == "expire":
            holds_expire(now=timezone.now() + settings.HOLD_DURATION * rng.choice([0, 2]))
        elif action == "close":
            closure_create(bed_line=line, beds=1, start_date=day, end_date=day + timedelta(days=3), reason="Outbreak")
        elif action == "reopen" and line.closures.exists():
            closure = line.closures.first()
            closure_update(closure=closure, end_date=max(closure.start_date, TODAY - timedelta(days=1)))
        elif action == "rate":
            rate_change_create(bed_line=line, effective_from=day, weekly_rate=Decimal(rng.randint(700, 1200)))
        elif action == "uplift":
            uplift_apply(effective_from=day, nlw_percent=Decimal("6.7"), cpi_percent=Decimal("2.0"))
        elif action == "beds":
            bed_line_update(line=line, beds=rng.randint(1, 5))
        elif action == "line_end":
            bed_line_update(line=line, end_date=rng.choice([None, TODAY - timedelta(days=1), TODAY]))
        elif action == "contract_status":
            contract_update(contract=line.contract, status=rng.choice(["live", "ending", "draft", "mobilising"]))
        elif action == "break":
            contract_update(contract=line.contract, break_clause_date=TODAY - timedelta(days=1))
            contract_break_decide(contract=line.contract, decision="exercised", decided_on=TODAY)
    except DomainError:
        pass


def _answers(care_type: str, *, state: bool, include_restricted: bool, now=None) -> list[tuple]:
    with mock.patch("contracts.selectors.bed_finder.free_bed_state_ready", return_value=state):
        search = BedSearch(
            care_type=care_type,
            on=TODAY,
            latitude=HERE[0],
            longitude=HERE[1],
            radius_km=15,
            include_restricted=include_restricted,
            limit=4,
        )
        rows = beds_available(search, now=now).results
    return [(row["bed_line_id"], row["free_beds"], row["held_beds"], row["weekly_rate"]) for row in rows]


@pytest.mark.parametrize("seed", range(6))
def test_the_state_equals_the_count_of_free_beds_after_any_writes_through_the_services(seed):
    rng = random.Random(seed)
    lines = _estate(rng)
    assert free_bed_state_rebuild()["lines"] > 0
    for step in range(40):
        _write(rng, lines, step)
    # Counted afresh from the bed lines by the one definition: no row missing, wrong or left over.
    report = free_bed_state_rebuild()
    assert (report["missing"], report["wrong"], report["left_over"]) == (0, 0, 0), report
    assert free_bed_state_ready(TODAY)
    later = timezone.now() + settings.HOLD_DURATION + timedelta(minutes=1)  # every hold has lapsed, unswept
    found = 0
    for care_type in CARE_TYPES:
        for include_restricted in (False, True):
            for now in (None, later):
                from_state = _answers(care_type, state=True, include_restricted=include_restricted, now=now)
                counted = _answers(care_type, state=False, include_restricted=include_restricted, now=now)
                assert from_state == counted
                found += len(from_state)
    assert found  # the searches found beds to compare


def test_a_search_on_another_day_or_before_the_daily_rebuild_counts_the_beds():
    make_line(latitude=HERE[0], longitude=HERE[1])
    assert not free_bed_state_ready(TODAY)  # never rebuilt
    free_bed_state_rebuild()
    assert free_bed_state_ready(TODAY)
    assert not free_bed_state_ready(TODAY + timedelta(days=1))
    assert not free_bed_state_ready(TODAY - timedelta(days=1))


def test_a_line_s_beds_leave_the_bed_finder_as_soon_as_a_person_is_placed_in_the_last_one():
    line = make_line(beds=1, care_type="nursing", latitude=HERE[0], longitude=HERE[1])
    free_bed_state_rebuild()
    assert [row[0] for row in _answers("nursing", state=True, include_restricted=False)] == [line.pk]
    placement_create(reference="BRK-2026-0001", kind="block", start_date=TODAY, bed_line=line)
    assert _answers("nursing", state=True, include_restricted=False) == []
    assert FreeBedState.objects.get(bed_line=line).void_beds == 0


def test_the_repair_command_reports_and_mends_a_state_written_around_the_services(capsys):
    line = make_line(beds=3, latitude=HERE[0], longitude=HERE[1])
    call_command("free_beds_repair")
    assert "0 missing, 0 wrong, 0 left over" in capsys.readouterr().out
    FreeBedState.objects.filter(bed_line=line).update(void_beds=0, placed_beds=3)  # as a stray write would
    with pytest.raises(CommandError, match="1 rows of today's free-bed state differed"):
        call_command("free_beds_repair")
    assert FreeBedState.objects.get(bed_line=line).void_beds == 3
    call_command("free_beds_repair")
    assert "repaired 0" in capsys.readouterr().out
