"""The API's documentation pages work under the Content-Security-Policy and ask nothing of another server."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/"])
def test_a_docs_page_loads_nothing_from_elsewhere_and_its_scripts_carry_the_nonce(client, path):
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    # Nothing leaves the machine: no fonts, styles or scripts from Google or a CDN.
    assert not re.findall(r"""(?:href|src)=["']?(?:https?:)?//""", html)
    assert "googleapis" not in html and "gstatic" not in html
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        attributes, body = script
        assert "src=" in attributes or f'nonce="{nonce}"' in attributes, f"an inline script without the nonce: {body}"


def test_redoc_draws_in_the_systems_own_fonts(client):
    html = client.get("/api/redoc/").content.decode()
    assert '"fontFamily": "system-ui' in html
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
