from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Team, User
from accounts.roles import Role
from accounts.selectors import roles_held
from accounts.services import user_roles_set


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
        form.roles_before = roles_held(obj) if change else set()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Roles are given and taken through user_roles_set, which makes (or removes) what comes with them;
        # the form saves only the groups that are not roles.
        groups = list(form.cleaned_data.get("groups") or [])
        form.cleaned_data["groups"] = [group for group in groups if group.name not in Role.values]
        super().save_related(request, form, formsets, change)
        roles = [group.name for group in groups if group.name in Role.values]
        user_roles_set(user=form.instance, roles=roles, before=form.roles_before)


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "role", "email", "member_count"]
    list_filter = ["role"]
    search_fields = ["name", "email", "members__username"]
    filter_horizontal = ["members", "owners"]

    @admin.display(description="Members")
    def member_count(self, team: Team) -> int:
        return team.members.count()
