"""The market analysis as tables for a committee paper (CSV or XLSX through core.exports.table_file): clear
headings, one row per district, contract year, contract, home or provider share, and a total row."""

from django.conf import settings

from market.selectors.block_spot import KINDS, BlockSpot, BlockSpotRow
from market.selectors.cost_avoidance import CostAvoidance
from market.selectors.market_shape import MarketShape
from market.selectors.utilisation import UtilisationReview, UtilisationRow

_KIND_NAMES = {"block": "Block", "spot": "Spot", "respite": "Respite", "emergency": "Emergency use of voids"}

BLOCK_SPOT_HEADERS = [
    "District code",
    "District",
    "From",
    "To",
    *[
        heading
        for kind in KINDS
        for heading in (f"{_KIND_NAMES[kind]} placements", f"{_KIND_NAMES[kind]} average weekly price (£)")
    ],
    "All placements",
    "Placements in block beds",
    "Block share (%)",
]


def _percent(share: float | None):
    return None if share is None else round(100 * share, 1)


def _block_spot_row(row: BlockSpotRow, answer: BlockSpot) -> list:
    kinds = [value for kind in KINDS for value in (row.kinds[kind].placements, row.kinds[kind].average_weekly_price)]
    return [
        row.district_code or "",
        row.district_name,
        answer.start,
        answer.end,
        *kinds,
        row.placements,
        row.in_block_beds,
        _percent(row.block_share),
    ]


def block_spot_rows(answer: BlockSpot) -> list[list]:
    return [_block_spot_row(row, answer) for row in answer.districts] + [_block_spot_row(answer.total, answer)]


COST_AVOIDANCE_HEADERS = [
    "Contract year",
    "From",
    "To",
    "Contracted bed-days",
    "Block cost (£)",
    "Spot-equivalent cost (£)",
    "Gross cost avoidance (£)",
    "Void dampener (£)",
    "Spot-to-block conversion dampener (£)",
    "Net cost avoidance (£)",
]


def cost_avoidance_rows(answer: CostAvoidance) -> list[list]:
    def row(year, label):
        return [
            label,
            year.start,
            year.end,
            year.contracted_bed_days,
            year.block_cost,
            year.spot_equivalent_cost,
            year.gross_avoidance,
            year.void_dampener,
            year.conversion_dampener,
            year.net_avoidance,
        ]

    return [row(year, f"Year {year.year}") for year in answer.years] + [row(answer.total, "Total")]


_GROUP_HEADINGS = {"contract": "Contract (provider)", "home": "Care home", "district": "District"}


def utilisation_headers(answer: UtilisationReview) -> list[str]:
    return [
        "Quarter",
        _GROUP_HEADINGS[answer.group_by],
        "District",
        "Bed lines",
        "Contracted bed-days",
        "Occupied bed-days",
        "Utilisation (%)",
        "Void bed-days",
        "Void level (%)",
        "Void cost (£)",
        "Avoidable spot purchases",
        "Avoidable spot cost a week (£)",
    ]


def utilisation_rows(answer: UtilisationReview) -> list[list]:
    quarter = f"{answer.year}/{(answer.year + 1) % 100:02d} Q{answer.quarter} ({answer.start} to {answer.end})"

    def row(figures: UtilisationRow) -> list:
        return [
            quarter,
            figures.label,
            figures.district_name,
            figures.lines,
            figures.contracted_bed_days,
            figures.occupied_bed_days,
            _percent(figures.utilisation),
            figures.void_bed_days,
            _percent(figures.void_level),
            figures.void_cost,
            figures.avoidable_spot_purchases,
            figures.avoidable_spot_weekly_cost,
        ]

    return [row(figures) for figures in answer.rows] + [row(answer.total)]


MARKET_SHAPE_HEADERS = [
    "District code",
    "District",
    "Care type",
    "Block beds in the district and care type",
    "Concentration (HHI)",
    "Small providers' share (%)",
    "Beds rated Requires improvement or Inadequate (%)",
    "Provider",
    "Provider's block beds",
    "Provider's share (%)",
    "Small provider",
]


def market_shape_rows(answer: MarketShape) -> list[list]:
    rows = []
    for group in answer.rows:
        for share in group.providers:
            rows.append(
                [
                    group.district_code or "",
                    group.district_name,
                    group.care_type,
                    group.beds,
                    group.hhi,
                    _percent(group.small_provider_share),
                    _percent(group.poor_rating_share),
                    share.provider_name,
                    share.beds,
                    share.share_percent,
                    "yes" if share.small else "no",
                ]
            )
    return rows


GAP_HEADERS = [
    "Locality code",
    "Locality",
    "Kind",
    "District code",
    "Care type",
    "Unit",
    "Demand",
    "People waiting",
    "Waiting longer than {days} days",
    "Need of people waiting",
    "Block beds (less closures)",
    "Void block beds (within block beds)",
    "Spot vacancies (fresh)",
    "Homecare hours a week (lots)",
    "Micro-enterprise hours a week",
    "Supply",
    "Gap",
]


def gap_headers() -> list[str]:
    return [header.format(days=settings.PENDING_WAIT_LONG_DAYS) for header in GAP_HEADERS]


def gap_rows(gaps) -> list[list]:
    """The export's rows, one per locality and care type (also the table of the capacity gaps page)."""
    return [
        [
            gap.locality_code,
            gap.locality_name,
            gap.locality_kind,
            gap.district_code,
            gap.care_type_label,
            "hours a week" if gap.unit == "hours_per_week" else "beds",
            gap.demand,
            gap.waiting,
            gap.waiting_long,
            gap.waiting_need,
            gap.block_beds,
            gap.void_beds,
            gap.spot_vacancies,
            gap.homecare_hours,
            gap.micro_enterprise_hours,
            gap.supply,
            gap.gap,
        ]
        for gap in gaps
    ]
