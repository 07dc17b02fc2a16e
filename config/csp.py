"""The Content-Security-Policy every answer carries: script only from the service's own files, or inline with the
request's nonce (base.html's two small scripts), so markup that slips through escaping cannot run script.

Styles may be inline (the map's pins and the charts set style attributes); images may be data: addresses and the
map's tile server (MAP_TILE_URL), nothing else leaves the service.
"""

import secrets
from urllib.parse import urlsplit

from django.conf import settings


def _tile_source() -> str:
    """MAP_TILE_URL's origin as a CSP source: `https://{s}.tiles.example/{z}/...` allows https://*.tiles.example."""
    if not settings.MAP_TILE_URL:
        return ""
    parts = urlsplit(settings.MAP_TILE_URL.replace("{s}.", "placeholder-subdomain."))
    host = parts.netloc.replace("placeholder-subdomain.", "*.")
    return f" {parts.scheme}://{host}"


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data:{_tile_source()}",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self' blob:",  # the API's Redoc page searches in a worker
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """Gives each request a nonce (`request.csp_nonce`, for templates) and each answer the policy naming it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request.csp_nonce))
        return response
