"""Reading the in-app inbox: a notification is marked read once, when its reader first opens it."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from tasks.models import Notification
from tasks.selectors.delivery import inbox_of


@transaction.atomic
def notification_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of the reader's own notifications read; one read already keeps the time it was first read."""
    inbox_of(by).filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    return inbox_of(by).get(pk=notification.pk)


@transaction.atomic
def inbox_read_all(*, user: User) -> int:
    """Mark every unread notification in the user's inbox read. Answers how many were marked."""
    return inbox_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())
