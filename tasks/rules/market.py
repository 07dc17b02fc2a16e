"""Rules over the market (part 1): mobilisation milestones, recruitment, readiness gateways, contingency."""

import re
from datetime import timedelta

from django.db.models import Exists, OuterRef
from rest_framework import serializers

from accounts.roles import Role
from core import present
from market.models import (
    ContingencyArrangement,
    GatewayDecision,
    GatewayOutcome,
    Lot,
    LotStatus,
    MobilisationPlan,
    Rag,
    ReadinessGateway,
)
from market.selectors.contingency import transfers_progress
from market.selectors.mobilisation import (
    MOBILISATION_OVER_AFTER,
    plan_progress,
    plans_mobilising,
    plans_with_progress,
)
from tasks.models import Severity, SubjectKind
from tasks.rules.base import Risk, RuleDefinition, evaluated_on, fingerprint, lot_name, plural, register, says


def _current_plans(today):
    """Plans still mobilising (market's plans_mobilising: mobilisation is over a month after go-live)."""
    return plans_with_progress(plans_mobilising(MobilisationPlan.objects.all(), on=today))


def _lot_risk(code: str, plan: MobilisationPlan, *distinct, title: str, evidence: dict, severity=None) -> Risk:
    lot = plan.award.lot
    return Risk(
        fingerprint=fingerprint(code, SubjectKind.LOT, lot.pk, *distinct),
        subject_kind=SubjectKind.LOT,
        subject_id=lot.pk,
        lot_id=lot.pk,
        provider_id=plan.award.bid.provider_id,
        contract_id=plan.award.contract_id,
        locality_id=lot.area_id,
        title=title,
        evidence=evidence,
        severity=severity,
    )


def milestones_red(*, rule, now) -> list[Risk]:
    """Each red milestone of a current mobilisation plan (RAG as market computes it). A fixed number of
    queries: the plans with their milestones, targets and reports prefetched."""
    today = evaluated_on(now)
    risks = []
    for plan in _current_plans(today):
        progress = plan_progress(plan, on=today)
        for milestone in plan.milestones.all():
            rag = progress.milestones[milestone.pk]
            if rag.rag != Rag.RED:
                continue
            risks.append(
                _lot_risk(
                    "milestone_red",
                    plan,
                    milestone.pk,
                    title=f"{plan.award.lot.code}: milestone “{milestone.title}” is red",
                    evidence={
                        "milestone_id": milestone.pk,
                        "milestone": milestone.title,
                        "due_on": milestone.due_on.isoformat(),
                        "go_live_on": plan.go_live_on.isoformat(),
                        "critical": milestone.critical,
                        "reasons": rag.reasons,
                    },
                    severity=Severity.HIGH if milestone.critical else None,
                )
            )
    return risks


def recruitment_behind(*, rule, now) -> list[Risk]:
    """Staff recruited behind the plan's trajectory by more than the tolerance."""
    today = evaluated_on(now)
    risks = []
    for plan in _current_plans(today):
        position = plan_progress(plan, on=today).recruitment
        if not position.behind:
            continue
        risks.append(
            _lot_risk(
                "recruitment_behind",
                plan,
                title=f"{plan.award.lot.code}: recruitment {position.behind_percent}% behind "
                f"({position.recruited} of {position.planned} staff)",
                evidence={
                    "planned": position.planned,
                    "recruited": position.recruited,
                    "behind_percent": position.behind_percent,
                    "go_live_on": plan.go_live_on.isoformat(),
                },
            )
        )
    return risks


class GatewayThresholds(serializers.Serializer):
    days_before_go_live = serializers.IntegerField(min_value=0, max_value=365)


