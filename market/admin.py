"""The market admin saves through the market services, as the API does (the form parses, the service checks
and writes, and its error is shown on the field it names); see core/admin.py for ServiceForm. Nothing is
deleted here: a lot ends, an award ends, a round closes."""

from django import forms
from django.contrib import admin

from contracts.models import CareType
from core.admin import NoDeleteAdmin, ReadOnlyAdmin, ReadOnlyInline, ServiceForm
from core.errors import DomainError
from market import services
from market.api.serializers import TENDER_FIELDS
from market.models import (
    Award,
    Bid,
    Lot,
    LotCapacity,
    LotStatus,
    LotStatusChange,
    ProcurementRound,
    RoundInvitation,
    RoundOutcome,
    Tender,
    TenderStage,
)


class TenderStageInline(ReadOnlyInline):
    model = TenderStage
    fields = ["stage", "planned_date", "actual_date", "notes"]
    show_change_link = False


class LotInline(ReadOnlyInline):
    model = Lot
    fields = ["code", "name", "area", "status"]


class TenderForm(ServiceForm):
    class Meta:
        model = Tender
        fields = TENDER_FIELDS

    def write(self, data: dict) -> Tender:
        if self.instance.pk is None:
            return services.tender_create(by=self.user, **data)
        return services.tender_update(tender=self.instance, by=self.user, **data)


@admin.register(Tender)
class TenderAdmin(NoDeleteAdmin):
    form = TenderForm
    list_display = ["reference", "title", "service", "procedure", "status", "quality_weight", "price_weight"]
    list_filter = ["service", "procedure", "status"]
    search_fields = ["reference", "title"]
    inlines = [TenderStageInline, LotInline]


class TenderStageForm(ServiceForm):
    class Meta:
        model = TenderStage
        fields = ["tender", "stage", "planned_date", "actual_date", "notes"]

    def write(self, data: dict) -> TenderStage:
        if self.instance.pk is not None:
            data.update(tender=self.instance.tender, stage=self.instance.stage)
        return services.tender_stage_record(by=self.user, **data)


@admin.register(TenderStage)
class TenderStageAdmin(NoDeleteAdmin):
    form = TenderStageForm
    list_display = ["tender", "stage", "planned_date", "actual_date"]
    list_filter = ["stage"]
    list_select_related = ["tender"]

    def get_readonly_fields(self, request, obj=None):
        return ["tender", "stage"] if obj is not None else []


class LotCapacityInline(ReadOnlyInline):
    model = LotCapacity
    fields = ["care_type", "beds"]
    show_change_link = False


class LotStatusChangeInline(ReadOnlyInline):
    model = LotStatusChange
    fields = ["from_status", "to_status", "changed_at", "changed_by", "reason"]
    readonly_fields = fields
    show_change_link = False
    ordering = ["pk"]  # as the moves were made


class RoundInline(ReadOnlyInline):
    model = ProcurementRound
    fields = ["number", "tender", "procedure", "opened_on", "closed_on", "outcome"]


def _beds_field(care_type: str) -> str:
    return f"beds_{care_type}"


class LotFormBase(ServiceForm):
    """A lot, its beds sought by care type (care home beds lots), and a move of its status."""

    new_status = forms.ChoiceField(
        choices=[("", "(unchanged)"), *LotStatus.choices],
        required=False,
        help_text="Move the lot to another status (allowed moves only); the move is kept in its status history.",
    )
    status_reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Lot
        fields = ["tender", "code", "name", "area", "service", "hours_per_week", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for row in self.instance.capacities.all():
                self.fields[_beds_field(row.care_type)].initial = row.beds

    def write(self, data: dict) -> Lot:
        new_status, reason = data.pop("new_status", ""), data.pop("status_reason", "")
        beds = {care_type: data.pop(_beds_field(care_type), None) for care_type in CareType.values}
        if self.instance.pk is None or any(_beds_field(care_type) in self.changed_data for care_type in beds):
            data["capacities"] = {care_type: count for care_type, count in beds.items() if count}
        if self.instance.pk is None:
            lot = services.lot_create(by=self.user, **data)
        else:
            data.pop("tender", None)
            lot = services.lot_update(lot=self.instance, by=self.user, **data)
        if new_status:
            lot = services.lot_status_set(lot=lot, status=new_status, reason=reason, by=self.user)
        return lot


# One "beds sought" field per care type, declared on the form so the admin shows them.
LotForm = type(
    "LotForm",
    (LotFormBase,),
    {
        _beds_field(care_type): forms.IntegerField(label=f"{label} beds sought", required=False, min_value=0)
        for care_type, label in CareType.choices
    },
)


@admin.register(Lot)
class LotAdmin(NoDeleteAdmin):
    form = LotForm
    list_display = ["code", "name", "tender", "area", "service", "status", "status_changed_at"]
    list_filter = ["status", "service", "tender"]
    search_fields = ["code", "name", "area__name"]
    raw_id_fields = ["area"]
    list_select_related = ["tender", "area"]
    readonly_fields = ["status", "status_changed_at"]
    inlines = [LotCapacityInline, RoundInline, LotStatusChangeInline]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "tender"] if obj is not None else self.readonly_fields


