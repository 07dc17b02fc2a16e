"""The block/spot picture: care home placements by kind per district on a day or over a period, the block share
and the average weekly price of each kind, in one grouped query whatever the number of districts."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, When

from contracts.models import Placement, PlacementKind, PlacementService
from contracts.selectors import active_on, rate_subquery
from core.replica import replica_reads
from geo.models import Locality

PENNY = Decimal("0.01")
# The kinds of care home placement the picture counts, in the order a committee paper shows them. Block, respite
# and emergency placements (short-term use of a void) are in block beds; spot placements are bought one by one.
KINDS = (PlacementKind.BLOCK, PlacementKind.SPOT, PlacementKind.RESPITE, PlacementKind.EMERGENCY)
IN_BLOCK_BEDS = (PlacementKind.BLOCK, PlacementKind.RESPITE, PlacementKind.EMERGENCY)


@dataclass
class KindFigures:
    placements: int = 0
    priced: int = 0  # placements with a weekly price
    price_total: Decimal = Decimal("0")

    @property
    def average_weekly_price(self) -> Decimal | None:
        return (self.price_total / self.priced).quantize(PENNY, rounding=ROUND_HALF_UP) if self.priced else None

    def add(self, other: "KindFigures") -> None:
        self.placements += other.placements
        self.priced += other.priced
        self.price_total += other.price_total


@dataclass
class BlockSpotRow:
    district_code: str | None
    district_name: str
    kinds: dict[str, KindFigures] = field(default_factory=lambda: {kind.value: KindFigures() for kind in KINDS})

    @property
    def placements(self) -> int:
        return sum(figures.placements for figures in self.kinds.values())

    @property
    def in_block_beds(self) -> int:
        return sum(self.kinds[kind].placements for kind in IN_BLOCK_BEDS)

    @property
    def block_share(self) -> float | None:
        """Placements in block beds (block, respite, emergency use of a void) / all care home placements."""
        return round(self.in_block_beds / self.placements, 4) if self.placements else None


@dataclass
class BlockSpot:
    start: date
    end: date
    districts: list[BlockSpotRow]
    total: BlockSpotRow


@replica_reads
def block_spot(
    *,
    start: date,
    end: date | None = None,
    districts: list[Locality] | None = None,
    care_types: list[str] | None = None,
) -> BlockSpot:
    """Care home placements by kind per district (the district of the home) on `start`, or in care at any time
    from `start` to `end` inclusive, with the block share and the average weekly price of each kind.

    The weekly price of a placement in a block bed is its line's rate on the last day counted (rate history
    and uplifts, contracts.selectors.rate_subquery), or the placement's own weekly cost where the line has no
    rate then; a spot placement's is its own weekly cost. Placements with no price are counted, not averaged."""
    end = end or start
    placements = Placement.objects.filter(service=PlacementService.CARE_HOME, kind__in=KINDS)
    if start == end:
        placements = placements.filter(active_on(start))
    else:
        placements = placements.filter(Q(end_date__isnull=True) | Q(end_date__gte=start), start_date__lte=end)
    if districts is not None:
        placements = placements.filter(location__district__in=districts)
    if care_types:
        placements = placements.filter(care_type__in=care_types)
    money = DecimalField(max_digits=12, decimal_places=2)
    price = Case(When(bed_line__isnull=False, then=rate_subquery(end, line_ref="bed_line")), default=F("weekly_cost"))
    rows = (
        placements.annotate(price=price)
        .order_by()
        .values("location__district__code", "location__district__name", "kind")
        .annotate(n=Count("*"), priced=Count("price"), price_total=Sum("price", output_field=money))
    )
    by_district: dict[str | None, BlockSpotRow] = {}
    for district in districts or []:  # every district asked for has a row, with or without placements
        by_district[district.code] = BlockSpotRow(district_code=district.code, district_name=district.name)
    total = BlockSpotRow(district_code=None, district_name="All districts")
    for row in rows:
        code = row["location__district__code"]
        target = by_district.setdefault(
            code, BlockSpotRow(district_code=code, district_name=row["location__district__name"] or "(none)")
        )
        figures = KindFigures(
            placements=row["n"], priced=row["priced"], price_total=Decimal(str(row["price_total"] or 0))
        )
        target.kinds[row["kind"]].add(figures)
        total.kinds[row["kind"]].add(figures)
    ordered = sorted(by_district.values(), key=lambda r: (r.district_code is None, r.district_name, r.district_code))
    return BlockSpot(start=start, end=end, districts=ordered, total=total)
