from django.core.management.base import BaseCommand

from tasks.services import schedules_sync


class Command(BaseCommand):
    help = "Create or update every periodic schedule (django-celery-beat) the service needs."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Put every schedule back to its default times.")

    def handle(self, *args, reset: bool = False, **options):
        report = schedules_sync(reset=reset)
        for outcome, names in report.items():
            for name in names:
                self.stdout.write(f"{outcome:>8}: {name}")
