"""Signing in and out of the pages with the session, for every role.

Failed sign-ins count towards the same lockout as the API's and the admin's (django-axes, LOGIN_FAILURE_LIMIT):
the authentication backend refuses a locked-out user name or address, and the middleware answers with
`lockout_response` below.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.shortcuts import render
from django.urls import reverse_lazy

from accounts.capabilities import SIGN_IN


class SignInView(LoginView):
    """`next` is followed only to this service's own addresses (LoginView checks host and scheme)."""

    capability = SIGN_IN
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_form_class(self):
        from accounts.web.forms import SignInForm

        return SignInForm

    def get_context_data(self, **kwargs):
        # LoginView sets site_name to the request's host ("127.0.0.1:8000") when the sites framework is not
        # installed; the page and its title name the service, as every other page does.
        return {**super().get_context_data(**kwargs), "site_name": settings.SITE_NAME}


class SignOutView(LogoutView):
    """A POST only, from the sign-out button in the navigation (a GET could be forged by any link)."""

    capability = SIGN_IN
    next_page = reverse_lazy("accounts-web:sign-in")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the admin's lockout page in the admin, the service's own everywhere else."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/admin/"):
        context = {"cooloff_timedelta": settings.AXES_COOLOFF_TIME}
        return render(request, "accounts/lockout.html", context, status=status)
    return render(
        request,
        "accounts/sign_in_locked.html",
        {"cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        status=status,
    )
