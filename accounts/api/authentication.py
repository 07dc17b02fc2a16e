"""API token sign-in: DRF's TokenAuthentication, reading who the token signs in as through
accounts.selectors.token_access, which keeps the answer in the cache until a service changes the token, the
person's account or their roles."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.selectors import token_access


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        found = token_access(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, token = found
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token
