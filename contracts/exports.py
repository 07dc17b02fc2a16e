"""The contracts register and the void report as tables, and those tables as CSV or XLSX files."""

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from config.exports import spreadsheet_value
from contracts.selectors import VoidFigures

REGISTER_HEADERS = [
    "Reference",
    "Provider",
    "CQC provider id",
    "Kind",
    "Service",
    "Status",
    "Start date",
    "End date",
    "Break clause date",
    "Notice period (months)",
    "Commissioning partner",
    "Uplift NLW weight",
    "Uplift CPI weight",
    "Uplift cap %",
    "Bed lines",
    "Active block beds",
    "Documents",
]

VOID_HEADERS = ["Group", "Key", "Lines", "Contracted bed-days", "Void bed-days", "Void level", "Void cost (£)"]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def register_rows(contracts) -> list[list]:
    """`contracts` as annotated by selectors.contracts_register."""
    return [
        [
            contract.reference,
            contract.provider.name,
            contract.provider.cqc_provider_id or "",
            contract.get_kind_display(),
            contract.get_service_display(),
            contract.get_status_display(),
            contract.start_date,
            contract.end_date,
            contract.break_clause_date,
            contract.notice_period_months,
            contract.get_commissioning_partner_display(),
            contract.uplift_nlw_weight,
            contract.uplift_cpi_weight,
            contract.uplift_cap_percent,
            contract.bed_line_count,
            contract.active_beds,
            contract.documents_url,
        ]
        for contract in contracts
    ]


def void_rows(figures: list[VoidFigures], *, group_by: str) -> list[list]:
    return [
        [
            group_by,
            item.label,
            item.lines,
            item.contracted_bed_days,
            item.void_bed_days,
            item.void_level,
            item.void_cost,
        ]
        for item in figures
    ]


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
