"""Demo geography: the wards of Cambridgeshire and Leicestershire shipped in geo/data, the 12 districts and
2 counties dissolved from them, the Help to Live at Home lot areas, and a small demo postcode table.
Idempotent: a second run finds everything unchanged and writes nothing."""

from pathlib import Path

from django.db import transaction

from geo.models import Locality, LocalityKind, Postcode
from geo.services import boundaries_import, displays_deferred, locality_compose, postcodes_import

DATA = Path(__file__).resolve().parent / "data"
ATTRIBUTION = (
    "Contains Ordnance Survey and Office for National Statistics data © Crown copyright and database right "
    "2016. Licensed under the Open Government Licence v3.0; Ordnance Survey data under the OS OpenData "
    "licence. Boundaries from the UK-GeoJSON collection by Martin Chorley (CC BY 4.0)."
)

COUNTIES = {
    "E10000003": (
        "Cambridgeshire",
        {
            "E07000008": "Cambridge",
            "E07000009": "East Cambridgeshire",
            "E07000010": "Fenland",
            "E07000011": "Huntingdonshire",
            "E07000012": "South Cambridgeshire",
        },
    ),
    "E10000018": (
        "Leicestershire",
        {
            "E07000129": "Blaby",
            "E07000130": "Charnwood",
            "E07000131": "Harborough",
            "E07000132": "Hinckley and Bosworth",
            "E07000133": "Melton",
            "E07000134": "North West Leicestershire",
            "E07000135": "Oadby and Wigston",
        },
    ),
}

# Help to Live at Home (Leicestershire, 2016): 15 geographic lots. The first and the three vacant West
# Leicestershire lots carry the names in the council's papers; the others are named for the towns in them.
# Wards are chosen by name; every Leicestershire ward is in exactly one lot.
HTLAH_LOTS: list[tuple[str, str, list[str]]] = [
    (
        "HTLAH-01",
        "Blaby, Countesthorpe, Narborough, Lutterworth, Birstall and Anstey",
        [
            "Blaby South",
            "Countesthorpe",
            "Narborough and Littlethorpe",
            "Lutterworth Brookfield",
            "Lutterworth Orchard",
            "Lutterworth Springs",
            "Lutterworth Swift",
            "Birstall Wanlip",
            "Birstall Watermead",
            "Anstey",
        ],
    ),
    (
        "HTLAH-02",
        "Hinckley and Twycross",
        [
            "Hinckley Castle",
            "Hinckley Clarendon",
            "Hinckley De Montfort",
            "Hinckley Trinity",
            "Twycross and Witherley with Sheepy",
            "Ambien",
            "Burbage Sketchley and Stretton",
            "Burbage St Catherines and Lash Hill",
            "Barwell",
            "Earl Shilton",
        ],
    ),
    (
        "HTLAH-03",
        "Groby and Market Bosworth",
        [
            "Groby",
            "Cadeby, Carlton and Market Bosworth with Shackerstone",
            "Barlestone, Nailstone and Osbaston",
            "Markfield, Stanton and Fieldhead",
            "Newbold Verdon with Desford and Peckleton",
            "Ratby, Bagworth and Thornton",
        ],
    ),
    (
        "HTLAH-04",
        "Mountsorrel and Quorn",
        [
            "Mountsorrel",
            "Quorn and Mountsorrel Castle",
            "Rothley and Thurcaston",
            "Forest Bradgate",
            "Barrow and Sileby West",
            "Sileby",
        ],
    ),
    (
        "HTLAH-05",
        "Loughborough and Shepshed",
        [
            "Loughborough Ashby",
            "Loughborough Dishley and Hathern",
            "Loughborough Garendon",
            "Loughborough Hastings",
            "Loughborough Lemyngton",
            "Loughborough Nanpantan",
            "Loughborough Outwoods",
            "Loughborough Shelthorpe",
            "Loughborough Southfields",
            "Loughborough Storer",
            "Shepshed East",
            "Shepshed West",
            "The Wolds",
        ],
    ),
    (
        "HTLAH-06",
        "Syston, Thurmaston and the Wreake Valley",
        ["Syston East", "Syston West", "Thurmaston", "Queniborough", "East Goscote", "Wreake Villages"],
    ),
    (
        "HTLAH-07",
        "Melton Mowbray and Asfordby",
        [
            "Melton Craven",
            "Melton Dorian",
            "Melton Egerton",
            "Melton Newport",
            "Melton Sysonby",
            "Melton Warwick",
            "Asfordby",
        ],
    ),
    (
        "HTLAH-08",
        "Melton Villages and the Vale of Belvoir",
        [
            "Bottesford",
            "Croxton Kerrial",
            "Frisby-on-the-Wreake",
            "Gaddesby",
            "Long Clawson and Stathern",
            "Old Dalby",
            "Somerby",
            "Waltham-on-the-Wolds",
            "Wymondham",
        ],
    ),
    (
        "HTLAH-09",
        "Coalville and Ibstock",
        [
            "Coalville",
            "Bardon",
            "Greenhill",
            "Hugglescote",
            "Snibston",
            "Thringstone",
            "Whitwick",
            "Ibstock and Heather",
            "Ravenstone and Packington",
            "Valley",
        ],
    ),
    (
        "HTLAH-10",
        "Ashby, Measham and Castle Donington",
        [
            "Ashby Castle",
            "Ashby Holywell",
            "Ashby Ivanhoe",
            "Appleby",
            "Measham",
            "Moira",
            "Oakthorpe and Donisthorpe",
            "Castle Donington",
            "Kegworth and Whatton",
            "Breedon",
        ],
    ),
    (
        "HTLAH-11",
        "Market Harborough and Broughton Astley",
        [
            "Market Harborough-Great Bowden and Arden",
            "Market Harborough-Little Bowden",
            "Market Harborough-Logan",
            "Market Harborough-Welland",
            "Lubenham",
            "Dunton",
            "Misterton",
            "Peatling",
            "Ullesthorpe",
            "Nevill",
            "Bosworth",
            "Broughton Astley-Astley",
            "Broughton Astley-Broughton",
            "Broughton Astley-Primethorpe",
            "Broughton Astley-Sutton",
        ],
    ),
    (
        "HTLAH-12",
        "Kibworth, Fleckney and East Harborough",
        ["Kibworth", "Fleckney", "Glen", "Billesdon", "Tilton", "Thurnby and Houghton"],
    ),
    (
        "HTLAH-13",
        "Oadby and Wigston",
        [
            "Oadby Brocks Hill",
            "Oadby Grange",
            "Oadby St Peter's",
            "Oadby Uplands",
            "Oadby Woodlands",
            "South Wigston",
            "Wigston All Saints",
            "Wigston Fields",
            "Wigston Meadowcourt",
            "Wigston St Wolstan's",
        ],
    ),
    (
        "HTLAH-14",
        "Braunstone Town, Glenfield and Kirby Muxloe",
        [
            "Ellis",
            "Fairestone",
            "Millfield",
            "Muxloe",
            "Normanton",
            "Ravenhurst and Fosse",
            "Winstanley",
            "Forest",
            "Pastures",
        ],
    ),
    (
        "HTLAH-15",
        "Enderby, Whetstone and Croft",
        [
            "Enderby and St John's",
            "Cosby with South Whetstone",
            "North Whetstone",
            "Croft Hill",
            "Saxondale",
            "Stanton and Flamville",
        ],
    ),
]
LEICESTERSHIRE_DISTRICTS = set(COUNTIES["E10000018"][1])


