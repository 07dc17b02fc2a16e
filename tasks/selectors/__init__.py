"""Reads of alerts, rules and silences. Each list is one query (plus fixed prefetches), whatever its length;
provider users see only alerts about their own providers."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.selectors import provider_scope
from tasks.models import Alert, AlertChange, AlertComment, AlertEvent, AlertStatus, Rule, RuleRun, Silence


def alerts_list(*, user) -> QuerySet[Alert]:
    queryset = Alert.objects.select_related(
        "rule", "provider", "location", "contract", "lot", "locality", "owner_user", "owner_team"
    ).order_by("-last_seen", "-id")
    return provider_scope(queryset, user)


def alert_detail_queryset(*, user) -> QuerySet[Alert]:
    return alerts_list(user=user).prefetch_related(
        Prefetch("changes", queryset=AlertChange.objects.select_related("by").order_by("at", "pk")),
        Prefetch("comments", queryset=AlertComment.objects.select_related("by").order_by("at", "pk")),
        Prefetch("events", queryset=AlertEvent.objects.order_by("created_at", "pk")),
    )


@dataclass(frozen=True)
class HomeAlerts:
    unresolved: int  # open, acknowledged or snoozed
    open: int  # nobody has acknowledged them yet
    assigned_to_user: int  # unresolved, given to the user or to a team of theirs
    newest: list[Alert]


def alerts_about_home(*, user, location_id: int, newest: int = 5) -> HomeAlerts:
    """The unresolved alerts about one home (a CQC location) that `user` may see, counted, and the newest few
    (two queries, whatever their number)."""
    alerts = alerts_list(user=user).filter(location_id=location_id).exclude(status=AlertStatus.RESOLVED)
    mine = Q(owner_user=user) | Q(owner_team__in=user.teams.values("pk"))
    counts = alerts.aggregate(
        unresolved=Count("pk"),
        open=Count("pk", filter=Q(status=AlertStatus.OPEN)),
        assigned_to_user=Count("pk", filter=mine),
    )
    return HomeAlerts(**counts, newest=list(alerts[:newest]))


def rules_list() -> QuerySet[Rule]:
    return Rule.objects.order_by("code")


def rule_runs_of(*, rule: Rule, limit: int = 10) -> list[RuleRun]:
    return list(RuleRun.objects.filter(rule=rule).order_by("-started_at", "-pk")[:limit])


def silences_list() -> QuerySet[Silence]:
    return Silence.objects.select_related("rule", "provider", "locality", "created_by", "expired_by").order_by(
        "-starts_at", "-pk"
    )
