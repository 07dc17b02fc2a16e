from django.urls import path

from market.web import analysis

app_name = "market-web"

urlpatterns = [
    path("", analysis.MarketIndexPage.as_view(), name="index"),
    path("capacity-gaps/", analysis.CapacityGapsPage.as_view(), name="capacity-gaps"),
    path("block-spot/", analysis.BlockSpotPage.as_view(), name="block-spot"),
    path("cost-avoidance/", analysis.CostAvoidancePage.as_view(), name="cost-avoidance"),
    path("utilisation/", analysis.UtilisationPage.as_view(), name="utilisation"),
    path("programme/", analysis.ProgrammePage.as_view(), name="programme"),
    path("market-shape/", analysis.MarketShapePage.as_view(), name="market-shape"),
]
