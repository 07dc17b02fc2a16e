from rest_framework.routers import SimpleRouter

from providers.api.views import LocationViewSet, ProviderViewSet, RatingChangeViewSet

app_name = "providers"

router = SimpleRouter()
router.register("providers", ProviderViewSet, basename="provider")
router.register("locations", LocationViewSet, basename="location")
router.register("rating-changes", RatingChangeViewSet, basename="rating-change")
urlpatterns = router.urls
