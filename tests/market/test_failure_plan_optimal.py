"""The failure plan is optimal on random estates: it places as many people as any plan can within the radius and,
among those plans, moves them the least total distance, as a dense assignment over every person and every bed
(SciPy's linear_sum_assignment, which shares none of the plan's sparse graph, its slots or its pruning of beds
no one would need) finds it. Homes are few and beds many, so most people's edges are pruned."""

import random
from collections import Counter
from decimal import Decimal

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from market.selectors.failure import SPOT_TIE_KM, Bed, Person, distances_km, optimal_plan

RADIUS_KM = 8.0
KM = 1 / 111.195  # degrees of latitude in a kilometre, about


def estate(seed: int) -> tuple[list[Person], list[Bed]]:
    rng = random.Random(seed)
    people, beds = [], []
    for home in range(rng.randint(1, 5)):
        lat, lon = 52.0 + rng.uniform(0, 25) * KM, 0.1 + rng.uniform(0, 25) * KM * 1.6
        for number in range(rng.randint(1, 8)):
            people.append(
                Person(
                    placement_id=home * 100 + number,
                    reference=f"P-{home}-{number}",
                    kind="block",
                    care_type=rng.choice(["nursing", "nursing_dementia"]),
                    location_id=home,
                    location=f"Home {home}",
                    latitude=lat,
                    longitude=lon,
                    district="Fenland",
                    weekly_cost=Decimal("800.00"),
                )
            )
    for home in range(rng.randint(3, 25)):
        lat, lon = 52.0 + rng.uniform(0, 25) * KM, 0.1 + rng.uniform(0, 25) * KM * 1.6
        for line in range(rng.randint(1, 3)):
            group = rng.choice(["block", "block", "spot"])
            bed = Bed(
                group=group,
                location_id=1000 + home,
                location=f"Free {home}",
                provider="Other Care Ltd",
                district="Fenland",
                care_type=rng.choice(["nursing", "nursing_dementia"]),
                latitude=lat,
                longitude=lon,
                bed_line_id=None if group == "spot" else 10 * home + line + 1,
                weekly_rate=Decimal("900.00"),
            )
            beds.extend([bed] * rng.randint(1, 4))
    return people, beds


def key(bed: Bed) -> tuple:
    return bed.care_type, bed.location_id, bed.group, bed.bed_line_id


def best(people: list[Person], beds: list[Bed]) -> tuple[int, float]:
    """(people placed, total weight) of the best plan, from a dense matrix of every person and every bed."""
    if not people:
        return 0, 0.0
    distance = distances_km(
        np.array([(p.latitude, p.longitude) for p in people]).reshape(-1, 2),
        np.array([(b.latitude, b.longitude) for b in beds]).reshape(-1, 2),
    )
    weight = distance + SPOT_TIE_KM * np.array([b.group == "spot" for b in beds])
    allowed = (distance <= RADIUS_KM) & (
        np.array([p.care_type for p in people])[:, None] == np.array([b.care_type for b in beds])[None, :]
    )
    big = 10 * (len(people) + 1) * (RADIUS_KM + 1)  # not placed: more than any set of moves
    cost = np.where(allowed, weight, 100 * big)
    cost = np.hstack([cost, np.full((len(people), len(people)), big)])  # a "not placed" column for each person
    rows, cols = linear_sum_assignment(cost)
    placed = cols < len(beds)
    return int(placed.sum()), float(weight[rows[placed], cols[placed]].sum())


@pytest.mark.parametrize("seed", range(40))
def test_the_plan_places_the_most_people_the_least_total_distance(seed):
    people, beds = estate(seed)

    plan = optimal_plan(people, beds, radius_km=RADIUS_KM)

    placed = [move for move in plan if move.bed is not None]
    assert all(m.bed.care_type == m.person.care_type and m.distance_km <= RADIUS_KM + 0.01 for m in placed)
    # No bed is given twice: no more people go to a line (or a home's spot vacancies) than it has beds.
    taken = Counter(key(move.bed) for move in placed)
    offered = Counter(key(bed) for bed in beds)
    assert all(count <= offered[slot] for slot, count in taken.items())
    weight = sum(
        distances_km(
            np.array([[m.person.latitude, m.person.longitude]]), np.array([[m.bed.latitude, m.bed.longitude]])
        )[0, 0]
        + (SPOT_TIE_KM if m.bed.group == "spot" else 0)
        for m in placed
    )
    expected_placed, expected_weight = best(people, beds)
    assert len(placed) == expected_placed
    assert weight == pytest.approx(expected_weight, abs=1e-6)
