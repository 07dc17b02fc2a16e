from django.urls import path

from contracts.web import views

app_name = "contracts-web"

urlpatterns = [
    path("", views.BedFinderView.as_view(), name="bed-finder"),
    path("lines/<int:bed_line_id>/hold/", views.HoldCreateView.as_view(), name="hold-new"),
    path("holds/", views.HoldListView.as_view(), name="holds"),
    path("holds/<int:hold_id>/place/", views.HoldPlaceView.as_view(), name="hold-place"),
    path("holds/<int:hold_id>/release/", views.HoldReleaseView.as_view(), name="hold-release"),
]
