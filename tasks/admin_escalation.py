"""Escalation policies and their steps in the admin, saved through tasks.services.escalation; the escalations and
reminders sent are listed to look up (the sweeps write them)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin, ServiceForm
from tasks.models import Escalation, EscalationPolicy, EscalationStep, Reminder
from tasks.services.escalation import escalation_policy_create, escalation_policy_update, escalation_step_save


class EscalationPolicyForm(ServiceForm):
    class Meta:
        model = EscalationPolicy
        fields = ["name", "rules", "severities", "enabled"]

    def write(self, data: dict) -> EscalationPolicy:
        if self.instance.pk is None:
            return escalation_policy_create(by=self.user, **data)
        return escalation_policy_update(policy=self.instance, by=self.user, **data)


class EscalationStepInline(ReadOnlyInline):
    model = EscalationStep
    fields = ["position", "after_minutes", "hours_from", "hours_to", "weekdays", "outside_hours"]
    readonly_fields = fields


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(ServiceAdmin):
    form = EscalationPolicyForm
    list_display = ["name", "severities", "enabled"]
    list_filter = ["enabled"]
    filter_horizontal = ["rules"]
    inlines = [EscalationStepInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # A policy is switched off (enabled), not deleted: the escalations it sent point at its steps.
        return False


class EscalationStepForm(ServiceForm):
    class Meta:
        model = EscalationStep
        fields = [
            "policy",
            "position",
            "after_minutes",
            "users",
            "teams",
            "channels",
            "hours_from",
            "hours_to",
            "weekdays",
            "outside_hours",
        ]

    def write(self, data: dict) -> EscalationStep:
        # A step is written whole (its order and hours are checked against each other), not only what changed.
        fields = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        fields["weekdays"] = fields["weekdays"] or []
        return escalation_step_save(by=self.user, step=self.instance if self.instance.pk else None, **fields)


@admin.register(EscalationStep)
class EscalationStepAdmin(ServiceAdmin):
    form = EscalationStepForm
    list_display = ["__str__", "policy", "position", "after_minutes", "hours_from", "hours_to", "outside_hours"]
    list_filter = ["policy"]
    filter_horizontal = ["users", "teams", "channels"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # The escalations already sent point at their step; a policy that should stop is switched off instead.
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["alert", "step", "at", "channels"]
    list_select_related = ["alert", "step__policy"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["alert", "due_at", "at", "channels"]
    list_select_related = ["alert"]
