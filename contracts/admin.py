from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contracts.models import BedLine, Closure, Contract, Hold, Placement, RateChange, VacancyReport


class BedLineInline(admin.TabularInline):
    model = BedLine
    extra = 0
    fields = ["location", "care_type", "beds", "activation_date", "end_date"]
    raw_id_fields = ["location"]
    show_change_link = True


class RateChangeInline(admin.TabularInline):
    model = RateChange
    extra = 0
    fields = ["effective_from", "weekly_rate", "reason", "uplift_percent"]


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "provider", "kind", "service", "status", "start_date", "end_date", "break_clause_date"]
    list_filter = ["kind", "service", "status", "commissioning_partner"]
    search_fields = ["reference", "provider__name", "notes"]
    raw_id_fields = ["provider"]
    date_hierarchy = "start_date"
    inlines = [BedLineInline]


@admin.register(BedLine)
class BedLineAdmin(SimpleHistoryAdmin):
    list_display = ["id", "contract", "location", "care_type", "beds", "activation_date", "end_date"]
    list_filter = ["care_type", "location__district"]
    search_fields = ["contract__reference", "location__name", "location__postcode"]
    raw_id_fields = ["contract", "location"]
    list_select_related = ["contract", "location"]
    inlines = [RateChangeInline]


@admin.register(RateChange)
class RateChangeAdmin(SimpleHistoryAdmin):
    list_display = ["bed_line", "effective_from", "weekly_rate", "reason", "uplift_percent"]
    list_filter = ["reason", "effective_from"]
    search_fields = ["bed_line__contract__reference", "bed_line__location__name"]
    raw_id_fields = ["bed_line", "created_by"]


@admin.register(Placement)
class PlacementAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "service", "kind", "location", "provider", "care_type", "start_date", "end_date"]
    list_filter = ["service", "kind", "care_type", "source"]
    search_fields = ["reference", "location__name", "provider__name"]
    raw_id_fields = ["bed_line", "location", "provider", "created_by"]
    list_select_related = ["location", "provider"]


@admin.register(Closure)
class ClosureAdmin(SimpleHistoryAdmin):
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
