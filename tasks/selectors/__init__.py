"""Reads of alerts, rules and silences. Each list is one query (plus fixed prefetches), whatever its length;
provider users see only alerts about their own providers."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.models import Team, User
from accounts.selectors import provider_scope
from providers.models import Location, Provider
from tasks.models import Alert, AlertChange, AlertComment, AlertEvent, AlertStatus, Rule, RuleRun, Silence


def _visible(user) -> QuerySet[Alert]:
    alerts = Alert.objects.order_by("-last_seen", "-id")
    if user.is_authenticated and user.is_provider_user:
        # Their providers as a subquery rather than a join, so the list needs no DISTINCT over every alert's row.
        return alerts.filter(provider__in=provider_scope(Provider.objects.all(), user, provider_field=""))
    return provider_scope(alerts, user)


def _with_names(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    # Rule, provider, home and area are joined; owners come in one query each. Each join more costs PostgreSQL
    # more in planning than the page takes to run (eight joins: 85 ms of planning for a 1 ms page).
    return alerts.select_related("rule", "provider", "location", "locality").prefetch_related(
        "owner_user", "owner_team"
    )


def alerts_list(*, user) -> QuerySet[Alert]:
    return _with_names(_visible(user))


# The columns of the inbox list's rows (alert_rows_of), as tasks.api.serializers.ALERT_ROW writes them.
ALERT_ROW_COLUMNS = (
    "id",
    "rule__code",
    "rule__name",
    "severity",
    "status",
    "title",
    "subject_kind",
    "subject_id",
    "provider_id",
    "provider_name_by_id",
    "location_id",
    "location_name_by_id",
    "contract_id",
    "bed_line_id",
    "lot_id",
    "locality__code",
    "locality__name",
    "fingerprint",
    "first_seen",
    "last_seen",
    "clear_since",
    "acknowledged_at",
    "snoozed_until",
    "owner_user_id",
    "owner_team_id",
    "recurrence_of_id",
    "resolved_at",
    "resolution_note",
    "inhibited",
    "silenced",
    "silenced_by_id",
    "evidence",
)
# The names of an alert's provider and home, each read by its id for the page's rows alone: joined, PostgreSQL
# hashed all 5,000 providers of the national estate to name 50 alerts (1.1 of the query's 1.6 ms).
_ROW_NAMES = {
    "provider_name_by_id": Subquery(Provider.objects.filter(pk=OuterRef("provider_id")).values("name")[:1]),
    "location_name_by_id": Subquery(Location.objects.filter(pk=OuterRef("location_id")).values("name")[:1]),
}


def alert_rows_of(*, user, ids: list[int]) -> list[dict]:
    """The inbox list's page: the alerts `ids` that `user` may see, in that order, as dicts of ALERT_ROW_COLUMNS
    and their owners' names (`owner_user_name`, `owner_team_name`), in three queries.

    Read as values, without a model instance for each alert and its rule, provider, home and area: building them
    cost more CPU than everything else in the request (bench/README.md). The rows are read by id within what the
    user may see, not through the list's filters again: an alert the sweep or a colleague changed since the ids
    were chosen is as it is now, and one deleted meanwhile is left out."""
    by_id = {
        row["id"]: row
        for row in _visible(user).order_by().filter(pk__in=ids).annotate(**_ROW_NAMES).values(*ALERT_ROW_COLUMNS)
    }
    rows = [by_id[pk] for pk in ids if pk in by_id]
    user_ids = {row["owner_user_id"] for row in rows} - {None}
    team_ids = {row["owner_team_id"] for row in rows} - {None}
    users = (
        # AbstractUser.get_full_name's words, from the two columns alone
        {
            pk: f"{first} {last}".strip()
            for pk, first, last in User.objects.filter(pk__in=user_ids).values_list("pk", "first_name", "last_name")
        }
        if user_ids
        else {}
    )
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name")) if team_ids else {}
    for row in rows:
        row["owner_user_name"] = users.get(row["owner_user_id"])
        row["owner_team_name"] = teams.get(row["owner_team_id"])
    return rows


def assigned_to(user) -> Q:
    """Alerts given to the user or to a team of theirs: the teams in a subquery, so no join repeats an alert and
    the list needs no DISTINCT."""
    return Q(owner_user=user) | Q(owner_team__in=Team.objects.filter(members=user).values("pk"))


def alert_detail_queryset(*, user) -> QuerySet[Alert]:
    return _with_names(_visible(user)).prefetch_related(
        "contract",
        "lot",
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


def open_alerts_at(*, location_ids: list[int], on=None) -> dict[int, int]:
    """Unresolved alerts about each location, in one query: for quality's schedule of visits (tasks.apps registers
    it with quality.risk)."""
    rows = (
        Alert.objects.filter(location_id__in=location_ids)
        .exclude(status=AlertStatus.RESOLVED)
        .values("location_id")
        .annotate(alerts=Count("id"))
    )
    return {row["location_id"]: row["alerts"] for row in rows}
