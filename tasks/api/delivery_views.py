"""Delivery API under /api/v1/notifications/: one's own channels and subscriptions (administrators see and manage
everyone's and the teams'), sending a test, the in-app inbox, and the delivery log (administrators only)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import allow
from core.query import BooleanFilter, IdFilter
from tasks import capabilities as caps
from tasks.api.delivery_serializers import (
    ChannelCreateSerializer,
    ChannelSerializer,
    ChannelUpdateSerializer,
    ChannelWithSecretSerializer,
    DeliverySerializer,
    InboxNotificationSerializer,
    InboxReadAllSerializer,
    SubscriptionSerializer,
    SubscriptionUpdateSerializer,
)
from tasks.models import (
    Channel,
    ChannelKind,
    Notification,
    NotificationKind,
    NotificationStatus,
    Subscription,
)
from tasks.selectors.delivery import channels_visible_to, inbox_of, subscriptions_visible_to
from tasks.services.delivery import sending, subscriptions
from tasks.services.delivery.inbox import inbox_read_all, notification_read

NO_PUT = ["get", "post", "patch", "delete", "head", "options"]


class OwnerFilter(django_filters.FilterSet):
    user = IdFilter(field_name="user_id", help_text="Administrators: one user's.")
    team = IdFilter(field_name="team_id", help_text="Administrators: one team's.")


class ChannelFilter(OwnerFilter):
    kind = django_filters.ChoiceFilter(choices=ChannelKind.choices)
    failing = BooleanFilter()

    class Meta:
        model = Channel
        fields = []


class ChannelViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Where one's notifications go: the inbox (always there), e-mail addresses and signed webhooks."""

    serializer_class = ChannelSerializer
    permission_classes = [allow(read=caps.OWN_DELIVERY, write=caps.OWN_DELIVERY)]
    filterset_class = ChannelFilter
    http_method_names = NO_PUT

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Channel.objects.none()
        return channels_visible_to(self.request.user)

    @extend_schema(request=ChannelCreateSerializer, responses={201: ChannelWithSecretSerializer})
    def create(self, request, *args, **kwargs):
        data = ChannelCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        team = values.pop("team", None)
        user = values.pop("user", None) or (None if team else request.user)
        channel = subscriptions.channel_create(by=request.user, user=user, team=team, **values)
        return Response(ChannelWithSecretSerializer(channel).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ChannelUpdateSerializer, responses=ChannelSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = ChannelUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        channel = subscriptions.channel_update(channel=self.get_object(), by=request.user, **data.validated_data)
        return Response(ChannelSerializer(channel).data)

    def perform_destroy(self, instance):
        subscriptions.channel_delete(channel=instance, by=self.request.user)

    @extend_schema(request=None, responses={202: InboxNotificationSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def test(self, request, pk=None):
        """Send a test message on the channel now; the answer is the notification (see the delivery log)."""
        notification = sending.channel_test_send(channel=self.get_object(), by=request.user)
        return Response(InboxNotificationSerializer(notification).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=ChannelWithSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret", filter_backends=[])
    def rotate_secret(self, request, pk=None):
        """A webhook's new signing secret, shown once; the old one stops working at once."""
        channel = subscriptions.channel_update(channel=self.get_object(), by=request.user, rotate_secret=True)
        return Response(ChannelWithSecretSerializer(channel).data)


class SubscriptionFilter(OwnerFilter):
    digest = BooleanFilter()
    enabled = BooleanFilter()

    class Meta:
        model = Subscription
        fields = []


class SubscriptionViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """What one hears about: rules, severities and localities (each empty = all), on which channels, as it
    happens and/or in a daily digest. A person's role defaults are made when the role is given them."""

    serializer_class = SubscriptionSerializer
    permission_classes = [allow(read=caps.OWN_DELIVERY, write=caps.OWN_DELIVERY)]
    filterset_class = SubscriptionFilter
    http_method_names = NO_PUT

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Subscription.objects.none()
        return subscriptions_visible_to(self.request.user)

    def get_serializer_class(self):
        return SubscriptionUpdateSerializer if self.action == "partial_update" else SubscriptionSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        team = data.pop("team", None)
        user = data.pop("user", None) or (None if team else self.request.user)
        subscription = subscriptions.subscription_create(by=self.request.user, user=user, team=team, **data)
        serializer.instance = subscriptions_visible_to(self.request.user).get(pk=subscription.pk)

    def perform_update(self, serializer):
        subscription = subscriptions.subscription_update(
            subscription=serializer.instance, by=self.request.user, **serializer.validated_data
        )
        serializer.instance = subscriptions_visible_to(self.request.user).get(pk=subscription.pk)

    def perform_destroy(self, instance):
        subscriptions.subscription_delete(subscription=instance, by=self.request.user)


class InboxFilter(django_filters.FilterSet):
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", help_text="true: only those not yet read.")
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices)

    class Meta:
        model = Notification
        fields = []


class InboxViewSet(viewsets.ReadOnlyModelViewSet):
    """One's in-app notifications, newest first, with read and unread."""

    serializer_class = InboxNotificationSerializer
    permission_classes = [allow(read=caps.OWN_DELIVERY, write=caps.OWN_DELIVERY)]
    filterset_class = InboxFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return inbox_of(self.request.user)

    @extend_schema(request=None, responses=InboxNotificationSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        notification = notification_read(notification=self.get_object(), by=request.user)
        return Response(InboxNotificationSerializer(notification).data)

    @extend_schema(request=None, responses=InboxReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request):
        return Response({"marked": inbox_read_all(user=request.user)})


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=NotificationStatus.choices)
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices)
    channel = IdFilter(field_name="channel_id")
    channel_kind = django_filters.ChoiceFilter(field_name="channel__kind", choices=ChannelKind.choices)
    idempotency_key = django_filters.CharFilter()

    class Meta:
        model = Notification
        fields = []


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """The delivery log: every notification with its attempts, status and last error (administrators)."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    permission_classes = [allow(read=caps.KEEP_DELIVERY, write=caps.KEEP_DELIVERY)]
    ordering_fields = ["created_at", "due_at"]

    def get_queryset(self):
        return (
            Notification.objects.select_related("channel")
            .prefetch_related("delivery_attempts", "items")
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"], url_path="retry", filter_backends=[])
    def retry(self, request, pk=None):
        """Send a dead letter (or a waiting retry) again now."""
        notification = sending.notification_retry_now(notification=self.get_object(), by=request.user)
        return Response(DeliverySerializer(self.get_queryset().get(pk=notification.pk)).data, status=202)
