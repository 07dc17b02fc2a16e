from django.urls import path

from contracts.web import officer
from contracts.web import register as views

app_name = "register"
urlpatterns = [
    path("providers/<int:pk>/", views.ProviderView.as_view(), name="provider"),
    path("homes/<int:pk>/", views.HomeView.as_view(), name="home"),
    path("contracts/", views.ContractListView.as_view(), name="contracts"),
    path("contracts/<int:pk>/", views.ContractView.as_view(), name="contract"),
    path("contracts/<int:pk>/vary/", officer.ContractVaryView.as_view(), name="contract-vary"),
    path("contracts/uplift/", officer.UpliftView.as_view(), name="uplift"),
    path("contracts/lines/<int:pk>/", officer.BedLineView.as_view(), name="bed-line"),
]
