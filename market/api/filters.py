"""Filters of the market lists: HTTP parsed at the edge; unknown names and bad values are a 400."""

import django_filters as filters
from django.db.models import Exists, OuterRef

from core.query import BooleanFilter, ChoiceInFilter, IdFilter
from market.models import (
    Award,
    Bid,
    Lot,
    LotService,
    LotStatus,
    Procedure,
    ProcurementRound,
    RoundOutcome,
    Tender,
    TenderStatus,
)


class TenderFilter(filters.FilterSet):
    status = ChoiceInFilter(choices=TenderStatus.choices, help_text="One or more statuses, comma-separated.")
    service = filters.ChoiceFilter(choices=LotService.choices)
    procedure = filters.ChoiceFilter(choices=Procedure.choices)

    class Meta:
        model = Tender
        fields = ["status", "service", "procedure"]


class LotFilter(filters.FilterSet):
    status = ChoiceInFilter(choices=LotStatus.choices, help_text="One or more statuses, comma-separated.")
    service = filters.ChoiceFilter(choices=LotService.choices)
    area = filters.CharFilter(field_name="area__code", help_text="The code of the lot area, e.g. HTLAH-01.")
    provider = IdFilter(method="lead_provider", help_text="Lots whose current lead provider is this id.")
    tender = IdFilter(field_name="tender_id")
    stops_admissions = BooleanFilter(
        field_name="lead_provider_stops_admissions",
        help_text="Lots whose lead provider has a CQC condition stopping new work (true) or not (false).",
    )
    inadequate = BooleanFilter(
        field_name="lead_provider_inadequate", help_text="Lots whose lead provider has a location rated Inadequate."
    )

    class Meta:
        model = Lot
        fields = ["status", "service", "area", "provider", "tender"]

    def lead_provider(self, queryset, name, value):
        current = Award.objects.filter(lot=OuterRef("pk"), ended_on__isnull=True, bid__provider_id=value)
        return queryset.filter(Exists(current))


class RoundFilter(filters.FilterSet):
    lot = IdFilter(field_name="lot_id")
    tender = IdFilter(field_name="tender_id")
    procedure = filters.ChoiceFilter(choices=Procedure.choices)
    outcome = ChoiceInFilter(choices=[c for c in RoundOutcome.choices if c[0]], help_text="Comma-separated outcomes.")
    open = BooleanFilter(field_name="closed_on", lookup_expr="isnull", help_text="Rounds still under way (true).")

    class Meta:
        model = ProcurementRound
        fields = ["lot", "tender", "procedure", "outcome"]


class BidFilter(filters.FilterSet):
    round = IdFilter(field_name="round_id")
    lot = IdFilter(field_name="round__lot_id")
    provider = IdFilter(field_name="provider_id")
    compliant = BooleanFilter()

    class Meta:
        model = Bid
        fields = ["round", "lot", "provider", "compliant"]


class AwardFilter(filters.FilterSet):
    lot = IdFilter(field_name="lot_id")
    provider = IdFilter(field_name="bid__provider_id")
    current = BooleanFilter(field_name="ended_on", lookup_expr="isnull", help_text="Awards not ended (true).")

    class Meta:
        model = Award
        fields = ["lot", "provider"]
