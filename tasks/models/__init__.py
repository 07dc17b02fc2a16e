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
)

__all__ = [
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
]
