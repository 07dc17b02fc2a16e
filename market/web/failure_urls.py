from django.urls import path

from market.web import failure, oversight

app_name = "failure"
urlpatterns = [
    path("providers/<int:provider_id>/failure/", failure.FailurePage.as_view(), name="provider"),
    path("providers/<int:provider_id>/failure/respond/", oversight.ResponseOpenView.as_view(), name="respond"),
    path("market/oversight/", oversight.OversightListPage.as_view(), name="oversight"),
    path("market/oversight/<int:pk>/", oversight.OversightEntryPage.as_view(), name="oversight-entry"),
    path("market/failure-responses/<int:pk>/", oversight.ResponsePage.as_view(), name="response"),
    path(
        "market/failure-responses/<int:pk>/people/<int:person_id>/",
        oversight.PersonSettleView.as_view(),
        name="person-settle",
    ),
]
