"""What a rule is in code, and the registry rules add themselves to.

A rule module defines an `evaluate(*, rule, now) -> list[Risk]` that reads the whole estate with one or a few
set-based queries (never one per subject) and calls `register(RuleDefinition(...))`. Every module in this package
is imported by `tasks.rules.load()`, so adding a rule is adding one module.

Each rule also says its evidence in a sentence a commissioner understands: a function `(evidence, alert) -> str`
declared with `@says(code)` before the rule is registered (`register` refuses a rule without one). It reads the
stored evidence, not the estate, so an alert raised long ago reads the same as the day it opened; the subject's
name comes from the alert (its home, provider, contract, lot or area).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rest_framework import serializers

from accounts.roles import Role
from tasks.models import Rule, Severity, SubjectKind


@dataclass(frozen=True)
class Risk:
    """One risk present now. `fingerprint` is the rule code, the subject and whatever else makes it distinct."""

    fingerprint: str
    subject_kind: str
    subject_id: int
    title: str
    evidence: dict
    severity: str | None = None  # None: the rule's severity
    provider_id: int | None = None
    location_id: int | None = None
    contract_id: int | None = None
    bed_line_id: int | None = None
    lot_id: int | None = None
    locality_id: int | None = None


@dataclass(frozen=True)
class RuleDefinition:
    code: str
    name: str
    description: str
    evaluate: Callable[..., list[Risk]]
    # The role that acts on the rule's alerts: its default subscription hears every severity of the rule, so
    # nothing the rule raises reaches nobody (tasks.services.delivery.subscriptions.ROLE_DEFAULTS).
    owning_role: Role | None = None
    severity: str = Severity.WARNING
    pending_for: timedelta = timedelta(0)
    resolve_after: timedelta = timedelta(0)
    thresholds: dict = field(default_factory=dict)
    # A serializer validating the rule's thresholds (every key, as the API and admin accept them).
    thresholds_serializer: type[serializers.Serializer] | None = None
    # What makes the rule worth running now, besides the schedule: the names of tasks.triggers' events.
    triggers: frozenset[str] = frozenset()
    # A provider-wide risk: while its alert is open, the provider's location-level alerts are inhibited.
    inhibits_provider: bool = False
    # Run once a night (the "Nightly alert rules" schedule), not by the 15-minute sweep: a rule whose run over the
    # whole estate takes minutes.
    nightly: bool = False

    def thresholds_of(self, rule: Rule) -> dict:
        """The rule's thresholds: the row's values over the defaults in code."""
        return {**self.thresholds, **(rule.thresholds or {})}


RULES: dict[str, RuleDefinition] = {}

# Each rule's evidence in words, by rule code: see `says`.
SENTENCES: dict[str, Callable[[dict, object], str]] = {}


def says(code: str):
    """Declares the sentence that says rule `code`'s evidence: `@says("void_level")` over a function of the stored
    evidence and the alert. Declare it before the rule: `register` refuses a rule without one."""

    def record(function: Callable[[dict, object], str]) -> Callable[[dict, object], str]:
        SENTENCES[code] = function
        return function

    return record


def register(definition: RuleDefinition) -> RuleDefinition:
    if definition.owning_role not in set(Role) - {Role.PROVIDER_USER}:
        raise ValueError(f"Rule {definition.code!r} needs an owning_role: the council role that acts on its alerts.")
    if definition.code in RULES and RULES[definition.code] is not definition:
        raise ValueError(f"Two rules have the code {definition.code!r}.")
    if definition.code not in SENTENCES:
        raise ValueError(
            f"Rule {definition.code!r} has no sentence for its evidence: declare one with @says({definition.code!r})."
        )
    RULES[definition.code] = definition
    return definition


def fingerprint(code: str, kind: str, subject_id: int, *distinct) -> str:
    return ":".join([code, kind, str(subject_id), *(str(part) for part in distinct)])


def location_risk(code: str, row: dict, *, title: str, evidence: dict, distinct=(), severity=None) -> Risk:
    """A risk about a location from a row with `id`, `provider_id` and `district_id`."""
    return Risk(
        fingerprint=fingerprint(code, SubjectKind.LOCATION, row["id"], *distinct),
        subject_kind=SubjectKind.LOCATION,
        subject_id=row["id"],
        title=title,
        evidence=evidence,
        severity=severity,
        provider_id=row["provider_id"],
        location_id=row["id"],
        locality_id=row.get("district_id"),
    )


def evaluated_on(now: datetime):
    from django.utils import timezone

    return timezone.localdate(now)


# --- helpers for the sentences ----------------------------------------------------------------------------------

_SMALL = ["No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"]


def count_opening(n: int) -> str:
    """A count that begins a sentence: `Two` for 2 (GOV.UK writes small numbers in words there), `12` for 12."""
    return _SMALL[n] if 0 <= n < len(_SMALL) else f"{n:,}"


def plural(n, singular: str, plural_form: str | None = None) -> str:
    """`1 home`, `3 homes`, `1,204 bed-days`: the count formatted and the noun agreeing with it."""
    from core import present

    text = present.number(n, places=0 if float(n) == int(float(n)) else -1)
    return f"{text} {singular if float(n) == 1 else (plural_form or singular + 's')}"


def home_name(alert) -> str:
    location = getattr(alert, "location", None)
    return location.name if location is not None else "The home"


def provider_name(alert) -> str:
    provider = getattr(alert, "provider", None)
    return provider.name if provider is not None else "The provider"


def area_name(alert, code: str | None = None) -> str:
    locality = getattr(alert, "locality", None)
    return locality.name if locality is not None else (code or "the area")


def lot_name(alert) -> str:
    lot = getattr(alert, "lot", None)
    return f"Lot {lot.code}" if lot is not None else "The lot"


def contract_name(alert) -> str:
    contract = getattr(alert, "contract", None)
    return f"Contract {contract.reference}" if contract is not None else "The contract"
