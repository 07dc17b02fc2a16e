"""The demo's alert subscriptions: each demo user's role defaults, made before the first sweep raises the demo's
alerts so that the compliance officer finds them in the inbox; and a daily digest for the compliance officer."""

from django.db import transaction

from accounts.demo import DEMO_USERS
from accounts.models import User
from tasks.models import Subscription
from tasks.services.delivery.subscriptions import subscriptions_defaults


@transaction.atomic
def demo_load() -> dict[str, int]:
    for user in User.objects.filter(username__in=[username for username, _, _ in DEMO_USERS]):
        subscriptions_defaults(user=user)
    Subscription.objects.filter(user__username="compliance", is_default=True).update(digest=True)
    return {"alert subscriptions": Subscription.objects.filter(is_default=True).count()}