def gateways_not_passed(*, rule, now) -> list[Risk]:
    """A readiness gateway with no go decision when go-live is N days away or past. Two queries."""
    days = RULES_BY_CODE["gateway_not_passed"].thresholds_of(rule)["days_before_go_live"]
    today = evaluated_on(now)
    passed = GatewayDecision.objects.filter(
        gateway=OuterRef("pk"), outcome__in=[GatewayOutcome.GO, GatewayOutcome.GO_WITH_CONDITIONS]
    )
    gateways = (
        ReadinessGateway.objects.filter(
            plan__award__ended_on__isnull=True,
            plan__go_live_on__lte=today + timedelta(days=days),
            plan__go_live_on__gte=today - MOBILISATION_OVER_AFTER,
        )
        .exclude(Exists(passed))
        .select_related("plan__award__lot", "plan__award__bid")
    )
    return [
        _lot_risk(
            "gateway_not_passed",
            gateway.plan,
            gateway.pk,
            title=f"{gateway.plan.award.lot.code}: gateway “{gateway.name}” not passed, go-live "
            f"{gateway.plan.go_live_on:%-d %B %Y}",
            evidence={
                "gateway_id": gateway.pk,
                "gateway": gateway.name,
                "due_on": gateway.due_on.isoformat() if gateway.due_on else None,
                "go_live_on": gateway.plan.go_live_on.isoformat(),
                "days_to_go_live": (gateway.plan.go_live_on - today).days,
            },
            severity=Severity.HIGH if gateway.plan.go_live_on <= today else None,
        )
        for gateway in gateways
    ]


class LotThresholds(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=3650)


def lots_vacant_or_in_contingency(*, rule, now) -> list[Risk]:
    """A lot vacant or in contingency for longer than N days. One query."""
    days = RULES_BY_CODE["lot_unserved"].thresholds_of(rule)["days"]
    lots = Lot.objects.filter(
        status__in=[LotStatus.VACANT, LotStatus.IN_CONTINGENCY],
        status_changed_at__lte=now - timedelta(days=days),
    ).values("id", "code", "name", "status", "status_changed_at", "area_id")
    return [
        Risk(
            fingerprint=fingerprint("lot_unserved", SubjectKind.LOT, lot["id"], lot["status"]),
            subject_kind=SubjectKind.LOT,
            subject_id=lot["id"],
            lot_id=lot["id"],
            locality_id=lot["area_id"],
            title=f"{lot['code']} {lot['name']}: {LotStatus(lot['status']).label.lower()} for "
            f"{(now - lot['status_changed_at']).days} days",
            evidence={
                "status": lot["status"],
                "since": lot["status_changed_at"].isoformat(),
                "days": (now - lot["status_changed_at"]).days,
                "threshold_days": days,
            },
        )
        for lot in lots
    ]


def transfers_behind(*, rule, now) -> list[Risk]:
    """Open contingency arrangements whose transfers are behind their plan: market's transfers_progress for all
    of them at once (a fixed number of queries whatever the number of arrangements)."""
    today = evaluated_on(now)
    risks = []
    arrangements = list(
        ContingencyArrangement.objects.filter(end_date__isnull=True, start_date__lte=today).select_related("lot")
    )
    progresses = transfers_progress(arrangements=arrangements, on=today)
    for arrangement in arrangements:
        progress = progresses[arrangement.pk]
        if progress.status != "behind":
            continue
        lot = arrangement.lot
        risks.append(
            Risk(
                fingerprint=fingerprint("transfers_behind", SubjectKind.LOT, lot.pk, arrangement.pk),
                subject_kind=SubjectKind.LOT,
                subject_id=lot.pk,
                lot_id=lot.pk,
                locality_id=lot.area_id,
                title=f"{lot.code}: contingency transfers behind plan ({progress.moved} moved, "
                f"{progress.planned} planned)",
                evidence={
                    "arrangement_id": arrangement.pk,
                    "planned": progress.planned,
                    "moved": progress.moved,
                    "difference": progress.difference,
                    "still_in_contingency": progress.still_in_contingency,
                    "to_move": progress.to_move,
                },
            )
        )
    return risks


# --- the evidence in words ---------------------------------------------------------------------------------------

_ISO_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def _days_in_text(text: str) -> str:
    """A reason market wrote with ISO dates ("overdue since 2026-03-01"), with the dates as people read them."""
    return _ISO_DAY.sub(lambda match: present.day(match.group(1)), str(text))


def _go_live(evidence: dict) -> str:
    return present.day(evidence.get("go_live_on"))


@says("milestone_red")
def milestone_red_words(evidence: dict, alert) -> str:
    critical = "critical milestone" if evidence.get("critical") else "milestone"
    reasons = present.listed(_days_in_text(reason) for reason in evidence.get("reasons") or [])
    return (
        f"{lot_name(alert)}'s {critical} “{evidence.get('milestone')}”, due {present.day(evidence.get('due_on'))}, "
        f"is red: {reasons}. Go-live is {_go_live(evidence)}."
    )


