from rest_framework.routers import SimpleRouter

from market.api import contingency_views, micro_views, mobilisation_views, views

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
# Micro-enterprises, their returns and the development programmes.
router.register("micro-enterprises", micro_views.MicroEnterpriseViewSet, basename="micro-enterprise")
router.register("micro-enterprise-returns", micro_views.ReturnViewSet, basename="micro-enterprise-return")
router.register("programmes", micro_views.ProgrammeViewSet, basename="programme")

urlpatterns = router.urls
