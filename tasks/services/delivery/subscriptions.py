"""Channels and subscriptions: every write, from the API, the admin or the defaults.

People manage their own; a team's owners manage the team's; administrators manage anyone's and every team's.
A subscription's channels belong to its owner. The role defaults (ROLE_DEFAULTS) are made when a person is given
a role and removed when it is taken (subscriptions_follow_roles, called by accounts.services.user_roles_set), never
on a read.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Team, User
from accounts.roles import Role
from core.errors import Conflict, DomainError, NotFound
from core.writes import UNCHANGED, given
from geo.models import Locality
from tasks.capabilities import KEEP_DELIVERY
from tasks.models import Channel, ChannelKind, Rule, Severity, Subscription, SubscriptionDefaults
from tasks.rules import RULES
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
    # The rules the role owns (RuleDefinition.owning_role), at every severity: nothing a rule raises reaches
    # nobody, whoever else hears of it.
    owned: bool = False
    # Or the rules whose code starts with one of these. With neither, every rule. A set whose rules are none
    # (no rule owned, no prefix matching) is not made: it would otherwise hear about everything.
    rule_prefixes: tuple[str, ...] = ()


ROLE_DEFAULTS: dict[Role, list[DefaultSet]] = {
    Role.COMPLIANCE_OFFICER: [
        DefaultSet(name="Quality and registration", owned=True, channels=(ChannelKind.IN_APP,)),
        DefaultSet(
            name="High and critical alerts",
            severities=(Severity.HIGH, Severity.CRITICAL),
            channels=(ChannelKind.IN_APP, ChannelKind.EMAIL),
        ),
    ],
    Role.COMMISSIONER: [DefaultSet(name="Capacity and market", owned=True, channels=(ChannelKind.IN_APP,))],
    Role.CONTRACT_OFFICER: [
        DefaultSet(name="Contracts, mobilisation and contingency", owned=True, channels=(ChannelKind.IN_APP,))
    ],
    Role.BROKER: [DefaultSet(name="Void beds", rule_prefixes=("void",), channels=(ChannelKind.IN_APP,))],
    Role.PROVIDER_USER: [DefaultSet(name="Your providers", channels=(ChannelKind.IN_APP,))],
}
DEFAULT_SET_NAMES = frozenset(default.name for sets in ROLE_DEFAULTS.values() for default in sets)


def _may_manage(by: User, *, user: User | None, team: Team | None) -> bool:
    if KEEP_DELIVERY.allows(by):
        return True
    if team is not None:
        return team.owners.filter(pk=by.pk).exists()
    return user is not None and user.pk == by.pk


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


def default_rule_codes(*, role: Role, default: DefaultSet) -> set[str] | None:
    """The codes of the rules a role's default set hears of; None for every rule."""
    if default.owned:
        return {code for code, definition in RULES.items() if definition.owning_role == role}
    if default.rule_prefixes:
        return {code for code in RULES if code.startswith(default.rule_prefixes)}
    return None


def default_sets_of(roles: Iterable[Role]) -> dict[str, tuple[Role, DefaultSet]]:
    """The default sets a person with these roles has, by name. A provider user's set is only for a person with
    no council role: on a council officer it would hear of every alert."""
    roles = set(roles)
    staff = roles - {Role.PROVIDER_USER}
    sets: dict[str, tuple[Role, DefaultSet]] = {}
    for role in Role:
        if role in roles and not (role == Role.PROVIDER_USER and staff):
            for default in ROLE_DEFAULTS.get(role, []):
                sets.setdefault(default.name, (role, default))
    return sets


@transaction.atomic
def subscriptions_follow_roles(
    *, user: User, added: Iterable[Role] = (), removed: Iterable[Role] = ()
) -> list[Subscription]:
    """Bring a person's default subscriptions in line with their roles, when a role is given or taken
    (accounts.services.user_roles_set calls this). The sets of a role just given are made (or brought up to
    date); the sets of the other roles held are brought up to date if the person still has them unchanged
    (one they deleted stays deleted); a set no role held now has is removed. A default the person has changed
    is theirs (subscription_update clears is_default) and is left alone. Answers the subscriptions made."""
    added = {Role(role) for role in added}
    wanted = default_sets_of(Role(role) for role in user.roles)
    Subscription.objects.filter(user=user, is_default=True, name__in=DEFAULT_SET_NAMES - wanted.keys()).delete()
    if not wanted:
        return []
    SubscriptionDefaults.objects.get_or_create(user=user)
    inbox = inbox_for(user=user)
    have = {subscription.name: subscription for subscription in Subscription.objects.filter(user=user, is_default=True)}
    rules = {rule.code: rule for rule in Rule.objects.all()}
    created = []
    for name, (role, default) in wanted.items():
        codes = default_rule_codes(role=role, default=default)
        chosen = [] if codes is None else [rules[code] for code in sorted(codes) if code in rules]
        if codes is not None and not chosen:
            continue
        subscription = have.get(name)
        if subscription is not None:
            subscription.severities = list(default.severities)
            subscription.save(update_fields=["severities", "updated_at"])
            subscription.rules.set(chosen)
            continue
        if role not in added:
            continue
        channels = [inbox]
        if ChannelKind.EMAIL in default.channels and user.email:
            email = Channel.objects.filter(user=user, kind=ChannelKind.EMAIL, email="").first()
            channels.append(email or Channel.objects.create(user=user, kind=ChannelKind.EMAIL, name="E-mail"))
        subscription = Subscription.objects.create(
            user=user, name=name, severities=list(default.severities), is_default=True
        )
        subscription.rules.set(chosen)
        subscription.channels.set(channels)
        created.append(subscription)
    return created


def default_subscriptions_rules_refresh(*, using: str = "default") -> int:
    """Every unchanged default subscription hears of the rules its set names now: a rule added since (rules_sync
    calls this when it makes a rule's row) reaches the role that owns it. Answers how many were refreshed."""
    rules = dict(Rule.objects.using(using).values_list("code", "pk"))
    through = Subscription.rules.through
    refreshed = 0
    for name, (role, default) in default_sets_of(set(Role)).items():
        codes = default_rule_codes(role=role, default=default)
        if codes is None:
            continue
        ids = list(Subscription.objects.using(using).filter(is_default=True, name=name).values_list("pk", flat=True))
        if not ids:
            continue
        through.objects.using(using).filter(subscription_id__in=ids).delete()
        through.objects.using(using).bulk_create(
            [
                through(subscription_id=subscription_id, rule_id=rules[code])
                for subscription_id in ids
                for code in sorted(codes)
                if code in rules
            ]
        )
        refreshed += len(ids)
    return refreshed
