"""Every periodic job the service runs, in one list. `manage.py schedules_sync` writes them to the
database (django-celery-beat), where administrators can change times or switch a job off in the admin."""

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every: timedelta | None = None
    crontab: dict = field(default_factory=dict)  # minute, hour, day_of_week, day_of_month, month_of_year
    description: str = ""


SCHEDULES: list[Schedule] = [
    Schedule(
        name="Worker heartbeat",
        task="tasks.tasks.heartbeat",
        every=timedelta(minutes=1),
        description="Shows that beat and a worker are running.",
    ),
    Schedule(
        name="Remove old task results",
        task="celery.backend_cleanup",
        crontab={"minute": "0", "hour": "4"},
        description="Deletes task results older than CELERY_RESULT_EXPIRES.",
    ),
    Schedule(
        name="CQC sync",
        task="providers.tasks.cqc_sync",
        crontab={"minute": "17"},
        description="Fetches providers and locations CQC changed since the last run (needs CQC_API_KEY).",
    ),
    Schedule(
        name="Expire lapsed bed holds",
        task="contracts.tasks.holds_expire_sweep",
        every=timedelta(minutes=5),
        description="Marks brokers' holds on void beds expired once HOLD_DURATION has passed.",
    ),
    Schedule(
        name="Count free beds for the new day",
        task="contracts.tasks.free_bed_state_sweep",
        crontab={"minute": "0", "hour": "0"},
        description="Rebuilds the free-bed state the bed finder reads for today's searches; until it has run after "
        "midnight the bed finder counts beds the slower way.",
    ),
    Schedule(
        name="End contracts past their end date",
        task="contracts.tasks.contracts_end_sweep",
        crontab={"minute": "5", "hour": "0"},
        description="Marks live contracts ended the day after their end date, with a history row for each.",
    ),
    Schedule(
        name="Send boundary imports the broker missed",
        task="geo.tasks.boundary_imports_unsent_sweep",
        every=timedelta(minutes=5),
        description="Queues boundary uploads saved while the broker could not be reached, sent but not started within "
        "5 minutes (the message was lost), or whose worker died.",
    ),
    Schedule(
        name="Send work kept while the broker was down",
        task="tasks.tasks.pending_enqueues_sweep",
        every=timedelta(minutes=1),
        description="Queues the rule runs and alert sends that writes asked for while the broker could not be reached.",
    ),
    Schedule(
        name="Resume work whose worker died",
        task="tasks.tasks.stalled_runs_sweep",
        every=timedelta(minutes=1),
        description="Sends again rule runs and alert fan-outs whose worker died (RUN_STALLED_AFTER_SECONDS).",
    ),
    Schedule(
        name="Alert rules sweep",
        task="tasks.tasks.rules_run",
        every=timedelta(minutes=15),
        description="Runs every alert rule over the whole estate and reconciles the alerts.",
    ),
    Schedule(
        name="Nightly alert rules",
        task="tasks.tasks.nightly_rules_run",
        crontab={"minute": "30", "hour": "2"},
        description="Runs the rules too heavy for the sweep (what a failure of each provider would leave short).",
    ),
    Schedule(
        name="Start and end alert silences",
        task="tasks.tasks.silences_sweep",
        every=timedelta(minutes=1),
        description="Marks alerts silenced when a silence begins and unmarks them when it ends, at its time.",
    ),
    Schedule(
        name="Fan out alert events",
        task="tasks.tasks.notifications_fan_out",
        every=timedelta(minutes=5),
        description="Turns alert events into notifications, for any the engine's own call missed.",
    ),
    Schedule(
        name="Send due alert notifications",
        task="tasks.tasks.notifications_send_due",
        every=timedelta(seconds=30),
        description="Sends batches whose window closed and retries failed sends with backoff.",
    ),
    Schedule(
        name="Escalate unacknowledged alerts",
        task="tasks.tasks.escalations_sweep",
        every=timedelta(minutes=1),
        description="Tells each escalation policy step's people, teams and channels of the alerts still not "
        "acknowledged when the step is due; each step once per alert.",
    ),
    Schedule(
        name="Remind owners of acknowledged alerts",
        task="tasks.tasks.reminders_sweep",
        every=timedelta(hours=1),
        description="Sends an acknowledged high or critical alert not yet resolved to its owner again every "
        "ALERT_REMINDER_DAYS; once a period.",
    ),
    Schedule(
        name="Daily alert digest",
        task="tasks.tasks.alert_digests_send",
        crontab={"minute": "0", "hour": "7"},
        description="Sends each digest subscription its open alerts, most severe and newest first.",
    ),
    Schedule(
        name="Weekly alert summary for each area's owner",
        task="tasks.tasks.weekly_summaries_send",
        crontab={"minute": "30", "hour": "7", "day_of_week": "1"},
        description="Sends each area's named senior owner last week's alerts opened, resolved and overdue, by rule; "
        "once per owner and week.",
    ),
]
