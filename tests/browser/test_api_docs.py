"""The API's Swagger UI draws in a browser under the service's Content-Security-Policy, from the service's own
files."""

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_draws_the_schema_with_no_inline_script(open_page):
    page = open_page()
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Care market API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 10
