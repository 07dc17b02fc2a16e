"""Demo providers: the Help to Live at Home lead providers in Leicestershire (2016-17) and the Cambridgeshire
care homes that the block bed tender (2020-21) buys beds in. Names are invented. Runs after the geo demo;
idempotent (a second run writes nothing)."""

import random
from datetime import date

from django.db import transaction
from shapely.geometry import Point, shape

from accounts.models import User
from geo.demo import COUNTIES
from geo.models import Locality, LocalityKind
from providers.models import Condition, Location, Provider, ProviderMembership, Rating, RatingChange
from providers.services.conditions import condition_impose, membership_add
from providers.services.ratings import RatingInput, ratings_record
from providers.services.register import locations_upsert, providers_upsert

SOURCE = "demo"
SEED = 20161107  # Help to Live at Home go-live; any fixed number keeps the coordinates the same every run

# District codes of the two demo counties, as the geo demo loads them.
CAMBRIDGESHIRE = COUNTIES["E10000003"][1]
LEICESTERSHIRE = COUNTIES["E10000018"][1]

# (provider id, provider, district, preferred ward, ratings [(overall, report date)])
HTLAH_PROVIDERS = [
    (
        "1-9016000001",
        "Soar Valley Homecare Ltd",
        "E07000129",
        "Narborough and Littlethorpe",
        [("Good", date(2016, 3, 15)), ("Inadequate", date(2017, 1, 20))],
    ),
    ("1-9016000002", "Charnwood Community Care Ltd", "E07000130", "", [("Good", date(2016, 5, 4))]),
    ("1-9016000003", "Wreake Valley Home Support Ltd", "E07000130", "Syston East", [("Good", date(2015, 11, 2))]),
    ("1-9016000004", "Welland Care at Home Ltd", "E07000131", "", [("Good", date(2016, 2, 9))]),
    ("1-9016000005", "Vale of Belvoir Homecare Ltd", "E07000133", "", [("Requires improvement", date(2016, 6, 21))]),
    ("1-9016000006", "Coalfield Care Services Ltd", "E07000134", "", [("Good", date(2016, 1, 28))]),
    ("1-9016000007", "Brocks Hill Home Care Ltd", "E07000135", "", [("Good", date(2016, 8, 30))]),
    ("1-9016000008", "Burbage and Hinckley Homecare Ltd", "E07000132", "", [("Good", date(2015, 9, 17))]),
]
INADEQUATE_CONDITION = (
    "The registered provider must not accept new packages of care without the prior written agreement of the "
    "Care Quality Commission."
)

HOMES_PER_DISTRICT = {"E07000008": 4, "E07000009": 6, "E07000010": 9, "E07000011": 5, "E07000012": 6}
HOME_NAMES = [
    "Willow Lodge",
    "Fen View",
    "Orchard House",
    "The Elms",
    "Riverside Court",
    "Cherry Tree House",
    "Mill House",
    "Granta Lodge",
    "St Ives Manor",
    "Ouse Meadows",
    "Hereward House",
    "Old Rectory",
    "Lavender Court",
    "The Maltings",
    "Ely Priory",
    "Wisbech Grange",
    "Nene House",
    "March Fields",
    "Chatteris Lodge",
    "Whittlesey Court",
    "Holme Lea",
    "Bramley House",
    "The Beeches",
    "Cam Meadows",
    "Linton Grange",
    "Kings Hedges House",
    "Abbey View",
    "Great Shelford Lodge",
    "Papworth Gardens",
    "Ramsey Court",
]
CARE_HOME_PROVIDERS = [
    ("1-9020000001", "Fenland Care Homes Ltd"),
    ("1-9020000002", "Ouse Valley Care Ltd"),
    ("1-9020000003", "Granta Healthcare Ltd"),
    ("1-9020000004", "Isle of Ely Care Ltd"),
    ("1-9020000005", "Hereward Homes Ltd"),
    ("1-9020000006", "Cambridge Nursing Partnership LLP"),
    ("1-9020000007", "Huntingdon Care Group Ltd"),
    ("1-9020000008", "Eastern Counties Care Ltd"),
    ("1-9020000009", "Nene Care Ltd"),
    ("1-9020000010", "Meadowbank Care Homes Ltd"),
]
# Mostly Good and Requires improvement; two Outstanding.
HOME_RATINGS = ["Good", "Good", "Requires improvement", "Good", "Good", "Requires improvement"]
OUTSTANDING_HOMES = {3, 17}
DEMO_PROVIDER_USER_PROVIDER = "1-9020000001"


