"""The provider portal's alerts: the same inbox, read only, of the alerts about the provider user's own homes."""

from django.urls import path

from tasks.web import views

app_name = "tasks-portal"

urlpatterns = [
    path("", views.InboxView.as_view(), name="alerts"),
]
