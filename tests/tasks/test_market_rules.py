"""The rules over market part 2 on hand-built data: capacity gaps, long waits, block beds over the council's limits,
concentration, and a micro-enterprise programme behind its trajectory. Each raises, keeps its evidence up to date,
resolves, and stays quiet within its pending period; each reads the estate in the same queries for 2 subjects or
many."""

from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from market.selectors.programmes import quarter_dates
from market.services.analysis import market_limits_set
from market.services.demand import demand_create, demand_update, pending_create, pending_update
from market.services.micro_enterprises import micro_enterprise_return_record
from tasks.models import Alert, AlertStatus
from tasks.rules import RULES
from tests.factories import ProviderFactory
from tests.market.analysis_factories import district, home, make_contract, make_line
from tests.market.demand_factories import districts, line
from tests.market.micro_factories import district_with_wards, micro_enterprise, programme
from tests.tasks.alert_factories import days, open_alerts, rule, run

pytestmark = pytest.mark.django_db
_references = iter(range(1, 10**6))


def today():
    return timezone.localdate()


def need(locality, care_type, quantity):
    return demand_create(
        locality=locality,
        care_type=care_type,
        quantity=Decimal(quantity),
        period_start=today() - days(30),
        period_end=today() + days(60),
    )


def wait(locality, *, waited: int, care_type="nursing_dementia", **fields):
    return pending_create(
        reference=f"PA-{next(_references):05d}",
        locality=locality,
        care_type=care_type,
        waiting_since=today() - days(waited),
        **fields,
    )


