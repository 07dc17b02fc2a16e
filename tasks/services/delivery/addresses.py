"""Where a webhook may post. Anyone may add a webhook, so the service must not become a way to reach what only it
can reach: addresses on the loopback, private, link-local (cloud metadata) or otherwise reserved networks are
refused, when the channel is saved and again before each send (a name can be pointed elsewhere later), unless
ALERT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES is set (a council's own receiver on its internal network).

The check is bound to the connection: a name is resolved once, every address it has is checked, and the send
connects to the checked address, keeping the name for the Host header and for TLS (the server name sent, and the
name the certificate must match). Resolving again to connect would let a name answer a public address to the
check and 127.0.0.1 to the connection (DNS rebinding). A name that does not resolve is refused: there is nothing
to check."""

import ipaddress
import socket
from dataclasses import dataclass

import httpx
from django.conf import settings

# Tests put a fake resolver here (the outside service is DNS); production asks the system's.
RESOLVER = socket.getaddrinfo

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookAddressRefused(Exception):
    """`url` may not be posted to now. `permanent` when no retry can change that (not an http(s) address, or
    one on a refused network); a name that does not resolve may resolve later."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class WebhookTarget:
    """A checked webhook address: `url` with the checked IP address in place of the name, `host` for the Host
    header and `server_name` for TLS."""

    url: httpx.URL
    host: str
    server_name: str


def _addresses(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = RESOLVER(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):  # socket.gaierror is an OSError
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]


def webhook_target(url: str) -> WebhookTarget:
    """`url` resolved once and checked, or WebhookAddressRefused saying why it may not be posted to."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in {"https", "http"} or not parsed.raw_host:
        raise WebhookAddressRefused("A webhook needs an https:// (or http://) address.", permanent=True)
    name = parsed.raw_host.decode("ascii")
    addresses = _addresses(name.strip("[]"), parsed.port or (443 if parsed.scheme == "https" else 80))
    if not addresses:
        raise WebhookAddressRefused(f"{parsed.host} does not resolve to an address.", permanent=False)
    if not settings.ALERT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if not address.is_global or address.is_multicast:
                raise WebhookAddressRefused(
                    f"{parsed.host} is on a private or reserved network, which webhooks may not reach.", permanent=True
                )
    return WebhookTarget(
        url=parsed.copy_with(host=str(addresses[0])), host=parsed.netloc.decode("ascii"), server_name=name
    )


def webhook_address_refusal(url: str) -> str | None:
    """Why `url` may not be posted to, or None when it may."""
    try:
        webhook_target(url)
    except WebhookAddressRefused as refused:
        return refused.message
    return None