@says("recruitment_behind")
def recruitment_behind_words(evidence: dict, alert) -> str:
    return (
        f"{lot_name(alert)}'s provider has recruited {present.number(evidence.get('recruited'))} of the "
        f"{plural(evidence.get('planned', 0), 'staff', 'staff')} planned by now, "
        f"{present.percent(evidence.get('behind_percent'), places=0)} behind the trajectory, with go-live on "
        f"{_go_live(evidence)}."
    )


@says("gateway_not_passed")
def gateway_not_passed_words(evidence: dict, alert) -> str:
    days = evidence.get("days_to_go_live", 0)
    if days > 0:
        when = f"go-live is in {plural(days, 'day')} ({_go_live(evidence)})"
    elif days == 0:
        when = f"go-live is today ({_go_live(evidence)})"
    else:
        when = f"go-live was {plural(-days, 'day')} ago ({_go_live(evidence)})"
    return f"{lot_name(alert)}'s readiness gateway “{evidence.get('gateway')}” has no go decision and {when}."


@says("lot_unserved")
def lot_unserved_words(evidence: dict, alert) -> str:
    lot = getattr(alert, "lot", None)
    name = f"Lot {lot.code} {lot.name}" if lot is not None else "The lot"
    status = present.label(evidence.get("status"), LotStatus).lower()
    return (
        f"{name} has been {status} since {present.day(evidence.get('since'))}, "
        f"{plural(evidence.get('days', 0), 'day')} (the limit is {plural(evidence.get('threshold_days', 0), 'day')})."
    )


@says("transfers_behind")
def transfers_behind_words(evidence: dict, alert) -> str:
    still = evidence.get("still_in_contingency", 0)
    return (
        f"{lot_name(alert)}'s contingency transfers are behind plan: {present.number(evidence.get('moved'))} of the "
        f"{plural(evidence.get('planned', 0), 'person', 'people')} planned by now have moved, and "
        f"{plural(still, 'person', 'people')} {'is' if still == 1 else 'are'} still with contingency providers."
    )


RULES_BY_CODE = {
    definition.code: register(definition)
    for definition in [
        RuleDefinition(
            code="milestone_red",
            name="Mobilisation milestone red",
            owning_role=Role.CONTRACT_OFFICER,
            description="A milestone of a current mobilisation plan is red (overdue, or critical and at risk).",
            evaluate=milestones_red,
            severity=Severity.WARNING,
            triggers=frozenset({"mobilisation"}),
        ),
        RuleDefinition(
            code="recruitment_behind",
            name="Recruitment behind trajectory",
            owning_role=Role.CONTRACT_OFFICER,
            description="Staff recruited is behind the plan's trajectory by more than the tolerance.",
            evaluate=recruitment_behind,
            severity=Severity.WARNING,
            triggers=frozenset({"mobilisation"}),
        ),
        RuleDefinition(
            code="gateway_not_passed",
            name="Readiness gateway not passed near go-live",
            owning_role=Role.CONTRACT_OFFICER,
            description="A readiness gateway has no go decision N days before go-live (high once go-live is due).",
            evaluate=gateways_not_passed,
            severity=Severity.WARNING,
            thresholds={"days_before_go_live": 14},
            thresholds_serializer=GatewayThresholds,
            triggers=frozenset({"mobilisation", "gateway_decision"}),
        ),
        RuleDefinition(
            code="lot_unserved",
            name="Lot vacant or in contingency too long",
            owning_role=Role.CONTRACT_OFFICER,
            description="A lot has been vacant or in contingency for longer than N days.",
            evaluate=lots_vacant_or_in_contingency,
            severity=Severity.HIGH,
            thresholds={"days": 28},
            thresholds_serializer=LotThresholds,
            triggers=frozenset({"lot"}),
        ),
        RuleDefinition(
            code="transfers_behind",
            name="Contingency transfers behind plan",
            owning_role=Role.CONTRACT_OFFICER,
            description="People are moving from contingency providers to the lead provider or a direct payment "
            "more slowly than the arrangement's plan.",
            evaluate=transfers_behind,
            severity=Severity.WARNING,
            triggers=frozenset({"placement", "lot"}),
        ),
    ]
}
