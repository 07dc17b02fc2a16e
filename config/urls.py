from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts.capabilities import PUBLIC
from accounts.web.views import SignInView, SignOutView
from config.health import health
from core.api import api_not_found
from core.web import declare, home

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME

api_v1 = [
    path("accounts/", include("accounts.api.urls")),
    path("geo/", include("geo.api.urls")),
    path("", include("providers.api.urls")),
    path("quality/", include("quality.api.urls")),
    path("", include("contracts.api.urls")),
    path("market/", include("market.api.urls")),
    path("", include("tasks.api.urls")),
    path("notifications/", include("tasks.api.delivery_urls")),
]

# The API's browsable pages link to rest_framework:login; it is the service's own sign-in.
api_auth = (
    [
        path("login/", SignInView.as_view(), name="login"),
        path("logout/", SignOutView.as_view(), name="logout"),
    ],
    "rest_framework",
)

urlpatterns = [
    path("", declare(PUBLIC)(home), name="home"),
    path("", include("accounts.web.urls")),
    path("api-auth/", include(api_auth)),
    path("beds/waiting/", include("market.web.waiting_urls")),
    path("beds/", include("contracts.web.urls")),
    path("portal/", include("providers.web.portal_urls")),
    path("portal/vacancies/", include("contracts.web.portal_urls")),
    path("portal/mobilisation/", include("market.web.portal_urls")),
    path("portal/alerts/", include("tasks.web.portal_urls")),
    path("portal/quality/", include("quality.web.portal_urls")),
    path("quality/", include("quality.web.urls")),
    path("alerts/", include("tasks.web.urls")),
    path("market/", include("market.web.urls")),
    path("jobs/boundaries/", include("geo.web.urls")),
    path("jobs/cqc-sync/", include("providers.web.sync_urls")),
    path("health/", declare(PUBLIC)(health), name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # Pages for people (each app's web/): the register and the market's pages.
    path("", include("contracts.web.register_urls")),
    path("", include("market.web.failure_urls")),
    path("map/", include("market.web.map_urls")),
    path("lots/", include("market.web.lot_urls")),
    path("demand/", include("market.web.demand_urls")),
    path("tenders/", include("market.web.tender_urls")),
    path("micro-enterprises/", include("market.web.micro_urls")),
    path("api/schema/", declare(PUBLIC)(SpectacularAPIView.as_view()), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own: the policy allows no inline script.
    path("api/docs/", declare(PUBLIC)(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"),
    path("api/redoc/", declare(PUBLIC)(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
    # Last: anything else under /api/ is the JSON 404, with DEBUG on as well as off.
    re_path(r"^api/(?P<path>.*)$", declare(PUBLIC)(api_not_found), name="api-not-found"),
]

# The GOV.UK-style pages, and the JSON error under /api/.
handler400 = "core.web.bad_request_page"
handler403 = "core.web.forbidden_page"
handler404 = "core.web.not_found_page"
handler500 = "core.web.server_error_page"
