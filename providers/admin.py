from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from config.errors import DomainError
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
from providers.services.conditions import (
    condition_impose,
    condition_impose_check,
    condition_lift,
    condition_lift_check,
    membership_add,
    membership_check,
)
from providers.services.locations import LOCATION_EDITABLE, location_changes_check, location_create, location_update


def form_error(error: DomainError, form: forms.Form) -> ValidationError:
    """A service's DomainError as a form error, on its field when the form shows that field."""
    field = error.field if error.field in form.fields else None
    return ValidationError({field: error.message} if field else error.message)


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


class LocationForm(forms.ModelForm):
    """The fields a person enters; location_changes_check (shared with the services) validates them and works
    out the ward and district, so the form shows the services' own errors."""

    class Meta:
        model = Location
        fields = list(LOCATION_EDITABLE)

    def entered(self) -> dict:
        """What to pass to the service: everything for a new location, the changed fields for an edit."""
        names = LOCATION_EDITABLE if self.instance.pk is None else self.changed_data
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                location_changes_check(location=self.instance if self.instance.pk else None, values=self.entered())
            except DomainError as error:
                raise form_error(error, self) from error
        return cleaned


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

    def save_model(self, request, obj, form, change):
        # Through the services, so that a new place re-assigns ward and district.
        if change:
            saved = location_update(location=obj, by=request.user, **form.entered())
        else:
            saved = location_create(by=request.user, **form.entered())
        obj.pk = saved.pk
        obj.refresh_from_db()


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


class ConditionForm(forms.ModelForm):
    class Meta:
        model = Condition
        fields = ["location", "text", "stops_admissions", "imposed_on", "lifted_on", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "location" in self.fields:
            self.fields["location"].required = True

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            if self.instance.pk is None:
                condition_impose_check(text=cleaned.get("text", ""))
                if cleaned.get("lifted_on"):
                    condition_lift_check(
                        condition=Condition(imposed_on=cleaned["imposed_on"]), lifted_on=cleaned["lifted_on"]
                    )
            elif "lifted_on" in self.changed_data:
                condition_lift_check(condition=self.instance, lifted_on=cleaned.get("lifted_on"))
        except DomainError as error:
            raise form_error(error, self) from error
        return cleaned


@admin.register(Condition)
class ConditionAdmin(SimpleHistoryAdmin):
    """Conditions are imposed (add) and lifted (the only change) through the services."""

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

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if "lifted_on" in form.changed_data:
                condition_lift(condition=obj, lifted_on=data["lifted_on"], by=request.user)
        else:
            saved = condition_impose(
                location=data["location"],
                text=data["text"],
                imposed_on=data["imposed_on"],
                stops_admissions=data["stops_admissions"],
                source=data.get("source") or "manual",
                by=request.user,
            )
            if data.get("lifted_on"):
                condition_lift(condition=saved, lifted_on=data["lifted_on"], by=request.user)
            obj.pk = saved.pk
        obj.refresh_from_db()

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


class ProviderMembershipForm(forms.ModelForm):
    class Meta:
        model = ProviderMembership
        fields = ["user", "provider"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                membership_check(user=cleaned["user"])
            except DomainError as error:
                raise form_error(error, self) from error
        return cleaned


@admin.register(ProviderMembership)
class ProviderMembershipAdmin(SimpleHistoryAdmin):
    """Memberships are added through membership_add (and removed); not edited."""

    form = ProviderMembershipForm
    list_display = ["user", "provider", "created_at"]
    search_fields = ["user__username", "provider__name"]
    list_select_related = ["user", "provider"]
    raw_id_fields = ["user", "provider"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        saved = membership_add(user=form.cleaned_data["user"], provider=form.cleaned_data["provider"])
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(CqcSyncState)
class CqcSyncStateAdmin(SimpleHistoryAdmin):
    list_display = ["key", "cursor", "local_authorities", "regions", "all_england", "enabled", "updated_at"]
    fields = ["enabled", "local_authorities", "regions", "all_england", "cursor", "load_pages", "load_next_page"]
    # What the sync has reached is the sync's to write: an edited cursor would skip or replay CQC's changes.
    readonly_fields = ["cursor", "load_pages", "load_next_page"]


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
