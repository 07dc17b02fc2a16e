"""Rules over the providers register: rating downgrades, inadequate or restricted homes still in use,
deregistered providers still contracted, and the CQC sync failing."""

from datetime import timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from rest_framework import serializers

from accounts.roles import Role
from contracts.models import BedLine, Contract, Placement, live_contract
from contracts.selectors.voids import active_on
from core import present
from market.models import Award
from providers.models import (
    RATING_RANK,
    Direction,
    Location,
    Provider,
    Question,
    RatingChange,
    RatingValue,
    RegistrationStatus,
    SyncRun,
    SyncStatus,
)
from providers.selectors import admissions_stopped
from tasks.models import Severity, SubjectKind
from tasks.rules.base import (
    Risk,
    RuleDefinition,
    evaluated_on,
    fingerprint,
    home_name,
    location_risk,
    plural,
    provider_name,
    register,
    says,
)


class DowngradeThresholds(serializers.Serializer):
    within_days = serializers.IntegerField(min_value=1, max_value=3650)
    questions = serializers.ListField(
        child=serializers.ChoiceField(choices=Question.choices), allow_empty=False, max_length=len(Question.choices)
    )


def rating_downgrades(*, rule, now) -> list[Risk]:
    """Each location and question whose rating went down within the window (never a first load's historic
    changes) and is still below what it was before: once the location's current rating is back at or above
    the best rating it fell from in the window, the risk is gone. The title and evidence are the latest
    downgrade's. One query."""
    thresholds = RULES_BY_CODE["rating_downgrade"].thresholds_of(rule)
    rows = (
        RatingChange.objects.filter(
            direction=Direction.DOWN,
            historic=False,
            question__in=thresholds["questions"],
            detected_at__gte=now - timedelta(days=thresholds["within_days"]),
        )
        .order_by("location_id", "question", "-detected_at", "-id")
        .values(
            "id",
            "location_id",
            "provider_id",
            "question",
            "from_value",
            "to_value",
            "report_date",
            "detected_at",
            "location__name",
            "location__district_id",
            *(f"location__current_rating__{question}" for question in Question.values),
        )
    )
    latest: dict[tuple[int, str], dict] = {}
    fell_from: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row["location_id"], row["question"])
        latest.setdefault(key, row)
        fell_from[key] = max(fell_from.get(key, 0), RATING_RANK.get(row["from_value"], 0))
    risks = []
    for key, row in latest.items():
        now_rated = RATING_RANK.get(row[f"location__current_rating__{row['question']}"])
        # No current rating, or one that is not a rating ("Inspected but not rated"): nothing says it recovered.
        if now_rated is not None and now_rated >= fell_from[key]:
            continue
        question = Question(row["question"]).label
        risks.append(
            location_risk(
                "rating_downgrade",
                {
                    "id": row["location_id"],
                    "provider_id": row["provider_id"],
                    "district_id": row["location__district_id"],
                },
                title=f"{row['location__name']}: {question} rating down from {row['from_value']} to {row['to_value']}",
                evidence={
                    "rating_change_id": row["id"],
                    "question": row["question"],
                    "from": row["from_value"],
                    "to": row["to_value"],
                    "report_date": row["report_date"].isoformat() if row["report_date"] else None,
                    "detected_at": row["detected_at"].isoformat(),
                },
                distinct=(row["question"],),
                severity=Severity.HIGH if row["to_value"] == RatingValue.INADEQUATE else None,
            )
        )
    return risks


