from rest_framework.routers import SimpleRouter

from tasks.api import delivery_views

app_name = "notifications"

router = SimpleRouter()
router.register("channels", delivery_views.ChannelViewSet, basename="channel")
router.register("subscriptions", delivery_views.SubscriptionViewSet, basename="subscription")
router.register("inbox", delivery_views.InboxViewSet, basename="inbox")
router.register("deliveries", delivery_views.DeliveryViewSet, basename="delivery")

urlpatterns = router.urls
