from django.urls import path

from market.web import lot_jobs, lots

app_name = "lots"
urlpatterns = [
    path("", lots.LotListView.as_view(), name="lots"),
    path("<int:pk>/", lots.LotView.as_view(), name="lot"),
    path("<int:pk>/status/", lot_jobs.LotStatusView.as_view(), name="lot-status"),
    path("<int:pk>/milestones/<int:milestone_id>/", lot_jobs.MilestoneReportView.as_view(), name="milestone-report"),
    path("<int:pk>/contingency/transfer/", lot_jobs.ContingencyTransferView.as_view(), name="contingency-transfer"),
]