def home_in_use_risks(*, rule, now) -> list[Risk]:
    """Locations rated Inadequate, under a condition stopping admissions, or deregistered, while the council
    still uses them: live block beds, people placed there, or a current lot award to their provider. Four
    set-based queries over the whole estate: the homes at risk, then their live beds, their placements and the
    providers with a current award, each grouped once and joined to the homes at risk by a semi-join (never a
    subquery per home)."""
    today = evaluated_on(now)
    at_risk = Location.objects.annotate(
        inadequate=Q(current_rating__overall=RatingValue.INADEQUATE),
        no_admissions=admissions_stopped(today),
    ).filter(
        Q(current_rating__overall=RatingValue.INADEQUATE)
        | Q(no_admissions=True)
        | Q(registration_status=RegistrationStatus.DEREGISTERED)
    )
    homes = list(
        at_risk.order_by("pk").values(
            "id",
            "name",
            "provider_id",
            "district_id",
            "registration_status",
            "inadequate",
            "no_admissions",
            "current_rating__report_date",
        )
    )
    if not homes:
        return []
    ids = at_risk.order_by().values("pk")
    live_beds = dict(
        BedLine.objects.filter(active_on(today, start="activation_date"), location__in=ids)
        .filter(live_contract("contract__"))
        .order_by()
        .values_list("location_id")
        .annotate(n=Sum("beds"))
    )
    placed = dict(
        Placement.objects.filter(active_on(today), location__in=ids)
        .order_by()
        .values_list("location_id")
        .annotate(n=Count("*"))
    )
    awarded = set(
        Award.objects.filter(ended_on__isnull=True, bid__provider__in=at_risk.order_by().values("provider_id"))
        .exclude(lot__status="ended")
        .values_list("bid__provider_id", flat=True)
        .distinct()
    )
    risks = []
    for row in homes:
        beds, people, lot_award = live_beds.get(row["id"]) or 0, placed.get(row["id"], 0), row["provider_id"] in awarded
        if not (beds > 0 or people > 0 or lot_award):
            continue
        reasons = []
        if row["inadequate"]:
            reasons.append("rated Inadequate")
        if row["no_admissions"]:
            reasons.append("under a condition stopping new admissions")
        if row["registration_status"] == RegistrationStatus.DEREGISTERED:
            reasons.append("deregistered")
        uses = []
        if beds:
            uses.append(f"{beds} live block beds")
        if people:
            uses.append(f"{people} people placed")
        if lot_award:
            uses.append("a current lot award")
        risks.append(
            location_risk(
                "home_in_use_at_risk",
                row,
                title=f"{row['name']} is {' and '.join(reasons)} with {', '.join(uses)}",
                evidence={
                    "reasons": reasons,
                    "live_block_beds": beds,
                    "people_placed": people,
                    "lot_award": lot_award,
                    "rating_report_date": row["current_rating__report_date"].isoformat()
                    if row["current_rating__report_date"]
                    else None,
                },
            )
        )
    return risks


def deregistered_providers(*, rule, now) -> list[Risk]:
    """Providers CQC deregistered that still hold live contracts. Provider-wide: inhibits their locations'
    alerts. One query."""
    live = (
        Contract.objects.filter(live_contract(), provider=OuterRef("pk"))
        .order_by()
        .values("provider")
        .annotate(n=Count("*"))
        .values("n")
    )
    rows = (
        Provider.objects.filter(registration_status=RegistrationStatus.DEREGISTERED)
        .annotate(live_contracts=Coalesce(Subquery(live, output_field=IntegerField()), 0))
        .filter(live_contracts__gt=0)
        .values("id", "name", "deregistration_date", "live_contracts")
    )
    return [
        Risk(
            fingerprint=fingerprint("provider_deregistered", SubjectKind.PROVIDER, row["id"]),
            subject_kind=SubjectKind.PROVIDER,
            subject_id=row["id"],
            provider_id=row["id"],
            title=f"{row['name']} is deregistered with {row['live_contracts']} live contracts",
            evidence={
                "deregistration_date": row["deregistration_date"].isoformat() if row["deregistration_date"] else None,
                "live_contracts": row["live_contracts"],
            },
        )
        for row in rows
    ]


class SyncThresholds(serializers.Serializer):
    failed_runs = serializers.IntegerField(min_value=1, max_value=100)


def cqc_sync_failing(*, rule, now) -> list[Risk]:
    """The last N CQC sync runs all failed. One query."""
    runs = RULES_BY_CODE["cqc_sync_failing"].thresholds_of(rule)["failed_runs"]
    last = list(
        SyncRun.objects.exclude(status=SyncStatus.RUNNING)
        .order_by("-started_at", "-id")
        .values("id", "status", "started_at", "errors")[:runs]
    )
    if len(last) < runs or any(run["status"] != SyncStatus.FAILED for run in last):
        return []
    errors = [str(error)[:300] for error in (last[0]["errors"] or [])[-3:]]
    return [
        Risk(
            fingerprint=fingerprint("cqc_sync_failing", SubjectKind.SERVICE, 0),
            subject_kind=SubjectKind.SERVICE,
            subject_id=0,
            title=f"The CQC sync failed its last {runs} runs",
            evidence={
                "failed_runs": runs,
                "since": last[-1]["started_at"].isoformat(),
                "last_run_id": last[0]["id"],
                "last_errors": errors,
            },
        )
    ]


# --- the evidence in words ---------------------------------------------------------------------------------------

QUESTION_WORDS = {
    "safe": "whether it is safe",
    "effective": "whether it is effective",
    "caring": "whether it is caring",
    "responsive": "whether it is responsive",
    "well_led": "whether it is well-led",
}


