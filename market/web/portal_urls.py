from django.urls import path

from market.web import portal

app_name = "market-portal"

urlpatterns = [
    path("", portal.MobilisationView.as_view(), name="mobilisation"),
]
