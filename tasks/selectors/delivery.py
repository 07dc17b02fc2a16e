"""Reads for delivery: what channels, subscriptions and inbox notifications a person sees."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import Team, User
from tasks.capabilities import KEEP_DELIVERY
from tasks.models import SEVERITY_ORDER, Channel, ChannelKind, Notification, NotificationStatus, Rule, Subscription


def channels_visible_to(user: User) -> QuerySet[Channel]:
    """Administrators see every channel; everyone else their own (not their teams', which administrators keep)."""
    channels = Channel.objects.select_related("user", "team").order_by("id")
    return channels if KEEP_DELIVERY.allows(user) else channels.filter(user=user)


def subscriptions_visible_to(user: User) -> QuerySet[Subscription]:
    subscriptions = Subscription.objects.prefetch_related("rules", "localities", "channels").order_by("id")
    return subscriptions if KEEP_DELIVERY.allows(user) else subscriptions.filter(user=user)


def teams_managed_by(user: User) -> QuerySet[Team]:
    """The teams whose alert subscriptions and channels the person manages on the settings pages: those they own."""
    return Team.objects.filter(owners=user).order_by("name")


def _managed(user: User) -> Q:
    return Q(user=user) | Q(team__owners=user)


def channels_managed_by(user: User) -> QuerySet[Channel]:
    """The person's own channels and their teams' (as owner), for the settings pages: another person's is not
    among them, whatever the person's role (administrators manage others' in the admin)."""
    return Channel.objects.filter(_managed(user)).select_related("user", "team").distinct().order_by("team_id", "id")


def subscriptions_managed_by(user: User) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(_managed(user))
        .select_related("team")
        .prefetch_related("rules", "localities", "channels")
        .distinct()
        .order_by("team_id", "id")
    )


def deliveries_to(channels: QuerySet[Channel], *, limit: int = 20) -> list[Notification]:
    """The latest messages sent, or being sent, to these channels, newest first."""
    return list(
        Notification.objects.filter(channel__in=channels)
        .select_related("channel", "channel__user", "channel__team")
        .order_by("-created_at", "-id")[:limit]
    )


def inbox_of(user: User) -> QuerySet[Notification]:
    """The user's in-app notifications that were delivered, newest first."""
    return Notification.objects.filter(
        channel__user=user, channel__kind=ChannelKind.IN_APP, status=NotificationStatus.SENT
    ).order_by("-sent_at", "-id")


@dataclass(frozen=True)
class Listener:
    """A person or team a subscription of theirs would tell: on which channels, and whether only in some places
    (a subscription to some localities) or only of their own providers (a provider user)."""

    name: str
    is_team: bool
    channels: tuple[str, ...]
    some_places_only: bool
    own_providers_only: bool
    digest_only: bool


@dataclass(frozen=True)
class RuleSeverityListeners:
    rule: Rule
    severity: str
    listeners: tuple[Listener, ...]

    @property
    def heard_everywhere(self) -> bool:
        """Someone hears of it wherever it is raised, whatever the provider."""
        return any(not (one.some_places_only or one.own_providers_only) for one in self.listeners)


def who_hears_what() -> list[RuleSeverityListeners]:
    """For each rule and severity, the people and teams whose subscriptions would tell them of an alert: the
    enabled subscriptions of active people and of teams, on enabled channels they own, as fan-out and the digest
    match them. In a fixed number of queries, however many people subscribe."""
    from tasks.selectors.routing import subscribers  # the same reading of subscriptions as fan-out

    everyone = subscribers(Subscription.objects.all())
    rows = {
        row.pk: row
        for row in Subscription.objects.filter(pk__in=[one.subscription_id for one in everyone]).select_related(
            "user", "team"
        )
    }
    kinds = dict(
        Channel.objects.filter(pk__in={pk for one in everyone for pk in one.channel_ids}).values_list("pk", "kind")
    )
    labels = dict(ChannelKind.choices)
    answers = []
    for rule in Rule.objects.order_by("code"):
        for severity in SEVERITY_ORDER:
            found: dict[tuple[bool, int], Listener] = {}
            for one in everyone:
                if one.rule_ids and rule.pk not in one.rule_ids:
                    continue
                if one.severities and severity not in one.severities:
                    continue
                row = rows[one.subscription_id]
                owner = row.team or row.user
                name = str(owner) if row.team_id else (owner.get_full_name() or owner.get_username())
                key = (bool(row.team_id), row.team_id or row.user_id)
                earlier = found.get(key)
                listener = Listener(
                    name=name,
                    is_team=bool(row.team_id),
                    channels=tuple(sorted({labels[kinds[pk]] for pk in one.channel_ids})),
                    some_places_only=bool(one.locality_ids),
                    own_providers_only=one.provider_ids is not None,
                    digest_only=not row.immediate,
                )
                if earlier is not None:  # two subscriptions of one owner: the wider answer of each
                    listener = Listener(
                        name=name,
                        is_team=listener.is_team,
                        channels=tuple(sorted(set(earlier.channels) | set(listener.channels))),
                        some_places_only=earlier.some_places_only and listener.some_places_only,
                        own_providers_only=earlier.own_providers_only and listener.own_providers_only,
                        digest_only=earlier.digest_only and listener.digest_only,
                    )
                found[key] = listener
            listeners = tuple(sorted(found.values(), key=lambda one: (one.is_team, one.name.lower())))
            answers.append(RuleSeverityListeners(rule=rule, severity=severity, listeners=listeners))
    return answers
