from django.urls import path

from market.web import micro

app_name = "micro"
urlpatterns = [
    path("", micro.RegisterView.as_view(), name="list"),
    path("health/", micro.HealthView.as_view(), name="health"),
    path("years/", micro.YearsView.as_view(), name="years"),
    path("<int:pk>/", micro.MicroEnterpriseView.as_view(), name="detail"),
    path("<int:pk>/status/", micro.StatusView.as_view(), name="status"),
    path("<int:pk>/returns/new/", micro.ReturnView.as_view(), name="return-new"),
]
