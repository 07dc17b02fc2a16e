from django.urls import path

from geo.web import views

app_name = "geo-web"

urlpatterns = [
    path("", views.BoundaryImportListView.as_view(), name="boundary-imports"),
    path("upload/", views.BoundaryUploadView.as_view(), name="boundary-upload"),
    path("<int:pk>/", views.BoundaryImportView.as_view(), name="boundary-import"),
]
