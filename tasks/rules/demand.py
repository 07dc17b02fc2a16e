"""Rules over demand (market part 2): a district short of capacity in a care type, and people waiting too long.

Both read market's own figures for the whole estate (market.selectors.gaps: demand, people waiting and supply in
a fixed number of queries whatever the number of districts); nothing here works a figure out again."""

from datetime import timedelta

from django.conf import settings
from rest_framework import serializers

from accounts.roles import Role
from core import present
from geo.models import Locality, LocalityKind
from market.models import DemandCareType
from market.models.demand import HOMECARE_HOURS
from market.selectors.gaps import capacity_gaps, waiting_on
from market.selectors.supply import SUPPLY_COMPONENTS
from tasks.models import Severity, SubjectKind
from tasks.rules.base import Risk, RuleDefinition, area_name, evaluated_on, fingerprint, plural, register, says

# The writes that move demand, people waiting or supply (block beds, voids, spot vacancies, lots, micro-enterprises).
GAP_TRIGGERS = frozenset({"demand", "placement", "closure", "contract", "vacancy_report", "lot", "micro_enterprise"})


class GapThresholds(serializers.Serializer):
    beds = serializers.FloatField(min_value=0, help_text="A gap of more than this many beds raises (care homes).")
    homecare_hours = serializers.FloatField(
        min_value=0, help_text="A gap of more than this many hours a week raises (homecare)."
    )
    high_beds = serializers.FloatField(min_value=0, help_text="A gap of this many beds or more: severity high.")
    high_homecare_hours = serializers.FloatField(
        min_value=0, help_text="A gap of this many hours a week or more: severity high."
    )


def capacity_gap_risks(*, rule, now) -> list[Risk]:
    """Each district and care type whose gap (demand + people waiting − supply) is over the threshold of its unit,
    with every figure of the gap as evidence. market's capacity_gaps over every district: a fixed number of
    queries."""
    thresholds = RULES_BY_CODE["capacity_gap"].thresholds_of(rule)
    today = evaluated_on(now)
    risks = []
    for gap in capacity_gaps(on=today):
        homecare = gap.care_type == HOMECARE_HOURS
        limit = thresholds["homecare_hours"] if homecare else thresholds["beds"]
        high = thresholds["high_homecare_hours"] if homecare else thresholds["high_beds"]
        if float(gap.gap) <= limit:
            continue
        unit = "hours a week" if homecare else "beds"
        risks.append(
            Risk(
                fingerprint=fingerprint("capacity_gap", SubjectKind.LOCALITY, gap.locality_id, gap.care_type),
                subject_kind=SubjectKind.LOCALITY,
                subject_id=gap.locality_id,
                locality_id=gap.locality_id,
                title=f"{gap.locality_name}: {gap.care_type_label.lower()} short by {gap.gap} {unit}",
                evidence={
                    "on": today.isoformat(),
                    "locality": gap.locality_code,
                    "care_type": gap.care_type,
                    "unit": gap.unit,
                    "demand": float(gap.demand),
                    "waiting": gap.waiting,
                    "waiting_long": gap.waiting_long,
                    "waiting_need": float(gap.waiting_need),
                    **{name: float(getattr(gap, name)) for name in SUPPLY_COMPONENTS},
                    "supply": float(gap.supply),
                    "gap": float(gap.gap),
                    "threshold": limit,
                },
                severity=Severity.HIGH if float(gap.gap) >= high else None,
            )
        )
    return risks


class WaitThresholds(serializers.Serializer):
    people = serializers.IntegerField(
        min_value=0, help_text="More than this many people waiting longer than `days` in a district raises."
    )
    days = serializers.IntegerField(min_value=1, max_value=3650, help_text="A long wait: longer than this many days.")


