"""Response bodies shaped like the CQC public API's (field names as the API publishes them)."""

BASE = "https://api.cqc.test/public/v1"


def location_body(
    location_id: str = "1-1000000001",
    *,
    provider_id: str = "1-101634239",
    name: str = "Meadow View Care Home",
    local_authority: str = "Cambridgeshire",
    region: str = "East",
    latitude: float | None = 52.55,
    longitude: float | None = 0.05,
    postcode: str = "PE13 1AA",
    overall: str | None = "Good",
    report_date: str = "2023-05-10",
    key_questions: dict | None = None,
    historic: list[dict] | None = None,
    **extra,
) -> dict:
    key_questions = key_questions or {}
    body = {
        "locationId": location_id,
        "providerId": provider_id,
        "organisationType": "Location",
        "type": "Social Care Org",
        "name": name,
        "brandId": "BD000",
        "onspdCcgCode": "E38000026",
        "registrationStatus": "Registered",
        "registrationDate": "2011-02-01",
        "dormancy": "N",
        "numberOfBeds": 62,
        "postalAddressLine1": "12 Station Road",
        "postalAddressTownCity": "Wisbech",
        "postalAddressCounty": "Cambridgeshire",
        "region": region,
        "postalCode": postcode,
        "onspdLatitude": latitude,
        "onspdLongitude": longitude,
        "careHome": "Y",
        "inspectionDirectorate": "Adult social care",
        "mainPhoneNumber": "01945000000",
        "constituency": "North East Cambridgeshire",
        "localAuthority": local_authority,
        "lastInspection": {"date": report_date},
        "gacServiceTypes": [{"name": "Nursing homes", "description": "Care home service with nursing"}],
        "regulatedActivities": [
            {"name": "Accommodation for persons who require nursing or personal care", "code": "RA2"},
            {"name": "Treatment of disease, disorder or injury", "code": "RA5"},
        ],
        "specialisms": [{"name": "Dementia"}, {"name": "Caring for adults over 65 yrs"}],
        "historicRatings": historic or [],
        "unpublishedReports": [],
    }
    if overall:
        body["currentRatings"] = {
            "overall": {
                "rating": overall,
                "reportDate": report_date,
                "reportLinkId": f"report-{location_id}-{report_date}",
                "useOfResources": {},
                "keyQuestionRatings": [
                    {"name": name_, "rating": key_questions.get(name_, overall), "reportDate": report_date}
                    for name_ in ("Safe", "Well-led", "Caring", "Responsive", "Effective")
                ],
            },
            "reportDate": report_date,
        }
    body.update(extra)
    return body


def provider_body(provider_id: str = "1-101634239", *, name: str = "Fenland Care Ltd", **extra) -> dict:
    body = {
        "providerId": provider_id,
        "locationIds": ["1-1000000001"],
        "organisationType": "Provider",
        "ownershipType": "Organisation",
        "type": "Social Care Org",
        "name": name,
        "brandName": "BRAND Fenland Care",
        "registrationStatus": "Registered",
        "registrationDate": "2010-10-01",
        "companiesHouseNumber": "01234567",
        "postalAddressLine1": "1 High Street",
        "postalAddressTownCity": "March",
        "postalCode": "PE15 8AA",
        "region": "East",
        "localAuthority": "Cambridgeshire",
    }
    body.update(extra)
    return body


def changes_page(ids: list[str], *, page: int, total_pages: int, path: str = "/changes/location") -> dict:
    query = "startTimestamp=2024-01-01T00:00:00Z&endTimestamp=2024-01-02T00:00:00Z&perPage=1000"
    return {
        "total": len(ids) * total_pages,
        "page": page,
        "totalPages": total_pages,
        "perPage": 1000,
        "firstPageUri": f"{path}?page=1&{query}",
        "lastPageUri": f"{path}?page={total_pages}&{query}",
        "nextPageUri": f"{path}?page={page + 1}&{query}" if page < total_pages else None,
        "changes": ids,
    }


def locations_page(ids: list[str], *, page: int = 1, total_pages: int = 1) -> dict:
    return {
        "total": len(ids),
        "page": page,
        "totalPages": total_pages,
        "perPage": 1000,
        "firstPageUri": "/locations?page=1&perPage=1000",
        "nextPageUri": f"/locations?page={page + 1}&perPage=1000" if page < total_pages else None,
        "locations": [{"locationId": i, "locationName": f"Home {i}", "postalCode": "PE13 1AA"} for i in ids],
    }


SOFT_429 = {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 2 seconds."}
