"""The engine: runs a rule and reconciles the risks it finds with the rule's alerts, in one transaction.

- A risk new to the rule waits in PendingRisk until it has held for the rule's pending period, then opens an
  alert (marked a recurrence of the fingerprint's last resolved alert, if any).
- A risk with an open alert updates its evidence, title, severity and last_seen; a raised severity is an event.
- An open alert whose risk is gone is marked clear and resolves once it has stayed clear for the resolve delay.
- A risk someone resolved by hand while it was still present stays resolved until it has cleared once; only a
  return after that opens a recurrence (a resolution with a note is a decision, not something to undo in 15
  minutes).
- Snoozes that have run out turn back to open.

Two sweeps of one rule serialise on the Rule row (select_for_update); the partial unique constraint on open
fingerprints settles anything else: new alerts are inserted with ON CONFLICT DO NOTHING semantics and only the
rows this run inserted get events. Running a rule twice changes nothing the second time.
"""

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from tasks.models import (
    Alert,
    AlertChange,
    AlertEvent,
    AlertStatus,
    EventKind,
    PendingRisk,
    Rule,
    RuleRun,
    Silence,
    TriggerKind,
    severity_rank,
)
from tasks.rules import RULES, Risk, load
from tasks.services.delivery.fanout import alert_events_written

logger = logging.getLogger(__name__)

CHUNK = 500  # rows per UPDATE ... IN (...) / bulk statement: well within SQLite's parameter limit


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Silences:
    """The silences in force at a moment, matched in memory against each alert the engine touches."""

    active: list[Silence]
    ancestors: dict[int, set[int]]  # locality id -> itself and every locality above it

    @classmethod
    def at(cls, now: datetime) -> "Silences":
        from geo.models import Locality

        active = list(Silence.objects.filter(starts_at__lte=now, ends_at__gt=now).order_by("pk"))
        ancestors: dict[int, set[int]] = {}
        if any(silence.locality_id for silence in active):
            parents = dict(Locality.objects.values_list("id", "parent_id"))
            for locality_id in parents:
                chain, current = set(), locality_id
                while current is not None and current not in chain:
                    chain.add(current)
                    current = parents.get(current)
                ancestors[locality_id] = chain
        return cls(active=active, ancestors=ancestors)

    def matching(self, alert: Alert) -> Silence | None:
        for silence in self.active:
            if silence.rule_id and silence.rule_id != alert.rule_id:
                continue
            if silence.provider_id and silence.provider_id != alert.provider_id:
                continue
            if silence.severity and silence.severity != alert.severity:
                continue
            if silence.locality_id and silence.locality_id not in self.ancestors.get(alert.locality_id, set()):
                continue
            return silence
        return None


def inhibiting_providers() -> set[int]:
    """Providers with an open provider-wide alert (from a rule that inhibits)."""
    codes = [code for code, definition in load().items() if definition.inhibits_provider]
    return set(
        Alert.objects.filter(rule__code__in=codes, provider__isnull=False)
        .exclude(status=AlertStatus.RESOLVED)
        .values_list("provider_id", flat=True)
    )


def _mark(alert: Alert, *, inhibitors: set[int], silences: Silences, provider_wide: bool) -> None:
    alert.inhibited = bool(not provider_wide and alert.provider_id in inhibitors)
    silence = silences.matching(alert)
    alert.silenced = silence is not None
    alert.silenced_by_id = silence.pk if silence else None


def event_for(alert: Alert, kind: str, *, at: datetime, by=None) -> AlertEvent:
    return AlertEvent(
        alert=alert,
        kind=kind,
        created_at=at,
        by=by,
        notify=not (alert.inhibited or alert.silenced),
        severity=alert.severity,
        status=alert.status,
        evidence=alert.evidence,
    )


def change_for(alert: Alert, field: str, old, new, *, at: datetime, by=None, note: str = "") -> AlertChange:
    return AlertChange(
        alert=alert,
        at=at,
        by=by,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        note=note,
    )


@dataclass
class Outcome:
    risks: int = 0
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    pending: int = 0


def _new_alert(rule: Rule, risk: Risk, *, now: datetime, first_seen: datetime, recurrence_of: int | None) -> Alert:
    return Alert(
        rule=rule,
        severity=risk.severity or rule.severity,
        subject_kind=risk.subject_kind,
        subject_id=risk.subject_id,
        provider_id=risk.provider_id,
        location_id=risk.location_id,
        contract_id=risk.contract_id,
        bed_line_id=risk.bed_line_id,
        lot_id=risk.lot_id,
        locality_id=risk.locality_id,
        fingerprint=risk.fingerprint,
        title=risk.title[:300],
        evidence=risk.evidence,
        first_seen=first_seen,
        last_seen=now,
        status=AlertStatus.OPEN,
        recurrence_of_id=recurrence_of,
    )


