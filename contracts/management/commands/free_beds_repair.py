from django.core.management.base import BaseCommand, CommandError

from contracts.services.free_beds import free_bed_state_rebuild


class Command(BaseCommand):
    help = (
        "Count every bed line's free beds today afresh, write any difference into the free-bed state the bed finder "
        "reads, and report how many rows were missing, wrong or left over. Exits with status 1 when a row of "
        "today's state was wrong (something wrote beds without its service); safe to run at any time."
    )

    def handle(self, *args, **options):
        report = free_bed_state_rebuild()
        differences = report["missing"] + report["wrong"] + report["left_over"]
        self.stdout.write(
            f"{report['lines']} bed lines counted; {report['missing']} missing, {report['wrong']} wrong, "
            f"{report['left_over']} left over; repaired {differences}."
        )
        if not report["was_for_today"]:
            self.stdout.write("The state was for an earlier day: differences are the day's changes, now counted.")
        elif differences:
            raise CommandError(f"{differences} rows of today's free-bed state differed from the bed lines; repaired.")
