from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from contracts.services import vacancy_reports_import
from core.errors import ImportRejected


class Command(BaseCommand):
    help = (
        "Import providers' vacancy reports from a Capacity Tracker style CSV (location = CQC location id, date, "
        "care_type, vacant_beds, accepting_admissions). Every row is checked first; nothing is written if any "
        "row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            with path.open("rb") as file:
                imported = vacancy_reports_import(content=File(file))
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        self.stdout.write(f"{imported} vacancy reports imported from {path.name}.")
