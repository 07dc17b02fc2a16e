from django.urls import path
from rest_framework.routers import SimpleRouter

from quality.api.views import AuditViewSet, FrameworkViewSet, IntelligenceViewSet, RatingViewSet, ScheduleView

app_name = "quality"

router = SimpleRouter()
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("audits", AuditViewSet, basename="audit")
router.register("ratings", RatingViewSet, basename="rating")
router.register("intelligence", IntelligenceViewSet, basename="intelligence")
urlpatterns = [path("schedule/", ScheduleView.as_view(), name="schedule"), *router.urls]
