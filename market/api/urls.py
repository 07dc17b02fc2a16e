from rest_framework.routers import SimpleRouter

from market.api import views

app_name = "market"

router = SimpleRouter()
router.register("tenders", views.TenderViewSet, basename="tender")
router.register("lots", views.LotViewSet, basename="lot")
router.register("rounds", views.RoundViewSet, basename="round")
router.register("bids", views.BidViewSet, basename="bid")
router.register("awards", views.AwardViewSet, basename="award")

urlpatterns = router.urls
