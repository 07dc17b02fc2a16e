"""Reads for delivery: what channels, subscriptions and inbox notifications a person sees."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Role
from tasks.models import Channel, ChannelKind, Notification, NotificationStatus, Subscription


def channels_visible_to(user: User) -> QuerySet[Channel]:
    """Administrators see every channel; everyone else their own (not their teams', which administrators keep)."""
    channels = Channel.objects.select_related("user", "team").order_by("id")
    return channels if user.has_role(Role.ADMINISTRATOR) else channels.filter(user=user)


def subscriptions_visible_to(user: User) -> QuerySet[Subscription]:
    subscriptions = Subscription.objects.prefetch_related("rules", "localities", "channels").order_by("id")
    return subscriptions if user.has_role(Role.ADMINISTRATOR) else subscriptions.filter(user=user)


def inbox_of(user: User) -> QuerySet[Notification]:
    """The user's in-app notifications that were delivered, newest first."""
    return Notification.objects.filter(
        channel__user=user, channel__kind=ChannelKind.IN_APP, status=NotificationStatus.SENT
    ).order_by("-sent_at", "-id")
