"""Two commissioners entering overlapping need for one locality at once: the locality's row lock settles it."""

from datetime import date
from decimal import Decimal

import pytest

from core.errors import Conflict
from market.models import Demand
from market.services.demand import demand_create
from tests.market.demand_factories import districts
from tests.market.test_races import _race


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_periods_entered_at_once_give_one_figure_and_a_conflict():
    (district, _), _ = districts()

    def enter(start: date, end: date):
        return lambda: demand_create(
            locality=district, care_type="nursing", period_start=start, period_end=end, quantity=Decimal(10)
        )

    outcomes = _race(enter(date(2026, 1, 1), date(2026, 3, 31)), enter(date(2026, 2, 1), date(2026, 4, 30)))
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    assert isinstance(next(value for kind, value in outcomes if kind == "error"), Conflict)
    assert Demand.objects.filter(locality=district).count() == 1
