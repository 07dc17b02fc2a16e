from django.core.management.base import BaseCommand

from tasks.services.engine import sweep


class Command(BaseCommand):
    help = "Run alert rules now (all, or the codes given) and print what each found and changed."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="Rule codes (default: every rule).")

    def handle(self, *args, codes=None, **options):
        for run in sweep(codes=codes or None, trigger="manual"):
            self.stdout.write(
                f"{run.rule.code:>24}: {run.risks} risks, {run.opened} opened, {run.updated} updated, "
                f"{run.resolved} resolved, {run.pending} pending"
            )
