"""manage.py import_boundaries PATH --kind ward --code-field WD13CD --name-field WD13NM [...]"""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import ImportRejected
from geo.models import LocalityKind
from geo.services import boundaries_import


class Command(BaseCommand):
    help = (
        "Import boundaries (GeoJSON, newline-delimited GeoJSON, TopoJSON, GeoPackage, zipped shapefile) as "
        "localities of one kind, upserting by code. A file with any bad row is rejected whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--kind", required=True, choices=LocalityKind.values)
        parser.add_argument("--code-field", required=True, help="e.g. WD13CD")
        parser.add_argument("--name-field", required=True, help="e.g. WD13NM")
        parser.add_argument("--parent-field", help="Field holding the parent's code; else found by containment.")
        parser.add_argument("--parent", dest="parent_code", help="Code of the parent of every feature in the file.")
        parser.add_argument(
            "--allow-distant-parent",
            action="store_true",
            help="Import even where the given parent holds less than half of a child's area (reported).",
        )
        parser.add_argument("--layer", help="Layer of a GeoPackage or TopoJSON object with several.")
        parser.add_argument("--crs", help="For files that declare no CRS, e.g. EPSG:27700 (British National Grid).")
        parser.add_argument("--source", help="Where the file came from (default: its name).")
        parser.add_argument("--attribution", default="", help="Licence and attribution text to keep with it.")

    def handle(self, *args, **options):
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int) -> None:
            bar = bars.get(stage)
            if bar is None:
                bar = bars[stage] = tqdm(total=total, desc=stage, unit="area", disable=not sys.stderr.isatty())
            bar.update(done - bar.n)

        try:
            report = boundaries_import(
                path=options["path"],
                kind=options["kind"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                parent_field=options["parent_field"],
                parent_code=options["parent_code"],
                layer=options["layer"],
                crs=options["crs"],
                source=options["source"],
                attribution=options["attribution"],
                allow_distant_parent=options["allow_distant_parent"],
                progress=progress,
            )
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write(self.style.SUCCESS(report.summary()))
