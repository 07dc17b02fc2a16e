from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Team, User


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


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "role", "email", "member_count"]
    list_filter = ["role"]
    search_fields = ["name", "email", "members__username"]
    filter_horizontal = ["members"]

    @admin.display(description="Members")
    def member_count(self, team: Team) -> int:
        return team.members.count()