@says("rating_downgrade")
def rating_downgrade_words(evidence: dict, alert) -> str:
    question = evidence.get("question") or "overall"
    on = "overall" if question == "overall" else "on " + QUESTION_WORDS.get(question, question.replace("_", " "))
    when = (
        f"in its report of {present.day(evidence['report_date'])}"
        if evidence.get("report_date")
        else f"in a report the service found on {present.day(evidence.get('detected_at'))}"
    )
    return f"CQC rated {home_name(alert)} {evidence.get('to')} {on} {when}, down from {evidence.get('from')}."


@says("home_in_use_at_risk")
def home_in_use_words(evidence: dict, alert) -> str:
    reasons = list(evidence.get("reasons") or [])
    if evidence.get("rating_report_date") and "rated Inadequate" in reasons:
        reasons[reasons.index("rated Inadequate")] = (
            f"rated Inadequate (CQC report of {present.day(evidence['rating_report_date'])})"
        )
    uses = []
    if evidence.get("live_block_beds"):
        uses.append(plural(evidence["live_block_beds"], "live block bed"))
    if evidence.get("people_placed"):
        uses.append(plural(evidence["people_placed"], "person", "people") + " placed there")
    if evidence.get("lot_award"):
        uses.append("its provider holds a current lot award")
    why = present.listed(reasons, none="at risk")
    return f"{home_name(alert)} is {why}, and the council still uses it: {present.listed(uses, none='in use')}."


@says("provider_deregistered")
def provider_deregistered_words(evidence: dict, alert) -> str:
    when = f"on {present.day(evidence['deregistration_date'])}" if evidence.get("deregistration_date") else ""
    contracts = plural(evidence.get("live_contracts", 0), "live contract")
    return f"CQC deregistered {provider_name(alert)}{' ' + when if when else ''}, yet it still holds {contracts}."


@says("cqc_sync_failing")
def cqc_sync_failing_words(evidence: dict, alert) -> str:
    runs = evidence.get("failed_runs", 0)
    text = (
        f"The last {plural(runs, 'CQC sync')} since {present.moment(evidence.get('since'))} all failed, so ratings "
        "and registrations are going stale"
    )
    errors = evidence.get("last_errors") or []
    return f"{text}. The latest error: {errors[-1]}" if errors else f"{text}."


RULES_BY_CODE = {
    definition.code: register(definition)
    for definition in [
        RuleDefinition(
            code="rating_downgrade",
            name="CQC rating downgraded",
            owning_role=Role.COMPLIANCE_OFFICER,
            description="A location's overall rating or a key question went down (never from a first load's "
            "history) and is still below what it was. High when the new rating is Inadequate.",
            evaluate=rating_downgrades,
            severity=Severity.WARNING,
            resolve_after=timedelta(0),
            thresholds={"within_days": 90, "questions": [value for value, _ in Question.choices]},
            thresholds_serializer=DowngradeThresholds,
            triggers=frozenset({"cqc_sync"}),
        ),
        RuleDefinition(
            code="home_in_use_at_risk",
            name="Inadequate, restricted or deregistered home in use",
            owning_role=Role.COMPLIANCE_OFFICER,
            description="A location rated Inadequate, under a no-new-admissions condition, or deregistered, "
            "while it has live block beds, placements or a lot award.",
            evaluate=home_in_use_risks,
            severity=Severity.CRITICAL,
            resolve_after=timedelta(days=1),
            triggers=frozenset({"cqc_sync", "placement", "contract"}),
        ),
        RuleDefinition(
            code="provider_deregistered",
            name="Deregistered provider with live contracts",
            owning_role=Role.COMPLIANCE_OFFICER,
            description="CQC deregistered a provider that still holds live contracts. While open, the "
            "provider's location alerts are kept but not notified.",
            evaluate=deregistered_providers,
            severity=Severity.CRITICAL,
            triggers=frozenset({"cqc_sync", "contract"}),
            inhibits_provider=True,
        ),
        RuleDefinition(
            code="cqc_sync_failing",
            name="CQC sync failing",
            owning_role=Role.COMPLIANCE_OFFICER,
            description="The CQC sync failed this many runs in a row: ratings and registrations are going stale.",
            evaluate=cqc_sync_failing,
            severity=Severity.HIGH,
            thresholds={"failed_runs": 3},
            thresholds_serializer=SyncThresholds,
            triggers=frozenset({"cqc_sync"}),
        ),
    ]
}
