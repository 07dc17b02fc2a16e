from django.urls import path

from market.web import waiting

app_name = "waiting"
urlpatterns = [
    path("", waiting.WaitingListView.as_view(), name="list"),
    path("new/", waiting.WaitCreateView.as_view(), name="new"),
    path("<int:pk>/close/", waiting.WaitCloseView.as_view(), name="close"),
]