def queries_of(code: str, expected: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert len(RULES[code].evaluate(rule=rule(code), now=timezone.now())) == expected
    return len(queries)


# --- capacity gap ----------------------------------------------------------------------------------------


def test_a_capacity_gap_over_the_threshold_raises_with_each_figure_of_the_gap():
    (short, (ward, _)), (supplied, (other_ward, _)) = districts()
    line(short, ward, beds=10, activation_date=today() - days(30))
    need(short, "nursing_dementia", "20")
    wait(ward, waited=3)
    wait(short, waited=50)
    need(short, "homecare_hours", "150")  # no homecare supply: 150 hours a week short
    line(supplied, other_ward, beds=10, activation_date=today() - days(30))
    need(supplied, "nursing_dementia", "14")  # 4 beds short: within the threshold of 5
    run("capacity_gap")

    alerts = {alert.evidence["care_type"]: alert for alert in open_alerts("capacity_gap")}
    assert set(alerts) == {"nursing_dementia", "homecare_hours"}
    beds = alerts["nursing_dementia"]
    assert beds.subject_kind == "locality" and beds.locality == short and beds.severity == "warning"
    figures = ("demand", "waiting", "waiting_long", "block_beds", "supply", "gap")
    assert {key: beds.evidence[key] for key in figures} == {
        "demand": 20.0,
        "waiting": 2,
        "waiting_long": 1,
        "block_beds": 10.0,
        "supply": 10.0,
        "gap": 12.0,
    }
    assert {"void_beds", "spot_vacancies", "homecare_hours", "micro_enterprise_hours"} <= set(beds.evidence)
    hours = alerts["homecare_hours"]
    assert hours.evidence["unit"] == "hours_per_week" and hours.evidence["gap"] == 150.0
    assert "short by 150.0 hours a week" in hours.title


def test_a_capacity_gap_updates_as_need_grows_and_resolves_a_week_after_beds_close_it():
    (short, (ward, _)), _ = districts()
    line(short, ward, beds=10, activation_date=today() - days(30))
    demand = need(short, "nursing_dementia", "20")
    run("capacity_gap")
    (alert,) = open_alerts("capacity_gap")
    assert alert.evidence["gap"] == 10.0 and alert.severity == "warning"

    demand_update(demand=demand, quantity=Decimal("30"))
    run("capacity_gap")
    alert.refresh_from_db()
    assert alert.evidence["gap"] == 20.0 and alert.severity == "high"  # 15 beds or more short

    line(short, ward, beds=18, activation_date=today() - days(1))
    cleared = timezone.now()
    run("capacity_gap", at=cleared)
    assert open_alerts("capacity_gap") == [alert]  # clear, waiting out its week
    run("capacity_gap", at=cleared + days(7))
    assert open_alerts("capacity_gap") == []
    assert Alert.objects.get().status == AlertStatus.RESOLVED


def test_a_capacity_gap_stays_quiet_within_its_pending_period():
    (short, _), _ = districts()
    need(short, "nursing_dementia", "20")
    now = timezone.now()
    run("capacity_gap", at=now, pending_for=timedelta(days=3))
    run("capacity_gap", at=now + days(2))
    assert not Alert.objects.exists()
    run("capacity_gap", at=now + days(3))
    assert len(open_alerts("capacity_gap")) == 1


def test_the_capacity_gap_rule_reads_two_districts_or_eight_in_the_same_queries():
    places = districts(8)
    for place, (ward, _) in places[:2]:
        line(place, ward, beds=2, activation_date=today() - days(30))
        need(place, "nursing_dementia", "20")
    few = queries_of("capacity_gap", 2)
    for place, (ward, _) in places[2:]:
        line(place, ward, beds=2, activation_date=today() - days(30))
        need(place, "nursing_dementia", "20")
    assert queries_of("capacity_gap", 8) == few


# --- long waits ------------------------------------------------------------------------------------------


def test_more_people_waiting_over_six_weeks_than_the_threshold_raises_counted_by_care_type():
    (waiting, (ward, _)), (other, _) = districts()
    wait(waiting, waited=50)
    wait(ward, waited=43, care_type="nursing")
    wait(ward, waited=60, care_type="homecare_hours", hours_per_week=Decimal("10"))
    wait(waiting, waited=42)  # six weeks to the day: not longer
    wait(other, waited=50)
    wait(other, waited=50)  # two: not more than the threshold of 2
    run("long_waits")

    (alert,) = open_alerts("long_waits")
    assert alert.locality == waiting and alert.subject_kind == "locality"
    assert alert.evidence["waiting_long"] == 3 and alert.evidence["days"] == 42
    assert alert.evidence["by_care_type"] == {"nursing": 1, "nursing_dementia": 1, "homecare_hours": 1}


def test_long_waits_update_as_a_wait_passes_six_weeks_and_resolve_when_people_are_placed():
    (waiting, _), _ = districts()
    long = [wait(waiting, waited=50) for _ in range(3)]
    wait(waiting, waited=40)
    run("long_waits")
    (alert,) = open_alerts("long_waits")
    assert alert.evidence["waiting_long"] == 3

    now = timezone.now()
    run("long_waits", at=now + days(3))  # the fourth has now waited 43 days
    alert.refresh_from_db()
    assert alert.evidence["waiting_long"] == 4

    for pending in long:
        pending_update(pending=pending, ended_on=today(), outcome="placed")
    run("long_waits", at=now + days(3))
    assert open_alerts("long_waits") == []  # one long wait left, under the threshold


def test_long_waits_stay_quiet_within_their_pending_period():
    (waiting, _), _ = districts()
    for _ in range(3):
        wait(waiting, waited=50)
    now = timezone.now()
    run("long_waits", at=now, pending_for=timedelta(days=1))
    assert not Alert.objects.exists()
    run("long_waits", at=now + days(1))
    assert len(open_alerts("long_waits")) == 1


def test_the_long_wait_rule_reads_two_districts_or_seven_in_the_same_queries():
    places = districts(7)
    for place, _ in places[:2]:
        for _ in range(3):
            wait(place, waited=50)
    few = queries_of("long_waits", 2)
    for place, _ in places[2:]:
        for _ in range(3):
            wait(place, waited=50)
    assert queries_of("long_waits", 7) == few


# --- block beds over the council's limits ----------------------------------------------------------------


def _block(location, beds, **fields):
    return make_line(
        contract=make_contract(provider=location.provider),
        location=location,
        beds=beds,
        activation_date=today() - days(30),
        **fields,
    )


def test_a_home_and_a_provider_over_the_councils_limits_raise_and_resolve_when_the_limit_is_raised():
    market_limits_set(max_block_beds_per_setting=10, max_block_beds_per_provider=25)
    east = district("E07000009", "East Cambridgeshire")
    provider = ProviderFactory(name="Anglia Homes")
    crowded, other = home(district=east, provider=provider, name="Ely Court"), home(district=east, provider=provider)
    _block(crowded, 12)
    _block(other, 10)
    _block(home(district=east), 10)  # at the limit: not over it
    run("block_beds_over_limit")

    (alert,) = open_alerts("block_beds_over_limit")
    assert alert.subject_kind == "location" and alert.location == crowded and alert.provider == provider
    assert alert.locality == east
    assert alert.evidence == {
        "on": today().isoformat(),
        "kind": "setting",
        "name": "Ely Court",
        "block_beds": 12,
        "limit": 10,
        "over_by": 2,
        "district": "E07000009",
    }

    _block(home(district=east, provider=provider), 5)  # the provider now has 27 block beds
    run("block_beds_over_limit")
    by_kind = {alert.subject_kind: alert for alert in open_alerts("block_beds_over_limit")}
    assert by_kind["provider"].provider == provider and by_kind["provider"].evidence["block_beds"] == 27
    assert by_kind["location"].evidence["block_beds"] == 12  # the home's unchanged
    assert by_kind["location"].pk == alert.pk

    _block(crowded, 1)
    run("block_beds_over_limit")
    alert.refresh_from_db()
    assert alert.evidence["block_beds"] == 13 and alert.evidence["over_by"] == 3

    market_limits_set(max_block_beds_per_setting=20, max_block_beds_per_provider=40)
    run("block_beds_over_limit")
    assert open_alerts("block_beds_over_limit") == []


def test_block_beds_over_a_limit_stay_quiet_within_the_pending_period():
    market_limits_set(max_block_beds_per_setting=10)
    _block(home(district=district("E07000009", "East Cambridgeshire")), 12)
    now = timezone.now()
    run("block_beds_over_limit", at=now, pending_for=timedelta(days=7))
    run("block_beds_over_limit", at=now + days(6))
    assert not Alert.objects.exists()
    run("block_beds_over_limit", at=now + days(7))
    assert len(open_alerts("block_beds_over_limit")) == 1


def test_the_limits_rule_reads_two_homes_or_six_in_the_same_queries():
    market_limits_set(max_block_beds_per_setting=10)
    east = district("E07000009", "East Cambridgeshire")
    for _ in range(2):
        _block(home(district=east), 12)
    few = queries_of("block_beds_over_limit", 2)
    for _ in range(4):
        _block(home(district=east), 12)
    assert queries_of("block_beds_over_limit", 6) == few


# --- concentration ---------------------------------------------------------------------------------------


def test_a_district_held_by_one_provider_raises_high_and_eases_as_others_come_in_until_it_resolves():
    east = district("E07000009", "East Cambridgeshire")
    spread = district("E07000011", "Huntingdonshire")
    _block(home(district=east, provider=ProviderFactory(name="Anglia Homes")), 30)
    for _ in range(4):
        _block(home(district=spread), 10)  # four equal providers: HHI 2,500, not over it
    _block(home(district=district("E07000010", "Fenland")), 12)  # one home of 12 beds: not a market
    run("market_concentration")

    (alert,) = open_alerts("market_concentration")
    assert alert.locality == east and alert.subject_kind == "locality" and alert.severity == "high"
    assert alert.evidence["hhi"] == 10000.0 and alert.evidence["beds"] == 30
    assert [(p["name"], p["share_percent"]) for p in alert.evidence["providers"]] == [("Anglia Homes", 100.0)]
    assert "HHI 10,000" in alert.title

    _block(home(district=east), 30)
    _block(home(district=east), 30)
    run("market_concentration")
    alert.refresh_from_db()
    assert alert.evidence["hhi"] == 3332.7 and alert.severity == "warning"  # 3 x 33.33% squared, as market shows it
    assert len(alert.evidence["providers"]) == 3

    _block(home(district=east), 30)
    run("market_concentration")
    assert open_alerts("market_concentration") == []


def test_concentration_stays_quiet_within_its_pending_period():
    _block(home(district=district("E07000009", "East Cambridgeshire")), 30)
    now = timezone.now()
    run("market_concentration", at=now, pending_for=timedelta(days=14))
    run("market_concentration", at=now + days(13))
    assert not Alert.objects.exists()
    run("market_concentration", at=now + days(14))
    assert len(open_alerts("market_concentration")) == 1


def test_the_concentration_rule_reads_two_districts_or_six_in_the_same_queries():
    places = [district(f"E0700{n:04d}", f"District {n}") for n in range(6)]
    for place in places[:2]:
        _block(home(district=place), 30)
    few = queries_of("market_concentration", 2)
    for place in places[2:]:
        _block(home(district=place), 30)
    assert queries_of("market_concentration", 6) == few


# --- a micro-enterprise programme behind its trajectory --------------------------------------------------


def _programme_started_seven_months_ago(**fields):
    """A programme whose second quarter (10 hours a week planned) is the latest to have ended."""
    area, (ward, _) = district_with_wards()
    start = (today() - relativedelta(months=7)).replace(day=1)
    found = programme(areas=[area], start=start, trajectory=(0, 10, 20, 60), **fields)
    return found, ward, start, quarter_dates(start, 2)[1]


def test_a_programme_behind_its_trajectory_raises_updates_and_resolves_as_hours_come_in():
    found, ward, start, second_end = _programme_started_seven_months_ago()
    trading = micro_enterprise(
        locality=ward, enquiry=start, trading=start + days(10), returns=[(start + days(10), "4", 2)]
    )
    run("programme_behind")

    (alert,) = open_alerts("programme_behind")
    assert alert.subject_kind == "programme" and alert.subject_id == found.pk and alert.locality == found.areas.get()
    assert alert.severity == "high"  # 60% behind: half or more
    assert {
        key: alert.evidence[key]
        for key in ("quarter", "quarter_end", "planned_hours_per_week", "hours_per_week", "behind_percent")
    } == {
        "quarter": 2,
        "quarter_end": second_end.isoformat(),
        "planned_hours_per_week": 10.0,
        "hours_per_week": 4.0,
        "behind_percent": 60.0,
    }

    micro_enterprise_return_record(
        micro_enterprise=trading, from_date=second_end - days(5), hours_per_week=Decimal("7"), people_supported=3
    )
    run("programme_behind")
    alert.refresh_from_db()
    assert alert.evidence["hours_per_week"] == 7.0 and alert.evidence["behind_percent"] == 30.0
    assert alert.severity == "warning"

    micro_enterprise(locality=ward, enquiry=start, trading=start + days(20), returns=[(start + days(20), "3", 1)])
    run("programme_behind")  # 10 hours a week: on its trajectory
    assert open_alerts("programme_behind") == []


def test_a_programme_within_its_tolerance_or_long_finished_raises_nothing():
    _, ward, start, _ = _programme_started_seven_months_ago()
    micro_enterprise(locality=ward, enquiry=start, trading=start + days(10), returns=[(start + days(10), "9.5", 2)])
    area, (old_ward, _) = district_with_wards()
    old_start = (today() - relativedelta(years=3)).replace(day=1)
    programme(areas=[area], start=old_start)  # its last quarter ended over a year ago, far behind
    micro_enterprise(locality=old_ward, enquiry=old_start, trading=old_start + days(10))
    run("programme_behind")
    assert not Alert.objects.exists()


def test_a_programme_behind_stays_quiet_within_its_pending_period():
    _programme_started_seven_months_ago()
    now = timezone.now()
    run("programme_behind", at=now, pending_for=timedelta(days=7))
    run("programme_behind", at=now + days(6))
    assert not Alert.objects.exists()
    run("programme_behind", at=now + days(7))
    assert len(open_alerts("programme_behind")) == 1


def test_the_programme_rule_reads_two_micro_enterprises_or_ten_in_the_same_queries():
    found, ward, start, _ = _programme_started_seven_months_ago()
    for _ in range(2):
        micro_enterprise(locality=ward, enquiry=start, trading=start + days(10), returns=[(start + days(10), "0.5", 1)])
    few = queries_of("programme_behind", 1)
    for _ in range(8):
        micro_enterprise(locality=ward, enquiry=start, trading=start + days(10), returns=[(start + days(10), "0.5", 1)])
    assert queries_of("programme_behind", 1) == few


def test_every_market_rule_is_registered_with_thresholds_its_serializer_accepts():
    for code in ("capacity_gap", "long_waits", "block_beds_over_limit", "market_concentration", "programme_behind"):
        definition = RULES[code]
        serializer = definition.thresholds_serializer(data=definition.thresholds)
        assert serializer.is_valid(), (code, serializer.errors)
        assert set(serializer.validated_data) == set(definition.thresholds)
