from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from contracts.api import views

app_name = "contracts"

router = SimpleRouter()
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("bed-lines", views.BedLineViewSet, basename="bed-line")
router.register("rate-changes", views.RateChangeViewSet, basename="rate-change")
router.register("placements", views.PlacementViewSet, basename="placement")
router.register("holds", views.HoldViewSet, basename="hold")
router.register("closures", views.ClosureViewSet, basename="closure")
router.register("vacancy-reports", views.VacancyReportViewSet, basename="vacancy-report")

urlpatterns = [
    path("beds/available/", views.BedsAvailableView.as_view(), name="beds-available"),
    path("voids/", views.VoidReportView.as_view(), name="voids"),
    re_path(r"^voids/export/(?P<fmt>csv|xlsx)/$", views.VoidReportExportView.as_view(), name="voids-export"),
    *router.urls,
]
