from django.urls import path

from quality.web import views

app_name = "quality-web"

urlpatterns = [
    path("", views.ScheduleView.as_view(), name="schedule"),
    path("audits/", views.AuditListView.as_view(), name="audits"),
    path("audits/new/", views.AuditPlanView.as_view(), name="audit-new"),
    path("audits/<int:pk>/", views.AuditView.as_view(), name="audit"),
    path("audits/<int:pk>/findings/", views.FindingsView.as_view(), name="findings"),
    path("homes/<int:location_id>/", views.HomeQualityView.as_view(), name="home"),
]
