"""The owners of areas in the admin, saved through tasks.services.summaries; the weekly summaries sent are listed to
look up (the weekly task writes them)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ServiceAdmin, ServiceForm
from tasks.models import AreaOwner, WeeklySummary
from tasks.services.summaries import area_owner_save


class AreaOwnerForm(ServiceForm):
    class Meta:
        model = AreaOwner
        fields = ["locality", "user", "enabled"]

    def validate_unique(self):
        """One owner per area is the service's answer, on the area's field."""

    def write(self, data: dict) -> AreaOwner:
        # Written whole: the area and its owner are checked together.
        fields = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        return area_owner_save(by=self.user, area_owner=self.instance if self.instance.pk else None, **fields)


@admin.register(AreaOwner)
class AreaOwnerAdmin(ServiceAdmin):
    form = AreaOwnerForm
    list_display = ["locality", "user", "enabled"]
    list_filter = ["enabled"]
    list_select_related = ["locality", "user"]
    autocomplete_fields = ["locality", "user"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # The summaries sent point at their owner; an owner who should no longer hear is switched off.
        return False


@admin.register(WeeklySummary)
class WeeklySummaryAdmin(ReadOnlyAdmin):
    list_display = ["owner", "week", "opened", "resolved", "overdue", "at"]
    list_select_related = ["owner__locality", "owner__user"]