def _alerts_insert(rule: Rule, new: list[Alert], *, fingerprints: list[str], now: datetime) -> list[int]:
    """Insert the new alerts and return the ids of those this run wrote. Usually in a savepoint that returns the
    ids with the INSERT; if another writer opened an alert for one of the fingerprints meanwhile (the partial
    unique constraint refuses the batch), again with ON CONFLICT DO NOTHING, so that alert stands, and the ids
    this run inserted are read back."""
    if connection.features.can_return_rows_from_bulk_insert:
        try:
            with transaction.atomic(savepoint=True):
                return [alert.pk for alert in Alert.objects.bulk_create(new, batch_size=CHUNK)]
        except IntegrityError:
            for alert in new:
                alert.pk = None
                alert._state.adding = True
    Alert.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
    mine = []
    for part in _chunks(fingerprints):
        # Only this run's inserts: an alert another writer opened meanwhile has its own last_seen.
        mine += (
            Alert.objects.filter(rule=rule, fingerprint__in=part, last_seen=now)
            .exclude(status=AlertStatus.RESOLVED)
            .values_list("pk", flat=True)
        )
    return mine


def opened_written(alert_ids: list[int], *, at: datetime) -> None:
    """The opened (or recurred) event and the status change of each alert just inserted, copied from the alert
    rows by INSERT ... SELECT: the evidence never travels back and forth between Python and the database."""
    alert, event, change = (
        connection.ops.quote_name(model._meta.db_table) for model in (Alert, AlertEvent, AlertChange)
    )
    kind = f"CASE WHEN a.recurrence_of_id IS NULL THEN '{EventKind.OPENED.value}' ELSE '{EventKind.RECURRED.value}' END"
    when = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        for part in _chunks(alert_ids):
            ids = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"INSERT INTO {event} (alert_id, kind, created_at, notify, severity, status, evidence)"  # noqa: S608
                f" SELECT a.id, {kind}, %s, NOT (a.inhibited OR a.silenced), a.severity, a.status, a.evidence"
                f" FROM {alert} a WHERE a.id IN ({ids}) ORDER BY a.id",
                [when, *part],
            )
            cursor.execute(
                f"INSERT INTO {change} (alert_id, at, field, old_value, new_value, note)"  # noqa: S608
                f" SELECT a.id, %s, 'status', '', a.status, {kind} FROM {alert} a WHERE a.id IN ({ids}) ORDER BY a.id",
                [when, *part],
            )


UPDATED_FIELDS = [
    "status",
    "snoozed_until",
    "severity",
    "evidence",
    "title",
    "clear_since",
    "last_seen",
    "resolved_at",
    "resolution_note",
    "inhibited",
    "silenced",
    "silenced_by",
    "updated_at",
]


def _alerts_update(alerts: list[Alert]) -> None:
    """Write the engine's fields of `alerts`. On PostgreSQL one UPDATE ... FROM (VALUES ...) per CHUNK alerts:
    bulk_update's CASE WHEN id = ... per field makes the database test every id of the batch for every row and
    field, which is what made a day's new evidence for thousands of alerts slow. Elsewhere, bulk_update."""
    if not alerts:
        return
    if connection.vendor != "postgresql":
        Alert.objects.bulk_update(alerts, UPDATED_FIELDS, batch_size=CHUNK)
        return
    fields = [Alert._meta.get_field(name) for name in UPDATED_FIELDS]
    quote = connection.ops.quote_name
    row = "(%s::bigint, " + ", ".join(f"%s::{field.db_type(connection)}" for field in fields) + ")"
    columns = ", ".join(["id", *(quote(field.column) for field in fields)])
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in fields)
    table = quote(Alert._meta.db_table)
    with connection.cursor() as cursor:
        for part in _chunks(alerts):
            params = []
            for alert in part:
                params.append(alert.pk)
                params += [field.get_db_prep_save(getattr(alert, field.attname), connection) for field in fields]
            cursor.execute(
                f"UPDATE {table} a SET {assignments} FROM (VALUES {', '.join([row] * len(part))})"  # noqa: S608
                f" AS v({columns}) WHERE a.id = v.id",
                params,
            )


