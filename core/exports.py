"""What every CSV or XLSX export of the service shares: the files, their answer and how the schema describes
them. An app's export action is

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=FILE_RESPONSES)
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)", pagination_class=None)
    def export(self, request, fmt):
        return file_response(table_file(headers=..., rows=..., fmt=fmt, title=...), fmt=fmt, name=...)
"""

import csv
import io
import re
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

# Spreadsheet programs run a text cell starting with one of these as a formula (CSV injection), so text that
# starts with one is written with a leading apostrophe. The full-width forms count: some spreadsheet programs
# (and Excel with East Asian input) read `＝1+1` as `=1+1`. Numbers and dates are data and pass unchanged
# (a negative longitude is not a formula).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# XML 1.0, and so XLSX, has no way to write these C0 control characters (tab, line feed and carriage return
# are allowed): openpyxl refuses the whole file. They are dropped from text in both formats, so the CSV and
# the XLSX of a table say the same.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# The most a spreadsheet cell holds: Excel will not open a file with a longer one, and cuts a CSV's.
CELL_LIMIT = 32767
CUT_MARK = "…"


def spreadsheet_value(value):
    """`value` as it may safely go into a spreadsheet cell: None becomes empty; text loses the control
    characters a spreadsheet cannot hold, is cut to what a cell holds and is quoted when it would run as a
    formula; a timezone-aware moment becomes the service's local time (a spreadsheet has no time zones)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Seconds are as fine as a spreadsheet shows (it keeps a moment as a fraction of a day).
        value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        return value.replace(microsecond=0)
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if len(value) > CELL_LIMIT:
        value = value[: CELL_LIMIT - len(CUT_MARK)] + CUT_MARK
    return value


def csv_value(value):
    """`value` as a CSV field: a spreadsheet value, a timezone-aware moment in local time with its offset."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(microsecond=0).isoformat(sep=" ")
    return spreadsheet_value(value)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

FILE_RESPONSES = {
    (200, CONTENT_TYPES["csv"].split(";")[0]): OpenApiTypes.STR,
    (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
}
FORMAT_PARAMETER = OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=["csv", "xlsx"])


def table_file(*, headers: list[str], rows: list[list], fmt: str, title: str) -> bytes:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([csv_value(header) for header in headers])
        for row in rows:
            writer.writerow([csv_value(value) for value in row])
        return buffer.getvalue().encode("utf-8")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\\/*?:\[\]]", " ", title)[:31]
    sheet.append([spreadsheet_value(header) for header in headers])
    for row in rows:
        # Numbers stay numbers (Decimal as float) and dates stay dates so the sheet can be summed and sorted.
        sheet.append([float(value) if hasattr(value, "as_tuple") else spreadsheet_value(value) for value in row])
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(len(header), 80) + 2)
        for cell in sheet[get_column_letter(index)][1:]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class FileExportNegotiation:
    """An export answers its file to a client that asks for it by type (Accept: text/csv), where content
    negotiation among the JSON renderers would refuse it with a 406; its errors are still JSON."""

    export_actions: tuple = (None,)

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=force or self._exporting())

    def _exporting(self) -> bool:
        return getattr(self, "action", None) in self.export_actions


def file_response(content: bytes, *, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
