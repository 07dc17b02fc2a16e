"""Risk rules, alerts and their history (alerts.py); delivery's models sit beside them."""

from tasks.models.alerts import (
    SEVERITY_ORDER,
    Alert,
    AlertChange,
    AlertComment,
    AlertEvent,
    AlertStatus,
    EventKind,
    PendingRisk,
    Rule,
    RuleRun,
    Severity,
    Silence,
    SubjectKind,
    TriggerKind,
    severity_rank,
    severity_rank_in_sql,
)

# Delivery (delivery.py): subscriptions, channels and the notification log.
from tasks.models.delivery import (  # noqa: E402
    Channel,
    ChannelKind,
    DeliveryAttempt,
    EventFanout,
    Notification,
    NotificationItem,
    NotificationKind,
    NotificationStatus,
    Subscription,
    SubscriptionDefaults,
)

# Tasks kept while the broker was down (enqueues.py).
from tasks.models.enqueues import PendingEnqueue  # noqa: E402

# Escalation and reminders (escalation.py): what happens when nobody acts.
from tasks.models.escalation import Escalation, EscalationPolicy, EscalationStep, Reminder  # noqa: E402

# Heartbeats of workers and beat (heartbeats.py).
from tasks.models.heartbeats import Heartbeat, ProcessKind  # noqa: E402

# Tasks under way, sent again when their worker dies (runs.py).
from tasks.models.runs import TaskRun  # noqa: E402

# The weekly summary for each area's senior owner (summaries.py).
from tasks.models.summaries import AreaOwner, WeeklySummary  # noqa: E402

__all__ = [
    "Heartbeat",
    "PendingEnqueue",
    "TaskRun",
    "ProcessKind",
    "SEVERITY_ORDER",
    "Alert",
    "AlertChange",
    "AlertComment",
    "AlertEvent",
    "AlertStatus",
    "EventKind",
    "PendingRisk",
    "Rule",
    "RuleRun",
    "Severity",
    "Silence",
    "SubjectKind",
    "TriggerKind",
    "severity_rank",
    "severity_rank_in_sql",
    "Channel",
    "ChannelKind",
    "DeliveryAttempt",
    "EventFanout",
    "Notification",
    "NotificationItem",
    "NotificationKind",
    "NotificationStatus",
    "Subscription",
    "SubscriptionDefaults",
    "Escalation",
    "EscalationPolicy",
    "EscalationStep",
    "Reminder",
    "AreaOwner",
    "WeeklySummary",
]
