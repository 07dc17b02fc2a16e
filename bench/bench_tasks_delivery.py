"""Benchmark: alert delivery at a council's scale. 500 subscribers (compliance officers by severity, commissioners
by rule, locality teams by district, provider users by their provider) and a sweep that writes 5,000 alert events:
fan-out (queries and time), then sending every in-app batch, then the daily digest over the open alerts.

Inside one transaction rolled back at the end, so the database is left as it was.
Run: DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/bench_tasks_delivery.py
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from geo.models import Locality  # noqa: E402
from providers.models import Provider, ProviderMembership  # noqa: E402
from tasks.models import Alert, AlertEvent, Channel, Notification, Rule, Subscription  # noqa: E402
from tasks.services.delivery.digest import digests_send  # noqa: E402
from tasks.services.delivery.fanout import notifications_fan_out  # noqa: E402
from tasks.services.delivery.sending import notification_send  # noqa: E402

SUBSCRIBERS = int(os.getenv("BENCH_SUBSCRIBERS", "500"))
EVENTS = int(os.getenv("BENCH_EVENTS", "5000"))
PROVIDERS = 300
DISTRICTS = 12


class RollBack(Exception):
    pass


def build():
    rng = random.Random(7)
    now = timezone.now()
    rules = [Rule.objects.create(code=f"bench-rule-{n}", name=f"Bench rule {n}") for n in range(10)]
    county = Locality.objects.create(code="BENCH-C", name="Bench county", kind="county")
    districts = [
        Locality.objects.create(code=f"BENCH-D{n}", name=f"Bench district {n}", kind="district", parent=county)
        for n in range(DISTRICTS)
    ]
    providers = Provider.objects.bulk_create(
        [Provider(cqc_provider_id=f"1-9{n:08d}", name=f"Bench provider {n}") for n in range(PROVIDERS)]
    )
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    users = User.objects.bulk_create(
        [User(username=f"bench-user-{n}", email=f"b{n}@example.org") for n in range(SUBSCRIBERS)]
    )
    inboxes = Channel.objects.bulk_create([Channel(user=user, kind="in_app") for user in users])
    kinds = [Role.COMPLIANCE_OFFICER, Role.COMMISSIONER, Role.BROKER, Role.PROVIDER_USER]
    for n, (user, inbox) in enumerate(zip(users, inboxes, strict=True)):
        role = kinds[n % len(kinds)]
        user.groups.add(groups[role])
        subscription = Subscription.objects.create(
            user=user, severities=["high", "critical"] if role == Role.COMPLIANCE_OFFICER else []
        )
        subscription.channels.add(inbox)
        if role == Role.COMMISSIONER:
            subscription.rules.set(rng.sample(rules, 3))
        if role == Role.BROKER:
            subscription.localities.add(rng.choice(districts))
        if role == Role.PROVIDER_USER:
            ProviderMembership.objects.create(user=user, provider=rng.choice(providers))
        if n % 10 == 0:
            subscription.digest = True
            subscription.save(update_fields=["digest"])
    alerts = Alert.objects.bulk_create(
        [
            Alert(
                rule=rng.choice(rules),
                severity=rng.choice(["info", "warning", "high", "critical"]),
                subject_kind="location",
                subject_id=n,
                provider=rng.choice(providers),
                locality=rng.choice(districts),
                fingerprint=f"bench:{n}",
                title=f"Bench alert {n}",
                first_seen=now,
                last_seen=now,
            )
            for n in range(EVENTS)
        ]
    )
    AlertEvent.objects.bulk_create(
        [
            AlertEvent(alert=alert, kind="opened", created_at=now, severity=alert.severity, status="open")
            for alert in alerts
        ]
    )


def main():
    try:
        with transaction.atomic():
            build()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                items = notifications_fan_out(limit=EVENTS)
            fan_out = time.perf_counter() - started
            batches = list(Notification.objects.values_list("id", flat=True))
            print(f"subscribers {SUBSCRIBERS}, events {EVENTS}")
            print(f"fan-out: {items} items in {len(batches)} batches, {len(queries)} queries, {fan_out:.2f} s")
            later = timezone.now() + timezone.timedelta(minutes=5)
            started = time.perf_counter()
            sample = batches[:100]
            for pk in sample:
                notification_send(notification_id=pk, now=later)
            per_batch = (time.perf_counter() - started) / max(len(sample), 1)
            print(f"send (in-app): {per_batch * 1000:.1f} ms a batch on average over {len(sample)} batches")
            started = time.perf_counter()
            digests = digests_send()
            print(f"digest: {digests} digests over {EVENTS} open alerts in {time.perf_counter() - started:.2f} s")
            raise RollBack
    except RollBack:
        pass


if __name__ == "__main__":
    main()
