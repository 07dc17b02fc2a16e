from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.authtoken.views import ObtainAuthToken

from accounts.api.serializers import MeSerializer, TeamSerializer, UserSerializer
from accounts.permissions import allow
from accounts.roles import Role
from accounts.selectors import teams_list, users_list


class MeView(generics.RetrieveAPIView):
    """The signed-in user, with roles, teams and the providers they may act for."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [allow(read={Role.ADMINISTRATOR})]
    search_fields = ["username", "first_name", "last_name", "email", "organisation"]
    filterset_fields = ["groups__name", "teams__name", "is_active"]

    def get_queryset(self):
        return users_list()


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TeamSerializer
    permission_classes = [allow(read={Role.ADMINISTRATOR})]
    search_fields = ["name"]
    filterset_fields = ["role"]

    def get_queryset(self):
        return teams_list()


@extend_schema(summary="Exchange a username and password for an API token (for systems).")
class TokenView(ObtainAuthToken):
    pass
