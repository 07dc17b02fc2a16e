from django.urls import path

from contracts.web import people, shop_window, views

app_name = "contracts-web"

urlpatterns = [
    path("", views.BedFinderView.as_view(), name="bed-finder"),
    path("lines/<int:bed_line_id>/hold/", views.HoldCreateView.as_view(), name="hold-new"),
    path("holds/", views.HoldListView.as_view(), name="holds"),
    path("holds/<int:hold_id>/place/", views.HoldPlaceView.as_view(), name="hold-place"),
    path("holds/<int:hold_id>/release/", views.HoldReleaseView.as_view(), name="hold-release"),
    path("people/", people.PersonFindView.as_view(), name="people"),
    path("people/<str:reference>/", people.PersonView.as_view(), name="person"),
    path("placements/<int:placement_id>/end/", people.PlacementEndView.as_view(), name="placement-end"),
    path("placements/<int:placement_id>/move/", people.PlacementMoveView.as_view(), name="placement-move"),
    path("spot/", people.SpotPlacementView.as_view(), name="spot-new"),
    path("vacancies/", shop_window.VacanciesTodayView.as_view(), name="vacancies-today"),
]
