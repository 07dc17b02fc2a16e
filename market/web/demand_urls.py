from django.urls import path

from market.web import demand

app_name = "demand"
urlpatterns = [
    path("", demand.DemandListView.as_view(), name="list"),
    path("new/", demand.DemandCreateView.as_view(), name="new"),
    path("import/", demand.DemandImportView.as_view(), name="import"),
]
