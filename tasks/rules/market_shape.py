"""Rules over the shape of the block market (market part 2): block beds in one setting or with one provider over
the council's limits, and a district's care type concentrated in few providers' hands.

Both read market's market_shape for the whole estate (three statements whatever the number of districts); the
limits are the council's own (market's MarketLimits, in the admin), not copied into the rule."""

from rest_framework import serializers

from accounts.roles import Role
from core import present
from geo.models import Locality, LocalityKind
from market.models import DemandCareType
from market.selectors.market_shape import market_shape
from providers.models import Location
from tasks.models import Severity, SubjectKind
from tasks.rules.base import (
    Risk,
    RuleDefinition,
    area_name,
    count_opening,
    evaluated_on,
    fingerprint,
    location_risk,
    plural,
    register,
    says,
)

SHAPE_TRIGGERS = frozenset({"contract", "cqc_sync"})
BREACH_KINDS = ("setting", "provider")


class LimitThresholds(serializers.Serializer):
    per = serializers.ListField(
        child=serializers.ChoiceField(choices=list(BREACH_KINDS)),
        allow_empty=False,
        help_text="Which of the council's limits raise: block beds per setting, per provider, or both.",
    )


def block_bed_limit_risks(*, rule, now) -> list[Risk]:
    """Each care home and each provider with more block beds contracted today than the council's limit. market's
    market_shape (three statements) and one naming the homes' providers and districts."""
    per = RULES_BY_CODE["block_beds_over_limit"].thresholds_of(rule)["per"]
    today = evaluated_on(now)
    breaches = [breach for breach in market_shape(on=today).breaches if breach.kind in per]
    setting_ids = [breach.subject_id for breach in breaches if breach.kind == "setting"]
    homes = {
        row["id"]: row for row in Location.objects.filter(pk__in=setting_ids).values("id", "provider_id", "district_id")
    }
    risks = []
    for breach in breaches:
        evidence = {
            "on": today.isoformat(),
            "kind": breach.kind,
            "name": breach.name,
            "block_beds": breach.block_beds,
            "limit": breach.limit,
            "over_by": breach.block_beds - breach.limit,
        }
        if breach.kind == "setting":
            evidence["district"] = breach.district_code
            risks.append(
                location_risk(
                    "block_beds_over_limit",
                    homes[breach.subject_id],
                    title=f"{breach.name}: {breach.block_beds} block beds, over the limit of {breach.limit} a home",
                    evidence=evidence,
                )
            )
        else:
            risks.append(
                Risk(
                    fingerprint=fingerprint("block_beds_over_limit", SubjectKind.PROVIDER, breach.subject_id),
                    subject_kind=SubjectKind.PROVIDER,
                    subject_id=breach.subject_id,
                    provider_id=breach.subject_id,
                    title=f"{breach.name}: {breach.block_beds} block beds, over the limit of {breach.limit} a provider",
                    evidence=evidence,
                )
            )
    return risks


class ConcentrationThresholds(serializers.Serializer):
    hhi = serializers.FloatField(
        min_value=0, max_value=10000, help_text="An HHI over this raises (2,500: highly concentrated)."
    )
    high_hhi = serializers.FloatField(min_value=0, max_value=10000, help_text="At or above: severity high.")
    min_beds = serializers.IntegerField(
        min_value=0, help_text="Markets with fewer block beds than this are left out (one home is not a market)."
    )


