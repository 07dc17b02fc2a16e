from django.urls import path

from market.web import tenders

app_name = "tenders"
urlpatterns = [
    path("", tenders.TenderListView.as_view(), name="list"),
    path("new/", tenders.TenderCreateView.as_view(), name="new"),
    path("<int:pk>/", tenders.TenderView.as_view(), name="tender"),
    path("<int:pk>/rounds/new/", tenders.RoundCreateView.as_view(), name="round-new"),
    path("rounds/<int:round_id>/invite/", tenders.InviteView.as_view(), name="invite"),
    path("rounds/<int:round_id>/bids/new/", tenders.BidCreateView.as_view(), name="bid-new"),
    path("bids/<int:bid_id>/award/", tenders.AwardCreateView.as_view(), name="award"),
]
