"""Admin screens for failure planning: the Market Oversight register saved through market.services.failure (an
entry is added with oversight_enter and its stage changed with oversight_stage_set, each dated in its history);
the history and the failure responses are read here, written on the pages."""

from django.contrib import admin

from core.admin import NoDeleteAdmin, ReadOnlyAdmin, ServiceForm
from market.models import FailureResponse, FailureResponsePerson, OversightEntry, OversightStageChange
from market.services import failure as services


class OversightEntryForm(ServiceForm):
    class Meta:
        model = OversightEntry
        fields = ["provider", "stage", "stage_since", "notes"]
        labels = {"stage_since": "On"}

    def write(self, data: dict) -> OversightEntry:
        if self.instance.pk is None:
            return services.oversight_enter(
                provider=data["provider"],
                stage=data["stage"],
                on=data["stage_since"],
                notes=data["notes"],
                by=self.user,
            )
        if "stage" not in data:
            return self.instance
        return services.oversight_stage_set(
            entry=self.instance,
            stage=data["stage"],
            on=data.get("stage_since") or self.instance.stage_since,
            note=data.get("notes", ""),
            by=self.user,
        )


@admin.register(OversightEntry)
class OversightEntryAdmin(NoDeleteAdmin):
    form = OversightEntryForm
    list_display = ["provider", "stage", "stage_since", "entered_on", "left_on"]
    list_filter = ["stage"]

    def get_readonly_fields(self, request, obj=None):
        return ["provider", "entered_on", "left_on"] if obj is not None else []


@admin.register(OversightStageChange)
class OversightStageChangeAdmin(ReadOnlyAdmin):
    list_display = ["entry", "stage", "on", "left", "by"]


@admin.register(FailureResponse)
class FailureResponseAdmin(ReadOnlyAdmin):
    list_display = ["provider", "reason", "opened_on", "target_date", "closed_on"]


@admin.register(FailureResponsePerson)
class FailureResponsePersonAdmin(ReadOnlyAdmin):
    list_display = ["reference", "response", "status", "settled_on"]
    list_filter = ["status"]
