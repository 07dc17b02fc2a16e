from django.urls import path

from tasks.web import views

app_name = "tasks-web"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("who-hears-what/", views.WhoHearsWhatView.as_view(), name="who-hears-what"),
    path("<int:pk>/", views.AlertView.as_view(), name="alert"),
    path("<int:pk>/<slug:action>/", views.AlertActionView.as_view(), name="alert-action"),
]
