"""Channels and subscriptions: every write, from the API, the admin or the defaults.

People manage their own; administrators manage anyone's and the teams'. A subscription's channels belong to its
owner. The role defaults (ROLE_DEFAULTS) are made for a user once, the first time they are needed.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Team, User
from accounts.roles import Role
from config.errors import Conflict, DomainError, NotFound
from config.writes import UNCHANGED, given
from geo.models import Locality
from tasks.models import Channel, ChannelKind, Rule, Severity, Subscription, SubscriptionDefaults
from tasks.services.delivery.addresses import webhook_address_refusal
from tasks.services.delivery.sending import inbox_for
from tasks.services.delivery.signing import webhook_secret_new


class NotYours(NotFound):
    """Another person's channel or subscription does not exist for you."""


@dataclass(frozen=True)
class DefaultSet:
    name: str
    channels: tuple[str, ...]
    severities: tuple[str, ...] = ()
    # Rules whose code starts with one of these; empty = every rule. A set naming prefixes that match no rule
    # is not made (it would otherwise hear about everything).
    rule_prefixes: tuple[str, ...] = ()


ROLE_DEFAULTS: dict[Role, list[DefaultSet]] = {
    Role.COMPLIANCE_OFFICER: [
        DefaultSet(
            name="High and critical alerts",
            severities=(Severity.HIGH, Severity.CRITICAL),
            channels=(ChannelKind.IN_APP, ChannelKind.EMAIL),
        )
    ],
    Role.COMMISSIONER: [
        DefaultSet(
            name="Capacity and market",
            rule_prefixes=("capacity", "market", "void", "micro", "concentration", "waiting", "avoidable"),
            channels=(ChannelKind.IN_APP,),
        )
    ],
    Role.CONTRACT_OFFICER: [
        DefaultSet(
            name="Contracts, mobilisation and contingency",
            rule_prefixes=("contract", "mobilisation", "gateway", "recruitment", "milestone", "contingency", "lot"),
            channels=(ChannelKind.IN_APP,),
        )
    ],
    Role.BROKER: [DefaultSet(name="Void beds", rule_prefixes=("void",), channels=(ChannelKind.IN_APP,))],
    Role.PROVIDER_USER: [DefaultSet(name="Your providers", channels=(ChannelKind.IN_APP,))],
}


def _may_manage(by: User, *, user: User | None, team: Team | None) -> bool:
    if by.has_role(Role.ADMINISTRATOR):
        return True
    return team is None and user is not None and user.pk == by.pk


def _refuse_unless_may_manage(by: User, *, user: User | None, team: Team | None) -> None:
    if not _may_manage(by, user=user, team=team):
        raise NotYours("No such channel or subscription.")


def _owner_check(*, user: User | None, team: Team | None) -> None:
    if (user is None) == (team is None):
        raise DomainError("Give a user or a team, not both.", field="team" if team else "user")


def _url_check(url: str) -> None:
    refusal = webhook_address_refusal(url)
    if refusal:
        raise DomainError(refusal, field="url")


@transaction.atomic
def channel_create(
    *,
    kind: str,
    by: User,
    user: User | None = None,
    team: Team | None = None,
    name: str = "",
    email: str = "",
    url: str = "",
    enabled: bool = True,
) -> Channel:
    """A new channel. A webhook is given a signing secret (shown to its owner; see signing)."""
    _owner_check(user=user, team=team)
    _refuse_unless_may_manage(by, user=user, team=team)
    if kind == ChannelKind.IN_APP:
        if team is not None:
            raise DomainError("A team has no inbox: its members each have their own.", field="kind")
        if Channel.objects.filter(user=user, kind=ChannelKind.IN_APP).exists():
            raise Conflict("This user has an inbox already.", field="kind")
    if kind == ChannelKind.WEBHOOK:
        if not url:
            raise DomainError("A webhook needs the address to post to.", field="url")
        _url_check(url)
    elif url:
        raise DomainError("Only a webhook has an address to post to.", field="url")
    if email and kind != ChannelKind.EMAIL:
        raise DomainError("Only an e-mail channel has an e-mail address.", field="email")
    if kind == ChannelKind.EMAIL and not (email or (user or team).email):
        raise DomainError("Give the address to send to: the owner has none.", field="email")
    return Channel.objects.create(
        kind=kind,
        user=user,
        team=team,
        name=name,
        email=email,
        url=url,
        secret=webhook_secret_new() if kind == ChannelKind.WEBHOOK else "",
        enabled=enabled,
    )


