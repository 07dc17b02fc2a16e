from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from market.api import (
    analysis_views,
    contingency_views,
    demand_views,
    failure_views,
    micro_views,
    mobilisation_views,
    oversight_views,
    views,
)

app_name = "market"

router = SimpleRouter()
router.register("tenders", views.TenderViewSet, basename="tender")
router.register("lots", views.LotViewSet, basename="lot")
router.register("rounds", views.RoundViewSet, basename="round")
router.register("bids", views.BidViewSet, basename="bid")
router.register("awards", views.AwardViewSet, basename="award")
# Mobilisation, readiness gateways and contingency.
router.register("mobilisation-templates", mobilisation_views.TemplateViewSet, basename="mobilisation-template")
router.register("mobilisation-plans", mobilisation_views.PlanViewSet, basename="mobilisation-plan")
router.register("milestones", mobilisation_views.MilestoneViewSet, basename="milestone")
router.register("gateways", mobilisation_views.GatewayViewSet, basename="gateway")
router.register("gateway-decisions", mobilisation_views.DecisionViewSet, basename="gateway-decision")
router.register("contingency-arrangements", contingency_views.ArrangementViewSet, basename="contingency-arrangement")
# The analysis: the council's settings for it.
router.register("spot-inflation", analysis_views.SpotInflationViewSet, basename="spot-inflation")
router.register("spot-prices", analysis_views.SpotPriceViewSet, basename="spot-price")
# Demand, people waiting and capacity gaps.
router.register("demand", demand_views.DemandViewSet, basename="demand")
router.register("pending-arrangements", demand_views.PendingArrangementViewSet, basename="pending-arrangement")
router.register("capacity-gaps", demand_views.CapacityGapViewSet, basename="capacity-gap")
# Micro-enterprises, their returns and the development programmes.
router.register("micro-enterprises", micro_views.MicroEnterpriseViewSet, basename="micro-enterprise")
router.register("micro-enterprise-returns", micro_views.ReturnViewSet, basename="micro-enterprise-return")
router.register("programmes", micro_views.ProgrammeViewSet, basename="programme")
# Failure planning: the Market Oversight register and the failure responses with their people.
router.register("oversight", oversight_views.OversightViewSet, basename="oversight-entry")
router.register("failure-responses", oversight_views.ResponseViewSet, basename="failure-response")
router.register("failure-response-people", oversight_views.PersonViewSet, basename="failure-response-person")

EXPORT = r"export/(?P<fmt>csv|xlsx)/$"
urlpatterns = router.urls + [
    path("block-spot/", analysis_views.BlockSpotView.as_view(), name="block-spot"),
    re_path(rf"^block-spot/{EXPORT}", analysis_views.BlockSpotExportView.as_view(), name="block-spot-export"),
    path("cost-avoidance/", analysis_views.CostAvoidanceView.as_view(), name="cost-avoidance"),
    re_path(
        rf"^cost-avoidance/{EXPORT}", analysis_views.CostAvoidanceExportView.as_view(), name="cost-avoidance-export"
    ),
    path("utilisation/", analysis_views.UtilisationView.as_view(), name="utilisation"),
    re_path(rf"^utilisation/{EXPORT}", analysis_views.UtilisationExportView.as_view(), name="utilisation-export"),
    path("market-shape/", analysis_views.MarketShapeView.as_view(), name="market-shape"),
    re_path(rf"^market-shape/{EXPORT}", analysis_views.MarketShapeExportView.as_view(), name="market-shape-export"),
    path("market-limits/", analysis_views.MarketLimitsView.as_view(), name="market-limits"),
    # If a provider failed: the what-if and its plan.
    path("providers/<int:provider_id>/failure/", failure_views.FailureView.as_view(), name="provider-failure"),
    re_path(
        rf"^providers/(?P<provider_id>[0-9]+)/failure/{EXPORT}",
        failure_views.FailureExportView.as_view(),
        name="provider-failure-export",
    ),
]
