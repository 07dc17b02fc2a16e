"""The market's tables (the lots register, the micro-enterprises register, a programme's figures), written as CSV
or XLSX by core.exports' table writer."""

from decimal import Decimal

LOTS_HEADERS = [
    "Code",
    "Name",
    "Tender",
    "Area code",
    "Service",
    "Hours a week sought",
    "Beds sought",
    "Status",
    "Lead provider",
    "CQC provider id",
    "Awarded on",
    "Go-live (planned)",
    "Contract",
    "Lead provider stopped from new work",
    "Lead provider rated Inadequate",
    "Procurement rounds",
]


def lots_rows(lots) -> list[list]:
    """`lots` as annotated by market.selectors.lots_register."""
    return [
        [
            lot.code,
            lot.name,
            lot.tender.reference,
            lot.area.code,
            lot.get_service_display(),
            lot.hours_per_week,
            "; ".join(f"{row.get_care_type_display()}: {row.beds}" for row in lot.capacities.all()),
            lot.get_status_display(),
            lot.lead_provider_name,
            lot.lead_provider_cqc_id,
            lot.awarded_on,
            lot.go_live_on,
            lot.contract_reference,
            "yes" if lot.lead_provider_stops_admissions else "no",
            "yes" if lot.lead_provider_inadequate else "no",
            lot.round_count or 0,
        ]
        for lot in lots
    ]


MICRO_ENTERPRISE_HEADERS = [
    "Id",
    "Trading name",
    "Locality code",
    "Locality",
    "Services",
    "Needs CQC registration",
    "CQC location id",
    "Status",
    "Status since",
    "Latest return from",
    "Hours a week",
    "People supported",
]


def _hundredths(value):
    """Hours as stored (two places), whatever the database hands back for a subquery's decimal."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def micro_enterprise_rows(micro_enterprises) -> list[list]:
    """`micro_enterprises` as annotated by market.selectors.micro_enterprises.micro_enterprises_list."""
    return [
        [
            enterprise.pk,
            enterprise.trading_name,
            enterprise.locality.code,
            enterprise.locality.name,
            enterprise.services,
            "yes" if enterprise.needs_cqc_registration else "no",
            enterprise.cqc_location.cqc_location_id if enterprise.cqc_location else None,
            enterprise.get_status_display(),
            enterprise.status_since,
            enterprise.latest_return_from,
            _hundredths(enterprise.latest_hours_per_week),
            enterprise.latest_people_supported,
        ]
        for enterprise in micro_enterprises
    ]


# The figures' columns, in the order a committee paper's table reads: the plan, then what happened.
PROGRAMME_FIGURES_COLUMNS = [
    ("Quarter", "quarter"),
    ("Programme year", "year"),
    ("Start", "start"),
    ("End", "end"),
    ("Complete", "complete"),
    ("Enquiries", "enquiries"),
    ("Enquiries in the year", "enquiries_year_to_date"),
    ("Enquiries target (year)", "enquiries_target"),
    ("New trading", "new_trading"),
    ("New trading in the year", "new_trading_year_to_date"),
    ("New trading target (year)", "new_trading_target"),
    ("Trading at the end", "trading"),
    ("Hours a week", "hours_per_week"),
    ("Planned hours a week", "planned_hours_per_week"),
    ("Hours a week against plan", "hours_against_trajectory"),
    ("Hours a week target (year end)", "hours_per_week_target"),
    ("People supported", "people_supported"),
    ("Hours in the quarter", "hours"),
    ("Cost avoidance (£)", "cost_avoidance"),
    ("Spending (£)", "spending"),
    ("Net cash flow (£)", "net_cash_flow"),
    ("Cumulative cash flow (£)", "cumulative_cash_flow"),
    ("Forecast hours in the quarter", "forecast_hours"),
    ("Forecast cost avoidance (£)", "forecast_cost_avoidance"),
    ("Forecast net cash flow (£)", "forecast_net_cash_flow"),
    ("Forecast cumulative cash flow (£)", "forecast_cumulative_cash_flow"),
]
PROGRAMME_FIGURES_HEADERS = [header for header, _ in PROGRAMME_FIGURES_COLUMNS]


def programme_figures_rows(figures: dict) -> list[list]:
    """`figures` from market.selectors.programmes.programme_figures, a row per quarter."""
    rows = []
    for quarter in figures["quarters"]:
        row = [quarter[key] for _, key in PROGRAMME_FIGURES_COLUMNS]
        rows.append(["yes" if value is True else "no" if value is False else value for value in row])
    return rows
