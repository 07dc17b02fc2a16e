"""The contracts register and the void report as tables (core.exports makes them CSV or XLSX files)."""

from contracts.selectors import VoidFigures

REGISTER_HEADERS = [
    "Reference",
    "Provider",
    "CQC provider id",
    "Kind",
    "Service",
    "Status",
    "Start date",
    "End date",
    "Break clause date",
    "Notice period (months)",
    "Commissioning partner",
    "Uplift NLW weight",
    "Uplift CPI weight",
    "Uplift cap %",
    "Bed lines",
    "Active block beds",
    "Documents",
]

VOID_HEADERS = ["Group", "Key", "Lines", "Contracted bed-days", "Void bed-days", "Void level", "Void cost (£)"]


def register_rows(contracts) -> list[list]:
    """`contracts` as annotated by selectors.contracts_register."""
    return [
        [
            contract.reference,
            contract.provider.name,
            contract.provider.cqc_provider_id or "",
            contract.get_kind_display(),
            contract.get_service_display(),
            contract.get_status_display(),
            contract.start_date,
            contract.end_date,
            contract.break_clause_date,
            contract.notice_period_months,
            contract.get_commissioning_partner_display(),
            contract.uplift_nlw_weight,
            contract.uplift_cpi_weight,
            contract.uplift_cap_percent,
            contract.bed_line_count,
            contract.active_beds,
            contract.documents_url,
        ]
        for contract in contracts
    ]


def void_rows(figures: list[VoidFigures], *, group_by: str) -> list[list]:
    return [
        [
            group_by,
            item.label,
            item.lines,
            item.contracted_bed_days,
            item.void_bed_days,
            item.void_level,
            item.void_cost,
        ]
        for item in figures
    ]