def concentration_risks(*, rule, now) -> list[Risk]:
    """Each district and care type whose block beds' concentration index (HHI, market's) is over the threshold,
    with the providers' shares. market's market_shape (three statements) and one naming the districts."""
    thresholds = RULES_BY_CODE["market_concentration"].thresholds_of(rule)
    today = evaluated_on(now)
    rows = [
        row
        for row in market_shape(on=today).rows
        if row.district_code and row.beds >= thresholds["min_beds"] and row.hhi is not None
        if row.hhi > thresholds["hhi"]
    ]
    if not rows:
        return []
    districts = dict(
        Locality.objects.filter(kind=LocalityKind.DISTRICT, code__in={row.district_code for row in rows}).values_list(
            "code", "pk"
        )
    )
    risks = []
    for row in rows:
        district_id = districts.get(row.district_code)
        if district_id is None:
            continue
        largest = row.providers[0]
        care_type = DemandCareType(row.care_type).label.lower()
        risks.append(
            Risk(
                fingerprint=fingerprint("market_concentration", SubjectKind.LOCALITY, district_id, row.care_type),
                subject_kind=SubjectKind.LOCALITY,
                subject_id=district_id,
                locality_id=district_id,
                title=f"{row.district_name}: {care_type} block beds concentrated (HHI "
                f"{row.hhi:,.0f}; {largest.provider_name} {largest.share_percent:g}%)",
                evidence={
                    "on": today.isoformat(),
                    "district": row.district_code,
                    "care_type": row.care_type,
                    "hhi": row.hhi,
                    "threshold": thresholds["hhi"],
                    "beds": row.beds,
                    "providers": [
                        {
                            "provider_id": share.provider_id,
                            "name": share.provider_name,
                            "beds": share.beds,
                            "share_percent": share.share_percent,
                            "small": share.small,
                        }
                        for share in row.providers
                    ],
                    "small_provider_share": row.small_provider_share,
                    "poor_rating_share": row.poor_rating_share,
                },
                severity=Severity.HIGH if row.hhi >= thresholds["high_hhi"] else None,
            )
        )
    return risks


# --- the evidence in words ---------------------------------------------------------------------------------------

# A concentrated market's sentence names this many providers and counts the rest.
PROVIDERS_NAMED = 5


@says("block_beds_over_limit")
def block_beds_over_limit_words(evidence: dict, alert) -> str:
    per = "a home" if evidence.get("kind") == "setting" else "a provider"
    return (
        f"{evidence.get('name')} has {plural(evidence.get('block_beds', 0), 'block bed')} contracted on "
        f"{present.day(evidence.get('on'))}, {present.number(evidence.get('over_by', 0))} over the council's limit "
        f"of {present.number(evidence.get('limit'))} {per}."
    )


@says("market_concentration")
def market_concentration_words(evidence: dict, alert) -> str:
    providers = evidence.get("providers") or []
    care_type = present.label(evidence.get("care_type"), DemandCareType).lower()
    beds = present.number(evidence.get("beds", 0))
    shares = [f"{share['name']} {present.percent(share['share_percent'], places=0)}" for share in providers]
    if len(shares) > PROVIDERS_NAMED:
        shares = [*shares[:PROVIDERS_NAMED], plural(len(shares) - PROVIDERS_NAMED, "other")]
    place = area_name(alert, evidence.get("district"))
    who = f"{providers[0]['name']} holds" if len(providers) == 1 else f"{count_opening(len(providers))} providers hold"
    detail = "" if len(providers) == 1 else f": {present.listed(shares)}"
    return (
        f"{who} all {beds} {care_type} block beds in {place}{detail} (concentration index "
        f"{present.number(evidence.get('hhi'))}; the limit is {present.number(evidence.get('threshold'))})."
    )


RULES_BY_CODE = {
    definition.code: register(definition)
    for definition in [
        RuleDefinition(
            code="block_beds_over_limit",
            name="Block beds over the council's limit",
            owning_role=Role.COMMISSIONER,
            description="A care home or a provider has more block beds contracted than the market limits allow "
            "(the limits are the council's market limits, set in the market admin).",
            evaluate=block_bed_limit_risks,
            severity=Severity.WARNING,
            thresholds={"per": list(BREACH_KINDS)},
            thresholds_serializer=LimitThresholds,
            triggers=SHAPE_TRIGGERS,
        ),
        RuleDefinition(
            code="market_concentration",
            name="Block market concentrated in a district",
            owning_role=Role.COMMISSIONER,
            description="The concentration index (HHI) of a district's block beds of a care type is over the "
            "threshold: too few providers hold them, so one failure or exit leaves the council short.",
            evaluate=concentration_risks,
            severity=Severity.WARNING,
            thresholds={"hhi": 2500, "high_hhi": 5000, "min_beds": 20},
            thresholds_serializer=ConcentrationThresholds,
            triggers=SHAPE_TRIGGERS,
        ),
    ]
}
