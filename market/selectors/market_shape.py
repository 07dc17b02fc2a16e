"""The shape of the block market: the limits the council sets (block beds per setting and per provider, what a
small provider is), the settings and providers beyond them, and per district and care type each provider's
share of the block beds contracted on a day, the concentration index (HHI), the small providers' share and the
share of beds in homes whose latest CQC rating is Requires improvement or Inadequate.

Three statements answer it whatever the number of districts: the limits, the beds contracted on the day by
district, care type, provider, home and rating, and each provider's registered beds and care homes. The breaches
are counted within the districts and care types asked for (a provider's beds elsewhere are not in them)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum

from contracts.models import BedLine, live_contract
from contracts.selectors import active_on
from core.replica import replica_reads
from geo.models import Locality
from market.models import MarketLimits
from providers.models import Location, Provider, RatingValue

# Until the council enters its own, the limits Cambridgeshire's block tender worked with are assumed:
# spread over several homes (no more than 40 block beds in one), no provider with more than 120 (a failure or
# exit the council can absorb), and a small provider one with at most 60 registered beds in at most 2 homes.
DEFAULT_LIMITS = {
    "max_block_beds_per_setting": 40,
    "max_block_beds_per_provider": 120,
    "small_provider_max_beds": 60,
    "small_provider_max_locations": 2,
}
POOR_RATINGS = (RatingValue.REQUIRES_IMPROVEMENT, RatingValue.INADEQUATE)


def market_limits() -> MarketLimits:
    """The council's limits: its row, or the defaults (unsaved) until it enters one."""
    return MarketLimits.objects.order_by("pk").first() or MarketLimits(**DEFAULT_LIMITS)


@dataclass
class ProviderShare:
    provider_id: int
    provider_name: str
    beds: int
    share_percent: float
    small: bool


@dataclass
class ShapeRow:
    district_code: str | None
    district_name: str
    care_type: str
    beds: int = 0
    poor_rating_beds: int = 0
    providers: list[ProviderShare] = field(default_factory=list)

    @property
    def hhi(self) -> float | None:
        """Sum of the squared percentage shares: 10,000 is one provider, under 1,500 unconcentrated."""
        return round(sum(p.share_percent**2 for p in self.providers), 1) if self.beds else None

    @property
    def small_provider_share(self) -> float | None:
        return round(sum(p.beds for p in self.providers if p.small) / self.beds, 4) if self.beds else None

    @property
    def poor_rating_share(self) -> float | None:
        return round(self.poor_rating_beds / self.beds, 4) if self.beds else None


@dataclass
class Breach:
    kind: str  # "setting" or "provider"
    subject_id: int
    name: str
    district_code: str | None
    block_beds: int
    limit: int


@dataclass
class MarketShape:
    on: date
    limits: MarketLimits
    rows: list[ShapeRow]
    breaches: list[Breach]


@replica_reads
def market_shape(
    *,
    on: date,
    districts: list[Locality] | None = None,
    care_types: list[str] | None = None,
    leave_out: Provider | None = None,
) -> MarketShape:
    """The block market's shape on `on` for the districts and care types asked for (all when not given); with
    `leave_out`, as it would be without that provider's block beds."""
    limits = market_limits()
    lines = BedLine.objects.filter(active_on(on, start="activation_date"), live_contract("contract__"))
    if leave_out is not None:
        lines = lines.exclude(location__provider=leave_out)
    if districts is not None:
        lines = lines.filter(location__district__in=districts)
    if care_types:
        lines = lines.filter(care_type__in=care_types)
    poor = Q(location__current_rating__overall__in=POOR_RATINGS)
    rows = (
        lines.order_by()
        .values(
            "location__district__code",
            "location__district__name",
            "care_type",
            "location__provider_id",
            "location__provider__name",
            "location_id",
            "location__name",
        )
        .annotate(beds_sum=Sum("beds"), poor_beds=Sum("beds", filter=poor))
    )
    rows = list(rows)
    provider_ids = {row["location__provider_id"] for row in rows}
    # A provider's size is its whole care home estate (every registered home, not only the council's blocks).
    sizes = {
        pk: (beds or 0, homes)
        for pk, beds, homes in Location.objects.filter(provider_id__in=provider_ids, care_home=True)
        .order_by()
        .values("provider_id")
        .annotate(beds=Sum("registered_beds"), homes=Count("*"))
        .values_list("provider_id", "beds", "homes")
    }

    def small(provider_id: int) -> bool:
        beds, homes = sizes.get(provider_id, (0, 0))
        return beds <= limits.small_provider_max_beds and homes <= limits.small_provider_max_locations

    groups: dict[tuple, ShapeRow] = {}
    provider_beds: dict[tuple, dict[int, list]] = defaultdict(dict)
    by_setting: dict[int, list] = {}
    by_provider: dict[int, list] = {}
    for row in rows:
        code, care_type, beds = row["location__district__code"], row["care_type"], row["beds_sum"]
        key = (code, care_type)
        group = groups.setdefault(
            key,
            ShapeRow(
                district_code=code, district_name=row["location__district__name"] or "(none)", care_type=care_type
            ),
        )
        group.beds += beds
        group.poor_rating_beds += row["poor_beds"] or 0
        entry = provider_beds[key].setdefault(row["location__provider_id"], [row["location__provider__name"], 0])
        entry[1] += beds
        setting = by_setting.setdefault(row["location_id"], [row["location__name"], code, 0])
        setting[2] += beds
        provider = by_provider.setdefault(row["location__provider_id"], [row["location__provider__name"], None, 0])
        provider[2] += beds
    for key, group in groups.items():
        shares = [
            ProviderShare(
                provider_id=pk,
                provider_name=name,
                beds=beds,
                share_percent=round(100 * beds / group.beds, 2),
                small=small(pk),
            )
            for pk, (name, beds) in provider_beds[key].items()
        ]
        group.providers = sorted(shares, key=lambda p: (-p.beds, p.provider_name, p.provider_id))
    breaches = [
        Breach("setting", pk, name, code, beds, limits.max_block_beds_per_setting)
        for pk, (name, code, beds) in by_setting.items()
        if beds > limits.max_block_beds_per_setting
    ] + [
        Breach("provider", pk, name, None, beds, limits.max_block_beds_per_provider)
        for pk, (name, _, beds) in by_provider.items()
        if beds > limits.max_block_beds_per_provider
    ]
    breaches.sort(key=lambda b: (b.kind != "setting", -b.block_beds, b.name, b.subject_id))
    ordered = sorted(groups.values(), key=lambda g: (g.district_code is None, g.district_name, g.care_type))
    return MarketShape(on=on, limits=limits, rows=ordered, breaches=breaches)
