from django.urls import path

from contracts.web import vacancies

app_name = "contracts-portal"

urlpatterns = [
    path("", vacancies.VacancyReportsView.as_view(), name="vacancies"),
    path("template.csv", vacancies.VacancyTemplateView.as_view(), name="vacancy-template"),
]
