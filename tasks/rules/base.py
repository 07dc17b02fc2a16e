"""What a rule is in code, and the registry rules add themselves to.

A rule module defines an `evaluate(*, rule, now) -> list[Risk]` that reads the whole estate with one or a few
set-based queries (never one per subject) and calls `register(RuleDefinition(...))`. Every module in this package
is imported by `tasks.rules.load()`, so adding a rule is adding one module.
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

    def thresholds_of(self, rule: Rule) -> dict:
        """The rule's thresholds: the row's values over the defaults in code."""
        return {**self.thresholds, **(rule.thresholds or {})}


RULES: dict[str, RuleDefinition] = {}


def register(definition: RuleDefinition) -> RuleDefinition:
    if definition.owning_role not in set(Role) - {Role.PROVIDER_USER}:
        raise ValueError(f"Rule {definition.code!r} needs an owning_role: the council role that acts on its alerts.")
    if definition.code in RULES and RULES[definition.code] is not definition:
        raise ValueError(f"Two rules have the code {definition.code!r}.")
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
