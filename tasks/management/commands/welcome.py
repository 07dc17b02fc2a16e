import os

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print where the running service answers and the demo sign-ins (used by `make run`)."

    def handle(self, *args, **options):
        base = f"http://{os.getenv('WEB_HOST', '127.0.0.1')}:{os.getenv('WEB_PORT', '8000')}"
        lines = [
            "",
            "Care market is starting (web, worker and beat). Press Ctrl-C to stop all of them.",
            f"  Pages (sign in):    {base}/sign-in/",
            f"  API docs (Swagger): {base}/api/docs/",
            f"  API docs (Redoc):   {base}/api/redoc/",
            f"  Admin:              {base}/admin/",
            f"  Health:             {base}/health/",
            f"Demo sign-ins (password for all: {DEMO_PASSWORD}):",
            *(f"  {username:<14} {', '.join(role.label for role in roles)}" for username, roles, _ in DEMO_USERS),
            "",
        ]
        self.stdout.write("\n".join(lines))
