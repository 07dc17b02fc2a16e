"""Delivery serializers: channels, subscriptions, the inbox and the delivery log. They parse and present; the
services in tasks.services.delivery check and write."""

from rest_framework import serializers

from accounts.models import Team, User
from core.query import SlugRelatedField
from geo.models import Locality
from tasks.models import (
    Channel,
    ChannelKind,
    DeliveryAttempt,
    Notification,
    Rule,
    Severity,
    Subscription,
)


class ChannelSerializer(serializers.ModelSerializer):
    # Plain strings in answers: blank is a real value here (the owner's own address; not a webhook).
    email = serializers.CharField(read_only=True, help_text="E-mail only; blank sends to the owner's own address.")
    url = serializers.CharField(read_only=True, help_text="Webhook only: where signed requests are posted.")

    class Meta:
        model = Channel
        fields = [
            "id",
            "kind",
            "user",
            "team",
            "name",
            "email",
            "url",
            "enabled",
            "failing",
            "failing_since",
            "dead_letters_in_a_row",
            "last_sent_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ChannelWithSecretSerializer(ChannelSerializer):
    secret = serializers.CharField(read_only=True, help_text="Webhooks: the signing secret, shown only here.")

    class Meta(ChannelSerializer.Meta):
        fields = [*ChannelSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class ChannelCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[ChannelKind.EMAIL, ChannelKind.WEBHOOK])
    name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    url = serializers.URLField(max_length=500, required=False, default="", allow_blank=True)
    enabled = serializers.BooleanField(required=False, default=True)
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, help_text="Administrators only: someone else's channel."
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, help_text="Administrators only: a team's channel."
    )


class ChannelUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    url = serializers.URLField(max_length=500, required=False)
    enabled = serializers.BooleanField(required=False)


class SubscriptionSerializer(serializers.ModelSerializer):
    rules = SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Rule.objects.all(), help_text="Rule codes; none = all."
    )
    severities = serializers.ListField(
        child=serializers.ChoiceField(choices=Severity.choices), required=False, help_text="None = all."
    )
    localities = SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Locality.objects.all(),
        help_text="GSS codes; none = everywhere. A locality includes the places inside it.",
    )
    channels = serializers.PrimaryKeyRelatedField(many=True, allow_empty=False, queryset=Channel.objects.all())
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text="Administrators only."
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, help_text="Administrators only."
    )

    class Meta:
        model = Subscription
        fields = [
            "id",
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
            "is_default",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_default", "created_at", "updated_at"]


class SubscriptionUpdateSerializer(SubscriptionSerializer):
    class Meta(SubscriptionSerializer.Meta):
        read_only_fields = ["user", "team", "is_default", "created_at", "updated_at"]


class InboxNotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    alerts = serializers.SerializerMethodField(help_text="The ids of the alerts it is about.")
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "text", "alerts", "sent_at", "read_at", "unread"]
        read_only_fields = fields

    def get_text(self, notification) -> str:
        return (notification.payload or {}).get("text", "")

    def get_alerts(self, notification) -> list[int]:
        data = (notification.payload or {}).get("data", {})
        found = [event["alert"]["id"] for event in data.get("events", [])] + [a["id"] for a in data.get("alerts", [])]
        return list(dict.fromkeys(found))

    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class InboxReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "at", "succeeded", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    channel_kind = serializers.CharField(source="channel.kind", read_only=True)
    delivery_attempts = DeliveryAttemptSerializer(many=True, read_only=True)
    events = serializers.SerializerMethodField(help_text="The alert events it carries.")

    class Meta:
        model = Notification
        fields = [
            "id",
            "channel",
            "channel_kind",
            "kind",
            "status",
            "idempotency_key",
            "subject",
            "due_at",
            "attempts",
            "last_error",
            "sent_at",
            "created_at",
            "events",
            "delivery_attempts",
        ]
        read_only_fields = fields

    def get_events(self, notification) -> list[int]:
        return [item.event_id for item in notification.items.all()]
