from django.urls import path

from quality.web import portal

app_name = "quality-portal"

urlpatterns = [
    path("", portal.AuditsView.as_view(), name="audits"),
    path("<int:pk>/", portal.AuditView.as_view(), name="audit"),
]
