from django.urls import path

from market.web import map_views

app_name = "map"
urlpatterns = [
    path("", map_views.MapView.as_view(), name="map"),
]
