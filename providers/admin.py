"""The providers admin saves through the providers services (core.admin.ServiceForm): a location's new place
re-assigns its ward and district, conditions are imposed and lifted, memberships added, and a provider's
registration status change is recorded, whatever the door."""

from django.contrib import admin

from core.admin import NoDeleteAdmin, ReadOnlyAdmin, ServiceAdmin, ServiceForm
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
from providers.services.conditions import condition_impose, condition_lift, membership_add, membership_remove
from providers.services.locations import (
    LOCATION_EDITABLE,
    PROVIDER_EDITABLE,
    location_create,
    location_update,
    provider_create,
    provider_update,
)
from providers.services.sync import sync_scope_set


class LocationInline(admin.TabularInline):
    model = Location
    fields = ["cqc_location_id", "name", "postcode", "care_home", "registered_beds", "registration_status"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


class ProviderForm(ServiceForm):
    class Meta:
        model = Provider
        fields = list(PROVIDER_EDITABLE)

    def write(self, data: dict) -> Provider:
        if self.instance.pk is None:
            return provider_create(by=self.user, **data)
        return provider_update(provider=self.instance, by=self.user, **data)


@admin.register(Provider)
class ProviderAdmin(NoDeleteAdmin):
    """A provider is CQC's record: it is deregistered (by the sync or the CQC files), never deleted here."""

    form = ProviderForm
    fields = list(PROVIDER_EDITABLE)
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
    """Read here; conditions are imposed and lifted on their own screen, through the services."""

    model = Condition
    fields = ["text", "stops_admissions", "imposed_on", "lifted_on", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class LocationForm(ServiceForm):
    """The fields a person enters; the services work out the ward and district and show their own errors."""

    class Meta:
        model = Location
        fields = list(LOCATION_EDITABLE)

    def write(self, data: dict) -> Location:
        if self.instance.pk is None:
            return location_create(by=self.user, **data)
        return location_update(location=self.instance, by=self.user, **data)


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
class LocationAdmin(NoDeleteAdmin):
    """A location is CQC's record, kept with its beds, placements and history: deregistered, never deleted."""

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
    form = LocationForm
    raw_id_fields = ["provider"]
    readonly_fields = [
        "ward",
        "district",
        "current_rating",
        "registered_manager_absent_date",
        "created_at",
        "updated_at",
    ]
    fields = [*LOCATION_EDITABLE, *readonly_fields]
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

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a current rating deleted would leave an Inadequate home unrestricted in the bed finder


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

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of a downgrade, kept


class ConditionForm(ServiceForm):
    """Added: imposed through condition_impose (and lifted at once if a lift date is given). Changed: only the
    lift date, through condition_lift."""

    class Meta:
        model = Condition
        fields = ["location", "text", "stops_admissions", "imposed_on", "lifted_on", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "location" in self.fields:
            self.fields["location"].required = True

    def write(self, data: dict) -> Condition:
        if self.instance.pk is not None:
            if "lifted_on" in data:
                return condition_lift(condition=self.instance, lifted_on=data["lifted_on"], by=self.user)
            return self.instance
        lifted_on = data.pop("lifted_on", None)
        condition = condition_impose(**{**data, "source": data.get("source") or "manual"}, by=self.user)
        if lifted_on:
            condition = condition_lift(condition=condition, lifted_on=lifted_on, by=self.user)
        return condition


@admin.register(Condition)
class ConditionAdmin(NoDeleteAdmin):
    """Conditions are imposed (add) and lifted (the only change) through the services; a lifted condition stays
    as the record, so none is deleted."""

    form = ConditionForm
    list_display = ["text_start", "location", "provider", "stops_admissions", "imposed_on", "lifted_on"]
    list_filter = ["stops_admissions", "lifted_on"]
    search_fields = ["text", "location__name", "provider__name"]
    list_select_related = ["location", "provider"]
    raw_id_fields = ["location"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["location", "provider", "text", "stops_admissions", "imposed_on", "source"]
        return []

    @admin.display(description="condition")
    def text_start(self, condition: Condition) -> str:
        return str(condition)


@admin.register(RegistrationEvent)
class RegistrationEventAdmin(admin.ModelAdmin):
    """Read only: registration events are recorded by the register's services (sync, imports, location_update)."""

    list_display = ["provider", "location", "kind", "on", "source", "detected_at"]
    list_filter = ["kind", "source"]
    search_fields = ["provider__name", "location__name", "location__cqc_location_id"]
    list_select_related = ["provider", "location"]
    raw_id_fields = ["provider", "location"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of a registration change, kept


class ProviderMembershipForm(ServiceForm):
    class Meta:
        model = ProviderMembership
        fields = ["user", "provider"]

    def write(self, data: dict) -> ProviderMembership:
        return membership_add(user=data["user"], provider=data["provider"])


@admin.register(ProviderMembership)
class ProviderMembershipAdmin(ServiceAdmin):
    """Memberships are added through membership_add (and removed); not edited."""

    form = ProviderMembershipForm
    list_display = ["user", "provider", "created_at"]
    search_fields = ["user__username", "provider__name"]
    list_select_related = ["user", "provider"]
    autocomplete_fields = ["user", "provider"]  # chosen by name, not by typing an id

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        membership_remove(membership=obj)

    def delete_queryset(self, request, queryset) -> None:
        for membership in queryset:
            membership_remove(membership=membership)


class CqcSyncStateForm(ServiceForm):
    class Meta:
        model = CqcSyncState
        fields = ["enabled", "local_authorities", "regions", "all_england"]

    def write(self, data: dict) -> CqcSyncState:
        return sync_scope_set(
            enabled=data["enabled"],
            local_authorities=data["local_authorities"] or [],
            regions=data["regions"] or [],
            all_england=data["all_england"],
        )


@admin.register(CqcSyncState)
class CqcSyncStateAdmin(NoDeleteAdmin):
    """What the sync covers, set through sync_scope_set; the sync makes its one row itself."""

    form = CqcSyncStateForm
    list_display = ["key", "cursor", "local_authorities", "regions", "all_england", "enabled", "updated_at"]
    fields = ["enabled", "local_authorities", "regions", "all_england", "cursor", "load_pages", "load_next_page"]
    # What the sync has reached is the sync's to write: an edited cursor would skip or replay CQC's changes.
    readonly_fields = ["cursor", "load_pages", "load_next_page"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
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


@admin.register(LocationReport)
class LocationReportAdmin(admin.ModelAdmin):
    """CQC inspection reports, kept by the sync; read here."""

    list_display = ["location", "report_date", "report_type", "first_visit_date", "link_id"]
    list_filter = ["report_type"]
    search_fields = ["location__name", "location__cqc_location_id", "link_id"]
    list_select_related = ["location"]
    date_hierarchy = "report_date"
    readonly_fields = [field.name for field in LocationReport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # kept by the CQC sync
