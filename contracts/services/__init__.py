"""Every write of the contracts app: keyword-only arguments, validation first, one transaction each.

Races for the last bed are settled by locking the BedLine row (select_for_update) before counting what is
left on it; the block-bed capacity of a home is settled by locking its Location row."""

from contracts.services.checks import (
    AlreadyPlaced,
    BlockBedsFree,
    CapacityExceeded,
    HoldNotActive,
    NoVoidBed,
    Unchanged,
    dates_ordered,
    reference_validate,
    require_may_act,
)
from contracts.services.placements import (
    closure_create,
    closure_delete,
    closure_update,
    hold_convert,
    hold_place,
    hold_release,
    holds_expire,
    location_close,
    placement_create,
    placement_end,
    placement_move,
    placement_update,
)
from contracts.services.register import (
    bed_line_create,
    bed_line_delete,
    bed_line_update,
    contract_break_decide,
    contract_create,
    contract_delete,
    contract_update,
    contracts_end_overdue,
    rate_change_create,
)
from contracts.services.uplift import UpliftLine, uplift_apply, uplift_percent, uplift_preview
from contracts.services.vacancies import vacancy_report_record, vacancy_reports_import

__all__ = [
    "AlreadyPlaced",
    "BlockBedsFree",
    "CapacityExceeded",
    "HoldNotActive",
    "NoVoidBed",
    "Unchanged",
    "bed_line_create",
    "bed_line_delete",
    "bed_line_update",
    "closure_create",
    "closure_delete",
    "closure_update",
    "contract_break_decide",
    "contract_create",
    "contract_delete",
    "contract_update",
    "contracts_end_overdue",
    "dates_ordered",
    "hold_convert",
    "hold_place",
    "hold_release",
    "holds_expire",
    "location_close",
    "placement_create",
    "placement_end",
    "placement_move",
    "placement_update",
    "rate_change_create",
    "reference_validate",
    "require_may_act",
    "uplift_apply",
    "uplift_percent",
    "uplift_preview",
    "UpliftLine",
    "vacancy_report_record",
    "vacancy_reports_import",
]
