"""Load: the bed finder and the alert inbox list under many clients at once, through gunicorn on loopback.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/bench_load.py [--scale 1] [--duration 30] [--clients 20] [--workers 4]

Builds (or reuses) the bed finder benchmark's estate (bench/bench_contracts_bed_finder.py: 15,000 homes, 100,000
bed lines, 400,000 placements at scale 1, in `care_bench`, or `care_bench_x<scale>`, unless BENCH_DATABASE_URL names
one), adds 125,000 alerts × scale over its homes (as bench/bench_tasks_inbox_pages.py adds them), counts the
free-bed state for today, and starts gunicorn (config/gunicorn.py, `--workers` sync workers, DEBUG off, Redis as the
cache when REDIS_URL is set) on a free port of 127.0.0.1. Then wrk (Debian's package: `apt-get install wrk`), with
`--clients` connections on two threads, asks for `--duration` seconds each:

- the bed finder, as a broker with an API token: `GET /api/v1/beds/available/` for one of four care types within
  20 km of one of 2,000 random postcodes, today;
- the alert inbox list, as a compliance officer with an API token: the first page of `GET /api/v1/alerts/`,
  unfiltered, open, critical and its second page in turn.

Each prints requests a second, latency at the 50th, 95th and 99th percentiles and the slowest, errors (connection,
read, timeout, any answer not 2xx or 3xx), and the CPU the gunicorn workers and their PostgreSQL backends spent a
request (from /proc), which on a busy machine says more than the wall clock; the load average is printed beside them.
Every address is checked for a 200 before the run. The server is stopped at the end; the estate is kept.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_contracts_bed_finder as estate  # noqa: E402

ALERTS = 125_000
CARE_TYPES = estate.CARE_TYPES[:4]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# What the Lua script's done() prints after RESULT, in order (times in microseconds).
RESULT_FIELDS = ["requests", "duration_us", "connect", "read", "write", "status", "timeout"]
RESULT_FIELDS += ["p50_us", "p95_us", "p99_us", "max_us"]

LUA = """
local paths = {%(paths)s}
local counter = 0
local threads = 0
function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end
function init(args)
  counter = offset or 0
  wrk.headers["Authorization"] = "Token %(token)s"
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pids) -> dict[int, float]:
    """User and system CPU of each of these processes so far (a process gone is left out)."""
    spent = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        spent[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: the line's 14th and 15th
    return spent


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two readings by the processes of the second (one started meanwhile counts from 0)."""
    return sum(seconds - before.get(pid, 0) for pid, seconds in after.items())


def backends() -> list[int]:
    """The PostgreSQL backends connected to the benchmark's database, other than this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def children_of(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def alerts_add(count: int) -> None:
    """`count` bench alerts over the estate's homes (every status and severity), once; then VACUUM ANALYZE."""
    from django.db import connection

    from accounts.models import User
    from bench.bench_tasks_inbox_pages import add_alerts
    from tasks.models import Alert

    bench = Alert.objects.filter(fingerprint__startswith="bench:")
    if bench.count() == count:
        return
    started = time.perf_counter()
    bench.delete()
    add_alerts(count, User.objects.get(username="bench-load-compliance"))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tasks_alert")
    print(f"added {count:,} alerts in {time.perf_counter() - started:.1f} s")


def bench_user(username: str, role) -> tuple:
    """The bench's person with this one role and an API token, and whether either was written now. Written only
    when missing or different: each write marks the person changed in the token cache for two minutes."""
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from accounts.services import token_issue, user_upsert

    user = User.objects.filter(username=username).first()
    written = user is None or user.roles != {role.value}
    if written:
        user = user_upsert(username=username, roles=[role])
    if not Token.objects.filter(user=user).exists():
        token_issue(user=user)
        written = True
    return User.objects.select_related("auth_token").get(pk=user.pk), written


def server_start(*, url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-load-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        # Each worker keeps its database connection for the whole run (production's default, 60 s, would replace
        # it once a minute), so the CPU of its PostgreSQL backend can be read from /proc before and after.
        "DATABASE_CONN_MAX_AGE": "3600",
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "-c",
        "python:config.gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def get(base: str, path: str, token: str) -> int:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Token {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback, our own server
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_ready(server: subprocess.Popen, base: str, path: str, token: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if get(base, path, token) == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer within 120 s:\n{log.read_text()[-3000:]}")


def wrk(base: str, *, paths: list[str], token: str, clients: int, seconds: int, workdir: Path) -> dict:
    script = workdir / "paths.lua"
    script.write_text(LUA % {"paths": ",".join(json.dumps(path) for path in paths), "token": token})
    command = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), base]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    for line in finished.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(zip(RESULT_FIELDS, map(int, line.split()[1:]), strict=True))
    sys.exit(f"wrk printed no result (exit {finished.returncode}):\n{finished.stdout}\n{finished.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1, help="size of the estate, 1 = national (default)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load for each address (default 30)")
    parser.add_argument("--clients", type=int, default=20, help="connections open at once (default 20)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--rebuild", action="store_true", help="load the estate again")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (Debian's package)")

    estate.estate_scale(args.scale)
    url = estate.bench_database_url(args.scale)
    estate.database_create(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)  # rules_sync runs after it (tasks' post_migrate): the alerts need rules

    from accounts.roles import Role
    from contracts.models import BedLine, FreeBedStateDay
    from contracts.services.free_beds import free_bed_state_rebuild
    from geo.models import Postcode

    if args.rebuild or BedLine.objects.count() != estate.BED_LINES:
        estate.estate_load(random.Random(20210118))
    broker, broker_written = bench_user("bench-load-broker", Role.BROKER)
    officer, officer_written = bench_user("bench-load-compliance", Role.COMPLIANCE_OFFICER)
    accounts_written_at = time.monotonic() if broker_written or officer_written else None
    alerts_add(int(ALERTS * args.scale))
    today = timezone.localdate()
    if FreeBedStateDay.objects.filter(pk=1, on=today).first() is None:
        started = time.perf_counter()
        free_bed_state_rebuild()  # searches today read the state only once it is today's
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE contracts_freebedstate")
        print(f"free-bed state counted for {today} in {time.perf_counter() - started:.1f} s")
    broker_token, officer_token = broker.auth_token.key, officer.auth_token.key

    rng = random.Random(20261207)
    postcodes = list(Postcode.objects.values_list("postcode", flat=True))
    finder = [
        "/api/v1/beds/available/?"
        + urlencode(
            {"care_type": rng.choice(CARE_TYPES), "postcode": rng.choice(postcodes), "radius_km": 20, "from": today}
        )
        for _ in range(2000)
    ]
    inbox = ["/api/v1/alerts/", "/api/v1/alerts/?status=open", "/api/v1/alerts/?severity=critical"]
    inbox.append("/api/v1/alerts/?page=2")
    lines, alerts = BedLine.objects.count(), int(ALERTS * args.scale)
    connection.close()

    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    log = workdir / "gunicorn.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = server_start(url=url, port=port, workers=args.workers, log=log)
    try:
        if accounts_written_at is not None:
            # The services that wrote the bench's accounts marked them changed in the token cache: until the mark
            # lapses every request reads its token and roles from the database (accounts.access_cache), which is
            # not how a service whose people keep their roles for more than two minutes runs.
            from accounts.access_cache import CHANGED_SECONDS

            wait = accounts_written_at + CHANGED_SECONDS + 1 - time.monotonic()
            if wait > 0:
                print(f"waiting {wait:.0f} s for the token cache's changed marks on the new bench accounts to lapse")
                time.sleep(wait)
        wait_ready(server, base, inbox[0], officer_token, log)
        for path, token in [*((path, broker_token) for path in finder[:20]), *((p, officer_token) for p in inbox)]:
            status = get(base, path, token)
            if status != 200:
                sys.exit(f"{path} answered {status}, not 200: nothing measured")
        print(
            f"estate: {lines:,} bed lines, {alerts:,} bench alerts (scale {args.scale:g}); gunicorn "
            f"{args.workers} workers on {base}; wrk {args.clients} connections, 2 threads, {args.duration} s each"
        )
        print(
            f"{'address':22} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  errors"
            f"  {'CPU ms/req (app + db)':>22}  load average (1, 5, 15 min)"
        )
        for name, paths, token in (("bed finder", finder, broker_token), ("alert inbox list", inbox, officer_token)):
            wrk(base, paths=paths, token=token, clients=args.clients, seconds=3, workdir=workdir)  # warm up
            app_before, db_before = cpu_seconds(children_of(server.pid)), cpu_seconds(backends())
            result = wrk(base, paths=paths, token=token, clients=args.clients, seconds=args.duration, workdir=workdir)
            requests = max(result["requests"], 1)
            app = cpu_spent(app_before, cpu_seconds(children_of(server.pid))) / requests * 1000
            db = cpu_spent(db_before, cpu_seconds(backends())) / requests * 1000
            errors = sum(result[kind] for kind in ("connect", "read", "write", "status", "timeout"))
            kinds = ", ".join(
                f"{kind} {result[kind]}" for kind in ("connect", "read", "write", "status", "timeout") if result[kind]
            )
            print(
                f"{name:22} {result['requests'] / (result['duration_us'] / 1e6):8.1f} "
                f"{result['p50_us'] / 1000:8.1f} {result['p95_us'] / 1000:8.1f} {result['p99_us'] / 1000:8.1f} "
                f"{result['max_us'] / 1000:8.1f}  {errors}{f' ({kinds})' if kinds else ''}"
                f"  {app + db:9.1f} ({app:.1f} + {db:.1f})  {load_average()}"
            )
        print(
            "targets (issue 24, national scale, a quiet machine): bed finder >= 250 req/s, inbox >= 150 req/s, 0 errors"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
