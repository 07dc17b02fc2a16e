from rest_framework.routers import SimpleRouter

from tasks.api import views

app_name = "tasks"

router = SimpleRouter()
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("alert-rules", views.RuleViewSet, basename="alert-rule")
router.register("alert-silences", views.SilenceViewSet, basename="alert-silence")

urlpatterns = router.urls
