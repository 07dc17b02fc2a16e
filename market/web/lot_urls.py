from django.urls import path

from market.web import lots

app_name = "lots"
urlpatterns = [
    path("", lots.LotListView.as_view(), name="lots"),
    path("<int:pk>/", lots.LotView.as_view(), name="lot"),
]
