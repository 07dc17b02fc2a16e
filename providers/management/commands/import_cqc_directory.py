import csv
import sys

from django.core.management.base import BaseCommand, CommandError

from core.errors import ImportRejected
from providers.services.imports import DIRECTORY, RATINGS, cqc_file_import


class Command(BaseCommand):
    help = (
        "Import a CQC file: the 'care directory with ratings' CSV, or the 'latest ratings' sheet (CSV or XLSX). "
        "The kind is recognised from the header row. Rejected rows are listed with their row number and reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--kind", choices=[DIRECTORY, RATINGS], help="Skip recognising the kind of file.")
        parser.add_argument("--rejected", metavar="CSV", help="Also write the rejected rows to this CSV file.")

    def handle(self, *args, path, kind=None, rejected=None, **options):
        try:
            report = cqc_file_import(path=path, kind=kind, progress=sys.stderr.isatty())
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{report.kind}: {report.rows} rows; providers {report.providers_created} new, "
            f"{report.providers_updated} updated; locations {report.locations_created} new, "
            f"{report.locations_updated} updated, {report.locations_unchanged} unchanged; "
            f"ratings {report.ratings_created} new, {report.ratings_updated} completed; "
            f"{report.rating_changes} rating changes; "
            f"{len(report.rejected)} rows rejected."
        )
        if report.service_rows:
            self.stdout.write(f"  {report.service_rows} rows rating a single service or population group left out")
        for problem in report.rejected[:100]:
            self.stdout.write(f"  row {problem['row']}, {problem['field']}: {problem['message']}")
        if len(report.rejected) > 100:
            self.stdout.write(f"  ... and {len(report.rejected) - 100} more (use --rejected FILE for all)")
        if rejected:
            with open(rejected, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=["row", "field", "message"])
                writer.writeheader()
                writer.writerows(report.rejected)
