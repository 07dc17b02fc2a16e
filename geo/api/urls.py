from django.urls import path

from geo.api import views

app_name = "geo"
urlpatterns = [
    path("localities/", views.LocalityLayerView.as_view(), name="locality-layer"),
    path("localities/<str:code>/", views.LocalityDetailView.as_view(), name="locality-detail"),
    path("postcodes/<str:postcode>/", views.PostcodeView.as_view(), name="postcode"),
    path("boundary-imports/", views.BoundaryImportListView.as_view(), name="boundary-import-list"),
    path("boundary-imports/<int:pk>/", views.BoundaryImportDetailView.as_view(), name="boundary-import-detail"),
]
