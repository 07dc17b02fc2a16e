import os
import signal
import time
import urllib.error
import urllib.request

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, DEMO_USERS


def _stop(signum, frame):
    raise SystemExit(0)


class Command(BaseCommand):
    help = (
        "Print where the running service answers and the demo sign-ins (used by `make run`). With --when-up (a "
        "line of the Procfile), wait until /health/ answers, so the web server, worker and beat are all running, "
        "print the same again below their start-up logs, then wait quietly until the runner stops it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--when-up", action="store_true", help="Wait for /health/ to answer 200, then print.")
        parser.add_argument("--wait", type=int, default=300, help="Seconds to wait for /health/ (--when-up).")

    def handle(self, *args, when_up: bool = False, wait: int = 300, **options):
        base = f"http://{os.getenv('WEB_HOST', '127.0.0.1')}:{os.getenv('WEB_PORT', '8000')}"
        if not when_up:
            self.stdout.write(self.block(base, "Care market is starting (web, worker and beat)."))
            return
        # The runner (honcho) stops every process when one ends: this one stays until it is told to stop, and
        # ends quietly then.
        signal.signal(signal.SIGTERM, _stop)
        if self.healthy(f"{base}/health/", wait):
            self.stdout.write(self.block(base, "Care market is up: web, worker and beat are running."))
        else:
            self.stderr.write(f"{base}/health/ did not answer 200 within {wait} s: the logs above say why.")
        self.stdout.flush()
        while True:
            signal.pause()

    @staticmethod
    def healthy(address: str, wait: int) -> bool:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(address, timeout=5) as answer:  # noqa: S310 - the service's own address
                    if answer.status == 200:
                        return True
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(1)
        return False

    @staticmethod
    def block(base: str, first_line: str) -> str:
        lines = [
            "",
            f"{first_line} Press Ctrl-C to stop all of them.",
            f"  Pages (sign in):    {base}/sign-in/",
            f"  API docs (Swagger): {base}/api/docs/",
            f"  API docs (Redoc):   {base}/api/redoc/",
            f"  Admin:              {base}/admin/",
            f"  Health:             {base}/health/",
            f"Demo sign-ins (password for all: {DEMO_PASSWORD}):",
            *(f"  {username:<14} {', '.join(role.label for role in roles)}" for username, roles, _ in DEMO_USERS),
            "",
        ]
        return "\n".join(lines)
