"""Small files shaped like CQC's published ones."""

import csv
import io

DIRECTORY_PREAMBLE = [
    ["Care directory with ratings"],
    ["Data as at 01 November 2024"],
    ["Contains public sector information licensed under the Open Government Licence v3.0"],
    [],
]
DIRECTORY_HEADER = [
    "Name",
    "Also known as",
    "Address",
    "Postcode",
    "Phone number",
    "Service's website (if available)",
    "Service types",
    "Date of latest check",
    "Specialisms/services",
    "Provider name",
    "Local authority",
    "Region",
    "Location URL",
    "CQC Location ID (for office use only)",
    "CQC Provider ID (for office use only)",
    "Latest overall rating",
]


def directory_row(n: int, *, overall: str = "Good", checked: str = "10/05/2023", **override) -> list[str]:
    row = {
        "Name": f"Meadow View {n}",
        "Also known as": "",
        "Address": f"{n} Station Road, Wisbech",
        "Postcode": "PE13 1AA",
        "Phone number": "01945 000000",
        "Service's website (if available)": "",
        "Service types": "Nursing homes|Residential homes",
        "Date of latest check": checked,
        "Specialisms/services": "Dementia|Caring for adults over 65 yrs",
        "Provider name": f"Fenland Care {n % 3} Ltd",
        "Local authority": "Cambridgeshire",
        "Region": "East",
        "Location URL": f"https://www.cqc.org.uk/location/1-{1000000000 + n}",
        "CQC Location ID (for office use only)": f"1-{1000000000 + n}",
        "CQC Provider ID (for office use only)": f"1-{100000000 + n % 3}",
        "Latest overall rating": overall,
    }
    row.update(override)
    return [row[heading] for heading in DIRECTORY_HEADER]


def directory_csv(rows: list[list[str]], *, header=None, preamble=None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(DIRECTORY_PREAMBLE if preamble is None else preamble)
    writer.writerow(header or DIRECTORY_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


RATINGS_HEADER = [
    "Location ID",
    "Location ODS Code",
    "Location Name",
    "Care Home?",
    "Location Type",
    "Location Primary Inspection Category",
    "Location Street Address",
    "Location Post Code",
    "Location Local Authority",
    "Location Region",
    "Service / Population Group",
    "Domain",
    "Latest Rating",
    "Publication Date",
    "Report Type",
    "Provider ID",
    "Provider Name",
]


def ratings_rows(location_id: str, overall: str, *, published="20/01/2017", safe=None, provider="1-101634239"):
    rows = []
    for domain in ("Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led"):
        value = overall if domain != "Safe" or safe is None else safe
        rows.append(
            [
                location_id,
                "",
                f"Home {location_id}",
                "Y",
                "Social Care Org",
                "Residential social care",
                "1 High Street",
                "LE19 1AA",
                "Leicestershire",
                "East Midlands",
                "Overall",
                domain,
                value,
                published,
                "Location",
                provider,
                "Blaby Homecare Ltd",
            ]
        )
    return rows


def ratings_csv(rows, header=None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or RATINGS_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def ratings_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["Latest ratings, published by CQC"])
    sheet = workbook.create_sheet("Locations")
    sheet.append(RATINGS_HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
