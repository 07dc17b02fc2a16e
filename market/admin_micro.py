"""Admin screens of micro-enterprises, their returns, their accounts and the development programmes. Each form
saves through market.services.micro_enterprises (see core.admin.ServiceForm), so the admin shows the services'
own refusals on the fields they name. Micro-enterprises, returns and programmes are kept as the record (a
micro-enterprise that stops is ceased, not deleted); a status change is added on its own screen."""

from django import forms
from django.contrib import admin

from core.admin import NoDeleteAdmin, ReadOnlyInline, ServiceAdmin, ServiceForm
from market.models import (
    MicroEnterprise,
    MicroEnterpriseMembership,
    MicroEnterpriseReturn,
    MicroEnterpriseStatus,
    MicroEnterpriseStatusChange,
    Programme,
    ProgrammeQuarter,
    ProgrammeYear,
)
from market.services import micro_enterprises as services
from market.services.micro_enterprises import MICRO_ENTERPRISE_FIELDS, PROGRAMME_FIELDS


class StatusChangeInline(ReadOnlyInline):
    model = MicroEnterpriseStatusChange
    fields = ["on", "status", "notes"]
    show_change_link = False


class ReturnInline(ReadOnlyInline):
    model = MicroEnterpriseReturn
    fields = ["from_date", "hours_per_week", "people_supported"]
    show_change_link = False


class MicroEnterpriseForm(ServiceForm):
    first_status = forms.ChoiceField(
        choices=MicroEnterpriseStatus.choices, initial=MicroEnterpriseStatus.ENQUIRY, required=False
    )
    first_contact = forms.DateField(required=False, help_text="The day of the enquiry (or of the first status).")

    class Meta:
        model = MicroEnterprise
        fields = MICRO_ENTERPRISE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:  # the status is changed on the status changes' screen
            del self.fields["first_status"], self.fields["first_contact"]
        else:
            self.fields["first_contact"].required = True

    def write(self, data: dict) -> MicroEnterprise:
        if self.instance.pk is None:
            status = data.pop("first_status") or MicroEnterpriseStatus.ENQUIRY
            return services.micro_enterprise_create(
                by=self.user, status=status, status_on=data.pop("first_contact"), **data
            )
        return services.micro_enterprise_update(micro_enterprise=self.instance, by=self.user, **data)


@admin.register(MicroEnterprise)
class MicroEnterpriseAdmin(NoDeleteAdmin):
    form = MicroEnterpriseForm
    list_display = ["trading_name", "locality", "status", "status_since", "needs_cqc_registration"]
    list_filter = ["status", "needs_cqc_registration"]
    list_select_related = ["locality"]
    search_fields = ["trading_name", "services", "locality__name", "locality__code"]
    autocomplete_fields = ["locality", "cqc_location"]
    readonly_fields = ["status", "status_since"]
    inlines = [StatusChangeInline, ReturnInline]


class StatusChangeForm(ServiceForm):
    class Meta:
        model = MicroEnterpriseStatusChange
        fields = ["micro_enterprise", "status", "on", "notes"]

    def write(self, data: dict) -> MicroEnterpriseStatusChange:
        return services.micro_enterprise_status_set(by=self.user, **data)


@admin.register(MicroEnterpriseStatusChange)
class StatusChangeAdmin(NoDeleteAdmin):
    """Add a change of status from a day; recorded changes are the history and are not changed."""

    form = StatusChangeForm
    list_display = ["micro_enterprise", "on", "status"]
    list_filter = ["status"]
    list_select_related = ["micro_enterprise"]
    search_fields = ["micro_enterprise__trading_name"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


class ReturnForm(ServiceForm):
    class Meta:
        model = MicroEnterpriseReturn
        fields = ["micro_enterprise", "from_date", "hours_per_week", "people_supported"]

    def write(self, data: dict) -> MicroEnterpriseReturn:
        return services.micro_enterprise_return_record(by=self.user, **data)


@admin.register(MicroEnterpriseReturn)
class ReturnAdmin(NoDeleteAdmin):
    form = ReturnForm
    list_display = ["micro_enterprise", "from_date", "hours_per_week", "people_supported"]
    list_select_related = ["micro_enterprise"]
    search_fields = ["micro_enterprise__trading_name"]
    date_hierarchy = "from_date"

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


class MembershipForm(ServiceForm):
    class Meta:
        model = MicroEnterpriseMembership
        fields = ["user", "micro_enterprise"]

    def write(self, data: dict) -> MicroEnterpriseMembership:
        return services.micro_enterprise_member_add(by=self.user, **data)


@admin.register(MicroEnterpriseMembership)
class MembershipAdmin(ServiceAdmin):
    """A micro-enterprise's own accounts (provider users), who report its returns. Removing one ends its access."""

    form = MembershipForm
    list_display = ["user", "micro_enterprise", "created_at"]
    list_select_related = ["user", "micro_enterprise"]
    search_fields = ["user__username", "micro_enterprise__trading_name"]
    autocomplete_fields = ["user", "micro_enterprise"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def delete_model(self, request, obj) -> None:
        services.micro_enterprise_member_remove(membership=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for membership in queryset:
            services.micro_enterprise_member_remove(membership=membership, by=request.user)


class ProgrammeYearInline(ReadOnlyInline):
    model = ProgrammeYear
    fields = ["year", "enquiries_target", "trading_target", "hours_per_week_target"]
    show_change_link = False


class ProgrammeQuarterInline(ReadOnlyInline):
    model = ProgrammeQuarter
    fields = ["quarter", "planned_hours_per_week", "spending"]
    show_change_link = False


class ProgrammeForm(ServiceForm):
    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS

    def write(self, data: dict) -> Programme:
        if "areas" in data:
            data["areas"] = list(data["areas"])
        if self.instance.pk is None:
            return services.programme_create(by=self.user, **data)
        return services.programme_update(programme=self.instance, by=self.user, **data)


@admin.register(Programme)
class ProgrammeAdmin(NoDeleteAdmin):
    """A programme's name, areas, start and hourly cost avoidance; its targets, trajectory and spending are set
    through the API (PATCH /api/v1/market/programmes/<id>/ with years and quarters) and shown here."""

    form = ProgrammeForm
    list_display = ["name", "start_date", "hourly_cost_avoidance"]
    search_fields = ["name"]
    filter_horizontal = ["areas"]
    inlines = [ProgrammeYearInline, ProgrammeQuarterInline]


class SetWithTheProgrammeAdmin(admin.ModelAdmin):
    """Read only: a programme's years and quarters are set whole through the programme services (the API's
    PATCH .../programmes/<id>/ with years or quarters); here they are listed and searched."""

    list_select_related = ["programme"]
    search_fields = ["programme__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(SetWithTheProgrammeAdmin):
    list_display = ["programme", "year", "enquiries_target", "trading_target", "hours_per_week_target"]


@admin.register(ProgrammeQuarter)
class ProgrammeQuarterAdmin(SetWithTheProgrammeAdmin):
    list_display = ["programme", "quarter", "planned_hours_per_week", "spending"]
