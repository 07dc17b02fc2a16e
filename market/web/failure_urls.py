from django.urls import path

from market.web import failure

app_name = "failure"
urlpatterns = [
    path("providers/<int:provider_id>/failure/", failure.FailurePage.as_view(), name="provider"),
]
