"""The lots register as a table, written as CSV or XLSX by the contracts exports' table writer."""

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
