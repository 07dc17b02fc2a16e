"""Admin screens for the council's market analysis settings: the spot inflation path, spot prices and the market
limits, saved through market.services.analysis as the API saves them. A year's inflation or a spot price may be
deleted (the defaults then apply); the limits are one row, changed and never deleted."""

from django.contrib import admin

from core.admin import NoDeleteAdmin, ServiceAdmin, ServiceForm
from market.models import MarketLimits, SpotInflation, SpotPrice
from market.services import analysis as services


class SpotInflationForm(ServiceForm):
    class Meta:
        model = SpotInflation
        fields = ["financial_year", "percent", "notes"]

    def write(self, data: dict) -> SpotInflation:
        if self.instance.pk is None:
            return services.spot_inflation_set(by=self.user, **data)
        return services.spot_inflation_update(inflation=self.instance, by=self.user, **data)


class DeletesThroughService(ServiceAdmin):
    delete_service = None
    instance_argument = ""

    def delete_model(self, request, obj):
        type(self).delete_service(**{self.instance_argument: obj})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(SpotInflation)
class SpotInflationAdmin(DeletesThroughService):
    form = SpotInflationForm
    list_display = ["financial_year", "percent", "notes", "updated_at"]
    delete_service = services.spot_inflation_delete
    instance_argument = "inflation"


class SpotPriceForm(ServiceForm):
    class Meta:
        model = SpotPrice
        fields = ["care_type", "priced_on", "weekly_price", "notes"]

    def write(self, data: dict) -> SpotPrice:
        if self.instance.pk is None:
            return services.spot_price_create(by=self.user, **data)
        return services.spot_price_update(spot_price=self.instance, by=self.user, **data)


@admin.register(SpotPrice)
class SpotPriceAdmin(DeletesThroughService):
    form = SpotPriceForm
    list_display = ["care_type", "priced_on", "weekly_price", "notes"]
    list_filter = ["care_type"]
    delete_service = services.spot_price_delete
    instance_argument = "spot_price"


class MarketLimitsForm(ServiceForm):
    class Meta:
        model = MarketLimits
        fields = list(services.LIMIT_FIELDS)

    def write(self, data: dict) -> MarketLimits:
        return services.market_limits_set(by=self.user, **data)


@admin.register(MarketLimits)
class MarketLimitsAdmin(NoDeleteAdmin):
    form = MarketLimitsForm
    list_display = ["__str__", "small_provider_max_beds", "small_provider_max_locations", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not MarketLimits.objects.exists()
