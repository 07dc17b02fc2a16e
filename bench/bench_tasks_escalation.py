"""Benchmark: the escalation and reminder sweeps over 100,000 open alerts.

Builds 100,000 unresolved alerts opened over the last two days (2% critical, 8% high, the rest warning and info; a
third acknowledged, a few snoozed), two escalation policies (critical: a team after 15 minutes, a person after 60;
high: a team after 4 hours) and times:
- the first sweep after the policies are made, which sends every step already due (the worst case: a council
  switching escalation on over a backlog), a batch of 500 a transaction as the periodic task runs it;
- the sweep again at once (nothing due): what the every-minute task costs on most runs;
- the sweep a minute later, with the alerts opened in that minute now due;
- the reminder sweep, first (every acknowledged high or critical alert older than a week) and again (nothing due).

Inside one transaction rolled back at the end, so the database is left as it was. PostgreSQL (the opening times are
spread with one UPDATE in its SQL).
Run: DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/bench_tasks_escalation.py
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Team, User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from tasks.models import Alert, Channel, Escalation, Reminder, Rule  # noqa: E402
from tasks.services.escalation import (  # noqa: E402
    ESCALATION_BATCH,
    escalation_policy_create,
    escalation_step_save,
    escalations_send,
    reminders_send,
)

ALERTS = int(os.getenv("BENCH_ALERTS", "100000"))
SPREAD_MINUTES = 2 * 24 * 60


class RollBack(Exception):
    pass


def build(now):
    rng = random.Random(19)
    rules = [Rule.objects.create(code=f"bench-escalation-{n}", name=f"Bench rule {n}") for n in range(10)]
    admin = User.objects.create(username="bench-escalation-admin")
    admin.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATOR.value)[0])
    head = User.objects.create(username="bench-escalation-head", email="head@example.org")
    Channel.objects.create(user=head, kind="in_app")
    Channel.objects.create(user=head, kind="email")
    team = Team.objects.create(name="Bench escalation team", email="team@example.org")
    Channel.objects.create(team=team, kind="email")
    duty = Team.objects.create(name="Bench duty team", email="duty@example.org")
    Channel.objects.create(team=duty, kind="email")
    critical = escalation_policy_create(by=admin, name="Bench critical", severities=["critical"])
    escalation_step_save(by=admin, policy=critical, position=1, after_minutes=15, teams=[team])
    escalation_step_save(by=admin, policy=critical, position=2, after_minutes=60, users=[head])
    high = escalation_policy_create(by=admin, name="Bench high", severities=["high"])
    escalation_step_save(by=admin, policy=high, position=1, after_minutes=240, teams=[duty])
    severities = ["critical"] * 2 + ["high"] * 8 + ["warning"] * 60 + ["info"] * 30
    alerts = []
    for n in range(ALERTS):
        status = "acknowledged" if n % 3 == 0 else ("snoozed" if n % 50 == 1 else "open")
        alerts.append(
            Alert(
                rule=rng.choice(rules),
                severity=rng.choice(severities),
                subject_kind="location",
                subject_id=n,
                fingerprint=f"bench-escalation:{n}",
                title=f"Bench alert {n}",
                evidence={"n": n},
                first_seen=now,
                last_seen=now,
                status=status,
                acknowledged_at=now - timedelta(days=8) if status == "acknowledged" else None,
                acknowledged_by=head if status == "acknowledged" else None,
                snoozed_until=now + timedelta(days=1) if status == "snoozed" else None,
            )
        )
    Alert.objects.bulk_create(alerts, batch_size=5000)
    # Opened over the last two days, one every ~1.7 seconds; the newest a minute from being due.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tasks_alert SET created_at = %s - ((id %% %s) * interval '1 minute') WHERE fingerprint LIKE %s",
            [now, SPREAD_MINUTES, "bench-escalation:%"],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tasks_alert")


def timed(label, sweep, now):
    started = time.perf_counter()
    total, rounds = 0, 0
    with CaptureQueriesContext(connection) as queries:
        while True:
            sent = sweep(now=now)
            total += sent
            rounds += 1
            if sent < ESCALATION_BATCH:
                break
    elapsed = time.perf_counter() - started
    print(f"{label}: {total:,} sent in {rounds} batches, {len(queries):,} queries, {elapsed:.2f} s")
    return elapsed


def main():
    now = timezone.now()
    try:
        with transaction.atomic():
            started = time.perf_counter()
            build(now)
            unresolved = Alert.objects.filter(fingerprint__startswith="bench-escalation:").count()
            print(f"built {unresolved:,} unresolved alerts in {time.perf_counter() - started:.1f} s")
            timed("escalation sweep, first (every step already due)", escalations_send, now)
            timed("escalation sweep, again (nothing due)", escalations_send, now)
            timed("escalation sweep, a minute later", escalations_send, now + timedelta(minutes=1))
            print(f"escalations written: {Escalation.objects.count():,}")
            timed("reminder sweep, first (acknowledged a week ago)", reminders_send, now)
            timed("reminder sweep, again (nothing due)", reminders_send, now)
            print(f"reminders written: {Reminder.objects.count():,}")
            raise RollBack
    except RollBack:
        pass


if __name__ == "__main__":
    main()
