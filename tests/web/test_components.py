"""The shared includes and the navigation registry that every app's pages use."""

from datetime import date

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.roles import Role
from core.forms import GovukDateField, GovukForm
from core.navigation import navigation
from core.web import paginate, query_without
from tests.factories import UserFactory


def test_pagination_links_keep_the_filters_and_mark_the_current_page():
    request = RequestFactory().get("/things/", {"status": "open", "page": "2"})
    page = paginate(request, list(range(120)), per_page=50)
    html = render_to_string("includes/pagination.html", {"page": page, "query": query_without(request, "page")})
    assert 'href="?status=open&amp;page=1" rel="prev"' in html
    assert 'href="?status=open&amp;page=3" rel="next"' in html
    assert 'aria-label="Page 2" aria-current="page"' in html


def test_a_single_page_has_no_pagination():
    request = RequestFactory().get("/things/")
    assert "govuk-pagination" not in render_to_string("includes/pagination.html", {"page": paginate(request, [1, 2])})


class ExampleForm(GovukForm):
    widths = {"name": "govuk-input--width-10"}
    name = forms.CharField(label="Name of the home", help_text="As CQC lists it.")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


def test_a_field_with_an_error_is_drawn_the_gov_uk_way():
    form = ExampleForm({"name": "", "kind": "a"})
    assert not form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["name"]})
    assert "govuk-form-group--error" in html
    assert 'class="govuk-input govuk-input--error govuk-input--width-10"' in html
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert '<span class="govuk-visually-hidden">Error:</span> Enter name of the home' in html
    summary = render_to_string("includes/error_summary.html", {"form": form})
    assert '<a href="#id_name">Enter name of the home</a>' in summary
    radios = render_to_string("includes/field.html", {"field": form["kind"]})
    assert 'class="govuk-radios__input" id="id_kind_0" name="kind" type="radio" value="a" checked' in radios


@pytest.mark.django_db
def test_the_navigation_shows_a_role_its_pages_with_the_deepest_section_current():
    request = RequestFactory().get("/beds/holds/")
    request.user = UserFactory(roles=[Role.BROKER])
    items = navigation(request)["navigation"]
    # Other apps' pages for staff (the map, lots, contracts) are in a broker's navigation too; one item is current.
    shown = [(item["label"], item["current"]) for item in items]
    assert [entry for entry in shown if entry[0] in ("Find a bed", "Your holds")] == [
        ("Find a bed", False),
        ("Your holds", True),
    ]
    assert [label for label, current in shown if current] == ["Your holds"]
    request.user = UserFactory(roles=[Role.PROVIDER_USER])
    labels = [item["label"] for item in navigation(request)["navigation"]]
    assert labels == ["Your homes", "Report vacancies", "Your mobilisation", "Alerts", "Quality audits"]


class DateForm(GovukForm):
    on = GovukDateField(label="Start date", subject="The start date", help_text="For example, 27 3 2027")


def date_form(day: str, month: str, year: str) -> DateForm:
    form = DateForm({"on-day": day, "on-month": month, "on-year": year})
    form.is_valid()
    return form


def marked(form: DateForm) -> list[str]:
    return [part["label"] for part in form["on"].parts if "govuk-input--error" in part["classes"]]


@pytest.mark.parametrize(
    ("boxes", "message", "wrong"),
    [
        (("", "", ""), "Enter start date", ["Day", "Month", "Year"]),
        (("27", "", "2027"), "The start date must include a month", ["Month"]),
        (("", "3", ""), "The start date must include a day and a year", ["Day", "Year"]),
        (("31", "2", "2027"), "The start date must be a real date", ["Day"]),
        (("1", "13", "2027"), "The start date must be a real date", ["Month"]),
        (("1", "x", "2027"), "The start date must be a real date", ["Month"]),
        (("1", "3", "27"), "Year must include 4 numbers", ["Year"]),
        (("1", "3", "20271"), "Year must include 4 numbers", ["Year"]),
        (("1", "3", "0000"), "Year must include 4 numbers", ["Year"]),
        (("\u00b2", "3", "2027"), "The start date must be a real date", ["Day"]),
        (("1", "99999999999999999999", "2027"), "The start date must be a real date", ["Month"]),
        (("1", "\u0663", "2027"), "The start date must be a real date", ["Month"]),
    ],
)
def test_a_date_input_names_what_is_wrong_and_marks_only_those_boxes(boxes, message, wrong):
    form = date_form(*boxes)
    assert form.errors["on"] == [message]
    assert marked(form) == wrong


def test_a_date_input_reads_day_month_and_year_and_draws_them_the_gov_uk_way():
    assert date_form(" 7 ", "03", "2027").cleaned_data["on"] == date(2027, 3, 7)
    form = date_form("31", "2", "2027")
    html = render_to_string("includes/date_input.html", {"field": form["on"]})
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Start date</legend>' in html
    assert 'aria-describedby="id_on-hint id_on-error"' in html
    assert 'name="on-day" type="text" inputmode="numeric" value="31"' in html
    assert 'class="govuk-input govuk-date-input__input govuk-input--width-4" id="id_on-year"' in html
    summary = render_to_string("includes/error_summary.html", {"form": form})
    assert 'href="#id_on-day"' in summary  # the first box that is wrong
    unbound = DateForm(initial={"on": date(2027, 1, 31)})
    assert [part["value"] for part in unbound["on"].parts] == ["31", "1", "2027"]
