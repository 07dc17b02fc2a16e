"""Every write of this app: schedules, rules, the engine, alert actions and silences (one module each)."""

from tasks.services.schedules import MANAGED_MARK, schedules_sync

__all__ = ["MANAGED_MARK", "schedules_sync"]
