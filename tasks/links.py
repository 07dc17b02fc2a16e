"""Where a person reads about an alert and its subject: the service's own pages, never the API. Used by the
alert pages and by every message (e-mail, digest, inbox, a webhook's links for people)."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from tasks.models import Alert, SubjectKind


def alert_path(alert_id: int) -> str:
    return reverse("tasks-web:alert", kwargs={"pk": alert_id})


def subject_path(alert: Alert, *, staff: bool = True) -> str | None:
    """The page of the alert's subject (its lot, contract, home, provider or district), where this configuration
    has one (the register's URLs may not be included); a provider user's home is their portal page."""
    if not staff:
        candidates = [("providers-portal:home", {"location_id": alert.location_id}, "")] if alert.location_id else []
    else:
        candidates = []
        if alert.subject_kind == SubjectKind.LOT and alert.lot_id:
            candidates.append(("lots:lot", {"pk": alert.lot_id}, ""))
        if alert.subject_kind in (SubjectKind.CONTRACT, SubjectKind.BED_LINE) and alert.contract_id:
            candidates.append(("register:contract", {"pk": alert.contract_id}, ""))
        if alert.location_id:
            candidates.append(("register:home", {"pk": alert.location_id}, ""))
        if alert.provider_id:
            candidates.append(("register:provider", {"pk": alert.provider_id}, ""))
        if alert.subject_kind == SubjectKind.LOCALITY and alert.locality_id:
            candidates.append(("market-web:capacity-gaps", {}, f"?locality={alert.locality.code}"))
    for name, kwargs, query in candidates:
        try:
            return reverse(name, kwargs=kwargs) + query
        except NoReverseMatch:
            continue
    return None


def absolute(path: str | None) -> str | None:
    """A path of this service as a link to send out: SITE_URL and the path."""
    return f"{settings.SITE_URL}{path}" if path else None
