"""The contracts admin saves through the contracts services, as the API does: the form parses, the service
checks and writes, and the service's own error is shown on the field it names. There is no second copy of
a check here."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contracts import services
from contracts.models import (
    BedLine,
    Closure,
    Contract,
    FreeBedState,
    FreeBedStateDay,
    Hold,
    PersonReference,
    Placement,
    RateChange,
    VacancyReport,
)
from contracts.services.register import BREAK_DECISION_FIELDS, CONTRACT_FIELDS
from core.admin import NoDeleteAdmin, ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin, ServiceForm


class BedLineInline(ReadOnlyInline):
    model = BedLine
    fields = ["location", "care_type", "beds", "activation_date", "end_date"]


class RateChangeInline(ReadOnlyInline):
    model = RateChange
    fields = ["effective_from", "weekly_rate", "reason", "uplift_percent"]


# --- contracts --------------------------------------------------------------------------------------------


class ContractForm(ServiceForm):
    # Document links are typed without a scheme more often than not; council sites are https.
    documents_url = forms.URLField(required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Contract
        fields = (*CONTRACT_FIELDS, *BREAK_DECISION_FIELDS)

    def write(self, data: dict) -> Contract:
        decided = any(name in data for name in BREAK_DECISION_FIELDS) and self.cleaned_data["break_decision"]
        for name in BREAK_DECISION_FIELDS:
            data.pop(name, None)
        if self.instance.pk is None:
            contract = services.contract_create(by=self.user, **data)
        elif data or not decided:
            contract = services.contract_update(contract=self.instance, by=self.user, **data)
        else:
            contract = self.instance
        if decided:  # the break decision has its own door, as in the API
            contract = services.contract_break_decide(
                contract=contract,
                decision=self.cleaned_data["break_decision"],
                decided_on=self.cleaned_data["break_decided_on"],
                note=self.cleaned_data["break_decision_note"],
                by=self.user,
            )
        return contract


@admin.register(Contract)
class ContractAdmin(ServiceAdmin):
    form = ContractForm
    list_display = ["reference", "provider", "kind", "service", "status", "start_date", "end_date", "break_clause_date"]
    list_filter = ["kind", "service", "status", "commissioning_partner"]
    search_fields = ["reference", "provider__name", "notes"]
    raw_id_fields = ["provider"]
    date_hierarchy = "start_date"
    inlines = [BedLineInline]

    def delete_model(self, request, obj):
        services.contract_delete(contract=obj)

    def delete_queryset(self, request, queryset):
        for contract in queryset:
            services.contract_delete(contract=contract)


# --- bed lines and prices ---------------------------------------------------------------------------------


class BedLineAddForm(ServiceForm):
    weekly_rate = forms.DecimalField(
        max_digits=10, decimal_places=2, help_text="The tender price from the activation date, £ a week."
    )

    class Meta:
        model = BedLine
        fields = ["contract", "location", "care_type", "beds", "activation_date", "end_date", "notes", "weekly_rate"]

    def write(self, data: dict) -> BedLine:
        return services.bed_line_create(by=self.user, **data)


class BedLineChangeForm(ServiceForm):
    class Meta:
        model = BedLine
        fields = ["care_type", "beds", "activation_date", "end_date", "notes"]

    def write(self, data: dict) -> BedLine:
        return services.bed_line_update(line=self.instance, by=self.user, **data)


@admin.register(BedLine)
class BedLineAdmin(ServiceAdmin):
    """A line's contract and home are set when it is added; its price changes by a rate from a date."""

    list_display = ["id", "contract", "location", "care_type", "beds", "activation_date", "end_date"]
    list_filter = ["care_type", "location__district"]
    search_fields = ["contract__reference", "location__name", "location__postcode"]
    raw_id_fields = ["contract", "location"]
    list_select_related = ["contract", "location"]
    inlines = [RateChangeInline]

    def delete_model(self, request, obj):
        services.bed_line_delete(line=obj)

    def delete_queryset(self, request, queryset):
        for line in queryset:
            services.bed_line_delete(line=line)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = BedLineChangeForm if obj is not None else BedLineAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["contract", "location"] if obj is not None else []


class RateChangeForm(ServiceForm):
    class Meta:
        model = RateChange
        fields = ["bed_line", "effective_from", "weekly_rate", "reason"]

    def write(self, data: dict) -> RateChange:
        return services.rate_change_create(by=self.user, **data)


@admin.register(RateChange)
class RateChangeAdmin(ServiceAdmin):
    """Prices change only by adding a rate from a date: a rate once recorded is not edited."""

    form = RateChangeForm
    fields = ["bed_line", "effective_from", "weekly_rate", "reason"]
    list_display = ["bed_line", "effective_from", "weekly_rate", "reason", "uplift_percent"]
    list_filter = ["reason", "effective_from"]
    search_fields = ["bed_line__contract__reference", "bed_line__location__name"]
    raw_id_fields = ["bed_line"]

    def get_fields(self, request, obj=None):
        if obj is not None:
            return [*self.fields, "uplift_percent", "nlw_percent", "cpi_percent", "created_by", "created_at"]
        return self.fields

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a wrong rate is put right by a correction from its date


