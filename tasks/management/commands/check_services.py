from django.core.management.base import BaseCommand, CommandError

from config.health import health_report


class Command(BaseCommand):
    help = "Check the database, cache and broker can be reached; exit non-zero naming the first that cannot."

    def handle(self, *args, **options):
        variables = {"database": "DATABASE_URL", "cache": "REDIS_URL", "broker": "REDIS_URL"}
        for name, state in health_report().items():
            if state != "ok":
                raise CommandError(f"The {name} is {state}: check {variables[name]}.")
            self.stdout.write(f"{name}: ok")
