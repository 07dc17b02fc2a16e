from django.core.management.base import BaseCommand

from tasks.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo data (users for each role, localities, providers, contracts). Safe to run again."

    def handle(self, *args, **options):
        counts = demo_load(stdout=self.stdout)
        self.stdout.write("Demo data loaded: " + ", ".join(f"{count} {name}" for name, count in counts.items()))
