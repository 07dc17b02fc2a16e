"""CSV export of a filtered list: streamed, so a whole county's locations do not sit in memory."""

import csv
from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from core.exports import csv_value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    *, queryset: QuerySet, columns: Iterable[tuple[str, Callable]], filename: str
) -> StreamingHttpResponse:
    columns = list(columns)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([heading for heading, _ in columns])
        for item in queryset.iterator(chunk_size=2000):
            yield writer.writerow([csv_value(get(item)) for _, get in columns])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response


LOCATION_COLUMNS = [
    ("CQC location id", lambda loc: loc.cqc_location_id),
    ("Name", lambda loc: loc.name),
    ("Provider", lambda loc: loc.provider.name),
    ("CQC provider id", lambda loc: loc.provider.cqc_provider_id),
    ("Address", lambda loc: loc.address_line_1),
    ("Town", lambda loc: loc.town),
    ("Postcode", lambda loc: loc.postcode),
    ("District", lambda loc: loc.district.name if loc.district else ""),
    ("District code", lambda loc: loc.district.code if loc.district else ""),
    ("Ward", lambda loc: loc.ward.name if loc.ward else ""),
    ("Latitude", lambda loc: loc.latitude),
    ("Longitude", lambda loc: loc.longitude),
    ("Care home", lambda loc: "Y" if loc.care_home else "N"),
    ("Registered beds", lambda loc: loc.registered_beds),
    ("Service types", lambda loc: loc.service_types),
    ("Specialisms", lambda loc: loc.specialisms),
    ("Registration status", lambda loc: loc.registration_status),
    ("Dormant", lambda loc: "Y" if loc.dormant else "N"),
    ("Current overall rating", lambda loc: loc.current_rating.overall if loc.current_rating else ""),
    ("Rating report date", lambda loc: loc.current_rating.report_date if loc.current_rating else ""),
    ("Stops admissions", lambda loc: "Y" if loc.stops_admissions else "N"),
]

PROVIDER_COLUMNS = [
    ("CQC provider id", lambda p: p.cqc_provider_id),
    ("Name", lambda p: p.name),
    ("Organisation type", lambda p: p.organisation_type),
    ("Companies House number", lambda p: p.companies_house_number),
    ("Brand", lambda p: p.brand),
    ("Size band", lambda p: p.size_band),
    ("Registration status", lambda p: p.registration_status),
    ("Registration date", lambda p: p.registration_date),
    ("Locations", lambda p: p.location_count),
]
