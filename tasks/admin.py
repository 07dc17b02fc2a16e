"""Alert rules, alerts, silences and rule runs in the admin. Rules and silences save through the services, as
the API does; alerts are changed only by the engine and the alert actions (the API), so here they are read."""

from django.contrib import admin

from core.admin import NoDeleteAdmin, ReadOnlyAdmin, ReadOnlyInline, ServiceForm
from tasks.models import Alert, AlertChange, AlertComment, AlertEvent, PendingRisk, Rule, RuleRun, Silence
from tasks.services.rules import rule_update
from tasks.services.silences import silence_create


class RuleForm(ServiceForm):
    class Meta:
        model = Rule
        fields = ["name", "description", "enabled", "severity", "pending_for", "resolve_after", "thresholds"]

    def write(self, data: dict) -> Rule:
        return rule_update(rule=self.instance, by=self.user, **data)


@admin.register(Rule)
class RuleAdmin(NoDeleteAdmin):
    form = RuleForm
    list_display = ["code", "name", "enabled", "severity", "pending_for", "resolve_after", "last_run_at"]
    list_filter = ["enabled", "severity"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "last_run_at"]

    def has_add_permission(self, request) -> bool:
        return False  # rules are code; manage.py rules_sync makes their rows


class AlertChangeInline(ReadOnlyInline):
    model = AlertChange
    fields = ["at", "by", "field", "old_value", "new_value", "note"]
    readonly_fields = fields
    show_change_link = False


class AlertCommentInline(ReadOnlyInline):
    model = AlertComment
    fields = ["at", "by", "text"]
    readonly_fields = fields
    show_change_link = False


class AlertEventInline(ReadOnlyInline):
    model = AlertEvent
    fields = ["created_at", "kind", "notify", "severity", "status"]
    readonly_fields = fields
    show_change_link = False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "rule",
        "severity",
        "status",
        "provider",
        "first_seen",
        "last_seen",
        "silenced",
        "inhibited",
    ]
    list_filter = ["status", "severity", "rule", "silenced", "inhibited"]
    search_fields = ["title", "fingerprint", "provider__name", "location__name"]
    list_select_related = ["rule", "provider"]
    inlines = [AlertChangeInline, AlertCommentInline, AlertEventInline]


class SilenceForm(ServiceForm):
    class Meta:
        model = Silence
        fields = ["rule", "provider", "locality", "severity", "starts_at", "ends_at", "reason"]

    def write(self, data: dict) -> Silence:
        return silence_create(by=self.user, **data)


@admin.register(Silence)
class SilenceAdmin(NoDeleteAdmin):
    form = SilenceForm
    list_display = ["reason", "rule", "provider", "locality", "severity", "starts_at", "ends_at", "created_by"]
    list_filter = ["severity", "rule"]
    raw_id_fields = ["provider", "locality"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None  # a silence is expired through the API, not edited


@admin.register(RuleRun)
class RuleRunAdmin(ReadOnlyAdmin):
    list_display = ["rule", "trigger", "started_at", "finished_at", "risks", "opened", "updated", "resolved", "error"]
    list_filter = ["trigger", "rule"]


# The alerts' history, comments and events, and risks waiting out their pending period: written by the engine
# and the alert actions, listed here to look things up.
@admin.register(AlertChange)
class AlertChangeAdmin(ReadOnlyAdmin):
    list_display = ["alert", "at", "by", "field", "old_value", "new_value"]
    list_filter = ["field"]
    search_fields = ["alert__title", "note"]
    list_select_related = ["alert", "by"]


@admin.register(AlertComment)
class AlertCommentAdmin(ReadOnlyAdmin):
    list_display = ["alert", "at", "by", "text"]
    search_fields = ["alert__title", "text"]
    list_select_related = ["alert", "by"]


@admin.register(AlertEvent)
class AlertEventAdmin(ReadOnlyAdmin):
    list_display = ["alert", "created_at", "kind", "severity", "status", "notify"]
    list_filter = ["kind", "notify", "severity"]
    search_fields = ["alert__title"]
    list_select_related = ["alert"]


@admin.register(PendingRisk)
class PendingRiskAdmin(ReadOnlyAdmin):
    list_display = ["fingerprint", "rule", "first_seen", "last_seen"]
    list_filter = ["rule"]
    search_fields = ["fingerprint"]
    list_select_related = ["rule"]


# Delivery (channels, subscriptions, the delivery log) and escalation (policies, steps, escalations, reminders).
from tasks import admin_delivery, admin_escalation, admin_summaries  # noqa: E402,F401