def reconcile(*, rule: Rule, risks: list[Risk], now: datetime) -> Outcome:
    """Bring the rule's alerts in line with `risks` (the rule's whole answer now). Call inside a transaction
    holding the Rule row's lock."""
    definition = RULES[rule.code]
    found = {risk.fingerprint: risk for risk in risks}
    outcome = Outcome(risks=len(found))
    silences = Silences.at(now)
    inhibitors = set() if definition.inhibits_provider else inhibiting_providers()
    events: list[AlertEvent] = []
    changes: list[AlertChange] = []

    # Locked (in id order, as the alert actions lock theirs) so an acknowledgement, snooze or assignment waits for
    # this run instead of being overwritten by the status it read.
    open_alerts = {
        alert.fingerprint: alert
        for alert in Alert.objects.filter(rule=rule).exclude(status="resolved").order_by("pk").select_for_update()
    }
    pending = {row.fingerprint: row for row in PendingRisk.objects.filter(rule=rule)}
    # Alerts resolved by hand whose risk has not cleared since: they hold their fingerprint shut.
    held_shut = {
        alert.fingerprint: alert
        for alert in Alert.objects.filter(
            rule=rule, status=AlertStatus.RESOLVED, resolved_by__isnull=False, clear_since__isnull=True
        ).only("id", "fingerprint", "clear_since")
    }

    # Risks without an open alert: wait out the pending period, then open.
    to_open: list[tuple[Risk, datetime]] = []
    pending_new, pending_seen = [], []
    for fp, risk in found.items():
        if fp in open_alerts:
            continue
        if fp in held_shut:
            continue
        row = pending.get(fp)
        first_seen = row.first_seen if row else now
        if now - first_seen >= rule.pending_for:
            to_open.append((risk, first_seen))
        elif row is None:
            pending_new.append(PendingRisk(rule=rule, fingerprint=fp, first_seen=now, last_seen=now))
        else:
            pending_seen.append(fp)
    outcome.pending = len(pending_new) + len(pending_seen)
    PendingRisk.objects.bulk_create(pending_new, ignore_conflicts=True)
    for part in _chunks(pending_seen):
        PendingRisk.objects.filter(fingerprint__in=part).update(last_seen=now)
    gone = [fp for fp in pending if fp not in found or fp in open_alerts]
    gone += [risk.fingerprint for risk, _ in to_open if risk.fingerprint in pending]
    for part in _chunks(gone):
        PendingRisk.objects.filter(rule=rule, fingerprint__in=part).delete()

    # Held-shut fingerprints whose risk has gone: from now on a return is a recurrence.
    cleared = [alert.pk for fp, alert in held_shut.items() if fp not in found]
    for part in _chunks(cleared):
        Alert.objects.filter(pk__in=part).update(clear_since=now)

    if to_open:
        fingerprints = [risk.fingerprint for risk, _ in to_open]
        last_resolved: dict[str, int] = {}
        for part in _chunks(fingerprints):
            for fp, pk in (
                Alert.objects.filter(rule=rule, fingerprint__in=part, status=AlertStatus.RESOLVED)
                .order_by("fingerprint", "resolved_at", "pk")
                .values_list("fingerprint", "pk")
            ):
                last_resolved[fp] = pk  # ordered: the last one wins
        new = []
        for risk, first_seen in to_open:
            alert = _new_alert(
                rule, risk, now=now, first_seen=first_seen, recurrence_of=last_resolved.get(risk.fingerprint)
            )
            _mark(alert, inhibitors=inhibitors, silences=silences, provider_wide=definition.inhibits_provider)
            new.append(alert)
        mine = _alerts_insert(rule, new, fingerprints=fingerprints, now=now)
        opened_written(mine, at=now)
        outcome.opened = len(mine)

    # Open alerts: update what is still found; clear and resolve what is not.
    to_update: list[Alert] = []
    for fp, alert in open_alerts.items():
        risk = found.get(fp)
        before = (alert.inhibited, alert.silenced, alert.silenced_by_id)
        dirty = False
        if alert.status == AlertStatus.SNOOZED and alert.snoozed_until and alert.snoozed_until <= now:
            changes.append(change_for(alert, "status", alert.status, AlertStatus.OPEN, at=now, note="snooze ended"))
            alert.status, alert.snoozed_until = AlertStatus.OPEN, None
            dirty = True
            events.append(("snooze_ended", alert))
        if risk is not None:
            severity = risk.severity or rule.severity
            if severity != alert.severity:
                raised = severity_rank(severity) > severity_rank(alert.severity)
                changes.append(change_for(alert, "severity", alert.severity, severity, at=now))
                alert.severity = severity
                events.append((EventKind.SEVERITY_RAISED if raised else EventKind.SEVERITY_LOWERED, alert))
                dirty = True
            if risk.evidence != alert.evidence or risk.title[:300] != alert.title or alert.clear_since is not None:
                alert.evidence, alert.title, alert.clear_since = risk.evidence, risk.title[:300], None
                dirty = True
            alert.last_seen = now
        else:
            if alert.clear_since is None:
                alert.clear_since = now
                dirty = True
            if now - alert.clear_since >= rule.resolve_after:
                changes.append(change_for(alert, "status", alert.status, AlertStatus.RESOLVED, at=now, note="cleared"))
                alert.status, alert.resolved_at, alert.snoozed_until = AlertStatus.RESOLVED, now, None
                alert.resolution_note = "The rule no longer finds the risk."
                events.append((EventKind.RESOLVED, alert))
                outcome.resolved += 1
                dirty = True
        _mark(alert, inhibitors=inhibitors, silences=silences, provider_wide=definition.inhibits_provider)
        if dirty or before != (alert.inhibited, alert.silenced, alert.silenced_by_id):
            to_update.append(alert)
            outcome.updated += 1 if risk is not None else 0
    # last_seen of every alert still found, in a few statements rather than one per alert.
    # (The alerts about to be written carry their last_seen with the rest: updating a row twice costs twice.)
    writing = {alert.pk for alert in to_update}
    seen = [alert.pk for fp, alert in open_alerts.items() if fp in found and alert.pk not in writing]
    for part in _chunks(seen):
        Alert.objects.filter(pk__in=part).update(last_seen=now)
    _alerts_update(to_update)
    AlertEvent.objects.bulk_create(
        [item if isinstance(item, AlertEvent) else event_for(item[1], item[0], at=now) for item in events],
        batch_size=CHUNK,
    )
    if events or outcome.opened:
        alert_events_written()  # delivery fans the events out once this transaction commits
    AlertChange.objects.bulk_create(changes, batch_size=CHUNK)
    return outcome


