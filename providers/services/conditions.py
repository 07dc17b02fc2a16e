"""Conditions on registration and enforcement (e.g. "no new admissions"), and which providers a provider user
reports for. Conditions are entered by staff; the CQC sync does not read them."""

from datetime import date

from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from core.errors import DomainError
from providers.models import Condition, Location, Provider, ProviderMembership
from providers.signals import risk_changed_send


def condition_impose_check(*, text: str) -> str:
    """The condition's text as it will be stored; DomainError naming the field when it cannot be."""
    text = (text or "").strip()
    if not text:
        raise DomainError("Say what the condition is.", field="text")
    return text


def condition_lift_check(*, condition: Condition, lifted_on: date | None) -> None:
    if lifted_on is None:
        raise DomainError("Give the day the condition was lifted.", field="lifted_on")
    if lifted_on < condition.imposed_on:
        raise DomainError(
            f"A condition is lifted on or after the day it was imposed ({condition.imposed_on}).", field="lifted_on"
        )


def membership_check(*, user: User) -> None:
    if not user.has_role(Role.PROVIDER_USER):
        raise DomainError("Only provider users are linked to providers.", field="user")


@transaction.atomic
def condition_impose(
    *,
    location: Location,
    text: str,
    imposed_on: date,
    stops_admissions: bool = False,
    source: str = "manual",
    by: User | None = None,
) -> Condition:
    """Record a condition on a location. The same condition recorded again (same text and date) is not
    duplicated, so a repeated entry or a re-run import is harmless."""
    text = condition_impose_check(text=text)
    existing = Condition.objects.filter(location=location, text=text, imposed_on=imposed_on).first()
    if existing is not None:
        return existing
    condition = Condition(
        location=location,
        provider_id=location.provider_id,
        text=text,
        imposed_on=imposed_on,
        stops_admissions=stops_admissions,
        source=source,
    )
    condition._history_user = by
    condition.save()
    risk_changed_send("conditions")
    return condition


@transaction.atomic
def condition_lift(*, condition: Condition, lifted_on: date, by: User | None = None) -> Condition:
    condition = Condition.objects.select_for_update().get(pk=condition.pk)
    condition_lift_check(condition=condition, lifted_on=lifted_on)
    condition.lifted_on = lifted_on
    condition._history_user = by
    condition.save(update_fields=["lifted_on"])
    risk_changed_send("conditions")
    return condition


@transaction.atomic
def membership_add(*, user: User, provider: Provider) -> ProviderMembership:
    """Let a provider user report for (and see) this provider's records."""
    membership_check(user=user)
    membership, _ = ProviderMembership.objects.get_or_create(user=user, provider=provider)
    return membership


@transaction.atomic
def membership_remove(*, membership: ProviderMembership) -> None:
    """Stop a provider user reporting for (and seeing) this provider's records."""
    ProviderMembership.objects.filter(pk=membership.pk).delete()
