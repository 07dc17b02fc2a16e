"""Signed webhooks: how a receiver knows a request came from this service, unchanged and recently.

Each request carries three headers:

    Care-Market-Timestamp: 1764705600           seconds since 1970 (UTC) when the request was signed
    Care-Market-Signature: sha256=<hex digest>  HMAC-SHA256, keyed with the channel's secret, over
                                                the timestamp, a full stop, and the raw body bytes
    Idempotency-Key: alerts:c12:e3456           the same on every retry of one notification

The receiver recomputes the digest over exactly the bytes it received (before parsing the JSON), compares it in
constant time, and refuses a timestamp more than a few minutes old (a replayed request). Delivery is at least
once: a send that reached the receiver but whose answer was lost (a worker killed mid-send, a timeout) is sent
again with the same Idempotency-Key, so the receiver keeps the keys it has seen and ignores a repeat.
docs/webhooks.md has the full recipe with a Python example.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

TIMESTAMP_HEADER = "Care-Market-Timestamp"
SIGNATURE_HEADER = "Care-Market-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SIGNATURE_PREFIX = "sha256="
# How old a signed request a receiver should accept; also what webhook_verify accepts by default.
REPLAY_TOLERANCE_SECONDS = 300


def webhook_secret_new() -> str:
    """A new signing secret for a webhook channel: 256 random bits, URL-safe text."""
    return secrets.token_urlsafe(32)


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(int(timestamp)).encode() + b"." + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def webhook_headers(*, secret: str, body: bytes, idempotency_key: str, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: webhook_signature(secret=secret, timestamp=timestamp, body=body),
        IDEMPOTENCY_HEADER: idempotency_key,
    }


def webhook_verify(
    *,
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    tolerance_seconds: int = REPLAY_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when `body` was signed with `secret` no more than `tolerance_seconds` ago (what a receiver checks)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    signature = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not timestamp.isdigit() or not signature.startswith(SIGNATURE_PREFIX):
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance_seconds:
        return False
    expected = webhook_signature(secret=secret, timestamp=int(timestamp), body=body)
    return hmac.compare_digest(expected, signature)