@transaction.atomic
def channel_update(
    *,
    channel: Channel,
    by: User,
    name: str = UNCHANGED,
    email: str = UNCHANGED,
    url: str = UNCHANGED,
    enabled: bool = UNCHANGED,
    rotate_secret: bool = False,
) -> Channel:
    """Change a channel's name, address, URL or on/off; `rotate_secret` gives a webhook a new secret."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    _refuse_unless_may_manage(by, user=channel.user, team=channel.team)
    changes = given(name=name, email=email, url=url, enabled=enabled)
    if "url" in changes:
        if channel.kind != ChannelKind.WEBHOOK:
            raise DomainError("Only a webhook has an address to post to.", field="url")
        _url_check(changes["url"])
    if changes.get("email") and channel.kind != ChannelKind.EMAIL:
        raise DomainError("Only an e-mail channel has an e-mail address.", field="email")
    if rotate_secret:
        if channel.kind != ChannelKind.WEBHOOK:
            raise DomainError("Only a webhook has a signing secret.", field="rotate_secret")
        channel.secret = webhook_secret_new()
    for field, value in changes.items():
        setattr(channel, field, value)
    if changes.get("enabled") is True or "url" in changes or "email" in changes:
        # A changed address or a channel switched back on starts with a clean slate.
        channel.failing, channel.failing_since, channel.dead_letters_in_a_row = False, None, 0
    channel.save()
    return channel


@transaction.atomic
def channel_delete(*, channel: Channel, by: User) -> None:
    _refuse_unless_may_manage(by, user=channel.user, team=channel.team)
    if channel.kind == ChannelKind.IN_APP:
        raise Conflict("The inbox cannot be removed; unsubscribe instead.", field="kind")
    channel.delete()


def _subscription_values(
    *,
    user: User | None,
    team: Team | None,
    rules: Iterable[Rule] | None,
    severities: Iterable[str] | None,
    localities: Iterable[Locality] | None,
    channels: Iterable[Channel] | None,
) -> dict:
    values: dict = {}
    if severities is not None:
        severities = list(dict.fromkeys(severities))
        bad = [severity for severity in severities if severity not in Severity.values]
        if bad:
            raise DomainError(f"{bad[0]!r} is not a severity ({', '.join(Severity.values)}).", field="severities")
        values["severities"] = severities
    if channels is not None:
        channels = list(channels)
        if not channels:
            raise DomainError("Choose at least one channel to hear on.", field="channels")
        foreign = [
            channel
            for channel in channels
            if (channel.user_id, channel.team_id)
            != (
                user.pk if user else None,
                team.pk if team else None,
            )
        ]
        if foreign:
            raise DomainError(f"Channel {foreign[0].pk} belongs to someone else.", field="channels")
        values["channels"] = channels
    if rules is not None:
        values["rules"] = list(rules)
    if localities is not None:
        values["localities"] = list(localities)
    return values


@transaction.atomic
def subscription_create(
    *,
    by: User,
    channels: Iterable[Channel],
    user: User | None = None,
    team: Team | None = None,
    name: str = "",
    rules: Iterable[Rule] = (),
    severities: Iterable[str] = (),
    localities: Iterable[Locality] = (),
    immediate: bool = True,
    digest: bool = False,
    enabled: bool = True,
    is_default: bool = False,
) -> Subscription:
    _owner_check(user=user, team=team)
    _refuse_unless_may_manage(by, user=user, team=team)
    values = _subscription_values(
        user=user, team=team, rules=rules, severities=severities, localities=localities, channels=channels
    )
    if not (immediate or digest):
        raise DomainError("Choose to hear as alerts happen, in a daily digest, or both.", field="immediate")
    subscription = Subscription.objects.create(
        user=user,
        team=team,
        name=name,
        severities=values["severities"],
        immediate=immediate,
        digest=digest,
        enabled=enabled,
        is_default=is_default,
    )
    subscription.rules.set(values["rules"])
    subscription.localities.set(values["localities"])
    subscription.channels.set(values["channels"])
    return subscription


@transaction.atomic
def subscription_update(
    *,
    subscription: Subscription,
    by: User,
    name: str = UNCHANGED,
    rules: Iterable[Rule] = UNCHANGED,
    severities: Iterable[str] = UNCHANGED,
    localities: Iterable[Locality] = UNCHANGED,
    channels: Iterable[Channel] = UNCHANGED,
    immediate: bool = UNCHANGED,
    digest: bool = UNCHANGED,
    enabled: bool = UNCHANGED,
) -> Subscription:
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    _refuse_unless_may_manage(by, user=subscription.user, team=subscription.team)
    changes = given(
        name=name,
        rules=rules,
        severities=severities,
        localities=localities,
        channels=channels,
        immediate=immediate,
        digest=digest,
        enabled=enabled,
    )
    values = _subscription_values(
        user=subscription.user,
        team=subscription.team,
        rules=changes.get("rules"),
        severities=changes.get("severities"),
        localities=changes.get("localities"),
        channels=changes.get("channels"),
    )
    for field in ("name", "immediate", "digest", "enabled"):
        if field in changes:
            setattr(subscription, field, changes[field])
    if not (subscription.immediate or subscription.digest):
        raise DomainError("Choose to hear as alerts happen, in a daily digest, or both.", field="immediate")
    if "severities" in values:
        subscription.severities = values["severities"]
    subscription.is_default = False if changes else subscription.is_default
    subscription.save()
    for relation in ("rules", "localities", "channels"):
        if relation in values:
            getattr(subscription, relation).set(values[relation])
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription, by: User) -> None:
    _refuse_unless_may_manage(by, user=subscription.user, team=subscription.team)
    subscription.delete()


@transaction.atomic
def subscriptions_defaults(*, user: User) -> list[Subscription]:
    """The role's default subscriptions for `user`, made once (answers those made now; none the second time).
    The inbox always exists; an e-mail channel is made when a default set asks for one and the user has an
    address."""
    _, made = SubscriptionDefaults.objects.get_or_create(user=user)
    if not made:
        return []
    inbox = inbox_for(user=user)
    sets = [default for role in Role if user.has_role(role) for default in ROLE_DEFAULTS.get(role, [])]
    if user.is_provider_user:
        sets = ROLE_DEFAULTS[Role.PROVIDER_USER]
    created = []
    seen_names = set()
    for default in sets:
        if default.name in seen_names:
            continue
        seen_names.add(default.name)
        rules: list[Rule] = []
        if default.rule_prefixes:
            rules = [rule for rule in Rule.objects.all() if rule.code.startswith(default.rule_prefixes)]
            if not rules:
                continue
        channels = [inbox]
        if ChannelKind.EMAIL in default.channels and user.email:
            email = Channel.objects.filter(user=user, kind=ChannelKind.EMAIL, email="").first()
            channels.append(email or Channel.objects.create(user=user, kind=ChannelKind.EMAIL, name="E-mail"))
        subscription = Subscription.objects.create(
            user=user, name=default.name, severities=list(default.severities), is_default=True
        )
        subscription.rules.set(rules)
        subscription.channels.set(channels)
        created.append(subscription)
    return created
