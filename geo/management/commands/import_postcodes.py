"""manage.py import_postcodes ONSPD.csv: ONS Postcode Directory style CSV (pcds, lat, long, oslaua, osward, doterm)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import ImportRejected
from geo.services.postcodes import postcodes_import


class Command(BaseCommand):
    help = "Import (upsert) postcodes from an ONS Postcode Directory style CSV, streaming, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV, or CSV compressed with gzip (.csv.gz)")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, **options):
        bar = tqdm(desc="postcodes", unit="row", disable=not sys.stderr.isatty())
        try:
            report = postcodes_import(
                path=options["path"],
                batch_size=options["batch_size"],
                progress=lambda rows: bar.update(rows - bar.n),
            )
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.imported} postcodes imported from {report.rows} rows "
                f"({report.terminated} terminated, {report.without_location} without a location)."
            )
        )
