"""Rules of failure planning: providers high in CQC's Market Oversight scheme, failure responses falling behind,
and, every night, providers whose failure would leave more people without a bed nearby than the council accepts."""

from django.conf import settings
from rest_framework import serializers

from accounts.roles import Role
from contracts.models import CareType
from core import present
from market.models import FailureResponse, OversightStage
from market.selectors.failure import FreeBedRows, failure_what_if, oversight_register, responses_progress
from providers.models import Provider
from tasks.models import Severity, SubjectKind
from tasks.rules.base import Risk, RuleDefinition, evaluated_on, fingerprint, plural, provider_name, register, says

HIGH_STAGES = {OversightStage.SIGNIFICANT_RISK: Severity.HIGH, OversightStage.LIKELY_FAILURE: Severity.CRITICAL}


def _provider_risk(code: str, provider_id: int, *distinct, title: str, evidence: dict, severity=None) -> Risk:
    return Risk(
        fingerprint=fingerprint(code, SubjectKind.PROVIDER, provider_id, *distinct),
        subject_kind=SubjectKind.PROVIDER,
        subject_id=provider_id,
        provider_id=provider_id,
        title=title,
        evidence=evidence,
        severity=severity,
    )


def _what_if_evidence(answer) -> dict:
    worst = answer.shortfall[0] if answer.shortfall else None
    return {
        "headline": answer.headline,
        "people": answer.people,
        "homes": len(answer.homes),
        "short": len(answer.short),
        "radius_km": answer.radius_km,
        "worst_care_type": worst["care_type"] if worst else None,
        "worst_district": worst["district"] if worst else None,
        "worst_short": worst["people"] if worst else 0,
    }


def oversight_stages_high(*, rule, now) -> list[Risk]:
    """Each provider in the scheme at stage 5 (high) or 6 (critical), with the what-if of its failure today. The
    stage is in the fingerprint: a move from 5 to 6 resolves one alert and raises a critical one."""
    today = evaluated_on(now)
    risks = []
    for entry in oversight_register().filter(stage__in=list(HIGH_STAGES)):
        answer = failure_what_if(provider=entry.provider, on=today, market_after=False)
        risks.append(
            _provider_risk(
                "market_oversight_stage",
                entry.provider_id,
                entry.stage,
                title=f"{entry.provider.name}: Market Oversight {_stage_words(entry.stage)}",
                evidence={"stage": entry.stage, "since": entry.stage_since.isoformat(), **_what_if_evidence(answer)},
                severity=HIGH_STAGES[entry.stage],
            )
        )
    return risks


def _stage_words(stage) -> str:
    """ "stage 6 (formal notification of likely business failure)": the stage in CQC's words."""
    number, _, words = present.label(stage, OversightStage).partition(": ")
    return f"{number[:1].lower()}{number[1:]} ({words})" if words else number


@says("market_oversight_stage")
def market_oversight_stage_words(evidence: dict, alert) -> str:
    return (
        f"{provider_name(alert)} has been at Market Oversight {_stage_words(evidence.get('stage'))} since "
        f"{present.day(evidence.get('since'))}. If it failed today: {evidence.get('headline')}."
    )


def responses_behind(*, rule, now) -> list[Risk]:
    """Each open failure response whose people settled (moved or stayed) are fewer than the straight line to its
    target date has settled by today (two queries)."""
    today = evaluated_on(now)
    responses = list(FailureResponse.objects.filter(closed_on__isnull=True).select_related("provider"))
    progress = responses_progress(responses=responses, on=today)
    risks = []
    for response in responses:
        figures = progress[response.pk]
        if figures.status != "behind":
            continue
        risks.append(
            _provider_risk(
                "failure_response_behind",
                response.provider_id,
                response.pk,
                title=f"{response.provider.name}: failure response behind ({figures.settled} of {figures.planned})",
                evidence={
                    "response_id": response.pk,
                    "settled": figures.settled,
                    "planned": figures.planned,
                    "people": figures.people,
                    "to_move": figures.to_move,
                    "target_date": response.target_date.isoformat(),
                },
                severity=Severity.CRITICAL if today >= response.target_date else None,
            )
        )
    return risks


