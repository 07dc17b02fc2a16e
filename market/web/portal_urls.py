from django.urls import path

from market.web import portal

app_name = "market-portal"

urlpatterns = [
    path("", portal.MobilisationView.as_view(), name="mobilisation"),
    path("milestones/<int:milestone_id>/", portal.MilestoneProgressView.as_view(), name="milestone"),
    path("plans/<int:plan_id>/recruitment/", portal.RecruitmentReportView.as_view(), name="recruitment"),
]
