"""Every CSV and XLSX export with hostile values in the estate: control characters (which XLSX cannot hold),
formula prefixes (the full-width ones too), text longer than a spreadsheet cell and timezone-aware moments.
Each export answers a file a spreadsheet opens, shows the names, and runs no formula."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from market.services.analysis import spot_price_create
from market.services.demand import demand_create, pending_create
from tasks.models import Alert, AlertStatus
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocalityFactory, LocationFactory, ProviderFactory
from tests.market.analysis_factories import spot
from tests.market.factories import make_lot
from tests.market.micro_factories import micro_enterprise, programme
from tests.tasks.alert_factories import rule

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - timedelta(days=400)
# The last whole quarter before today, for the utilisation review.
_BEFORE_QUARTER = TODAY.replace(month=(TODAY.month - 1) // 3 * 3 + 1, day=1) - timedelta(days=1)
LAST_QUARTER = {"year": _BEFORE_QUARTER.year, "quarter": (_BEFORE_QUARTER.month - 1) // 3 + 1}

# What an attacker (or a boundary file, a CQC feed, a paste from a word processor) puts in the names, and how a
# spreadsheet must show each: control characters gone, a formula quoted by a leading apostrophe.
DISTRICT = ("\x01=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0")
PROVIDER = ('＝HYPERLINK("http://example.com","Click")', '\'＝HYPERLINK("http://example.com","Click")')
HOME = ("＋44 Care\x0b Home", "'＋44 Care Home")
LOT = ("＠SUM(A1)\x07 lot", "'＠SUM(A1) lot")
MICRO = ("－2+3\x0c carers", "'－2+3 carers")
NOTES = ("\x1b@Home notes", "'@Home notes")
LONG_SERVICES = "personal care, " * 3000  # 45,000 characters: more than the 32,767 a cell holds

# Formula prefixes as a spreadsheet program reads them (a text cell may start with none of these).
RUNS_AS_FORMULA = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@pytest.fixture
def estate():
    """A district, a provider's home with a block contract (a placement) and a spot placement, a spot price,
    a lot, a micro-enterprise, a programme, demand, a person waiting and an alert: every name hostile."""
    district = LocalityFactory(code="E07000009", name=DISTRICT[0], kind="district")
    provider = ProviderFactory(name=PROVIDER[0])
    home = LocationFactory(provider=provider, name=HOME[0], district=district, registered_beds=30)
    contract = make_contract(
        provider=provider, start_date=START, break_clause_date=None, end_date=TODAY + timedelta(days=1000)
    )
    line = make_line(contract=contract, location=home, beds=2, activation_date=START)
    place(line, start=START + timedelta(days=10))
    spot(location=LocationFactory(provider=provider, district=district), start=START + timedelta(days=20))
    spot_price_create(care_type="nursing", priced_on=START, weekly_price=Decimal("1000.00"))
    make_lot(name=LOT[0])
    micro_enterprise(locality=district, enquiry=START, name=MICRO[0], services=LONG_SERVICES)
    made = programme(areas=[district], start=START)
    demand_create(
        locality=district,
        care_type="nursing",
        period_start=TODAY - timedelta(days=30),
        period_end=TODAY + timedelta(days=30),
        quantity=Decimal("5"),
        notes=NOTES[0],
    )
    pending_create(
        reference="BRK-2026-0042", locality=district, care_type="nursing", waiting_since=TODAY - timedelta(days=50)
    )
    now = timezone.now()
    alert = Alert.objects.create(
        rule=rule("home_in_use_at_risk"),
        severity="critical",
        subject_kind="location",
        subject_id=home.pk,
        provider=provider,
        location=home,
        locality=district,
        fingerprint=f"home_in_use_at_risk:location:{home.pk}",
        title=f"{home.name} at risk",
        evidence={"live_block_beds": 2},
        first_seen=now - timedelta(days=3),
        last_seen=now,
        status=AlertStatus.RESOLVED,
        resolved_at=now,
        resolution_note="\x02=1+1",
    )
    return {"programme": made, "alert": alert}


# Each export, what it is asked, and a hostile name it must show (as a spreadsheet must show it).
EXPORTS = [
    ("/api/v1/alerts/export/{fmt}/", {}, "'＋44 Care Home at risk"),
    ("/api/v1/contracts/export/{fmt}/", {}, PROVIDER[1]),
    ("/api/v1/voids/export/{fmt}/", {"from": START, "to": TODAY, "group_by": "location"}, HOME[1]),
    ("/api/v1/market/lots/export/{fmt}/", {}, LOT[1]),
    ("/api/v1/market/micro-enterprises/export/{fmt}/", {}, MICRO[1]),
    ("/api/v1/market/demand/export/{fmt}/", {}, NOTES[1]),
    ("/api/v1/market/pending-arrangements/export/{fmt}/", {}, DISTRICT[1]),
    ("/api/v1/market/capacity-gaps/export/{fmt}/", {"on": TODAY}, DISTRICT[1]),
    ("/api/v1/market/programmes/{programme}/figures/export/{fmt}/", {"on": TODAY}, None),
    ("/api/v1/market/block-spot/export/{fmt}/", {"on": TODAY}, DISTRICT[1]),
    ("/api/v1/market/cost-avoidance/export/{fmt}/", {"through": TODAY}, None),
    ("/api/v1/market/utilisation/export/{fmt}/", {**LAST_QUARTER, "group_by": "home"}, HOME[1]),
    ("/api/v1/market/market-shape/export/{fmt}/", {"on": TODAY}, DISTRICT[1]),
]
STREAMED = [  # CSV only, streamed
    ("/api/v1/providers/export/", PROVIDER[1]),
    ("/api/v1/locations/export/", HOME[1]),
]


def cells(response, fmt: str) -> list[list]:
    if fmt == "csv":
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_safe(table: list[list]):
    # A CSV field that is a number (a negative one too) is read as a number, not as a formula.
    texts = [value for row in table for value in row if isinstance(value, str) and not _number(value)]
    assert not [text for text in texts if text.startswith(RUNS_AS_FORMULA)]
    assert not [text for text in texts if UNWRITABLE.search(text)]
    assert max(len(text) for text in texts) <= 32767


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("url", "query", "shown"), EXPORTS, ids=[url.split("/")[-4] for url, _, _ in EXPORTS])
def test_every_export_answers_a_file_that_shows_hostile_names_and_runs_no_formula(api, estate, url, query, shown, fmt):
    api.as_role(Role.COMMISSIONER)
    response = api.get(url.format(fmt=fmt, programme=estate["programme"].pk), query)
    assert response.status_code == 200, response.content[:500]
    table = cells(response, fmt)
    assert len(table) > 1
    assert_safe(table)
    if shown is not None:
        assert shown in [value for row in table for value in row]


@pytest.mark.parametrize(("url", "shown"), STREAMED)
def test_the_streamed_exports_show_hostile_names_and_run_no_formula(api, estate, url, shown):
    api.as_role(Role.COMMISSIONER)
    response = api.get(url)
    assert response.status_code == 200
    table = cells(response, "csv")
    assert_safe(table)
    assert shown in [value for row in table for value in row]


def test_alert_times_are_written_in_the_services_local_time(api, estate, settings):
    settings.TIME_ZONE = "Europe/London"
    alert = estate["alert"]
    api.as_role(Role.COMPLIANCE_OFFICER)
    sheet = cells(api.get("/api/v1/alerts/export/xlsx/"), "xlsx")
    row = dict(zip(sheet[0], sheet[1], strict=True))
    local = timezone.localtime(alert.first_seen).replace(tzinfo=None, microsecond=0)
    assert row["first seen"] == local
    assert row["resolved at"] == timezone.localtime(alert.resolved_at).replace(tzinfo=None, microsecond=0)
    assert row["resolution note"] == "'=1+1"
    [row] = list(csv.DictReader(io.StringIO(api.get("/api/v1/alerts/export/csv/").content.decode())))
    assert row["first seen"] == timezone.localtime(alert.first_seen).isoformat(sep=" ", timespec="seconds")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_longer_than_a_spreadsheet_cell_is_cut_with_a_mark(api, estate, fmt):
    api.as_role(Role.COMMISSIONER)
    table = cells(api.get(f"/api/v1/market/micro-enterprises/export/{fmt}/"), fmt)
    services = dict(zip(table[0], table[1], strict=True))["Services"]
    assert len(services) == 32767
    assert services.endswith("…") and services.startswith(LONG_SERVICES.strip()[:1000])
