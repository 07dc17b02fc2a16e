"""What every CSV or XLSX export of the service shares: the files, their answer and how the schema describes
them. An app's export action is

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=FILE_RESPONSES)
    @action(detail=False, url_path=r"export/(?P<fmt>csv|xlsx)", pagination_class=None)
    def export(self, request, fmt):
        return file_response(table_file(headers=..., rows=..., fmt=fmt, title=...), fmt=fmt, name=...)
"""

import csv
import io
from datetime import date

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

# Spreadsheet programs run a text cell starting with one of these as a formula (CSV injection), so text that
# starts with one is written with a leading apostrophe. Numbers and dates are data and pass unchanged
# (a negative longitude is not a formula).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_value(value):
    """`value` as it may safely go into a spreadsheet cell: None becomes empty, risky text is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


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
        writer.writerow(headers)
        for row in rows:
            writer.writerow([spreadsheet_value(value) for value in row])
        return buffer.getvalue().encode("utf-8")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for row in rows:
        # Numbers stay numbers (Decimal as float) and dates stay dates so the sheet can be summed and sorted.
        sheet.append([float(value) if hasattr(value, "as_tuple") else spreadsheet_value(value) for value in row])
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 2)
        for cell in sheet[get_column_letter(index)][1:]:
            if isinstance(cell.value, date):
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
