"""Each rule on hand-built data: it raises, keeps its evidence up to date, resolves, and stays quiet within its
pending period; and it reads the estate in the same number of queries for two subjects or many."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import Contract, ContractStatus
from contracts.services import vacancy_report_record
from market.models import LotStatus
from market.services.mobilisation import gateway_create, gateway_decide, milestone_create, milestone_report, plan_create
from providers.models import Condition, RatingChange, SyncRun
from providers.services.ratings import rating_record
from tasks.models import Alert, AlertEvent, AlertStatus
from tasks.rules import RULES
from tests.contracts.factories import make_contract, make_line, place
from tests.factories import LocationFactory, ProviderFactory, RatingFactory
from tests.market.mobilisation_factories import award_for, lot_with_wards
from tests.tasks.alert_factories import days, open_alerts, rule, run

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def _downgrade(location, *, historic=False, question="overall", to="Requires improvement"):
    return RatingChange.objects.create(
        location=location,
        provider=location.provider,
        question=question,
        from_value="Good",
        to_value=to,
        direction="down",
        historic=historic,
    )


# --- rating downgrade ------------------------------------------------------------------------------------


def test_a_rating_downgrade_raises_an_alert_but_a_first_loads_history_does_not():
    downgraded, loaded = LocationFactory(), LocationFactory()
    _downgrade(downgraded, question="safe", to="Inadequate")
    _downgrade(loaded, historic=True)
    run("rating_downgrade")

    (alert,) = open_alerts("rating_downgrade")
    assert alert.location == downgraded and alert.severity == "high"  # down to Inadequate
    assert alert.evidence["question"] == "safe" and alert.evidence["to"] == "Inadequate"


def test_a_rating_downgrade_resolves_when_it_leaves_the_window():
    _downgrade(LocationFactory())
    run("rating_downgrade")
    run("rating_downgrade", at=timezone.now() + days(91))
    assert not open_alerts("rating_downgrade")
    assert Alert.objects.get().status == AlertStatus.RESOLVED


def _rated(location, overall, *, days_ago, **questions):
    return rating_record(location=location, overall=overall, report_date=today() - days(days_ago), **questions)


def test_a_downgrade_reversed_resolves_after_the_resolve_delay_and_a_further_downgrade_is_a_recurrence():
    home = LocationFactory(name="Meadowbank")
    _rated(home, "Good", days_ago=400)
    _rated(home, "Requires improvement", days_ago=30)
    now = timezone.now()
    run("rating_downgrade", at=now, resolve_after=timedelta(hours=6))
    (first,) = open_alerts("rating_downgrade")
    assert first.title == "Meadowbank: Overall rating down from Good to Requires improvement"

    _rated(home, "Good", days_ago=2)  # back where it was, well inside the 90 days
    run("rating_downgrade", at=now + timedelta(hours=1))
    assert open_alerts("rating_downgrade") == [first]  # clear, waiting out its resolve delay
    run("rating_downgrade", at=now + timedelta(hours=8))
    assert open_alerts("rating_downgrade") == []
    first.refresh_from_db()
    assert first.status == AlertStatus.RESOLVED

    _rated(home, "Inadequate", days_ago=1)
    run("rating_downgrade", at=now + timedelta(hours=9))
    (again,) = open_alerts("rating_downgrade")
    assert again.pk != first.pk and again.recurrence_of_id == first.pk
    assert again.title == "Meadowbank: Overall rating down from Good to Inadequate" and again.severity == "high"
    assert AlertEvent.objects.filter(alert=again, kind="recurred").exists()


def test_a_rating_partly_recovered_is_still_a_downgrade():
    home = LocationFactory()
    _rated(home, "Outstanding", days_ago=400)
    _rated(home, "Inadequate", days_ago=30)
    _rated(home, "Good", days_ago=2)  # better, still below Outstanding
    run("rating_downgrade")
    assert len(open_alerts("rating_downgrade")) == 1


# --- homes in use at risk --------------------------------------------------------------------------------


def _inadequate(location):
    rating = RatingFactory(location=location, overall="Inadequate", report_date=today() - days(10))
    location.current_rating = rating
    location.save(update_fields=["current_rating"])


def test_an_inadequate_home_with_live_block_beds_is_critical_and_resolves_when_the_beds_end():
    line = make_line(beds=3, activation_date=today() - days(30))
    _inadequate(line.location)
    LocationFactory()  # an inadequate-free, unused home: no alert
    run("home_in_use_at_risk")

    (alert,) = open_alerts("home_in_use_at_risk")
    assert alert.severity == "critical" and alert.location == line.location
    assert alert.evidence["live_block_beds"] == 3 and alert.evidence["reasons"] == ["rated Inadequate"]

    Contract.objects.filter(pk=line.contract_id).update(status=ContractStatus.ENDED)
    cleared = timezone.now()
    run("home_in_use_at_risk", at=cleared)
    assert len(open_alerts("home_in_use_at_risk")) == 1  # clear, waiting out its day
    run("home_in_use_at_risk", at=cleared + days(1))
    assert open_alerts("home_in_use_at_risk") == []


def test_a_no_admissions_condition_with_people_placed_raises_and_the_evidence_counts_them():
    line = make_line(beds=3, activation_date=today() - days(30))
    Condition.objects.create(
        location=line.location,
        provider=line.location.provider,
        text="No new admissions",
        stops_admissions=True,
        imposed_on=today() - days(3),
    )
    place(line, start=today() - days(5))
    run("home_in_use_at_risk")
    (alert,) = open_alerts("home_in_use_at_risk")
    assert (
        alert.evidence["people_placed"] == 1
        and "under a condition stopping new admissions" in alert.evidence["reasons"]
    )

    place(line, start=today() - days(1))
    run("home_in_use_at_risk")
    assert Alert.objects.get().evidence["people_placed"] == 2


# --- provider deregistered (inhibits) --------------------------------------------------------------------


def test_a_deregistered_provider_with_live_contracts_inhibits_its_homes_alerts():
    line = make_line(beds=2, activation_date=today() - days(30))
    provider = line.location.provider
    provider.registration_status = "Deregistered"
    provider.save(update_fields=["registration_status"])
    line.location.registration_status = "Deregistered"
    line.location.save(update_fields=["registration_status"])
    run("provider_deregistered")
    run("home_in_use_at_risk")

    wide = Alert.objects.get(rule__code="provider_deregistered")
    home = Alert.objects.get(rule__code="home_in_use_at_risk")
    assert wide.subject_kind == "provider" and not wide.inhibited
    assert home.inhibited and AlertEvent.objects.get(alert=home).notify is False


# --- void level ------------------------------------------------------------------------------------------


def test_a_void_home_raises_with_the_void_cost_updates_as_beds_fill_and_resolves_after_the_delay():
    line = make_line(beds=2, activation_date=today() - days(60), weekly_rate=Decimal("700.00"))
    run("void_level")
    (alert,) = open_alerts("void_level")
    assert alert.location == line.location and alert.severity == "high"
    assert alert.evidence["void_level"] == 1.0 and alert.evidence["void_cost"] == "5600.00"  # 2 beds x 28 days x £100

    place(line, start=today() - days(27))
    run("void_level")
    alert.refresh_from_db()
    assert 0.4 < alert.evidence["void_level"] < 0.6 and alert.severity == "high"

    place(line, start=today() - days(27))
    later = timezone.now()
    run("void_level", at=later)  # clear now; resolves after three days clear
    assert open_alerts("void_level")
    run("void_level", at=later + days(3))
    assert not open_alerts("void_level")


def test_voids_stay_quiet_within_the_pending_period():
    make_line(beds=2, activation_date=today() - days(60))
    now = timezone.now()
    run("void_level", at=now, pending_for=timedelta(days=7))
    run("void_level", at=now + days(6))
    assert not Alert.objects.exists()
    run("void_level", at=now + days(7))
    assert len(open_alerts("void_level")) == 1


def test_the_void_rule_reads_two_homes_or_ten_in_the_same_number_of_queries():
    rule("void_level")
    for _ in range(2):
        make_line(beds=2, activation_date=today() - days(60))
    definition = RULES["void_level"]
    with CaptureQueriesContext(connection) as few:
        assert len(definition.evaluate(rule=rule("void_level"), now=timezone.now())) == 2
    for _ in range(8):
        make_line(beds=2, activation_date=today() - days(60))
    with CaptureQueriesContext(connection) as many:
        assert len(definition.evaluate(rule=rule("void_level"), now=timezone.now())) == 10
    assert len(many) == len(few)


# --- contract dates --------------------------------------------------------------------------------------


def test_a_break_clause_within_notice_plus_margin_raises_and_a_far_one_does_not():
    near = make_contract(break_clause_date=today() + days(200), notice_period_months=6)
    make_contract(break_clause_date=today() + days(400), notice_period_months=6)
    run("contract_end_near")
    (alert,) = open_alerts("contract_end_near")
    assert alert.contract == near and alert.evidence["date_kind"] == "break_clause"
    assert alert.severity == "warning"  # notice can still be given

    run("contract_end_near", at=timezone.now() + days(30))  # the notice date has passed
    assert Alert.objects.get().severity == "high"


def test_a_break_date_passed_without_a_decision_raises_and_recording_the_decision_resolves_it():
    from contracts.services import contract_break_decide

    undecided = make_contract(start_date=today() - days(2000), break_clause_date=today() - days(3))
    make_contract(start_date=today() - days(2000), break_clause_date=today() + days(30))  # not yet
    make_contract(
        start_date=today() - days(2000), break_clause_date=today() - days(3), status=ContractStatus.ENDED
    )  # no longer live
    run("contract_break_undecided")
    (alert,) = open_alerts("contract_break_undecided")
    assert alert.contract == undecided and alert.evidence["days_since"] == 3

    contract_break_decide(contract=undecided, decision="not_exercised", decided_on=today() - days(1), note="Runs on")
    run("contract_break_undecided")
    assert not open_alerts("contract_break_undecided")


def test_a_break_decision_alert_goes_to_contract_officers_by_default():
    from accounts.roles import Role
    from accounts.services import user_roles_set
    from tests.factories import UserFactory

    rule("contract_break_undecided")
    officer = UserFactory()
    user_roles_set(user=officer, roles=[Role.CONTRACT_OFFICER])
    codes = {rule.code for subscription in officer.alert_subscriptions.all() for rule in subscription.rules.all()}
    assert "contract_break_undecided" in codes


# --- vacancy reports -------------------------------------------------------------------------------------


def test_a_home_with_live_beds_and_no_recent_vacancy_report_raises_after_its_pending_hour():
    line = make_line(beds=2, activation_date=today() - days(60))
    vacancy_report_record(
        location=line.location,
        report_date=today() - days(20),
        care_type="nursing",
        vacant_beds=1,
        today=today() - days(20),
    )
    now = timezone.now()
    run("vacancy_reports_stale", at=now)
    assert not Alert.objects.exists()
    run("vacancy_reports_stale", at=now + timedelta(hours=1))
    (alert,) = open_alerts("vacancy_reports_stale")
    assert alert.evidence["last_report"] == (today() - days(20)).isoformat()

    vacancy_report_record(location=line.location, report_date=today(), care_type="nursing", vacant_beds=1)
    run("vacancy_reports_stale", at=now + timedelta(hours=2))
    assert not open_alerts("vacancy_reports_stale")


# --- CQC sync --------------------------------------------------------------------------------------------


def test_the_cqc_sync_failing_three_runs_in_a_row_raises_and_a_success_resolves_it():
    for _ in range(2):
        SyncRun.objects.create(status="failed", errors=[{"message": "503"}])
    run("cqc_sync_failing")
    assert not Alert.objects.exists()
    SyncRun.objects.create(status="failed", errors=[{"message": "503"}])
    run("cqc_sync_failing")
    (alert,) = open_alerts("cqc_sync_failing")
    assert alert.subject_kind == "service" and alert.evidence["failed_runs"] == 3
    SyncRun.objects.create(status="succeeded")
    run("cqc_sync_failing")
    assert not open_alerts("cqc_sync_failing")


# --- market ----------------------------------------------------------------------------------------------


def test_a_lot_vacant_longer_than_the_threshold_raises():
    lot, _ = lot_with_wards()
    lot.status, lot.status_changed_at = LotStatus.VACANT, timezone.now() - days(10)
    lot.save(update_fields=["status", "status_changed_at"])
    run("lot_unserved")
    assert not Alert.objects.exists()
    run("lot_unserved", at=timezone.now() + days(20))
    (alert,) = open_alerts("lot_unserved")
    assert alert.lot == lot and alert.locality_id == lot.area_id


def test_an_overdue_critical_milestone_is_a_red_alert_and_resolves_when_done():
    award = award_for(awarded_on=today() - days(60), go_live_on=today() + days(30))
    plan = plan_create(award=award)
    milestone = milestone_create(
        plan=plan, kind="policies", title="Policies signed off", due_on=today() - days(2), critical=True
    )
    run("milestone_red")
    (alert,) = open_alerts("milestone_red")
    assert alert.lot == award.lot and alert.severity == "high" and alert.provider == award.bid.provider
    assert any("overdue" in reason for reason in alert.evidence["reasons"])

    milestone_report(milestone=milestone, status="done", completed_on=today())
    run("milestone_red")
    assert not open_alerts("milestone_red")


def test_a_gateway_without_a_go_near_go_live_raises_and_a_go_resolves_it():
    award = award_for(awarded_on=today() - days(60), go_live_on=today() + days(10))
    plan = plan_create(award=award)
    gateway = gateway_create(plan=plan, name="Go/no-go", due_on=today() + days(5))
    far = plan_create(award=award_for(awarded_on=today() - days(10), go_live_on=today() + days(100)))
    gateway_create(plan=far, name="Go/no-go", due_on=today() + days(90))
    run("gateway_not_passed")
    (alert,) = open_alerts("gateway_not_passed")
    assert alert.evidence["gateway_id"] == gateway.pk

    gateway_decide(gateway=gateway, outcome="go", risk_level=1, reason="Ready")
    run("gateway_not_passed")
    assert not open_alerts("gateway_not_passed")


def test_home_rule_reads_two_homes_or_ten_in_the_same_number_of_queries():
    def inadequate_home():
        line = make_line(
            beds=1, activation_date=today() - days(30), location=LocationFactory(provider=ProviderFactory())
        )
        _inadequate(line.location)

    definition = RULES["home_in_use_at_risk"]
    for _ in range(2):
        inadequate_home()
    with CaptureQueriesContext(connection) as few:
        assert len(definition.evaluate(rule=rule("home_in_use_at_risk"), now=timezone.now())) == 2
    for _ in range(8):
        inadequate_home()
    with CaptureQueriesContext(connection) as many:
        assert len(definition.evaluate(rule=rule("home_in_use_at_risk"), now=timezone.now())) == 10
    assert len(many) == len(few)


# --- contingency transfers -------------------------------------------------------------------------------


def _lot_in_contingency(prefix: str, *, people: int, moved: int):
    """A lot whose `people` in contingency began transfers two weeks ago at two a week; `moved` have moved."""
    from contracts.models import Placement, PlacementKind
    from contracts.services import placement_end
    from market.services.contingency import contingency_create
    from tests.market.mobilisation_factories import homecare, person

    lot, (ward, _) = lot_with_wards()
    began, transfers = today() - days(60), today() - days(14)
    for n in range(people):
        homecare(reference=person(n, prefix), kind=PlacementKind.CONTINGENCY, ward=ward, start=began)
    contingency_create(
        lot=lot, reason="provider_withdrew", start_date=began, transfer_start=transfers, people_per_week=2
    )
    for n in range(moved):
        placement_end(placement=Placement.objects.get(reference=person(n, prefix)), end_date=transfers + days(1))
        homecare(reference=person(n, prefix), kind=PlacementKind.LEAD_PROVIDER, ward=ward, start=transfers + days(1))
    return lot


def test_contingency_transfers_behind_plan_raise_an_alert_for_that_lot_only_in_the_same_queries_for_many_lots():
    behind = _lot_in_contingency("BH", people=6, moved=1)
    _lot_in_contingency("OK", people=6, moved=4)  # two weeks at two a week: on plan
    run("transfers_behind")
    (alert,) = open_alerts("transfers_behind")
    assert alert.lot == behind
    assert (alert.evidence["planned"], alert.evidence["moved"], alert.evidence["still_in_contingency"]) == (4, 1, 5)

    definition = RULES["transfers_behind"]
    with CaptureQueriesContext(connection) as few:
        assert len(definition.evaluate(rule=rule("transfers_behind"), now=timezone.now())) == 1
    for prefix in ("B2", "B3", "B4"):
        _lot_in_contingency(prefix, people=4, moved=0)
    with CaptureQueriesContext(connection) as many:
        assert len(definition.evaluate(rule=rule("transfers_behind"), now=timezone.now())) == 4
    assert len(many) == len(few)
