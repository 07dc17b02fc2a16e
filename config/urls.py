from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api import api_not_found
from config.health import health

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME

api_v1 = [
    path("accounts/", include("accounts.api.urls")),
    path("geo/", include("geo.api.urls")),
    path("", include("providers.api.urls")),
    path("", include("contracts.api.urls")),
    path("market/", include("market.api.urls")),
    path("", include("tasks.api.urls")),
    path("notifications/", include("tasks.api.delivery_urls")),
]

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Last: anything else under /api/ is the JSON 404, with DEBUG on as well as off.
    re_path(r"^api/(?P<path>.*)$", api_not_found, name="api-not-found"),
]

handler404 = "config.api.not_found_view"
handler500 = "config.api.server_error_view"
