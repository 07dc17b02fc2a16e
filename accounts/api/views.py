from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.api.filters import TeamFilter, UserFilter
from accounts.api.serializers import MeSerializer, TeamSerializer, UserSerializer
from accounts.capabilities import MANAGE_PEOPLE, SIGN_IN, SIGNED_IN
from accounts.permissions import allow
from accounts.selectors import teams_list, users_list
from accounts.services import token_issue


class MeView(generics.RetrieveAPIView):
    """The signed-in user, with roles, teams and the providers they may act for."""

    serializer_class = MeSerializer
    permission_classes = [allow(read=SIGNED_IN)]

    def get_object(self):
        return self.request.user


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [allow(read=MANAGE_PEOPLE)]
    search_fields = ["username", "first_name", "last_name", "email", "organisation"]
    filterset_class = UserFilter

    def get_queryset(self):
        return users_list()


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TeamSerializer
    permission_classes = [allow(read=MANAGE_PEOPLE)]
    search_fields = ["name"]
    filterset_class = TeamFilter

    def get_queryset(self):
        return teams_list()


@extend_schema(summary="Exchange a username and password for an API token (for systems).")
class TokenView(ObtainAuthToken):
    """Failed attempts count towards the sign-in lockout (django-axes, see settings): once a user name or an
    address is locked out, the answer is a 429 whatever the password, until the lockout passes."""

    lockout = True  # core.schema documents the 429
    permission_classes = [allow(read=SIGN_IN, write=SIGN_IN)]
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # DRF's view also reads forms; the API reads JSON

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # The lockout backend marks the request it was given (this DRF request) when it refuses a sign-in.
            if getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(
                    wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                    detail="Too many failed sign-ins for this user name or from this address.",
                )
            if _wrong_credentials(serializer.errors):
                # Well-formed, but no such user name and password: 401, as for a wrong token.
                raise exceptions.AuthenticationFailed("No active user has that user name and password.")
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        # A token sign-in is a sign-in: it clears the user name's failure count and sets last_login.
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response({"token": token_issue(user=user).key})


def _wrong_credentials(errors) -> bool:
    """Whether the sign-in serializer refused only the user name and password together (both were given)."""
    codes = [getattr(error, "code", None) for error in errors.get("non_field_errors", [])]
    return set(errors) == {"non_field_errors"} and codes == ["authorization"]