class DemoPrerequisiteMissing(RuntimeError):
    pass


def _districts_and_wards(codes: dict[str, str]) -> dict[str, tuple[Locality, list[Locality]]]:
    districts = {d.code: d for d in Locality.objects.filter(kind=LocalityKind.DISTRICT, code__in=codes)}
    missing = sorted(set(codes) - set(districts))
    if missing:
        raise DemoPrerequisiteMissing(
            f"The providers demo needs the geo demo's districts first; missing: {', '.join(missing)}. "
            "Run the geo demo (manage.py demo_load loads it before providers)."
        )
    wards: dict[str, list[Locality]] = {code: [] for code in codes}
    for ward in (
        Locality.objects.filter(kind=LocalityKind.WARD, parent__code__in=codes, geometry__isnull=False)
        .select_related("parent", "geometry")
        .order_by("code")
    ):
        wards[ward.parent.code].append(ward)
    return {code: (districts[code], wards[code]) for code in codes}


def _point_inside(area: Locality, rng: random.Random) -> tuple[float, float]:
    """A point strictly inside the area's boundary (rejection sampling within its bounding box)."""
    geometry = shape(area.geometry.boundary)
    inner = geometry.buffer(-0.002) if geometry.buffer(-0.002).area > 0 else geometry
    min_lon, min_lat, max_lon, max_lat = inner.bounds
    for _ in range(1000):
        lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
        if inner.contains(Point(lon, lat)):
            return round(lat, 6), round(lon, 6)
    point = inner.representative_point()
    return round(point.y, 6), round(point.x, 6)


def _pick_ward(wards: list[Locality], rng: random.Random, preferred: str = "") -> Locality | None:
    if preferred:
        for ward in wards:
            if ward.name == preferred:
                return ward
    return rng.choice(wards) if wards else None


