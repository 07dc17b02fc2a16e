"""Sending one message on one channel. Each transport answers the HTTP status it got (None where there is none)
or raises DeliveryFailed; secrets (a webhook's signing secret, the Notify key) are never logged or put in errors."""

import json

import httpx
from django.conf import settings
from django.core.mail import EmailMessage

from tasks.models import Channel, ChannelKind
from tasks.services.delivery.addresses import WebhookAddressRefused, webhook_target
from tasks.services.delivery.errors import DeliveryFailed
from tasks.services.delivery.messages import Message
from tasks.services.delivery.notify import NotifyClient
from tasks.services.delivery.signing import webhook_headers

# Tests put respx or a real server behind these; production uses the defaults.
HTTP_TRANSPORT = None


def channel_address(channel: Channel) -> str:
    """Where an e-mail channel sends: its own address, else the user's or the team mailbox."""
    owner = channel.user or channel.team
    return channel.email or getattr(owner, "email", "") or ""


def in_app_send(*, channel: Channel, message: Message, key: str) -> int | None:
    """The inbox is the notification itself: once it is marked sent, its reader sees it."""
    return None


def email_send(*, channel: Channel, message: Message, key: str) -> int | None:
    to = channel_address(channel)
    if not to:
        raise DeliveryFailed("This e-mail channel has no address, and neither has its owner.", permanent=True)
    if settings.ALERT_EMAIL_BACKEND == "notify":
        client = NotifyClient(
            api_key=settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_API_BASE_URL,
            timeout_seconds=settings.NOTIFY_TIMEOUT_SECONDS,
            transport=HTTP_TRANSPORT,
        )
        client.email_send(
            to=to,
            template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
            subject=message.subject,
            body=message.text,
            reference=key,
        )
        return 201
    email = EmailMessage(
        subject=message.subject, body=message.text, to=[to], headers={"X-Care-Market-Notification": key}
    )
    try:
        email.send(fail_silently=False)
    except OSError as error:  # smtplib's errors are OSErrors, as are refused connections and timeouts
        raise DeliveryFailed(f"The mail server refused or could not be reached: {type(error).__name__}.") from None
    return None


def webhook_send(*, channel: Channel, message: Message, key: str) -> int | None:
    try:
        target = webhook_target(channel.url)
    except WebhookAddressRefused as refused:
        raise DeliveryFailed(refused.message, permanent=refused.permanent) from None
    body = json.dumps(message.data, sort_keys=True, separators=(",", ":"), default=str).encode()
    headers = webhook_headers(secret=channel.secret, body=body, idempotency_key=key)
    headers["User-Agent"] = "care-market-webhooks"
    # To the address that was checked, not to the name resolved again (tasks.services.delivery.addresses).
    headers["Host"] = target.host
    extensions = {"sni_hostname": target.server_name}
    timeout = settings.ALERT_WEBHOOK_TIMEOUT_SECONDS
    try:
        with httpx.Client(timeout=timeout, transport=HTTP_TRANSPORT, follow_redirects=False) as client:
            response = client.post(target.url, content=body, headers=headers, extensions=extensions)
    except httpx.TimeoutException:
        raise DeliveryFailed(f"The receiver did not answer within {timeout:g} s.") from None
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"The receiver could not be reached: {type(error).__name__}.") from None
    if 200 <= response.status_code < 300:
        return response.status_code
    # 410 Gone is the receiver saying it will never take these again; anything else may pass on a retry.
    raise DeliveryFailed(
        f"The receiver answered {response.status_code}.",
        permanent=response.status_code == 410,
        status_code=response.status_code,
    )


TRANSPORTS = {ChannelKind.IN_APP: in_app_send, ChannelKind.EMAIL: email_send, ChannelKind.WEBHOOK: webhook_send}