def _ward_codes_by_name() -> dict[str, str]:
    wards = Locality.objects.filter(kind=LocalityKind.WARD, parent__code__in=LEICESTERSHIRE_DISTRICTS)
    return dict(wards.values_list("name", "code"))


@transaction.atomic
def demo_load() -> dict[str, int]:
    with displays_deferred():
        _areas_load()
    postcodes_import(path=DATA / "demo_postcodes.csv")
    return {
        "wards": Locality.objects.filter(kind=LocalityKind.WARD).count(),
        "districts": Locality.objects.filter(kind=LocalityKind.DISTRICT).count(),
        "counties": Locality.objects.filter(kind=LocalityKind.COUNTY).count(),
        "lot_areas": Locality.objects.filter(kind=LocalityKind.LOT_AREA, code__startswith="HTLAH-").count(),
        "postcodes": Postcode.objects.count(),
    }


def _areas_load() -> None:
    for county_code, (county_name, districts) in COUNTIES.items():
        for district_code, district_name in districts.items():
            path = DATA / "wards" / f"{district_code}.geojson"
            boundaries_import(
                path=path,
                kind=LocalityKind.WARD,
                code_field="WD13CD",
                name_field="WD13NM",
                parent_code=district_code if Locality.objects.filter(code=district_code).exists() else None,
                source=f"geo/data/wards/{path.name}",
                attribution=ATTRIBUTION,
            )
            ward_codes = Locality.objects.filter(source=f"geo/data/wards/{path.name}").values_list("code", flat=True)
            locality_compose(
                code=district_code,
                name=district_name,
                kind=LocalityKind.DISTRICT,
                member_codes=list(ward_codes),
                source="dissolved from its wards (geo/data/wards)",
                attribution=ATTRIBUTION,
                adopt_members=True,
            )
        locality_compose(
            code=county_code,
            name=county_name,
            kind=LocalityKind.COUNTY,
            member_codes=list(districts),
            source="dissolved from its districts",
            attribution=ATTRIBUTION,
            adopt_members=True,
        )
    wards = _ward_codes_by_name()
    leicestershire = Locality.objects.get(code="E10000018")
    for code, name, ward_names in HTLAH_LOTS:
        locality_compose(
            code=code,
            name=name,
            kind=LocalityKind.LOT_AREA,
            member_codes=[wards[ward_name] for ward_name in ward_names],
            parent=leicestershire,
            source="Help to Live at Home lots (demo: wards chosen by name)",
            attribution=ATTRIBUTION,
        )
