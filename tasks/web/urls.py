from django.urls import path

from tasks.web import settings, views

app_name = "tasks-web"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("who-hears-what/", views.WhoHearsWhatView.as_view(), name="who-hears-what"),
    path("settings/", settings.SettingsView.as_view(), name="settings"),
    path("settings/subscriptions/new/", settings.SubscriptionNewView.as_view(), name="subscription-new"),
    path(
        "settings/teams/<int:team_id>/subscriptions/new/",
        settings.SubscriptionNewView.as_view(),
        name="team-subscription-new",
    ),
    path("settings/subscriptions/<int:pk>/", settings.SubscriptionChangeView.as_view(), name="subscription"),
    path(
        "settings/subscriptions/<int:pk>/remove/",
        settings.SubscriptionRemoveView.as_view(),
        name="subscription-remove",
    ),
    path("settings/channels/new/", settings.ChannelNewView.as_view(), name="channel-new"),
    path("settings/teams/<int:team_id>/channels/new/", settings.ChannelNewView.as_view(), name="team-channel-new"),
    path("settings/channels/<int:pk>/<slug:action>/", settings.ChannelActionView.as_view(), name="channel-action"),
    path("<int:pk>/", views.AlertView.as_view(), name="alert"),
    path("<int:pk>/<slug:action>/", views.AlertActionView.as_view(), name="alert-action"),
]
