"""Administrators keep the framework here, through the services: a framework already used by an audit is refused
with the service's message, and the "Make a new version" action copies it as the version to change. Audits are
done on the pages and read here with their history; compliance officers record intelligence."""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin, ServiceForm
from quality import services
from quality.models import Audit, Domain, Finding, Framework, Intelligence, Standard


class FrameworkForm(ServiceForm):
    class Meta:
        model = Framework
        fields = ["name", "version", "current", "notes"]

    def write(self, data: dict) -> Framework:
        if self.instance.pk is None:
            return services.framework_create(**data)
        if data.get("current"):
            return services.framework_make_current(framework=self.instance)
        return self.instance


class DomainInline(ReadOnlyInline):
    model = Domain
    fields = ["number", "name"]


@admin.register(Framework)
class FrameworkAdmin(ServiceAdmin):
    form = FrameworkForm
    list_display = ["name", "version", "current", "created_at"]
    inlines = [DomainInline]
    actions = ["version_new"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Make a new version (to change a framework audits have used)")
    def version_new(self, request, queryset):
        for framework in queryset:
            copy = services.framework_version_new(framework=framework)
            self.message_user(request, f"{copy} is now current.", messages.SUCCESS)


class DomainForm(ServiceForm):
    class Meta:
        model = Domain
        fields = ["framework", "number", "name"]

    def write(self, data: dict) -> Domain:
        if self.instance.pk is None:
            return services.domain_create(**data)
        data.pop("framework", None)
        return services.domain_update(domain=self.instance, **data)


@admin.register(Domain)
class DomainAdmin(ServiceAdmin):
    form = DomainForm
    list_display = ["framework", "number", "name"]
    list_filter = ["framework"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StandardForm(ServiceForm):
    class Meta:
        model = Standard
        fields = ["domain", "number", "title", "looked_for", "weight"]

    def write(self, data: dict) -> Standard:
        if self.instance.pk is None:
            return services.standard_create(**data)
        return services.standard_update(standard=self.instance, **data)


@admin.register(Standard)
class StandardAdmin(ServiceAdmin):
    form = StandardForm
    list_display = ["framework", "number", "title", "domain", "weight"]
    list_filter = ["framework"]
    list_select_related = ["framework", "domain"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = ["standard", "score", "evidence"]
    show_change_link = False


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["location", "status", "planned_for", "officer", "rating", "published_on"]
    list_filter = ["status", "rating"]
    search_fields = ["location__name"]
    list_select_related = ["location", "officer"]
    inlines = [FindingInline]


class IntelligenceForm(ServiceForm):
    class Meta:
        model = Intelligence
        fields = ["location", "received_on", "category", "severity", "summary", "reference"]

    def write(self, data: dict) -> Intelligence:
        return services.intelligence_record(by=self.user, **data)


@admin.register(Intelligence)
class IntelligenceAdmin(ServiceAdmin):
    form = IntelligenceForm
    list_display = ["location", "received_on", "category", "severity", "reference"]
    list_filter = ["category", "severity"]
    autocomplete_fields = ["location"]
    list_select_related = ["location"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
