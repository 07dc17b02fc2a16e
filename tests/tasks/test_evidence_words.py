"""Each rule says its evidence in a sentence a commissioner understands: figures formatted, subjects named, read
from the stored evidence (so an alert raised long ago reads too). The sentence shows on the alert's page, in the
inbox, in the e-mail and in the digest."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from contracts.models import BedLine, Contract
from geo.models import Locality
from market.models import Lot
from providers.models import Location, Provider
from tasks.models import Alert, AlertEvent, Notification, Rule
from tasks.rules import RULES, SENTENCES, RuleDefinition, load, register
from tasks.selectors.evidence import evidence_in_words
from tests.factories import LocalityFactory, ProviderFactory, UserFactory

HOME = Location(name="Kingsmoor House")
PROVIDER = Provider(name="Meadowbank Care Homes")
HUNTS = Locality(name="Huntingdonshire", code="E07000011")
CONTRACT = Contract(reference="BB-2025-014")
LOT = Lot(code="L3", name="Fenland homecare")


def alert_of(code: str, kind: str, **subjects) -> Alert:
    return Alert(rule=Rule(code=code), subject_kind=kind, **subjects)


# Each rule: the alert it raised (its subject), the evidence as the rule stores it, and what a person reads.
EXAMPLES = {
    "market_concentration": (
        alert_of("market_concentration", "locality", locality=HUNTS),
        {
            "on": "2026-12-07",
            "district": "E07000011",
            "care_type": "nursing_dementia",
            "hhi": 5165.3,
            "threshold": 2500,
            "beds": 22,
            "providers": [
                {
                    "provider_id": 15,
                    "name": "Huntingdon Care Group",
                    "beds": 13,
                    "share_percent": 59.09,
                    "small": False,
                },
                {"provider_id": 16, "name": "Meadowbank Care Homes", "beds": 9, "share_percent": 40.91, "small": True},
            ],
            "small_provider_share": 40.91,
            "poor_rating_share": 0,
        },
        "Two providers hold all 22 nursing dementia block beds in Huntingdonshire: Huntingdon Care Group 59% and "
        "Meadowbank Care Homes 41% (concentration index 5,165; the limit is 2,500).",
    ),
    "block_beds_over_limit": (
        alert_of("block_beds_over_limit", "location", location=HOME),
        {
            "on": "2026-12-07",
            "kind": "setting",
            "name": "Kingsmoor House",
            "block_beds": 1240,
            "limit": 1000,
            "over_by": 240,
            "district": "E07000011",
        },
        "Kingsmoor House has 1,240 block beds contracted on 7 December 2026, 240 over the council's limit of 1,000 "
        "a home.",
    ),
    "rating_downgrade": (
        alert_of("rating_downgrade", "location", location=HOME),
        {
            "rating_change_id": 4,
            "question": "well_led",
            "from": "Good",
            "to": "Requires improvement",
            "report_date": "2026-11-30",
            "detected_at": "2026-12-02T06:17:00+00:00",
        },
        "CQC rated Kingsmoor House Requires improvement on whether it is well-led in its report of 30 November "
        "2026, down from Good.",
    ),
    "home_in_use_at_risk": (
        alert_of("home_in_use_at_risk", "location", location=HOME),
        {
            "reasons": ["rated Inadequate", "under a condition stopping new admissions"],
            "live_block_beds": 12,
            "people_placed": 1,
            "lot_award": True,
            "rating_report_date": "2026-10-05",
        },
        "Kingsmoor House is rated Inadequate (CQC report of 5 October 2026) and under a condition stopping new "
        "admissions, and the council still uses it: 12 live block beds, 1 person placed there and its provider "
        "holds a current lot award.",
    ),
    "provider_deregistered": (
        alert_of("provider_deregistered", "provider", provider=PROVIDER),
        {"deregistration_date": "2026-11-01", "live_contracts": 3},
        "CQC deregistered Meadowbank Care Homes on 1 November 2026, yet it still holds 3 live contracts.",
    ),
    "market_oversight_stage": (
        alert_of("market_oversight_stage", "provider", provider=PROVIDER),
        {
            "stage": 6,
            "since": "2026-12-04",
            "headline": "143 people in 6 homes; 22 nursing dementia places short in Fenland",
            "people": 143,
            "homes": 6,
            "short": 30,
            "radius_km": 20,
        },
        "Meadowbank Care Homes has been at Market Oversight stage 6 (formal notification of likely business "
        "failure) since 4 December 2026. "
        "If it failed today: 143 people in 6 homes; 22 nursing dementia places short in Fenland.",
    ),
    "failure_response_behind": (
        alert_of("failure_response_behind", "provider", provider=PROVIDER),
        {"response_id": 4, "settled": 12, "planned": 40, "people": 143, "to_move": 131, "target_date": "2027-01-15"},
        "The failure response for Meadowbank Care Homes is behind: 12 of the 40 people planned by now are settled, "
        "and 131 of 143 still to move by 15 January 2027.",
    ),
    "failure_impact": (
        alert_of("failure_impact", "provider", provider=PROVIDER),
        {
            "headline": "143 people in 6 homes; 22 nursing dementia places short in Fenland",
            "people": 143,
            "homes": 6,
            "short": 30,
            "radius_km": 20,
            "threshold": 10,
        },
        "If Meadowbank Care Homes failed today, 30 people of 143 in its beds would have no bed within 20 km (the "
        "threshold is 10): 143 people in 6 homes; 22 nursing dementia places short in Fenland.",
    ),
    "cqc_sync_failing": (
        alert_of("cqc_sync_failing", "service"),
        {"failed_runs": 3, "since": "2026-12-07T09:17:00+00:00", "last_run_id": 9, "last_errors": ["CQC answered 503"]},
        "The last 3 CQC syncs since 7 December 2026 at 9:17am all failed, so ratings and registrations are going "
        "stale. The latest error: CQC answered 503",
    ),
    "void_level": (
        alert_of("void_level", "location", location=HOME),
        {
            "from": "2026-11-10",
            "to": "2026-12-07",
            "void_level": 0.2321,
            "void_bed_days": 65,
            "contracted_bed_days": 280,
            "void_cost": "9285.71",
            "bed_lines": 1,
            "threshold": 0.1,
        },
        "Kingsmoor House had 65 of 280 contracted bed-days void from 10 November to 7 December 2026 (23%; the "
        "limit is 10%), costing the council £9,285.71.",
    ),
    "contract_end_near": (
        alert_of("contract_end_near", "contract", contract=CONTRACT),
        {
            "date_kind": "break_clause",
            "date": "2027-09-30",
            "notice_period_months": 6,
            "notice_by": "2027-03-31",
            "days_to_notice": 45,
        },
        "Contract BB-2025-014's break clause date is 30 September 2027; with 6 months' notice, notice must be "
        "given by 31 March 2027 (in 45 days when last checked).",
    ),
    "contract_break_undecided": (
        alert_of("contract_break_undecided", "contract", contract=CONTRACT),
        {"break_clause_date": "2026-11-30", "days_since": 7},
        "Contract BB-2025-014's break clause date, 30 November 2026, passed 7 days ago and nobody has recorded "
        "whether the break was exercised.",
    ),
    "vacancy_reports_stale": (
        alert_of("vacancy_reports_stale", "location", location=HOME),
        {"last_report": "2026-11-02", "stale_days": 14},
        "Kingsmoor House has live block beds but has not reported its vacancies since 2 November 2026 (reports "
        "are due at least every 14 days), so the bed finder cannot trust its free beds.",
    ),
    "capacity_gap": (
        alert_of("capacity_gap", "locality", locality=HUNTS),
        {
            "on": "2026-12-07",
            "locality": "E07000011",
            "care_type": "nursing",
            "unit": "beds",
            "demand": 120.0,
            "waiting": 6,
            "waiting_long": 2,
            "waiting_need": 6.0,
            "block_beds": 80.0,
            "void_beds": 3.0,
            "spot_vacancies": 14.5,
            "homecare_hours": 0.0,
            "micro_enterprise_hours": 0.0,
            "supply": 94.5,
            "gap": 31.5,
            "threshold": 5,
        },
        "Huntingdonshire is short of 31.5 nursing beds on 7 December 2026: need of 120 beds and 6 people waiting "
        "(needing 6 more) against supply of 94.5 (the limit is a gap of 5).",
    ),
    "long_waits": (
        alert_of("long_waits", "locality", locality=HUNTS),
        {
            "on": "2026-12-07",
            "locality": "E07000011",
            "waiting_long": 5,
            "by_care_type": {"residential": 3, "homecare_hours": 2},
            "days": 28,
            "threshold": 2,
        },
        "5 people in Huntingdonshire had waited longer than 28 days for care on 7 December 2026: 3 for residential "
        "and 2 for homecare hours (more than 2 raises an alert).",
    ),
    "milestone_red": (
        alert_of("milestone_red", "lot", lot=LOT),
        {
            "milestone_id": 3,
            "milestone": "TUPE consultation complete",
            "due_on": "2026-11-20",
            "go_live_on": "2027-01-04",
            "critical": True,
            "reasons": ["overdue since 2026-11-20"],
        },
        "Lot L3's critical milestone “TUPE consultation complete”, due 20 November 2026, is red: overdue since 20 "
        "November 2026. Go-live is 4 January 2027.",
    ),
    "recruitment_behind": (
        alert_of("recruitment_behind", "lot", lot=LOT),
        {"planned": 40, "recruited": 22, "behind_percent": 45, "go_live_on": "2027-01-04"},
        "Lot L3's provider has recruited 22 of the 40 staff planned by now, 45% behind the trajectory, with "
        "go-live on 4 January 2027.",
    ),
    "gateway_not_passed": (
        alert_of("gateway_not_passed", "lot", lot=LOT),
        {"gateway_id": 2, "gateway": "Go/no-go", "due_on": None, "go_live_on": "2027-01-04", "days_to_go_live": 10},
        "Lot L3's readiness gateway “Go/no-go” has no go decision and go-live is in 10 days (4 January 2027).",
    ),
    "lot_unserved": (
        alert_of("lot_unserved", "lot", lot=LOT),
        {"status": "in_contingency", "since": "2026-10-01T09:00:00+00:00", "days": 67, "threshold_days": 28},
        "Lot L3 Fenland homecare has been in contingency since 1 October 2026, 67 days (the limit is 28 days).",
    ),
    "transfers_behind": (
        alert_of("transfers_behind", "lot", lot=LOT),
        {"arrangement_id": 1, "planned": 12, "moved": 5, "difference": -7, "still_in_contingency": 9, "to_move": 9},
        "Lot L3's contingency transfers are behind plan: 5 of the 12 people planned by now have moved, and 9 people "
        "are still with contingency providers.",
    ),
    "programme_behind": (
        alert_of("programme_behind", "programme"),
        {
            "programme": "Fenland micro-enterprise programme",
            "areas": ["E07000010"],
            "quarter": 4,
            "quarter_end": "2026-09-30",
            "planned_hours_per_week": 250.0,
            "hours_per_week": 180.5,
            "shortfall_hours_per_week": 69.5,
            "behind_percent": 27.8,
            "tolerance_percent": 10,
        },
        "Fenland micro-enterprise programme reached 180.5 hours a week at the end of quarter 4 (30 September 2026), "
        "27.8% behind the 250 planned (more than 10% behind raises an alert).",
    ),
    "avoidable_spot": (
        alert_of("avoidable_spot", "locality", locality=HUNTS),
        {
            "on": "2026-12-07",
            "locality": "E07000011",
            "people": 3,
            "weekly_cost_above_block_rate": "412.50",
            "threshold": 0,
        },
        "In Huntingdonshire, 3 people are in spot beds bought while a block bed of their care type was free nearby "
        "on 7 December 2026, costing £412.50 a week more than the block rate.",
    ),
    "quality_rating_poor": (
        alert_of("quality_rating_poor", "location", location=HOME),
        {"audit_id": 4, "rating": "Poor", "published_on": "2026-11-20"},
        "The council's quality audit of Kingsmoor House, published 20 November 2026, rated it Poor.",
    ),
    "action_plan_overdue": (
        alert_of("action_plan_overdue", "location", location=HOME),
        {
            "audit_id": 4,
            "rating": "Requires improvement",
            "action_plan_due": "2026-12-04",
            "submitted": False,
            "actions_past_due": 0,
        },
        "Kingsmoor House was rated Requires improvement by the council's audit and has not sent its action plan, "
        "due 4 December 2026.",
    ),
    "audit_overdue": (
        alert_of("audit_overdue", "location", location=HOME),
        {"last_audit_id": 4, "rating": "Poor", "due_on": "2026-11-01"},
        "Kingsmoor House's next quality audit was due 1 November 2026; its last was rated Poor.",
    ),
    "concerns_rising": (
        alert_of("concerns_rising", "location", location=HOME),
        {"entries": 5, "high_severity": 2, "since": "2026-09-08", "window_days": 90, "threshold": 3},
        "5 concerns about Kingsmoor House reached the council in the 90 days since 8 September 2026, 2 of them of "
        "high severity; more than 3 calls for a closer look.",
    ),
}


def test_every_rule_in_the_registry_has_a_sentence_and_an_example_here():
    rules = load()
    assert set(rules) <= set(SENTENCES)
    assert set(rules) == set(EXAMPLES), "a rule's sentence needs its example in this test"


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_each_rule_says_its_evidence_in_words(code):
    alert, evidence, expected = EXAMPLES[code]
    load()
    assert evidence_in_words(alert, evidence) == expected


def test_a_rule_without_a_sentence_is_refused():
    with pytest.raises(ValueError, match="no sentence for its evidence"):
        register(
            RuleDefinition(
                code="test_unsaid",
                name="Unsaid",
                description="",
                evaluate=lambda **_: [],
                owning_role=Role.COMPLIANCE_OFFICER,
            )
        )
    assert "test_unsaid" not in RULES


def test_one_provider_holding_a_market_is_named_and_many_are_counted():
    alert, evidence, _ = EXAMPLES["market_concentration"]
    alone = {**evidence, "hhi": 10000, "providers": evidence["providers"][:1]}
    assert evidence_in_words(alert, alone).startswith(
        "Huntingdon Care Group holds all 22 nursing dementia block beds in Huntingdonshire (concentration index 10,000;"
    )
    many = {
        **evidence,
        "providers": [{"name": f"Home {n}", "share_percent": 100 / 7, "beds": 3} for n in range(7)],
    }
    assert "Seven providers hold" in evidence_in_words(alert, many)
    assert "Home 4 14% and 2 others" in evidence_in_words(alert, many)


def test_a_bed_lines_void_names_its_care_type_and_home():
    line = BedLine(care_type="residential_dementia")
    alert = alert_of("void_level", "bed_line", bed_line=line, location=HOME)
    _, evidence, _ = EXAMPLES["void_level"]
    assert evidence_in_words(alert, evidence).startswith("Residential dementia block beds at Kingsmoor House had 65")


@pytest.mark.django_db
def test_the_alert_page_the_inbox_and_the_email_say_the_evidence_in_words(settings):
    settings.ALERT_BATCH_WINDOW_SECONDS = 0
    from tasks.services.delivery.fanout import notifications_fan_out
    from tasks.services.delivery.sending import notification_send
    from tasks.services.rules import rules_sync
    from tests.tasks.delivery_factories import subscribe

    rules_sync()
    provider = ProviderFactory(name="Meadowbank Care Homes")
    now = timezone.now()
    alert = Alert.objects.create(
        rule=Rule.objects.get(code="provider_deregistered"),
        severity="critical",
        subject_kind="provider",
        subject_id=provider.pk,
        provider=provider,
        locality=LocalityFactory(),
        fingerprint=f"provider_deregistered:provider:{provider.pk}",
        title="Meadowbank Care Homes is deregistered with 3 live contracts",
        evidence={"deregistration_date": "2026-11-01", "live_contracts": 3},
        first_seen=now - timedelta(hours=1),
        last_seen=now,
    )
    sentence = "CQC deregistered Meadowbank Care Homes on 1 November 2026, yet it still holds 3 live contracts."
    officer = UserFactory(roles=[Role.COMPLIANCE_OFFICER], email="officer@council.example")
    client = Client()
    client.force_login(officer)
    assert sentence in client.get(f"/alerts/{alert.pk}/").content.decode()
    assert sentence in client.get("/alerts/").content.decode()

    from tasks.models import Channel

    email = Channel.objects.create(user=officer, kind="email")
    subscribe(officer, email)
    AlertEvent.objects.create(
        alert=alert, kind="opened", created_at=now, severity="critical", status="open", evidence=alert.evidence
    )
    notifications_fan_out()
    notification = Notification.objects.get(channel=email)
    notification_send(notification_id=notification.pk)
    assert sentence in mail.outbox[-1].body
