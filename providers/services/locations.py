"""Entering and editing one location by hand (the admin now, web forms later): the same rules whatever the door,
and the ward and district re-assigned whenever its coordinates or postcode change."""

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from django.db import transaction

from accounts.models import User
from config.errors import DomainError
from geo.selectors import geocode, postcode_normalise
from providers.models import Location, Provider, RegistrationEvent
from providers.services.register import _status_events, places_for


class _Unchanged(Enum):
    UNCHANGED = "unchanged"


# A location_update argument left at this keeps the stored value.
UNCHANGED = _Unchanged.UNCHANGED

# What a person may enter; ward and district follow from the place, the current rating from the ratings.
LOCATION_EDITABLE = (
    "provider",
    "cqc_location_id",
    "name",
    "address_line_1",
    "address_line_2",
    "town",
    "county",
    "postcode",
    "latitude",
    "longitude",
    "local_authority",
    "region",
    "location_type",
    "care_home",
    "registered_beds",
    "service_types",
    "regulated_activities",
    "specialisms",
    "service_user_bands",
    "registration_status",
    "registration_date",
    "deregistration_date",
    "dormant",
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
    provider: Provider | _Unchanged = UNCHANGED,
    cqc_location_id: str | None | _Unchanged = UNCHANGED,
    name: str | _Unchanged = UNCHANGED,
    address_line_1: str | _Unchanged = UNCHANGED,
    address_line_2: str | _Unchanged = UNCHANGED,
    town: str | _Unchanged = UNCHANGED,
    county: str | _Unchanged = UNCHANGED,
    postcode: str | _Unchanged = UNCHANGED,
    latitude: float | None | _Unchanged = UNCHANGED,
    longitude: float | None | _Unchanged = UNCHANGED,
    local_authority: str | _Unchanged = UNCHANGED,
    region: str | _Unchanged = UNCHANGED,
    location_type: str | _Unchanged = UNCHANGED,
    care_home: bool | _Unchanged = UNCHANGED,
    registered_beds: int | None | _Unchanged = UNCHANGED,
    service_types: list[str] | _Unchanged = UNCHANGED,
    regulated_activities: list[str] | _Unchanged = UNCHANGED,
    specialisms: list[str] | _Unchanged = UNCHANGED,
    service_user_bands: list[str] | _Unchanged = UNCHANGED,
    registration_status: str | _Unchanged = UNCHANGED,
    registration_date: date | None | _Unchanged = UNCHANGED,
    deregistration_date: date | None | _Unchanged = UNCHANGED,
    dormant: bool | _Unchanged = UNCHANGED,
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
