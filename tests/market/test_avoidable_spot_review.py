"""The utilisation review counts the quarter's avoidable spot purchases (spot beds bought while a block bed of their
care type was free nearby) per district with their cost above the block rate a week, and its export carries them."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from accounts.roles import Role
from market.selectors.utilisation import utilisation_review
from tests.contracts.factories import make_line
from tests.market.analysis_factories import district, home, spot

pytestmark = [pytest.mark.django_db, pytest.mark.today(date(2026, 12, 7))]


@pytest.fixture
def estate():
    """Two districts whose homes stand together (the factories' one place), a free nursing block bed at £700 a week
    in East Cambridgeshire from April 2025; two avoidable spot beds in 2025/26 quarter 1 (£1,000 and £1,200 a week)
    and one in quarter 2; a residential spot bed with no free block bed of its kind, which is not avoidable."""
    east, hunts = district("E07000009", "East Cambridgeshire"), district("E07000011", "Huntingdonshire")
    make_line(location=home(district=east), beds=1, activation_date=date(2025, 4, 1), contract=None)
    spot(location=home(district=east), weekly_cost="1000.00", start=date(2025, 5, 1))
    spot(location=home(district=hunts), weekly_cost="1200.00", start=date(2025, 6, 30))
    spot(location=home(district=hunts), weekly_cost="1100.00", start=date(2025, 7, 1))
    spot(location=home(district=hunts), care_type="residential", weekly_cost="900.00", start=date(2025, 5, 1))
    return east, hunts


def test_the_review_counts_avoidable_spot_purchases_and_their_extra_weekly_cost_per_district(estate):
    review = utilisation_review(year=2025, quarter=1, group_by="district")
    by_district = {row.district_name: row for row in review.rows}
    east = by_district["East Cambridgeshire"]
    assert (east.avoidable_spot_purchases, east.avoidable_spot_weekly_cost) == (1, Decimal("300.00"))
    assert (review.total.avoidable_spot_purchases, review.total.avoidable_spot_weekly_cost) == (2, Decimal("800.00"))
    second = utilisation_review(year=2025, quarter=2, group_by="district")
    assert (second.total.avoidable_spot_purchases, second.total.avoidable_spot_weekly_cost) == (1, Decimal("400.00"))


def test_the_review_export_has_the_avoidable_spot_purchases(api, estate):
    api.as_role(Role.COMMISSIONER)
    answer = api.get("/api/v1/market/utilisation/export/csv/", {"year": 2025, "quarter": 1, "group_by": "district"})
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    east = next(row for row in rows if row["District"] == "East Cambridgeshire")
    assert (east["Avoidable spot purchases"], east["Avoidable spot cost a week (£)"]) == ("1", "300.00")
    assert (rows[-1]["Avoidable spot purchases"], rows[-1]["Avoidable spot cost a week (£)"]) == ("2", "800.00")
