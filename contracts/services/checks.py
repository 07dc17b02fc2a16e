"""What every write of the contracts app checks: domain errors, dates in order, acting for one's own
provider, and pseudonymous references."""

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied

from accounts.permissions import may_act_for_provider
from core.errors import Conflict, DomainError
from core.writes import UNCHANGED, Unchanged, given  # noqa: F401  (the contracts services' own names)
from geo.selectors import POSTCODE_PATTERN, postcode_normalise

PENNY = Decimal("0.01")


class NoVoidBed(Conflict):
    code = "no_void_bed"


class HoldNotActive(Conflict):
    code = "hold_not_active"


class AlreadyPlaced(Conflict):
    """The person is in another placement over those dates."""

    code = "already_placed"


class BlockBedsFree(Conflict):
    """A spot bed asked for without a reason while block beds of its care type are free nearby. `beds` are the
    bed finder's rows for them, nearest first."""

    code = "block_beds_free"

    def __init__(self, message: str, *, field: str | None = None, beds: list[dict] | None = None):
        super().__init__(message, field=field)
        self.beds = beds or []


class CapacityExceeded(DomainError):
    code = "capacity_exceeded"


def require_may_act(by, provider_id: int | None) -> None:
    if by is not None and not may_act_for_provider(by, provider_id):
        raise PermissionDenied("You may act only for your own provider's locations.")


def dates_ordered(
    start: date | None, end: date | None, *, end_field: str = "end_date", start_name: str = "start"
) -> None:
    if start and end and end < start:
        raise DomainError(f"{end_field} ({end}) is before the {start_name} ({start}).", field=end_field)


# --- pseudonymous references ------------------------------------------------------------------------------

REFERENCE_MIN_LENGTH, REFERENCE_MAX_LENGTH = 4, 32  # Placement.reference and Hold.reference hold 32
REFERENCE_FORMAT = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
TEN_DIGITS = re.compile(r"\d{3}[\s-]?\d{3}[\s-]?\d{4}")
# A National Insurance number: two letters, six digits and a letter A to D, often written in pairs
# ("AB 12 34 56 C", "AB-12-34-56-C"); the bare "AB123456" is refused too, but not "CB-000123", a common
# shape of pseudonymous reference.
NATIONAL_INSURANCE = re.compile(
    r"[A-Z]{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?[A-D](?![A-Z0-9])|^[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}$"
)
POSTCODE_INSIDE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}")
LONG_WORD = re.compile(r"[A-Z]{5,}")


def reference_validate(reference: str, *, field: str = "reference") -> str:
    """A person appears only as a pseudonymous reference such as BRK-2026-0042. Refuse anything that looks
    like a name, an NHS or National Insurance number or a postcode, so personal data cannot slip in through
    this field."""
    raw = (reference or "").strip()
    value = raw.upper()
    hint = "Use a pseudonymous reference such as BRK-2026-0042 (letters, digits and hyphens)."
    if not raw:
        raise DomainError(f"The reference is empty. {hint}", field=field)
    if TEN_DIGITS.search(raw):
        raise DomainError(f"The reference looks like an NHS number. {hint}", field=field)
    if NATIONAL_INSURANCE.search(value):
        raise DomainError(f"The reference looks like a National Insurance number. {hint}", field=field)
    if POSTCODE_PATTERN.match(postcode_normalise(raw)) or POSTCODE_INSIDE.search(value):
        raise DomainError(f"The reference looks like a postcode. {hint}", field=field)
    if len(value) < REFERENCE_MIN_LENGTH:
        raise DomainError(
            f"The reference is too short: it needs at least {REFERENCE_MIN_LENGTH} characters. {hint}", field=field
        )
    if len(value) > REFERENCE_MAX_LENGTH:
        raise DomainError(
            f"The reference is too long: it has at most {REFERENCE_MAX_LENGTH} characters. {hint}", field=field
        )
    if not REFERENCE_FORMAT.match(value):
        raise DomainError(f"The reference has spaces or symbols. {hint}", field=field)
    if not any(ch.isdigit() for ch in value) or LONG_WORD.search(value):
        raise DomainError(f"The reference looks like a name. {hint}", field=field)
    return value
