"""What every app's pages share: who may open a page, the error pages, the home page and the page context.

A page view declares the capability it needs (an entry of its app's table, <app>/capabilities.py) in one line, like
an API view:

    class BedFinderView(RoleRequiredMixin, TemplateView):
        capability = FIND_BEDS

A function view says the same with `@capability_required(FIND_BEDS)`, and one that anyone may open (the sign-in
page, health) with `@declare(PUBLIC)`; tests/test_url_role_matrix.py reads these declarations.

Someone not signed in is sent to the sign-in page (and back afterwards); a signed-in person whose roles may not
use the page gets the 403 page. A record of another provider is a 404, never a 403: a provider user must not learn
that it exists (raise Http404 from get_object, or use `provider_scope` from accounts.selectors).
"""

import logging
from collections.abc import Iterable
from functools import wraps

from django.conf import settings
from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import urlencode
from django.views.generic import FormView

from core.errors import DomainError

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class RoleRequiredMixin(AccessMixin):
    """Signed in, and `capability` allows the person; else the sign-in page or a 403."""

    capability = None  # an accounts.capabilities.Capability (config imports no app, so not named here)
    # When a form's POST (or any other write) needs more than reading the page: e.g. every role reads the inbox,
    # council staff act on its alerts.
    post_capability = None
    # A bare role set, from a page written before the tables: still obeyed, but tests/test_url_role_matrix.py
    # fails until the page names a table entry as its `capability`.
    roles: Iterable[str] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        allowed = (
            self.capability.allows(request.user) if self.capability is not None else request.user.has_role(*self.roles)
        )
        if not allowed:
            raise PermissionDenied("Your role does not allow this page.")
        writes = self.post_capability is not None and request.method not in SAFE_METHODS
        if writes and not self.post_capability.allows(request.user):
            raise PermissionDenied("Your role does not allow this change.")
        return super().dispatch(request, *args, **kwargs)


class JobFormView(RoleRequiredMixin, FormView):
    """A page that does one job through a form: a form that is refused answers 400 with its errors shown, and
    `refused(form, error)` shows a service's DomainError on it (on its field when the form has one)."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def refused(self, form, error: DomainError):
        form_error(form, error)
        return self.form_invalid(form)


def declare(capability):
    """Records the capability a view needs on the view itself, for a view that checks it some other way (a public
    page, a third-party view): `path("health/", declare(PUBLIC)(health))`."""

    def mark(view):
        view.capability = capability
        return view

    return mark


def capability_required(capability):
    """A function page view's `capability`: someone not signed in goes to the sign-in page, a person the
    capability does not allow gets the 403 page."""

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not capability.public and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not capability.allows(request.user):
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        checked.capability = capability
        return checked

    return decorate


def site(request) -> dict:
    """Template context processor: the service's and the council's names for the header and titles."""
    return {"site_name": settings.SITE_NAME, "council_name": settings.COUNCIL_NAME}


def home(request):
    """The service's front door: each person is sent to the first page their roles may use."""
    from core.navigation import start_url_for

    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    start = start_url_for(request.user)
    if start:
        return redirect(start)
    return render(request, "home.html")


def form_error(form, error: DomainError) -> None:
    """Shows a service's DomainError on the form: on its field when the form has that field, else above it."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def paginate(request, items, *, per_page: int = 50) -> Page:
    """A page of items from ?page= (an out-of-range or malformed page gives the nearest real page)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# Seconds between the reloads of a page following a long job that the person asked to follow.
AUTO_REFRESH_SECONDS = 10


def auto_refresh(request, *, unfinished: bool) -> dict:
    """Context `refresh` for a page that follows a long job (includes/refresh.html, base.html): while the job is
    unfinished the page offers a refresh link and, at the person's choice (?auto=on), reloads itself every
    AUTO_REFRESH_SECONDS without JavaScript; once the job has finished it stops. Reloading is opt-in, because a page
    that reloads by itself moves a screen reader's place (WCAG 2.2.1: the person can turn the time limit off)."""
    auto = unfinished and request.GET.get("auto") == "on"
    return {
        "refresh": {
            "unfinished": unfinished,
            "auto": auto,
            "seconds": AUTO_REFRESH_SECONDS,
            "path": request.path,
        }
    }


def query_without(request, *names: str, **replace) -> str:
    """The request's query string without `names` (and with `replace` set): for pagination and filter links."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    for name, value in replace.items():
        query[name] = value
    return urlencode(list(query.lists()), doseq=True)


class ServiceErrorPagesMiddleware:
    """With DEBUG on, Django answers a missing page or a failure with its technical pages (the settings, the
    URL patterns, the traceback): in the demo a person would see them. Unless DEBUG_ERROR_PAGES is set, this
    answers with the service's own 404 and 500 pages instead; with DEBUG off Django's handlers do it already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._technical_pages_off() and response.status_code == 404 and request.resolver_match is None:
            # An address no URL pattern matches: Django drew its technical 404 before any view ran.
            return not_found_page(request)
        return response

    def process_exception(self, request, exception):
        if not self._technical_pages_off():
            return None
        if isinstance(exception, Http404):
            return not_found_page(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django answers with handler403, the service's page, whatever DEBUG says
        # Logged as Django logs a failure it answers itself, with the traceback.
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=exception, extra={"status_code": 500}
        )
        return server_error_page(request)

    @staticmethod
    def _technical_pages_off() -> bool:
        return settings.DEBUG and not settings.DEBUG_ERROR_PAGES


def bad_request_page(request, exception=None):
    """Django's handler400, for requests Django itself refuses before or outside a view (too many fields, a body
    too large, a bad Host): the JSON error under /api/ (core.api), Django's plain page elsewhere."""
    if request.path.startswith("/api/"):
        from django.core.exceptions import SuspiciousOperation

        from core.api import suspicious_request_response

        return suspicious_request_response(exception if exception is not None else SuspiciousOperation())
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def forbidden_page(request, exception=None):
    """Django's handler403: the GOV.UK-style page, or the JSON error under /api/."""
    if request.path.startswith("/api/"):
        from core.api import error_body

        return JsonResponse(error_body(status_code=403, code="permission_denied", message=str(exception)), status=403)
    return render(request, "errors/403.html", status=403)


def not_found_page(request, exception=None):
    """Django's handler404: the GOV.UK-style page, or the JSON error under /api/ (core.api)."""
    if request.path.startswith("/api/"):
        from core.api import not_found_view

        return not_found_view(request, exception)
    return render(request, "errors/404.html", status=404)


def server_error_page(request):
    """Django's handler500. Rendered without the request's context: what failed may be a context processor."""
    if request.path.startswith("/api/"):
        from core.api import server_error_view

        return server_error_view(request)
    return HttpResponseServerError(loader.get_template("errors/500.html").render({"site_name": settings.SITE_NAME}))
