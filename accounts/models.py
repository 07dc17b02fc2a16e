from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from simple_history.models import HistoricalRecords

from accounts.roles import Role


class User(AbstractUser):
    """A person who signs in. Roles are group memberships; provider users are linked to providers
    through providers.ProviderMembership (related name `provider_memberships`)."""

    job_title = models.CharField(max_length=150, blank=True)
    organisation = models.CharField(max_length=200, blank=True, help_text="Council, NHS partner or provider.")

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]

    @property
    def roles(self) -> set[str]:
        if not hasattr(self, "_roles_cache"):
            valid = {role.value for role in Role}
            names = {group.name for group in self.groups.all()}
            self._roles_cache = {name for name in names if name in valid}
            if self.is_superuser:
                self._roles_cache.add(Role.ADMINISTRATOR.value)
        return self._roles_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & {str(role) for role in roles})

    @property
    def is_provider_user(self) -> bool:
        """True when the user's only window on the data is their own providers'."""
        return self.has_role(Role.PROVIDER_USER) and not self.has_role(*(set(Role) - {Role.PROVIDER_USER}))


class Team(models.Model):
    """A working team (e.g. "West Leicestershire brokerage", "Quality and compliance"): alerts and work are
    assigned to teams as well as to people."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True, help_text="Shared mailbox for the team's notifications.")
    role = models.CharField(max_length=40, choices=Role.choices, blank=True, help_text="The role the team works in.")
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    owners = models.ManyToManyField(
        User,
        related_name="teams_owned",
        blank=True,
        help_text="Manage the team's alert subscriptions and channels on the alert settings pages.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def role_group(role: Role) -> Group:
    return Group.objects.get(name=role.value)
