"""Use voids before buying spot: the people in spot beds bought while a block bed of their care type was free
nearby (contracts keeps the block rate passed over on such a placement), per district, with what they cost above
the block rate each week. The alert resolves as those stays end, or the people move into block beds."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from rest_framework import serializers

from accounts.roles import Role
from contracts.models import Placement, PlacementKind
from core import present
from tasks.models import Severity, SubjectKind
from tasks.rules.base import Risk, RuleDefinition, area_name, evaluated_on, fingerprint, plural, register, says


class AvoidableSpotThresholds(serializers.Serializer):
    people = serializers.IntegerField(
        min_value=0, help_text="More than this many people in avoidable spot beds in a district raises."
    )


def avoidable_spot_risks(*, rule, now) -> list[Risk]:
    """Each district with more than N people in avoidable spot beds on the day. One grouped query."""
    thresholds = RULES_BY_CODE["avoidable_spot"].thresholds_of(rule)
    today = evaluated_on(now)
    rows = (
        Placement.objects.filter(
            kind=PlacementKind.SPOT,
            block_rate_passed_over__isnull=False,
            start_date__lte=today,
            location__district__isnull=False,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by()
        .values("location__district_id", "location__district__code", "location__district__name")
        .annotate(people=Count("pk"), extra=Sum(F("weekly_cost") - F("block_rate_passed_over")))
        .order_by("location__district__code")
    )
    risks = []
    for row in rows:
        if row["people"] <= thresholds["people"]:
            continue
        district_id = row["location__district_id"]
        extra = Decimal(row["extra"] or 0).quantize(Decimal("0.01"))
        people = row["people"]
        risks.append(
            Risk(
                fingerprint=fingerprint("avoidable_spot", SubjectKind.LOCALITY, district_id),
                subject_kind=SubjectKind.LOCALITY,
                subject_id=district_id,
                locality_id=district_id,
                title=f"{row['location__district__name']}: {people} {'person' if people == 1 else 'people'} in spot "
                f"beds bought while block beds were free, £{extra:,} a week above the block rate",
                evidence={
                    "on": today.isoformat(),
                    "locality": row["location__district__code"],
                    "people": people,
                    "weekly_cost_above_block_rate": str(extra),
                    "threshold": thresholds["people"],
                },
            )
        )
    return risks


@says("avoidable_spot")
def avoidable_spot_words(evidence: dict, alert) -> str:
    return (
        f"In {area_name(alert, evidence.get('locality'))}, {plural(evidence.get('people', 0), 'person', 'people')} "
        f"{'is' if evidence.get('people') == 1 else 'are'} in spot beds bought while a block bed of their care type "
        f"was free nearby on {present.day(evidence.get('on'))}, costing "
        f"{present.money(evidence.get('weekly_cost_above_block_rate'))} a week more than the block rate."
    )


# Commissioners own it (owning_role): their default subscription hears every severity of it.
RULES_BY_CODE = {
    definition.code: register(definition)
    for definition in [
        RuleDefinition(
            code="avoidable_spot",
            name="Spot beds bought while block beds were free",
            owning_role=Role.COMMISSIONER,
            description="More than N people in a district are in spot beds bought while a block bed of their care "
            "type was free within AVOIDABLE_SPOT_RADIUS_KM (avoidable spot purchases); the cost above the block "
            "rate a week is in the evidence. Resolves as those stays end or the people move to block beds.",
            evaluate=avoidable_spot_risks,
            severity=Severity.WARNING,
            thresholds={"people": 0},
            thresholds_serializer=AvoidableSpotThresholds,
            triggers=frozenset({"placement"}),
        ),
    ]
}