@transaction.atomic
def demo_load() -> dict[str, int]:
    rng = random.Random(SEED)  # noqa: S311 - demo coordinates, not security
    leicestershire = _districts_and_wards(LEICESTERSHIRE)
    cambridgeshire = _districts_and_wards(CAMBRIDGESHIRE)

    provider_records = [
        {
            "cqc_provider_id": pid,
            "name": name,
            "organisation_type": "Organisation",
            "registration_date": date(2012, 4, 1),
        }
        for pid, name, *_ in HTLAH_PROVIDERS
    ] + [
        {
            "cqc_provider_id": pid,
            "name": name,
            "organisation_type": "Organisation",
            "registration_date": date(2011, 1, 10),
        }
        for pid, name in CARE_HOME_PROVIDERS
    ]
    provider_ids = providers_upsert(records=provider_records, source=SOURCE).ids

    location_records, ratings_wanted = [], []
    for number, (pid, name, district_code, preferred_ward, ratings) in enumerate(HTLAH_PROVIDERS, start=1):
        district, wards = leicestershire[district_code]
        ward = _pick_ward(wards, rng, preferred_ward)
        latitude, longitude = _point_inside(ward or district, rng)
        location_id = f"1-9116{number:06d}"
        location_records.append(
            {
                "cqc_location_id": location_id,
                "provider_id": provider_ids[pid],
                "name": f"{name.removesuffix(' Ltd')} - {(ward or district).name} office",
                "town": district.name,
                "county": "Leicestershire",
                "latitude": latitude,
                "longitude": longitude,
                "local_authority": "Leicestershire",
                "region": "East Midlands",
                "location_type": "Social Care Org",
                "care_home": False,
                "registered_beds": None,
                "service_types": ["Domiciliary care service"],
                "regulated_activities": ["Personal care"],
                "specialisms": ["Caring for adults over 65 yrs", "Dementia", "Physical disabilities"],
                "service_user_bands": ["Older people", "Physical disability"],
                "registration_date": date(2012, 4, 1),
            }
        )
        ratings_wanted.append((location_id, ratings))

    home_number = 0
    for district_code, count in HOMES_PER_DISTRICT.items():
        district, wards = cambridgeshire[district_code]
        for _ in range(count):
            home_number += 1
            ward = _pick_ward(wards, rng)
            latitude, longitude = _point_inside(ward or district, rng)
            nursing = home_number % 3 != 0
            pid = CARE_HOME_PROVIDERS[(home_number - 1) % len(CARE_HOME_PROVIDERS)][0]
            if home_number in OUTSTANDING_HOMES:
                overall = "Outstanding"
            else:
                overall = HOME_RATINGS[home_number % len(HOME_RATINGS)]
            location_id = f"1-9120{home_number:06d}"
            location_records.append(
                {
                    "cqc_location_id": location_id,
                    "provider_id": provider_ids[pid],
                    "name": f"{HOME_NAMES[home_number - 1]} {'Nursing' if nursing else 'Care'} Home",
                    "town": (ward or district).name,
                    "county": "Cambridgeshire",
                    "latitude": latitude,
                    "longitude": longitude,
                    "local_authority": "Cambridgeshire",
                    "region": "East",
                    "location_type": "Social Care Org",
                    "care_home": True,
                    "registered_beds": rng.randint(40, 90),
                    "service_types": [
                        "Care home service with nursing" if nursing else "Care home service without nursing"
                    ],
                    "regulated_activities": ["Accommodation for persons who require nursing or personal care"],
                    "specialisms": ["Caring for adults over 65 yrs", "Physical disabilities"]
                    + (["Dementia"] if home_number % 4 != 1 else []),
                    "service_user_bands": ["Older people", "Physical disability"],
                    "registration_date": date(2011, 1, 10),
                }
            )
            ratings_wanted.append((location_id, [(overall, date(2019, 1, 1).replace(month=1 + home_number % 12))]))

    location_ids = locations_upsert(records=location_records, source=SOURCE).ids
    # One report at a time, oldest first, so that a later report is compared with the one before it.
    for round_ in range(max(len(r) for _, r in ratings_wanted)):
        ratings_record(
            ratings=[
                RatingInput(location_id=location_ids[lid], overall=ratings[round_][0], report_date=ratings[round_][1])
                for lid, ratings in ratings_wanted
                if len(ratings) > round_
            ],
            source=SOURCE,
        )

    lead = Location.objects.get(cqc_location_id="1-9116000001")
    condition_impose(
        location=lead, text=INADEQUATE_CONDITION, imposed_on=date(2017, 1, 20), stops_admissions=True, source=SOURCE
    )

    provider_user = User.objects.filter(username="provider").first()
    if provider_user is not None:
        membership_add(user=provider_user, provider=Provider.objects.get(pk=provider_ids[DEMO_PROVIDER_USER_PROVIDER]))

    demo_locations = Location.objects.filter(cqc_location_id__in=location_ids)
    return {
        "providers": Provider.objects.filter(cqc_provider_id__in=provider_ids).count(),
        "locations": demo_locations.count(),
        "care_homes": demo_locations.filter(care_home=True).count(),
        "registered_beds": sum(demo_locations.values_list("registered_beds", flat=True).exclude(registered_beds=None)),
        "ratings": Rating.objects.filter(location__in=demo_locations).count(),
        "rating_changes": RatingChange.objects.filter(location__in=demo_locations).count(),
        "conditions": Condition.objects.filter(location__in=demo_locations).count(),
        "provider_memberships": ProviderMembership.objects.filter(provider__cqc_provider_id__in=provider_ids).count(),
    }