class RoundOpenForm(ServiceForm):
    class Meta:
        model = ProcurementRound
        fields = ["lot", "tender", "procedure", "opened_on", "closes_on", "organisations_invited", "services_due_on"]
        fields += ["notes"]

    def write(self, data: dict) -> ProcurementRound:
        return services.round_open(by=self.user, **data)


class RoundCloseForm(ServiceForm):
    outcome = forms.ChoiceField(
        choices=[(value, label) for value, label in RoundOutcome.choices if value not in ("", RoundOutcome.AWARDED)],
        required=False,
        help_text="Close the round without an award (an award closes it as awarded).",
    )
    closed_on = forms.DateField(required=False)

    class Meta:
        model = ProcurementRound
        fields = ["notes"]

    def write(self, data: dict) -> ProcurementRound:
        if data.get("outcome"):
            if not data.get("closed_on"):
                raise DomainError("Say when the round closed.", field="closed_on")
            return services.round_close(round=self.instance, by=self.user, **data)
        return self.instance


class BidInline(ReadOnlyInline):
    model = Bid
    fields = ["provider", "compliant", "quality_score", "price_score", "weighted_total", "rank"]


class RoundInvitationInline(ReadOnlyInline):
    """The organisations invited by name: named on the tender's page (market.services.tenders.round_invite)."""

    model = RoundInvitation
    fields = ["name", "provider", "invited_on", "invited_by"]
    show_change_link = False


@admin.register(ProcurementRound)
class RoundAdmin(NoDeleteAdmin):
    list_display = ["lot", "number", "tender", "procedure", "opened_on", "closed_on", "outcome"]
    list_filter = ["procedure", "outcome"]
    search_fields = ["lot__code", "lot__name", "tender__reference"]
    list_select_related = ["lot", "tender"]
    raw_id_fields = ["lot"]
    inlines = [RoundInvitationInline, BidInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = RoundCloseForm if obj is not None else RoundOpenForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["lot", "tender", "number", "procedure", "opened_on", "closes_on", "closed_on", "outcome"]


class BidForm(ServiceForm):
    class Meta:
        model = Bid
        fields = ["round", "provider", "compliant", "non_compliance_reason", "quality_score", "price_score"]
        fields += ["submitted_on"]

    def write(self, data: dict) -> Bid:
        # A change records the bid again: what was not changed is passed as it stands.
        values = {name: getattr(self.instance, name) for name in self._meta.fields} if self.instance.pk else {}
        values.update(data)
        return services.bid_record(by=self.user, **values)


@admin.register(Bid)
class BidAdmin(NoDeleteAdmin):
    form = BidForm
    list_display = ["round", "provider", "compliant", "quality_score", "price_score", "weighted_total", "rank"]
    list_filter = ["compliant"]
    search_fields = ["provider__name", "round__lot__code"]
    list_select_related = ["round__lot", "provider"]
    raw_id_fields = ["round", "provider"]
    readonly_fields = ["weighted_total", "rank"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "round", "provider"] if obj is not None else self.readonly_fields


class AwardMakeForm(ServiceForm):
    class Meta:
        model = Award
        fields = ["bid", "awarded_on", "go_live_on", "contract"]

    def write(self, data: dict) -> Award:
        return services.award_make(by=self.user, **data)


class AwardChangeForm(ServiceForm):
    class Meta:
        model = Award
        fields = ["go_live_on", "contract"]

    def write(self, data: dict) -> Award:
        return services.award_update(award=self.instance, by=self.user, **data)


@admin.register(Award)
class AwardAdmin(NoDeleteAdmin):
    list_display = ["lot", "lead_provider", "awarded_on", "go_live_on", "ended_on", "contract"]
    list_filter = ["ended_on"]
    search_fields = ["lot__code", "bid__provider__name"]
    list_select_related = ["lot", "bid__provider", "contract"]
    raw_id_fields = ["bid", "contract"]

    @admin.display(description="lead provider")
    def lead_provider(self, award: Award) -> str:
        return award.bid.provider.name

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AwardChangeForm if obj is not None else AwardMakeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["lot", "bid", "awarded_on", "ended_on", "end_reason"] if obj is not None else []


@admin.register(LotCapacity)
class LotCapacityAdmin(admin.ModelAdmin):
    """Read only: the beds a lot seeks are set on the lot's own screen (market.services.lot_update)."""

    list_display = ["lot", "care_type", "beds"]
    list_filter = ["care_type"]
    list_select_related = ["lot"]
    search_fields = ["lot__code", "lot__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LotStatusChange)
class LotStatusChangeAdmin(admin.ModelAdmin):
    """Read only: written by the services whenever a lot's status moves."""

    list_display = ["lot", "from_status", "to_status", "changed_at", "changed_by", "reason"]
    list_filter = ["to_status"]
    list_select_related = ["lot", "changed_by"]
    search_fields = ["lot__code"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The mobilisation, gateways and contingency screens, the analysis settings (spot inflation, prices, limits),
# demand and pending arrangements, and micro-enterprises and their programmes.
from market import admin_analysis, admin_demand, admin_failure, admin_micro, admin_mobilisation  # noqa: E402, F401


@admin.register(RoundInvitation)
class RoundInvitationAdmin(ReadOnlyAdmin):
    """The organisations invited into a round, named by round_invite from the tender's pages: read here."""

    list_display = ["name", "round", "provider", "invited_on"]
    search_fields = ["name", "round__lot__code"]
    list_select_related = ["round", "provider"]
