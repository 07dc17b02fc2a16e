from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Team, User
from accounts.selectors import roles_held
from accounts.services import team_delete, team_save, token_revoke, token_rotate, user_access_set, user_save
from core.admin import ServiceAdmin, ServiceForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "email", "first_name", "last_name", "organisation", "role_names", "is_active"]
    list_filter = ["groups", "is_active", "is_staff", "teams"]
    search_fields = ["username", "email", "first_name", "last_name", "organisation"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Organisation", {"fields": ("organisation", "job_title")}))

    @admin.display(description="Roles")
    def role_names(self, user: User) -> str:
        return ", ".join(sorted(user.roles))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_model(self, request, obj, form, change):
        # The roles before this save, superuser flag included, read before the flag is written.
        form.roles_before = roles_held(User.objects.get(pk=obj.pk)) if change else set()
        user_save(user=obj)

    def save_related(self, request, form, formsets, change):
        # Roles are given and taken through user_roles_set, which makes (or removes) what comes with them.
        if "groups" in form.cleaned_data or "user_permissions" in form.cleaned_data:
            user_access_set(
                user=form.instance,
                groups=form.cleaned_data.get("groups") or [],
                permissions=form.cleaned_data.get("user_permissions") or [],
                before=form.roles_before,
            )

    def has_delete_permission(self, request, obj=None) -> bool:
        # An account is the author of history, alerts' actions and audits: it is made inactive, never deleted.
        return False


class TeamForm(ServiceForm):
    class Meta:
        model = Team
        fields = ["name", "description", "email", "role", "members", "owners"]

    def write(self, data: dict) -> Team:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return team_save(team=self.instance if self.instance.pk else None, **values)


@admin.register(Team)
class TeamAdmin(ServiceAdmin):
    form = TeamForm
    list_display = ["name", "role", "email", "member_count"]
    list_filter = ["role"]
    search_fields = ["name", "email", "members__username"]
    filter_horizontal = ["members", "owners"]

    @admin.display(description="Members")
    def member_count(self, team: Team) -> int:
        return team.members.count()

    def delete_model(self, request, obj) -> None:
        team_delete(team=obj)

    def delete_queryset(self, request, queryset) -> None:
        for team in queryset:
            team_delete(team=team)


class TokenForm(ServiceForm):
    class Meta:
        model = TokenProxy
        fields = ["user"]

    def write(self, data: dict) -> TokenProxy:
        # A person who has a token is given a new one in its place: the old one is refused from then on.
        return TokenProxy.objects.get(key=token_rotate(user=data["user"]).key)


# DRF's own token admin deletes tokens itself; this one revokes them through the service, which also tells the
# cache of who a token signs in as (accounts.access_cache) that they are gone.
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(DRFTokenAdmin):
    form = TokenForm
    list_display = ("user", "created")  # not the key: a screen of everyone's credentials helps nobody

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a token is revoked, or replaced by adding one for the same person

    def save_model(self, request, obj, form, change):
        """The form's service wrote the row already."""

    def delete_model(self, request, obj) -> None:
        token_revoke(token=obj)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset:
            token_revoke(token=token)
