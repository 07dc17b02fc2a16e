from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contracts.models import VacancyReport
from contracts.selectors import rate_on
from tests.contracts.factories import make_line
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.today(date(2026, 12, 7))  # fixed uplift dates: the factory's contract dates from the same day
def test_uplift_command_applies_the_capped_uplift_once():
    line = make_line(weekly_rate=Decimal("1000.00"), activation_date=date(2025, 1, 1))
    out = StringIO()
    call_command("uplift_apply", "--effective", "2026-04-01", "--nlw", "6.7", "--cpi", "3.8", stdout=out)
    assert "1 bed lines uplifted" in out.getvalue()
    assert rate_on(bed_line=line, on=date(2026, 4, 1)) == Decimal("1030.00")
    call_command("uplift_apply", "--effective", "2026-04-01", "--nlw", "6.7", "--cpi", "3.8", stdout=out)
    assert "1 had a rate from that date already" in out.getvalue()
    with pytest.raises(CommandError, match="No contract"):
        call_command("uplift_apply", "--effective", "2026-04-01", "--nlw", "1", "--cpi", "1", "--contract", "NOPE")


def test_vacancy_import_command_reports_rows_and_writes_nothing_on_error(tmp_path):
    LocationFactory(cqc_location_id="1-555000009")
    today = timezone.localdate().isoformat()
    bad = tmp_path / "bad.csv"
    bad.write_text(f"location,date,care_type,vacant_beds,accepting_admissions\n1-555000009,{today},spa,1,yes\n")
    with pytest.raises(CommandError, match="row 2, field care_type"):
        call_command("import_vacancy_reports", str(bad))
    assert not VacancyReport.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text(f"location,date,care_type,vacant_beds,accepting_admissions\n1-555000009,{today},nursing,1,yes\n")
    out = StringIO()
    call_command("import_vacancy_reports", str(good), stdout=out)
    assert "1 vacancy reports imported" in out.getvalue()