def rule_run(*, rule: Rule, trigger: str = TriggerKind.SCHEDULE, now: datetime | None = None) -> RuleRun:
    """Evaluate one rule and reconcile its alerts, in one transaction that holds the rule's row lock. A rule that
    fails is recorded on its RuleRun (and logged) and changes nothing; a switched-off rule resolves its alerts."""
    now = now or timezone.now()
    started = timezone.now()
    try:
        with transaction.atomic():
            locked = Rule.objects.select_for_update().get(pk=rule.pk)
            Rule.objects.filter(pk=locked.pk).update(run_requested_at=None, last_run_at=now)
            definition = load()[locked.code]
            risks = definition.evaluate(rule=locked, now=now) if locked.enabled else []
            outcome = reconcile(rule=locked, risks=risks, now=now)
            return RuleRun.objects.create(
                rule=locked,
                trigger=trigger,
                started_at=started,
                finished_at=timezone.now(),
                risks=outcome.risks,
                opened=outcome.opened,
                updated=outcome.updated,
                resolved=outcome.resolved,
                pending=outcome.pending,
            )
    except Exception:
        logger.exception("Rule %s failed", rule.code)
        RuleRun.objects.create(
            rule=rule,
            trigger=trigger,
            started_at=started,
            finished_at=timezone.now(),
            error=traceback.format_exc(limit=5)[-4000:],
        )
        raise


def sweep(*, codes: list[str] | None = None, trigger: str = TriggerKind.SCHEDULE, now=None) -> list[RuleRun]:
    """Run every rule but the nightly ones (or the ones named), provider-wide rules first so the others see their
    inhibitions. Each rule is its own transaction: one failing rule does not stop the others."""
    definitions = load()
    every = [code for code, definition in definitions.items() if not definition.nightly]
    rules = list(Rule.objects.filter(code__in=codes if codes is not None else every))
    rules.sort(key=lambda rule: (not definitions[rule.code].inhibits_provider, rule.code))
    runs, failed = [], []
    for rule in rules:
        try:
            runs.append(rule_run(rule=rule, trigger=trigger, now=now))
        except Exception as exc:  # recorded on the RuleRun and logged by rule_run
            failed.append((rule.code, exc))
    if failed:
        raise RuleFailed([code for code, _ in failed]) from failed[0][1]
    return runs


class RuleFailed(Exception):
    def __init__(self, codes: list[str]):
        super().__init__(f"Rules failed: {', '.join(codes)}")
        self.codes = codes


def open_alerts_q() -> Q:
    return ~Q(status=AlertStatus.RESOLVED)
