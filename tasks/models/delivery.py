"""Delivery of alerts: who wants to hear about what (subscriptions), where it goes (channels), and the log of
every message sent (notifications), with one row per event per channel so nobody hears of an event twice."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ChannelKind(models.TextChoices):
    IN_APP = "in_app", "In-app inbox"
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook"


class Channel(models.Model):
    """Somewhere a user's or a team's notifications go. A user's in-app channel is their inbox (one each);
    teams have e-mail (the team mailbox by default) and webhook channels. A webhook's requests are signed with
    its `secret` (tasks.services.delivery.signing)."""

    kind = models.CharField(max_length=20, choices=ChannelKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_channels"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="alert_channels"
    )
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True, help_text="E-mail only; blank sends to the user's or team's own address.")
    url = models.URLField(max_length=500, blank=True, help_text="Webhook only: where signed requests are posted.")
    secret = models.CharField(max_length=100, blank=True, help_text="Webhook only: the signing secret.")
    enabled = models.BooleanField(default=True)
    failing = models.BooleanField(default=False, help_text="Set after a run of dead letters; cleared by a send.")
    failing_since = models.DateTimeField(null=True, blank=True)
    dead_letters_in_a_row = models.PositiveIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True) | Q(user__isnull=True, team__isnull=False),
                name="channel_one_owner",
            ),
            models.CheckConstraint(
                condition=~Q(kind="in_app") | Q(user__isnull=False), name="channel_in_app_is_a_users_inbox"
            ),
            models.UniqueConstraint(fields=["user"], condition=Q(kind="in_app"), name="channel_one_inbox_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.user or self.team}" + (f" ({self.name})" if self.name else "")


class Subscription(models.Model):
    """A user or team asks to hear about alerts of some rules, severities and localities (each blank = all),
    on some of its channels, as they happen (`immediate`) and/or in a daily digest of what is open (`digest`).
    A provider user only ever hears about their own providers' alerts, whatever they subscribe to."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_subscriptions"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="alert_subscriptions"
    )
    name = models.CharField(max_length=150, blank=True)
    rules = models.ManyToManyField("tasks.Rule", blank=True, related_name="subscriptions")
    severities = models.JSONField(default=list, blank=True, help_text="Severities to hear about; empty = all.")
    localities = models.ManyToManyField(
        "geo.Locality", blank=True, related_name="alert_subscriptions", help_text="Including the places inside them."
    )
    channels = models.ManyToManyField(Channel, related_name="subscriptions")
    immediate = models.BooleanField(default=True, help_text="Send new alerts as they happen (batched briefly).")
    digest = models.BooleanField(default=False, help_text="Send a daily digest of the open alerts.")
    enabled = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False, help_text="Made from the role's default set.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True) | Q(user__isnull=True, team__isnull=False),
                name="subscription_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"Subscription {self.pk} of {self.user or self.team}"


class SubscriptionDefaults(models.Model):
    """Marks that a user's role defaults were made once, so a user who deletes them is not given them again."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Defaults made for user {self.user_id}"


class NotificationKind(models.TextChoices):
    ALERTS = "alerts", "Alerts"  # alert events, batched over ALERT_BATCH_WINDOW_SECONDS
    DIGEST = "digest", "Daily digest"
    WEEKLY = "weekly", "Weekly summary"
    TEST = "test", "Test"
    CHANNEL_FAILING = "channel_failing", "Channel failing"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its batch window to close, or for its first send
    RETRYING = "retrying", "Retrying"  # a send failed; tried again at due_at
    SENT = "sent", "Sent"
    DEAD = "dead", "Dead letter"


class Notification(models.Model):
    """One message to one channel: the delivery log. `idempotency_key` is unique, and goes with a webhook as
    its Idempotency-Key header; an alert event is in at most one notification per channel (NotificationItem)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    status = models.CharField(max_length=20, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    idempotency_key = models.CharField(max_length=120, unique=True)
    subject = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True, help_text="What was sent (kept when it is sent).")
    due_at = models.DateTimeField(help_text="Not sent before: the end of the batch window, or the next retry.")
    attempts = models.PositiveIntegerField(default=0)
    attempts_before_retry = models.PositiveIntegerField(
        default=0, help_text="Attempts made before the last 'retry now' (a fresh run of retries counts from here)."
    )
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True, help_text="In-app only: when its reader opened it.")
    collecting = models.BooleanField(
        default=False, help_text="An alert batch still taking events; a channel has at most one."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two fan-outs at once cannot open two batches for one channel: the second insert waits for the
            # first to commit, then conflicts and joins the batch the first opened.
            models.UniqueConstraint(
                fields=["channel"], condition=models.Q(collecting=True), name="notification_one_open_batch"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="notification_due"),
            models.Index(fields=["channel", "status", "-created_at"], name="notification_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.channel} ({self.get_status_display()})"


class NotificationItem(models.Model):
    """An alert event in a notification. Unique per channel: the same event never goes twice to one channel,
    however often fan-out runs."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="items")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("tasks.AlertEvent", on_delete=models.CASCADE, related_name="notification_items")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "event"], name="notification_item_once")]

    def __str__(self) -> str:
        return f"Event {self.event_id} in notification {self.notification_id}"


class DeliveryAttempt(models.Model):
    """Every try at sending a notification, with what came back."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    succeeded = models.BooleanField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["notification", "number"]
        constraints = [models.UniqueConstraint(fields=["notification", "number"], name="delivery_attempt_once")]

    def __str__(self) -> str:
        return f"Attempt {self.number} at notification {self.notification_id}"


class EventFanout(models.Model):
    """An alert event fan-out has turned into notifications (so the sweep does not take it again)."""

    event = models.OneToOneField("tasks.AlertEvent", primary_key=True, on_delete=models.CASCADE, related_name="fanout")
    at = models.DateTimeField(auto_now_add=True)
    notifications = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Event {self.event_id} fanned out"
