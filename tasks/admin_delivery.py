"""Delivery in the admin: channels and subscriptions save through tasks.services.delivery; the delivery log is
read-only, with the dead letters a filter away and "retry now" and "send a test" as actions."""

from django import forms
from django.contrib import admin, messages

from core.admin import ReadOnlyInline, ServiceAdmin, ServiceForm
from tasks.capabilities import KEEP_DELIVERY
from tasks.models import (
    Channel,
    ChannelKind,
    DeliveryAttempt,
    EventFanout,
    Heartbeat,
    Notification,
    NotificationItem,
    NotificationStatus,
    PendingEnqueue,
    Subscription,
    SubscriptionDefaults,
    TaskRun,
)
from tasks.services.delivery import sending, subscriptions


class ChannelForm(ServiceForm):
    url = forms.URLField(max_length=500, required=False, assume_scheme="https", help_text=Channel.url.field.help_text)

    class Meta:
        model = Channel
        fields = ["kind", "user", "team", "name", "email", "url", "enabled"]

    def write(self, data: dict):
        if self.instance.pk is None:
            return subscriptions.channel_create(by=self.user, **data)
        changes = {name: data[name] for name in ("name", "email", "url", "enabled") if name in data}
        return subscriptions.channel_update(channel=self.instance, by=self.user, **changes)


@admin.register(Channel)
class ChannelAdmin(ServiceAdmin):
    form = ChannelForm
    list_display = ["__str__", "kind", "enabled", "failing", "dead_letters_in_a_row", "last_sent_at"]
    list_filter = ["kind", "enabled", "failing"]
    search_fields = ["name", "email", "url", "user__username", "team__name"]
    readonly_fields = ["failing", "failing_since", "dead_letters_in_a_row", "last_sent_at"]
    actions = ["send_test"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # A person's inbox cannot be removed (channel_delete refuses it): they unsubscribe instead.
        return (obj is None or obj.kind != ChannelKind.IN_APP) and super().has_delete_permission(request, obj)

    def delete_model(self, request, obj) -> None:
        subscriptions.channel_delete(channel=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for channel in queryset.exclude(kind=ChannelKind.IN_APP):
            subscriptions.channel_delete(channel=channel, by=request.user)

    def get_readonly_fields(self, request, obj=None):
        # The owner and kind are fixed once made; the secret is never shown here.
        return [*self.readonly_fields, "kind", "user", "team"] if obj else self.readonly_fields

    @admin.action(description="Send a test message")
    def send_test(self, request, queryset):
        for channel in queryset:
            sending.channel_test_send(channel=channel, by=request.user)
        self.message_user(request, f"Test messages queued for {queryset.count()} channel(s).", messages.SUCCESS)


class SubscriptionForm(ServiceForm):
    class Meta:
        model = Subscription
        fields = [
            "user",
            "team",
            "name",
            "rules",
            "severities",
            "localities",
            "channels",
            "immediate",
            "digest",
            "enabled",
        ]

    def write(self, data: dict):
        if self.instance.pk is None:
            return subscriptions.subscription_create(by=self.user, **data)
        data.pop("user", None), data.pop("team", None)
        return subscriptions.subscription_update(subscription=self.instance, by=self.user, **data)


@admin.register(Subscription)
class SubscriptionAdmin(ServiceAdmin):
    form = SubscriptionForm
    list_display = ["__str__", "user", "team", "immediate", "digest", "enabled", "is_default"]
    list_filter = ["immediate", "digest", "enabled", "is_default"]
    search_fields = ["name", "user__username", "team__name"]
    filter_horizontal = ["rules", "channels"]
    autocomplete_fields = ["localities"]

    def delete_model(self, request, obj) -> None:
        subscriptions.subscription_delete(subscription=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for subscription in queryset:
            subscriptions.subscription_delete(subscription=subscription, by=request.user)


class AttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["number", "at", "succeeded", "status_code", "error", "duration_ms"]
    readonly_fields = fields
    show_change_link = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The delivery log. Dead letters: filter by status "Dead letter"; "Retry now" sends them again."""

    list_display = ["idempotency_key", "channel", "kind", "status", "attempts", "due_at", "sent_at", "last_error"]
    list_filter = ["status", "kind", "channel__kind"]
    search_fields = ["idempotency_key", "subject"]
    list_select_related = ["channel__user", "channel__team"]
    inlines = [AttemptInline]
    actions = ["retry_now"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the log is read (view permission) and retried (its action), never edited

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_retry_permission(self, request) -> bool:
        return KEEP_DELIVERY.allows(request.user)

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(self, request, queryset):
        waiting = queryset.exclude(status=NotificationStatus.SENT)
        for notification in waiting:
            sending.notification_retry_now(notification=notification, by=request.user)
        self.message_user(request, f"{len(waiting)} notification(s) queued to send again.", messages.SUCCESS)


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """Rows delivery writes for itself: shown for reference, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyLogAdmin):
    list_display = ["notification", "number", "at", "succeeded", "status_code", "error"]
    list_filter = ["succeeded"]
    search_fields = ["notification__idempotency_key", "error"]


@admin.register(NotificationItem)
class NotificationItemAdmin(ReadOnlyLogAdmin):
    list_display = ["notification", "channel", "event"]
    search_fields = ["notification__idempotency_key", "event__alert__title"]


@admin.register(EventFanout)
class EventFanoutAdmin(ReadOnlyLogAdmin):
    list_display = ["event", "at", "notifications"]
    search_fields = ["event__alert__title"]


@admin.register(SubscriptionDefaults)
class SubscriptionDefaultsAdmin(ReadOnlyLogAdmin):
    """Who has had their role's default subscriptions made. They follow the person's roles
    (subscriptions_follow_roles, when a role is given or taken), so there is nothing to edit here."""

    list_display = ["user", "created_at"]
    search_fields = ["user__username"]


# The rows the workers keep about themselves (tasks.services.enqueue, heartbeats and runs): read-only, for an
# administrator asking why a job waits or whether a worker is alive.
@admin.register(PendingEnqueue)
class PendingEnqueueAdmin(ReadOnlyLogAdmin):
    list_display = ["task", "created_at", "error"]
    search_fields = ["task", "error"]


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyLogAdmin):
    list_display = ["kind", "name", "seen_at"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyLogAdmin):
    list_display = ["task", "worker", "started_at", "heartbeat_at"]
    search_fields = ["task", "worker", "task_id"]
