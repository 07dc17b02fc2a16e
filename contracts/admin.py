from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from config.errors import DomainError
from contracts import services
from contracts.models import BedLine, Closure, Contract, Hold, Placement, RateChange, VacancyReport


def checked_form(check, argument: str) -> type[forms.ModelForm]:
    """A model form whose clean() runs the service's check, so the admin obeys the API's rules."""

    class CheckedForm(forms.ModelForm):
        def clean(self):
            cleaned = super().clean()
            if self.errors:
                return cleaned
            for name, value in cleaned.items():
                setattr(self.instance, name, value)
            try:
                check(**{argument: self.instance})
            except DomainError as error:
                field = error.field if error.field in self.fields else None
                raise ValidationError({field: error.message} if field else error.message) from error
            return cleaned

    return CheckedForm


class ReadOnlyInline(admin.TabularInline):
    """Shown for reference only: rows are added and changed on their own screens, whose forms run the
    services' checks (a bare inline form would skip the capacity and date checks)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class BedLineInline(ReadOnlyInline):
    model = BedLine
    fields = ["location", "care_type", "beds", "activation_date", "end_date"]


class RateChangeInline(ReadOnlyInline):
    model = RateChange
    fields = ["effective_from", "weekly_rate", "reason", "uplift_percent"]


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    form = checked_form(services.contract_check, "contract")
    list_display = ["reference", "provider", "kind", "service", "status", "start_date", "end_date", "break_clause_date"]
    list_filter = ["kind", "service", "status", "commissioning_partner"]
    search_fields = ["reference", "provider__name", "notes"]
    raw_id_fields = ["provider"]
    date_hierarchy = "start_date"
    inlines = [BedLineInline]
    # Document links are typed without a scheme more often than not; council sites are https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(BedLine)
class BedLineAdmin(SimpleHistoryAdmin):
    form = checked_form(services.bed_line_check, "line")
    list_display = ["id", "contract", "location", "care_type", "beds", "activation_date", "end_date"]
    list_filter = ["care_type", "location__district"]
    search_fields = ["contract__reference", "location__name", "location__postcode"]
    raw_id_fields = ["contract", "location"]
    list_select_related = ["contract", "location"]
    inlines = [RateChangeInline]


@admin.register(RateChange)
class RateChangeAdmin(SimpleHistoryAdmin):
    """Prices change only by adding a rate from a date: a rate once recorded is not edited."""

    form = checked_form(services.rate_change_check, "change")
    list_display = ["bed_line", "effective_from", "weekly_rate", "reason", "uplift_percent"]
    list_filter = ["reason", "effective_from"]
    search_fields = ["bed_line__contract__reference", "bed_line__location__name"]
    raw_id_fields = ["bed_line", "created_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Placement)
class PlacementAdmin(SimpleHistoryAdmin):
    form = checked_form(services.placement_check, "placement")
    list_display = ["reference", "service", "kind", "location", "provider", "care_type", "start_date", "end_date"]
    list_filter = ["service", "kind", "care_type", "source"]
    search_fields = ["reference", "location__name", "provider__name"]
    raw_id_fields = ["bed_line", "location", "provider", "created_by"]
    list_select_related = ["location", "provider"]


@admin.register(Closure)
class ClosureAdmin(SimpleHistoryAdmin):
    form = checked_form(services.closure_check, "closure")
    list_display = ["bed_line", "beds", "start_date", "end_date", "reason"]
    search_fields = ["reason", "bed_line__location__name"]
    raw_id_fields = ["bed_line", "created_by"]


@admin.register(Hold)
class HoldAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "bed_line", "start_date", "status", "expires_at", "created_by"]
    list_filter = ["status"]
    search_fields = ["reference"]
    raw_id_fields = ["bed_line", "placement", "created_by"]


@admin.register(VacancyReport)
class VacancyReportAdmin(SimpleHistoryAdmin):
    list_display = ["location", "report_date", "care_type", "vacant_beds", "accepting_admissions"]
    list_filter = ["care_type", "accepting_admissions", "report_date"]
    search_fields = ["location__name", "location__cqc_location_id"]
    raw_id_fields = ["location", "reported_by"]
