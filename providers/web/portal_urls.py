from django.urls import path

from providers.web import portal

app_name = "providers-portal"

urlpatterns = [
    path("", portal.HomesView.as_view(), name="homes"),
    path("homes/<int:location_id>/", portal.HomeView.as_view(), name="home"),
]
