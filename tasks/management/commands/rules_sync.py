from django.core.management.base import BaseCommand

from tasks.services.rules import rules_sync


class Command(BaseCommand):
    help = "Create the row of every alert rule in code that has none (run after migrate; keeps what was changed)."

    def handle(self, *args, **options):
        for outcome, codes in rules_sync().items():
            for code in codes:
                self.stdout.write(f"{outcome:>16}: {code}")
