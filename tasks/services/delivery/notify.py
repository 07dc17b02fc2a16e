"""GOV.UK Notify, which many councils send their e-mail through: one call, POST /v2/notifications/email.

Notify sends from templates: the service's template has a ((subject)) and a ((body)) placeholder (its ID in
NOTIFY_EMAIL_TEMPLATE_ID), and each message fills them. Requests are authorised with a JSON Web Token signed
(HS256) with the API key's secret, naming the service as issuer; a token is good for 30 seconds, so one is made
for every request. The API key (`{key name}-{service id}-{secret}`, both UUIDs) is never logged.
"""

import time
from dataclasses import dataclass

import httpx
import jwt

from tasks.services.delivery.errors import DeliveryFailed

UUID_LENGTH = 36
# Notify answers these when its side is busy or down: worth trying again later.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class NotifyKey:
    service_id: str
    secret: str

    @classmethod
    def parse(cls, api_key: str) -> "NotifyKey":
        api_key = api_key.strip()
        if len(api_key) < 2 * UUID_LENGTH + 1:
            raise ValueError("A GOV.UK Notify API key ends in the service ID and the secret, two UUIDs.")
        return cls(service_id=api_key[-(2 * UUID_LENGTH + 1) : -(UUID_LENGTH + 1)], secret=api_key[-UUID_LENGTH:])

    def token(self, *, now: float | None = None) -> str:
        claims = {"iss": self.service_id, "iat": int(time.time() if now is None else now)}
        return jwt.encode(claims, self.secret, algorithm="HS256", headers={"typ": "JWT"})

    def __repr__(self) -> str:  # never show the secret, in a traceback or a log line
        return f"NotifyKey(service_id={self.service_id!r}, secret='***')"


class NotifyClient:
    def __init__(self, *, api_key: str, base_url: str, timeout_seconds: float, transport=None):
        self.key = NotifyKey.parse(api_key)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout_seconds
        self.transport = transport

    def email_send(self, *, to: str, template_id: str, subject: str, body: str, reference: str) -> str:
        """Send one e-mail; answers Notify's notification ID. `reference` (our idempotency key) is kept by
        Notify with the message, so a repeat can be traced in its dashboard."""
        request = {
            "email_address": to,
            "template_id": template_id,
            "personalisation": {"subject": subject, "body": body},
            "reference": reference,
        }
        headers = {"Authorization": f"Bearer {self.key.token()}", "User-Agent": "care-market"}
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(f"{self.base_url}/v2/notifications/email", json=request, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"GOV.UK Notify did not answer within {self.timeout:g} s.") from None
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"GOV.UK Notify could not be reached: {type(error).__name__}.") from None
        if response.status_code in (200, 201):
            return str(response.json().get("id", ""))
        raise DeliveryFailed(
            f"GOV.UK Notify answered {response.status_code}: {_notify_errors(response)}",
            permanent=response.status_code not in TRANSIENT_STATUSES,
            status_code=response.status_code,
        )


def _notify_errors(response: httpx.Response) -> str:
    """Notify's own error messages ("Can't send to this recipient using a team-only API key"), never the request."""
    try:
        errors = response.json().get("errors", [])
        return "; ".join(f"{item.get('error', '')}: {item.get('message', '')}" for item in errors)[:500] or "no detail"
    except (ValueError, AttributeError):
        return "no detail"
