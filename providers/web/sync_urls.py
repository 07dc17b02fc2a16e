from django.urls import path

from providers.web import sync

app_name = "providers-sync"

urlpatterns = [
    path("", sync.SyncRunListView.as_view(), name="runs"),
    path("<int:pk>/", sync.SyncRunView.as_view(), name="run"),
    path("run-now/", sync.SyncRunQueueView.as_view(), name="run-now"),
]
