from rest_framework import serializers

from accounts.models import Team, User
from core.query import SlugRelatedField


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    teams = SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "organisation", "job_title", "roles", "teams"]

    def get_roles(self, user: User) -> list[str]:
        return sorted(user.roles)


class MeSerializer(UserSerializer):
    provider_ids = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "provider_ids"]

    def get_provider_ids(self, user: User) -> list[int]:
        from accounts.permissions import provider_ids_of

        return sorted(provider_ids_of(user))


class TeamSerializer(serializers.ModelSerializer):
    members = SlugRelatedField(many=True, read_only=True, slug_field="username")

    class Meta:
        model = Team
        fields = ["id", "name", "description", "email", "role", "members"]
