"""Reads of the market app: each list is one query (plus fixed prefetches) whatever its length."""

from market.selectors.layers import lot_delivery
from market.selectors.tenders import (
    awards_list,
    bids_list,
    lot_detail_queryset,
    lots_layer_properties,
    lots_layer_version,
    lots_register,
    rounds_list,
    rounds_of,
    tenders_list,
)

__all__ = [
    "awards_list",
    "bids_list",
    "lot_delivery",
    "lot_detail_queryset",
    "lots_layer_properties",
    "lots_layer_version",
    "lots_register",
    "rounds_list",
    "rounds_of",
    "tenders_list",
]
