"""Writes of the market app (see STYLE.md): keyword-only, typed, @transaction.atomic."""

from market.services.tenders import (
    TRANSITIONS,
    award_end,
    award_make,
    award_update,
    bid_record,
    lot_create,
    lot_status_set,
    lot_update,
    round_close,
    round_invite,
    round_open,
    round_update,
    tender_create,
    tender_stage_record,
    tender_update,
    weighted_total,
)

__all__ = [
    "TRANSITIONS",
    "award_end",
    "award_make",
    "award_update",
    "bid_record",
    "lot_create",
    "lot_status_set",
    "lot_update",
    "round_close",
    "round_invite",
    "round_open",
    "round_update",
    "tender_create",
    "tender_stage_record",
    "tender_update",
    "weighted_total",
]
