"""Entering and editing one provider or location by hand (the admin now, web forms later): the same rules
whatever the door, and a location's ward and district re-assigned whenever its coordinates or postcode change."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from accounts.models import User
from core.errors import Conflict, DomainError
from core.writes import UNCHANGED
from geo.selectors import geocode, postcode_normalise
from providers.models import Location, Provider, RegistrationEvent
from providers.services.register import LOCATION_FIELDS, _status_events, places_for

# What a person may enter; ward and district follow from the place, the current rating from the ratings.
LOCATION_EDITABLE = (
    "provider",
    "cqc_location_id",
    # CQC's fields, less the one only CQC reports (a registered manager's absence).
    *(name for name in LOCATION_FIELDS if name != "registered_manager_absent_date"),
)
PLACE_FIELDS = ("postcode", "latitude", "longitude")


@dataclass(frozen=True)
class LocationPlace:
    postcode: str
    latitude: float | None
    longitude: float | None
    ward_id: int | None
    district_id: int | None


def location_place(
    *, postcode: str, latitude: float | None, longitude: float | None, from_postcode: bool
) -> LocationPlace:
    """Where a location is: its coordinates as given or, with `from_postcode` (the postcode changed and the
    coordinates did not), those of its postcode, which must then be known; and the ward and district holding
    that point (by the postcode directory when no boundary holds it)."""
    postcode = postcode_normalise(postcode)[:8] if postcode else ""
    if (latitude is None) != (longitude is None):
        missing = "latitude" if latitude is None else "longitude"
        raise DomainError("Give both latitude and longitude, or neither.", field=missing)
    if latitude is not None and not -90 <= latitude <= 90:
        raise DomainError(f"{latitude} is not a latitude (-90 to 90).", field="latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise DomainError(f"{longitude} is not a longitude (-180 to 180).", field="longitude")
    if from_postcode and postcode:
        point = geocode(postcode, field="postcode")
        latitude, longitude = point.latitude, point.longitude
    ward_id, district_id, latitude, longitude = places_for(
        [{"postcode": postcode, "latitude": latitude, "longitude": longitude}]
    )[0]
    return LocationPlace(postcode, latitude, longitude, ward_id, district_id)


def location_changes_check(*, location: Location | None, values: dict[str, Any]) -> dict[str, Any]:
    """The values to write for a new location (`location` None) or an edit, with the place worked out; raises
    DomainError naming the field for what cannot be stored. Reads only, so a form can show its errors."""
    unknown = set(values) - set(LOCATION_EDITABLE)
    if unknown:
        raise DomainError(f"{sorted(unknown)[0]} is not entered by hand.", field=sorted(unknown)[0])
    changes = dict(values)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise DomainError("Give the location's name.", field="name")
    if location is None and not changes.get("name"):
        raise DomainError("Give the location's name.", field="name")
    if location is None and changes.get("provider") is None:
        raise DomainError("Say whose location it is.", field="provider")
    if "cqc_location_id" in changes:
        changes["cqc_location_id"] = (changes["cqc_location_id"] or "").strip() or None
    if location is None or any(name in changes for name in PLACE_FIELDS):

        def now(name: str):
            return changes[name] if name in changes else getattr(location, name, None)

        old_postcode = location.postcode if location else ""
        postcode_changed = postcode_normalise(now("postcode") or "") != postcode_normalise(old_postcode or "")
        coordinates_changed = any(
            name in changes and changes[name] != (getattr(location, name) if location else None)
            for name in ("latitude", "longitude")
        )
        place = location_place(
            postcode=now("postcode") or "",
            latitude=now("latitude"),
            longitude=now("longitude"),
            from_postcode=postcode_changed and not coordinates_changed,
        )
        changes.update(
            postcode=place.postcode,
            latitude=place.latitude,
            longitude=place.longitude,
            ward_id=place.ward_id,
            district_id=place.district_id,
        )
    return changes


def _history_user(instance: Location, by: User | None) -> None:
    instance._history_user = by


@transaction.atomic
def location_create(
    *,
    provider: Provider,
    name: str,
    by: User | None = None,
    cqc_location_id: str | None = None,
    address_line_1: str = "",
    address_line_2: str = "",
    town: str = "",
    county: str = "",
    postcode: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    local_authority: str = "",
    region: str = "",
    location_type: str = "",
    care_home: bool = False,
    registered_beds: int | None = None,
    service_types: list[str] | None = None,
    regulated_activities: list[str] | None = None,
    specialisms: list[str] | None = None,
    service_user_bands: list[str] | None = None,
    registration_status: str = "Registered",
    registration_date: date | None = None,
    deregistration_date: date | None = None,
    dormant: bool = False,
) -> Location:
    """A location entered by hand (a council service, a sole trader's base, a home CQC has not listed yet),
    placed in its ward and district."""
    values = {name: value for name, value in locals().items() if name in LOCATION_EDITABLE}
    for name in ("service_types", "regulated_activities", "specialisms", "service_user_bands"):
        values[name] = list(values[name] or [])
    location = Location(**location_changes_check(location=None, values=values))
    _history_user(location, by)
    location.save()
    return location


@transaction.atomic
def location_update(
    *,
    location: Location,
    by: User | None = None,
    provider: Provider = UNCHANGED,
    cqc_location_id: str | None = UNCHANGED,
    name: str = UNCHANGED,
    address_line_1: str = UNCHANGED,
    address_line_2: str = UNCHANGED,
    town: str = UNCHANGED,
    county: str = UNCHANGED,
    postcode: str = UNCHANGED,
    latitude: float | None = UNCHANGED,
    longitude: float | None = UNCHANGED,
    local_authority: str = UNCHANGED,
    region: str = UNCHANGED,
    location_type: str = UNCHANGED,
    care_home: bool = UNCHANGED,
    registered_beds: int | None = UNCHANGED,
    service_types: list[str] = UNCHANGED,
    regulated_activities: list[str] = UNCHANGED,
    specialisms: list[str] = UNCHANGED,
    service_user_bands: list[str] = UNCHANGED,
    registration_status: str = UNCHANGED,
    registration_date: date | None = UNCHANGED,
    deregistration_date: date | None = UNCHANGED,
    dormant: bool = UNCHANGED,
) -> Location:
    """Change what is given of a location. A new postcode without new coordinates moves the location to the
    postcode's place; new coordinates are taken as given; either way ward and district are assigned again. A
    change of registration status or dormancy is recorded as a registration event, as the imports do."""
    given = {name: value for name, value in locals().items() if name in LOCATION_EDITABLE and value is not UNCHANGED}
    location = Location.objects.select_for_update().get(pk=location.pk)
    changes = location_changes_check(location=location, values=given)
    changes = {name: value for name, value in changes.items() if getattr(location, name) != value}
    if not changes:
        return location
    if "provider" in changes:
        changes["provider_id"] = changes.pop("provider").pk
    RegistrationEvent.objects.bulk_create(_status_events(None, location, changes, source="manual"))
    for field_name, value in changes.items():
        setattr(location, field_name, value)
    _history_user(location, by)
    location.save(update_fields=[*changes, "updated_at"])
    return location


# What a person may enter of a provider; its locations are entered on their own.
PROVIDER_EDITABLE = (
    "cqc_provider_id",
    "name",
    "organisation_type",
    "companies_house_number",
    "brand",
    "size_band",
    "registration_status",
    "registration_date",
    "deregistration_date",
)


@transaction.atomic
def provider_create(
    *,
    name: str,
    by: User | None = None,
    cqc_provider_id: str | None = None,
    organisation_type: str = "",
    companies_house_number: str = "",
    brand: str = "",
    size_band: str = "",
    registration_status: str = "Registered",
    registration_date: date | None = None,
    deregistration_date: date | None = None,
) -> Provider:
    """A provider entered by hand (a sole trader, a council service, one CQC has not listed yet)."""
    values = {name: value for name, value in locals().items() if name in PROVIDER_EDITABLE}
    provider = Provider(**_provider_checked(None, values))
    provider._history_user = by
    provider.save()
    return provider


@transaction.atomic
def provider_update(
    *,
    provider: Provider,
    by: User | None = None,
    cqc_provider_id: str | None = UNCHANGED,
    name: str = UNCHANGED,
    organisation_type: str = UNCHANGED,
    companies_house_number: str = UNCHANGED,
    brand: str = UNCHANGED,
    size_band: str = UNCHANGED,
    registration_status: str = UNCHANGED,
    registration_date: date | None = UNCHANGED,
    deregistration_date: date | None = UNCHANGED,
) -> Provider:
    """Change what is given of a provider; a change of registration status is recorded as a registration
    event, as the sync and the imports record it."""
    given = {name: value for name, value in locals().items() if name in PROVIDER_EDITABLE and value is not UNCHANGED}
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    changes = {
        name: value for name, value in _provider_checked(provider, given).items() if getattr(provider, name) != value
    }
    if not changes:
        return provider
    RegistrationEvent.objects.bulk_create(_status_events(provider, None, changes, source="manual"))
    for field_name, value in changes.items():
        setattr(provider, field_name, value)
    provider._history_user = by
    provider.save(update_fields=[*changes, "updated_at"])
    return provider


def _provider_checked(provider: Provider | None, values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise DomainError("Give the provider's name.", field="name")
    if "cqc_provider_id" in values:
        # No CQC id is None, not "": the id is unique only among providers that have one.
        values["cqc_provider_id"] = (values["cqc_provider_id"] or "").strip() or None
        others = Provider.objects.filter(cqc_provider_id=values["cqc_provider_id"])
        if provider is not None:
            others = others.exclude(pk=provider.pk)
        if values["cqc_provider_id"] and others.exists():
            raise Conflict(f"Another provider has the CQC id {values['cqc_provider_id']}.", field="cqc_provider_id")
    return values
