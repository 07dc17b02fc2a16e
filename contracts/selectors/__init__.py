"""Reads and calculations of the contracts app: rates on a date, voids on a date and over a period, the bed
finder, provider reporting and the register. Every question is answered with one (or a few) set-based
queries, never one query per line or per day."""

from contracts.selectors.bed_finder import (
    MAX_RADIUS_KM,
    BedSearch,
    beds_available,
    block_beds_free_near,
    block_lines_free,
    block_lines_sql,
    spot_vacancies,
)
from contracts.selectors.holds import hold_of, holds_active_of, person_record
from contracts.selectors.rates import rate_history, rate_on, rate_subquery
from contracts.selectors.reporting import (
    contract_variations,
    contracts_register,
    homecare_counts,
    locations_reporting_status,
)
from contracts.selectors.voids import (
    VOID_GROUPS,
    VoidFigures,
    VoidReport,
    active_on,
    bed_lines_with_voids,
    free_beds_on,
    least_level_between,
    void_and_free,
    void_costs_by_contract,
    void_report,
    voids_on,
)

__all__ = [
    "MAX_RADIUS_KM",
    "VOID_GROUPS",
    "BedSearch",
    "VoidFigures",
    "VoidReport",
    "active_on",
    "bed_lines_with_voids",
    "contract_variations",
    "rate_history",
    "beds_available",
    "block_beds_free_near",
    "block_lines_free",
    "block_lines_sql",
    "contracts_register",
    "free_beds_on",
    "hold_of",
    "holds_active_of",
    "homecare_counts",
    "least_level_between",
    "locations_reporting_status",
    "person_record",
    "rate_on",
    "rate_subquery",
    "spot_vacancies",
    "void_and_free",
    "void_costs_by_contract",
    "void_report",
    "voids_on",
]
