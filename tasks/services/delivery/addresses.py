"""Where a webhook may post. Anyone may add a webhook, so the service must not become a way to reach what only it
can reach: addresses on the loopback, private, link-local (cloud metadata) or otherwise reserved networks are
refused, when the channel is saved and again before each send (a name can be pointed elsewhere later), unless
ALERT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES is set (a council's own receiver on its internal network)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []  # not resolvable now: the send fails and is retried, as for any receiver that is down
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]


def webhook_address_refusal(url: str) -> str | None:
    """Why `url` may not be posted to, or None when it may."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return "A webhook needs an https:// (or http://) address."
    if settings.ALERT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    for address in _addresses(parts.hostname):
        if not address.is_global or address.is_multicast:
            return f"{parts.hostname} is on a private or reserved network, which webhooks may not reach."
    return None
