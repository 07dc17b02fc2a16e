"""The demo's alert subscriptions: each demo user's role defaults (made when accounts.demo gave them their roles,
and made here for demo users of an earlier load that predates that), before the first sweep raises the demo's
alerts so that the compliance officer finds them in the inbox; and a daily digest for the compliance officer."""

from django.db import transaction

from accounts.demo import DEMO_USERS
from accounts.models import User
from tasks.models import Subscription, SubscriptionDefaults
from tasks.services.delivery.subscriptions import subscription_update, subscriptions_follow_roles


@transaction.atomic
def demo_load() -> dict[str, int]:
    made = SubscriptionDefaults.objects.values_list("user_id", flat=True)
    for user in User.objects.filter(username__in=[username for username, _, _ in DEMO_USERS]).exclude(pk__in=made):
        subscriptions_follow_roles(user=user, added=user.roles)
    # The compliance officer asks for the digest as anyone would (their defaults become their own: a rule added
    # later is theirs to add); the defaults of a user who has them are not made again.
    for subscription in Subscription.objects.filter(user__username="compliance", digest=False, is_default=True):
        subscription_update(subscription=subscription, by=subscription.user, digest=True)
    return {"alert subscriptions": Subscription.objects.count()}
