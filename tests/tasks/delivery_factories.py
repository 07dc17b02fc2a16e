"""Rules, alerts and events for the delivery tests, and the channels and subscriptions that hear of them."""

import itertools

import factory
from django.utils import timezone

from tasks.models import Alert, AlertEvent, Channel, Rule, Subscription

_numbers = itertools.count(1)


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rule
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"void-level-{n}")
    name = factory.LazyAttribute(lambda rule: rule.code.replace("-", " ").capitalize())
    severity = "warning"


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    rule = factory.SubFactory(RuleFactory)
    severity = "high"
    subject_kind = "location"
    subject_id = factory.Sequence(lambda n: n + 1)
    fingerprint = factory.LazyAttribute(lambda alert: f"{alert.rule.code}:location:{alert.subject_id}")
    title = factory.Sequence(lambda n: f"Void level over 20% at home {n}")
    first_seen = factory.LazyFunction(timezone.now)
    last_seen = factory.LazyFunction(timezone.now)
    status = "open"


def event_for(alert: Alert, *, kind: str = "opened", notify: bool = True, at=None) -> AlertEvent:
    return AlertEvent.objects.create(
        alert=alert,
        kind=kind,
        created_at=at or timezone.now(),
        notify=notify,
        severity=alert.severity,
        status=alert.status,
        evidence={"void_percent": 25},
    )


def inbox_of(user) -> Channel:
    channel, _ = Channel.objects.get_or_create(user=user, kind="in_app", defaults={"name": "Inbox"})
    return channel


def subscribe(owner, *channels: Channel, rules=(), severities=(), localities=(), digest=False, immediate=True):
    """A subscription of a user or team on the given channels (the user's inbox if none given)."""
    is_team = owner.__class__.__name__ == "Team"
    channels = channels or (inbox_of(owner),)
    subscription = Subscription.objects.create(
        user=None if is_team else owner,
        team=owner if is_team else None,
        severities=list(severities),
        digest=digest,
        immediate=immediate,
    )
    subscription.rules.set(rules)
    subscription.localities.set(localities)
    subscription.channels.set(channels)
    return subscription


# --- DNS, the outside service a webhook's name is looked up in ------------------------------------------------

# A public address for the receivers' names (the documentation ranges are reserved, and webhooks may not reach them).
RECEIVER_ADDRESS = "93.184.215.14"


class FakeDns:
    """Stands for the system's resolver (tasks.services.delivery.addresses.RESOLVER): each name answers its
    addresses, one answer per lookup with the last repeated; any other name does not resolve."""

    def __init__(self):
        self.answers = {"receiver.example": [[RECEIVER_ADDRESS]], "hooks.example": [[RECEIVER_ADDRESS]]}
        self.lookups: list[str] = []

    def set(self, name: str, *answers: list[str]) -> None:
        self.answers[name] = list(answers)

    def __call__(self, host, port, *args, **kwargs):
        import socket

        self.lookups.append(host)
        answers = self.answers.get(host)
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses
        ]