# --- placements, closures, holds --------------------------------------------------------------------------

PLACEMENT_CHANGEABLE = ["end_date", "weekly_cost", "hours_per_week", "source"]


class PlacementAddForm(ServiceForm):
    class Meta:
        model = Placement
        fields = [
            "reference",
            "kind",
            "service",
            "bed_line",
            "location",
            "provider",
            "care_type",
            "start_date",
            "end_date",
            "weekly_cost",
            "hours_per_week",
            "source",
        ]

    def write(self, data: dict) -> Placement:
        return services.placement_create(by=self.user, **data)


class PlacementChangeForm(ServiceForm):
    class Meta:
        model = Placement
        fields = PLACEMENT_CHANGEABLE

    def write(self, data: dict) -> Placement:
        return services.placement_update(placement=self.instance, by=self.user, **data)


@admin.register(Placement)
class PlacementAdmin(NoDeleteAdmin):
    """Who, where and from when are set when a person is placed; afterwards the stay is ended or extended (a
    stay is the record of what was paid for: ended, never deleted)."""

    list_display = ["reference", "service", "kind", "location", "provider", "care_type", "start_date", "end_date"]
    list_filter = ["service", "kind", "care_type", "source"]
    search_fields = ["reference", "location__name", "provider__name"]
    raw_id_fields = ["bed_line", "location", "provider"]
    list_select_related = ["location", "provider"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = PlacementChangeForm if obj is not None else PlacementAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return [*PlacementAddForm._meta.fields, "created_by"]
        return PlacementAddForm._meta.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [name for name in self.get_fields(request, obj) if name not in PLACEMENT_CHANGEABLE]
        return []


class ClosureAddForm(ServiceForm):
    class Meta:
        model = Closure
        fields = ["bed_line", "beds", "start_date", "end_date", "reason"]

    def write(self, data: dict) -> Closure:
        return services.closure_create(by=self.user, **data)


class ClosureChangeForm(ServiceForm):
    class Meta:
        model = Closure
        fields = ["beds", "start_date", "end_date", "reason"]

    def write(self, data: dict) -> Closure:
        return services.closure_update(closure=self.instance, by=self.user, **data)


@admin.register(Closure)
class ClosureAdmin(ServiceAdmin):
    """Closures are recorded, changed and withdrawn through the services, which lock the bed line."""

    list_display = ["bed_line", "beds", "start_date", "end_date", "reason"]

    def delete_model(self, request, obj) -> None:
        services.closure_delete(closure=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for closure in queryset:
            services.closure_delete(closure=closure, by=request.user)

    search_fields = ["reason", "bed_line__location__name"]
    raw_id_fields = ["bed_line"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ClosureChangeForm if obj is not None else ClosureAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["bed_line", "created_by"] if obj is not None else []


class ViewOnlyAdmin(SimpleHistoryAdmin):
    """Rows written elsewhere through their services; the admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Hold)
class HoldAdmin(ViewOnlyAdmin):
    """Brokers hold, convert and release beds through the API (hold_place, hold_convert, hold_release)."""

    list_display = ["reference", "bed_line", "start_date", "status", "expires_at", "created_by"]
    list_filter = ["status"]
    search_fields = ["reference"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a hold deleted here would skip hold_release; brokers release holds through the API


@admin.register(PersonReference)
class PersonReferenceAdmin(admin.ModelAdmin):
    """The references placements lock on (see contracts.services.placements); written by those services."""

    list_display = ["reference", "created_at", "last_written_at"]
    search_fields = ["reference"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VacancyReportForm(ServiceForm):
    class Meta:
        model = VacancyReport
        fields = ["location", "report_date", "care_type", "vacant_beds", "accepting_admissions"]

    def write(self, data: dict) -> VacancyReport:
        return services.vacancy_report_record(by=self.user, **data)


@admin.register(VacancyReport)
class VacancyReportAdmin(NoDeleteAdmin):
    """A report is added (the same home, care type and day replaces the last one), never edited or deleted: a
    wrong figure is put right by a new report."""

    form = VacancyReportForm
    list_display = ["location", "report_date", "care_type", "vacant_beds", "accepting_admissions"]
    list_filter = ["care_type", "accepting_admissions", "report_date"]
    search_fields = ["location__name", "location__cqc_location_id"]
    raw_id_fields = ["location"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(FreeBedState)
class FreeBedStateAdmin(ReadOnlyAdmin):
    """Each bed line's beds today, kept by the services in the writer's transaction and rebuilt each night (or by
    `manage.py free_beds_repair`): read here to see what the bed finder sees, never edited."""

    list_display = ["bed_line", "location", "care_type", "contracted_beds", "placed_beds", "closed_beds", "void_beds"]
    list_filter = ["care_type"]
    search_fields = ["location__name", "contract_reference"]
    list_select_related = ["bed_line", "location"]


@admin.register(FreeBedStateDay)
class FreeBedStateDayAdmin(ReadOnlyAdmin):
    """The day the whole free-bed state was last rebuilt for."""