def long_wait_risks(*, rule, now) -> list[Risk]:
    """Each district where more than N people have waited longer than PENDING_WAIT_LONG_DAYS (the rule's `days`)
    for care, counted over its care types, with the count per care type. market's waiting_on (one query) and one
    query naming the districts."""
    thresholds = RULES_BY_CODE["long_waits"].thresholds_of(rule)
    today = evaluated_on(now)
    tally = waiting_on(on=today, long_days=thresholds["days"])
    by_locality: dict[int, dict[str, int]] = {}
    for (locality_id, care_type), figures in tally.figures.items():
        long = int(figures.get("waiting_long", 0))
        if long:
            by_locality.setdefault(locality_id, {})[care_type] = long
    if not by_locality:
        return []
    districts = Locality.objects.filter(pk__in=list(by_locality), kind=LocalityKind.DISTRICT).values_list(
        "pk", "code", "name"
    )
    order = {value: position for position, value in enumerate(DemandCareType.values)}
    risks = []
    for pk, code, name in districts:
        care_types = dict(sorted(by_locality[pk].items(), key=lambda item: order.get(item[0], len(order))))
        total = sum(care_types.values())
        if total <= thresholds["people"]:
            continue
        risks.append(
            Risk(
                fingerprint=fingerprint("long_waits", SubjectKind.LOCALITY, pk),
                subject_kind=SubjectKind.LOCALITY,
                subject_id=pk,
                locality_id=pk,
                title=f"{name}: {total} people waiting longer than {thresholds['days']} days for care",
                evidence={
                    "on": today.isoformat(),
                    "locality": code,
                    "waiting_long": total,
                    "by_care_type": care_types,
                    "days": thresholds["days"],
                    "threshold": thresholds["people"],
                },
            )
        )
    return risks


# --- the evidence in words ---------------------------------------------------------------------------------------


def _figure(value) -> str:
    return present.number(value, places=-1)


@says("capacity_gap")
def capacity_gap_words(evidence: dict, alert) -> str:
    place = area_name(alert, evidence.get("locality"))
    homecare = evidence.get("care_type") == HOMECARE_HOURS
    if homecare:
        short, unit = f"{_figure(evidence.get('gap'))} hours a week of homecare", "hours a week"
    else:
        care_type = present.label(evidence.get("care_type"), DemandCareType).lower()
        short, unit = f"{_figure(evidence.get('gap'))} {care_type} beds", "beds"
    waiting = plural(evidence.get("waiting", 0), "person", "people")
    return (
        f"{place} is short of {short} on {present.day(evidence.get('on'))}: need of {_figure(evidence.get('demand'))} "
        f"{unit} and {waiting} waiting (needing {_figure(evidence.get('waiting_need'))} more) against supply of "
        f"{_figure(evidence.get('supply'))} (the limit is a gap of {_figure(evidence.get('threshold'))})."
    )


@says("long_waits")
def long_waits_words(evidence: dict, alert) -> str:
    place = area_name(alert, evidence.get("locality"))
    by_type = [
        f"{present.number(count)} for {present.label(care_type, DemandCareType).lower()}"
        for care_type, count in (evidence.get("by_care_type") or {}).items()
    ]
    return (
        f"{plural(evidence.get('waiting_long', 0), 'person', 'people')} in {place} had waited longer than "
        f"{plural(evidence.get('days', 0), 'day')} for care on {present.day(evidence.get('on'))}: "
        f"{present.listed(by_type)} (more than {present.number(evidence.get('threshold'))} raises an alert)."
    )


RULES_BY_CODE = {
    definition.code: register(definition)
    for definition in [
        RuleDefinition(
            code="capacity_gap",
            name="Capacity gap in a district",
            owning_role=Role.COMMISSIONER,
            description="Demand plus people waiting is more than supply in a district and care type by more than "
            "the threshold (beds for care homes, hours a week for homecare); high at the high threshold. Clear for "
            "a week before it resolves, so a spot vacancy reported for a day does not close it.",
            evaluate=capacity_gap_risks,
            severity=Severity.WARNING,
            resolve_after=timedelta(days=7),
            thresholds={"beds": 5, "homecare_hours": 100, "high_beds": 15, "high_homecare_hours": 400},
            thresholds_serializer=GapThresholds,
            triggers=GAP_TRIGGERS,
        ),
        RuleDefinition(
            code="long_waits",
            name="People waiting too long in a district",
            owning_role=Role.COMMISSIONER,
            description="More than N people in a district have waited longer than PENDING_WAIT_LONG_DAYS for care.",
            evaluate=long_wait_risks,
            severity=Severity.WARNING,
            thresholds={"people": 2, "days": settings.PENDING_WAIT_LONG_DAYS},
            thresholds_serializer=WaitThresholds,
            triggers=frozenset({"demand"}),
        ),
    ]
}
