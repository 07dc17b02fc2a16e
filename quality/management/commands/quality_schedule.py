from django.core.management.base import BaseCommand
from django.utils import timezone

from quality.selectors import visit_schedule


class Command(BaseCommand):
    help = "Print the schedule of quality visits by risk: position, home, proposed due date and why."

    def add_arguments(self, parser):
        parser.add_argument("--top", type=int, default=20)

    def handle(self, *args, top, **options):
        for entry in visit_schedule(on=timezone.localdate())[:top]:
            why = "; ".join(entry.reasons)
            self.stdout.write(f"{entry.position:>3}. {entry.location.name} (due {entry.due_on:%d %b %Y}): {why}")