@says("failure_response_behind")
def failure_response_behind_words(evidence: dict, alert) -> str:
    return (
        f"The failure response for {provider_name(alert)} is behind: {present.number(evidence.get('settled'))} of "
        f"the {plural(evidence.get('planned', 0), 'person', 'people')} planned by now are settled, and "
        f"{present.number(evidence.get('to_move'))} of {present.number(evidence.get('people'))} still to move by "
        f"{present.day(evidence.get('target_date'))}."
    )


def failure_impacts(*, rule, now) -> list[Risk]:
    """Every provider with people in its beds: the what-if of its failure today (without the market after), and
    a risk where more people than the threshold would have no bed within the radius. One what-if per provider
    (a few queries each): the assignment is per provider by nature; bench/ measures the whole national estate."""
    today = evaluated_on(now)
    threshold = _threshold(rule)
    risks = []
    providers = Provider.objects.filter(
        placements__service="care_home", placements__end_date__isnull=True, placements__start_date__lte=today
    ).distinct()
    # Every provider's free beds are read once; each what-if takes those near its own homes.
    candidates = FreeBedRows(care_types=set(CareType.values), on=today)
    for provider in providers.order_by("name", "id"):
        answer = failure_what_if(provider=provider, on=today, market_after=False, candidates=candidates)
        short = len(answer.short)
        if short <= threshold:
            continue
        risks.append(
            _provider_risk(
                "failure_impact",
                provider.pk,
                title=f"{provider.name}: {short} people would have no bed within {answer.radius_km:g} km",
                evidence={**_what_if_evidence(answer), "threshold": threshold},
            )
        )
    return risks


def _threshold(rule) -> int:
    return int(RULES_BY_CODE["failure_impact"].thresholds_of(rule)["people_short"])


@says("failure_impact")
def failure_impact_words(evidence: dict, alert) -> str:
    return (
        f"If {provider_name(alert)} failed today, {plural(evidence.get('short', 0), 'person', 'people')} of "
        f"{present.number(evidence.get('people'))} in its beds would have no bed within "
        f"{present.number(evidence.get('radius_km'))} km (the threshold is "
        f"{present.number(evidence.get('threshold'))}): "
        f"{evidence.get('headline')}."
    )


class ImpactThresholds(serializers.Serializer):
    people_short = serializers.IntegerField(
        min_value=0, help_text="More people than this without a bed within the radius raises."
    )


RULES_BY_CODE = {
    definition.code: register(definition)
    for definition in [
        RuleDefinition(
            code="market_oversight_stage",
            name="Provider high in Market Oversight",
            owning_role=Role.COMMISSIONER,
            description=(
                "A provider in CQC's Market Oversight scheme is at stage 5, significant risk to financial "
                "sustainability (high), or stage 6, formal notification of likely business failure (critical)."
            ),
            evaluate=oversight_stages_high,
            severity=Severity.HIGH,
            triggers=frozenset({"oversight"}),
        ),
        RuleDefinition(
            code="failure_response_behind",
            name="Failure response behind",
            owning_role=Role.COMMISSIONER,  # who opens the response and answers for its target date
            description="An open failure response has settled fewer people than its straight line to the target.",
            evaluate=responses_behind,
            severity=Severity.HIGH,
            triggers=frozenset({"failure_response", "placement"}),
        ),
        RuleDefinition(
            code="failure_impact",
            name="Provider failure would leave people without a bed",
            owning_role=Role.COMMISSIONER,
            description=(
                "Nightly: a provider whose failure would leave more than N people without a bed of their care type "
                "within the failure radius."
            ),
            evaluate=failure_impacts,
            severity=Severity.WARNING,
            thresholds={"people_short": settings.FAILURE_IMPACT_THRESHOLD},
            thresholds_serializer=ImpactThresholds,
            nightly=True,
        ),
    ]
}
