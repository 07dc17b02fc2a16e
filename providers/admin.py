from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from providers.models import (
    Condition,
    CqcSyncState,
    Location,
    LocationReport,
    Provider,
    ProviderMembership,
    Rating,
    RatingChange,
    RegistrationEvent,
    SyncRun,
)


class LocationInline(admin.TabularInline):
    model = Location
    fields = ["cqc_location_id", "name", "postcode", "care_home", "registered_beds", "registration_status"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "cqc_provider_id", "organisation_type", "size_band", "registration_status"]
    list_filter = ["registration_status", "size_band", "organisation_type"]
    search_fields = ["name", "cqc_provider_id", "brand", "companies_house_number"]
    inlines = [LocationInline]


class RatingInline(admin.TabularInline):
    model = Rating
    fields = ["report_date", "overall", "safe", "effective", "caring", "responsive", "well_led", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


class ConditionInline(admin.TabularInline):
    model = Condition
    fields = ["text", "stops_admissions", "imposed_on", "lifted_on", "source"]
    extra = 0


class LocationReportInline(admin.TabularInline):
    """Kept by the CQC sync; read here."""

    model = LocationReport
    fields = ["report_date", "report_type", "first_visit_date", "link_id"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "cqc_location_id",
        "provider",
        "postcode",
        "district",
        "care_home",
        "registered_beds",
        "current_rating",
        "registration_status",
    ]
    list_filter = ["care_home", "registration_status", "dormant", "current_rating__overall", "district"]
    search_fields = ["name", "cqc_location_id", "postcode", "provider__name"]
    list_select_related = ["provider", "district", "current_rating"]
    raw_id_fields = ["provider", "ward", "district", "current_rating"]
    readonly_fields = ["current_rating", "registered_manager_absent_date", "created_at", "updated_at"]
    inlines = [ConditionInline, RatingInline, LocationReportInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Ratings are entered through imports and the sync so that changes are detected; here they are read."""

    list_display = ["location", "provider", "overall", "report_date", "source"]
    list_filter = ["overall", "source"]
    search_fields = ["location__name", "location__cqc_location_id", "provider__name", "report_link_id"]
    list_select_related = ["location", "provider"]
    raw_id_fields = ["location", "provider"]
    date_hierarchy = "report_date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RatingChange)
class RatingChangeAdmin(admin.ModelAdmin):
    list_display = ["location", "question", "from_value", "to_value", "direction", "report_date", "detected_at"]
    list_filter = ["direction", "question", "source"]
    search_fields = ["location__name", "provider__name"]
    list_select_related = ["location"]
    date_hierarchy = "detected_at"
    readonly_fields = [field.name for field in RatingChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Condition)
class ConditionAdmin(SimpleHistoryAdmin):
    list_display = ["text_start", "location", "provider", "stops_admissions", "imposed_on", "lifted_on"]
    list_filter = ["stops_admissions", "lifted_on"]
    search_fields = ["text", "location__name", "provider__name"]
    list_select_related = ["location", "provider"]
    raw_id_fields = ["location", "provider"]

    @admin.display(description="condition")
    def text_start(self, condition: Condition) -> str:
        return str(condition)


@admin.register(RegistrationEvent)
class RegistrationEventAdmin(admin.ModelAdmin):
    list_display = ["provider", "location", "kind", "on", "source", "detected_at"]
    list_filter = ["kind", "source"]
    search_fields = ["provider__name", "location__name", "location__cqc_location_id"]
    list_select_related = ["provider", "location"]
    raw_id_fields = ["provider", "location"]


@admin.register(ProviderMembership)
class ProviderMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "provider", "created_at"]
    search_fields = ["user__username", "provider__name"]
    list_select_related = ["user", "provider"]
    raw_id_fields = ["user", "provider"]


@admin.register(CqcSyncState)
class CqcSyncStateAdmin(SimpleHistoryAdmin):
    list_display = ["key", "cursor", "local_authorities", "regions", "all_england", "enabled", "updated_at"]
    fields = ["enabled", "local_authorities", "regions", "all_england", "cursor", "load_pages", "load_next_page"]
    readonly_fields = ["load_pages", "load_next_page"]


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "status",
        "full_load",
        "window_end",
        "fetched",
        "created",
        "updated",
        "unchanged",
        "failed",
        "rating_changes",
    ]
    list_filter = ["status", "full_load"]
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in SyncRun._meta.fields]

    def has_add_permission(self, request):
        return False
