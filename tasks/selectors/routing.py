"""Who hears about an alert: the subscriptions it matches, read for all subscribers in a fixed number of queries
and matched in memory, so fan-out costs the same whether ten people subscribe or a thousand.

A subscription matches when each of its lists is empty or holds the alert's value: its rules, its severities, and
its localities (an alert in a ward matches a subscription to the district or county around it). Whatever a
provider user subscribes to, only alerts about their own providers match; an alert about no provider never does.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from geo.models import Locality
from providers.models import ProviderMembership
from tasks.models import Subscription

# Boundaries nest a few levels at most (ward, district, county, region); the walk up stops here regardless.
LOCALITY_DEPTH_LIMIT = 8


@dataclass(frozen=True)
class Subscriber:
    subscription_id: int
    rule_ids: frozenset[int]
    severities: frozenset[str]
    locality_ids: frozenset[int]
    provider_ids: frozenset[int] | None  # None: any provider's alerts (council staff and teams)
    channel_ids: tuple[int, ...]

    def matches(self, *, rule_id: int, severity: str, locality_ids: frozenset[int], provider_id: int | None) -> bool:
        if self.rule_ids and rule_id not in self.rule_ids:
            return False
        if self.severities and severity not in self.severities:
            return False
        if self.locality_ids and not (self.locality_ids & locality_ids):
            return False
        return self.provider_ids is None or (provider_id is not None and provider_id in self.provider_ids)


class Router:
    """Matches events to subscribers in one pass: each subscriber's four tests are answered once for each rule,
    severity, place and provider seen (as a bit set over the subscribers), so an event costs four look-ups and an
    AND, not a test of every subscription; events alike in all four share one answer."""

    def __init__(self, everyone: list[Subscriber]):
        self.everyone = everyone
        self._masks: dict[tuple, int] = {}
        self._reached: dict[tuple, tuple[int, ...]] = {}

    def _mask(self, key: tuple, passes) -> int:
        mask = self._masks.get(key)
        if mask is None:
            mask = 0
            for index, subscriber in enumerate(self.everyone):
                if passes(subscriber):
                    mask |= 1 << index
            self._masks[key] = mask
        return mask

    def channels(
        self, *, rule_id: int, severity: str, locality_ids: frozenset[int], provider_id: int | None
    ) -> tuple[int, ...]:
        """The channels an event reaches, in id order: those of every subscriber it matches (Subscriber.matches)."""
        key = (rule_id, severity, locality_ids, provider_id)
        found = self._reached.get(key)
        if found is not None:
            return found
        mask = (
            self._mask(("rule", rule_id), lambda s: not s.rule_ids or rule_id in s.rule_ids)
            & self._mask(("severity", severity), lambda s: not s.severities or severity in s.severities)
            & self._mask(("places", locality_ids), lambda s: not s.locality_ids or bool(s.locality_ids & locality_ids))
            & self._mask(
                ("provider", provider_id),
                lambda s: s.provider_ids is None or (provider_id is not None and provider_id in s.provider_ids),
            )
        )
        reached: set[int] = set()
        while mask:
            lowest = mask & -mask
            reached.update(self.everyone[lowest.bit_length() - 1].channel_ids)
            mask ^= lowest
        found = self._reached[key] = tuple(sorted(reached))
        return found


def subscribers(subscriptions: QuerySet[Subscription]) -> list[Subscriber]:
    """Enabled subscriptions of active users and of teams, with their enabled channels of the same owner."""
    rows = list(
        subscriptions.filter(enabled=True)
        .select_related("user")
        .prefetch_related("user__groups")
        .only("id", "user_id", "team_id", "severities", "user__is_active", "user__is_superuser")
    )
    rows = [row for row in rows if row.user_id is None or row.user.is_active]
    ids = [row.pk for row in rows]
    rules: dict[int, set[int]] = {}
    for subscription_id, rule_id in Subscription.rules.through.objects.filter(subscription_id__in=ids).values_list(
        "subscription_id", "rule_id"
    ):
        rules.setdefault(subscription_id, set()).add(rule_id)
    localities: dict[int, set[int]] = {}
    for subscription_id, locality_id in Subscription.localities.through.objects.filter(
        subscription_id__in=ids
    ).values_list("subscription_id", "locality_id"):
        localities.setdefault(subscription_id, set()).add(locality_id)
    channels: dict[int, list[int]] = {}
    for subscription_id, channel_id, user_id, team_id in (
        Subscription.channels.through.objects.filter(subscription_id__in=ids, channel__enabled=True)
        .order_by("channel_id")
        .values_list("subscription_id", "channel_id", "channel__user_id", "channel__team_id")
    ):
        channels.setdefault(subscription_id, []).append((channel_id, user_id, team_id))
    provider_users = {row.user_id for row in rows if row.user_id and row.user.is_provider_user}
    memberships: dict[int, set[int]] = {user_id: set() for user_id in provider_users}
    for user_id, provider_id in ProviderMembership.objects.filter(user_id__in=provider_users).values_list(
        "user_id", "provider_id"
    ):
        memberships[user_id].add(provider_id)
    found = []
    for row in rows:
        owned = tuple(
            channel_id
            for channel_id, user_id, team_id in channels.get(row.pk, [])
            if (user_id, team_id) == (row.user_id, row.team_id)
        )
        if not owned:
            continue
        found.append(
            Subscriber(
                subscription_id=row.pk,
                rule_ids=frozenset(rules.get(row.pk, ())),
                severities=frozenset(row.severities or ()),
                locality_ids=frozenset(localities.get(row.pk, ())),
                provider_ids=frozenset(memberships[row.user_id]) if row.user_id in provider_users else None,
                channel_ids=owned,
            )
        )
    return found


def locality_ancestors(locality_ids: Iterable[int | None]) -> dict[int, frozenset[int]]:
    """Each locality with every locality it lies inside (itself included), one query per level of nesting."""
    parents: dict[int, int | None] = {}
    frontier = {locality_id for locality_id in locality_ids if locality_id is not None}
    for _ in range(LOCALITY_DEPTH_LIMIT):
        frontier -= parents.keys()
        if not frontier:
            break
        found = dict(Locality.objects.filter(id__in=frontier).values_list("id", "parent_id"))
        parents.update(found)
        parents.update(dict.fromkeys(frontier - found.keys()))
        frontier = {parent for parent in found.values() if parent is not None}
    chains: dict[int, frozenset[int]] = {}
    for start in parents:
        chain, current = set(), start
        while current is not None and current not in chain and len(chain) < LOCALITY_DEPTH_LIMIT:
            chain.add(current)
            current = parents.get(current)
        chains[start] = frozenset(chain)
    return chains
