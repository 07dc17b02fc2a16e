"""Reads of alerts, rules and silences. Each list is one query (plus fixed prefetches), whatever its length;
provider users see only alerts about their own providers."""

from django.db.models import Prefetch, QuerySet

from accounts.selectors import provider_scope
from tasks.models import Alert, AlertChange, AlertComment, AlertEvent, Rule, RuleRun, Silence


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


def rules_list() -> QuerySet[Rule]:
    return Rule.objects.order_by("code")


def rule_runs_of(*, rule: Rule, limit: int = 10) -> list[RuleRun]:
    return list(RuleRun.objects.filter(rule=rule).order_by("-started_at", "-pk")[:limit])


def silences_list() -> QuerySet[Silence]:
    return Silence.objects.select_related("rule", "provider", "locality", "created_by", "expired_by").order_by(
        "-starts_at", "-pk"
    )
