"""Admin screens of demand and pending arrangements, saving and deleting through market.services.demand."""

from django.contrib import admin

from core.admin import ServiceAdmin, ServiceForm
from market.models import Demand, PendingArrangement
from market.services import demand as services
from market.services.demand import DEMAND_FIELDS, PENDING_FIELDS


class DemandForm(ServiceForm):
    class Meta:
        model = Demand
        fields = DEMAND_FIELDS

    def write(self, data: dict) -> Demand:
        if self.instance.pk is None:
            return services.demand_create(by=self.user, **data)
        return services.demand_update(demand=self.instance, by=self.user, **data)


class ServiceDeletes(ServiceAdmin):
    delete_service = None
    instance_argument = ""

    def delete_model(self, request, obj):
        type(self).delete_service(**{self.instance_argument: obj}, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Demand)
class DemandAdmin(ServiceDeletes):
    form = DemandForm
    list_display = ["locality", "care_type", "period_start", "period_end", "quantity", "source"]
    list_filter = ["care_type", "source"]
    list_select_related = ["locality"]
    search_fields = ["locality__name", "locality__code", "notes"]
    autocomplete_fields = ["locality"]
    delete_service = services.demand_delete
    instance_argument = "demand"


class PendingForm(ServiceForm):
    class Meta:
        model = PendingArrangement
        fields = PENDING_FIELDS

    def write(self, data: dict) -> PendingArrangement:
        if self.instance.pk is None:
            return services.pending_create(by=self.user, **data)
        return services.pending_update(pending=self.instance, by=self.user, **data)


@admin.register(PendingArrangement)
class PendingArrangementAdmin(ServiceDeletes):
    form = PendingForm
    list_display = ["reference", "locality", "care_type", "waiting_since", "bridging", "ended_on", "outcome"]
    list_filter = ["care_type", "bridging", "outcome"]
    list_select_related = ["locality"]
    search_fields = ["reference"]
    autocomplete_fields = ["locality"]
    delete_service = services.pending_delete
    instance_argument = "pending"
