"""The demo's alert subscriptions: each demo user's role defaults (made when accounts.demo gave them their roles,
and made here for demo users of an earlier load that predates that), before the first sweep raises the demo's
alerts so that the compliance officer finds them in the inbox; and a daily digest for the compliance officer."""

from django.db import transaction

from accounts.demo import DEMO_USERS
from accounts.models import User
from tasks.models import Subscription
from tasks.services.delivery.subscriptions import subscriptions_follow_roles


@transaction.atomic
def demo_load() -> dict[str, int]:
    for user in User.objects.filter(username__in=[username for username, _, _ in DEMO_USERS]):
        subscriptions_follow_roles(user=user, added=user.roles)
    Subscription.objects.filter(user__username="compliance", is_default=True).update(digest=True)
    return {"alert subscriptions": Subscription.objects.filter(is_default=True).count()}
