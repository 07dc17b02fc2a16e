import json

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from tasks.schedules import SCHEDULES, Schedule

MANAGED_MARK = "[managed by schedules_sync]"


def _schedule_fields(schedule: Schedule) -> dict:
    if schedule.every is not None:
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=int(schedule.every.total_seconds()), period=IntervalSchedule.SECONDS
        )
        return {"interval": interval, "crontab": None}
    cron = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
    cron.update(schedule.crontab)
    crontab, _ = CrontabSchedule.objects.get_or_create(timezone="Europe/London", **cron)
    return {"crontab": crontab, "interval": None}


@transaction.atomic
def schedules_sync(*, reset: bool = False) -> dict[str, list[str]]:
    """Create every schedule in SCHEDULES that is missing. Existing ones keep the times and on/off state an
    administrator set, unless `reset`. Schedules this command made that are no longer listed are disabled."""
    report: dict[str, list[str]] = {"created": [], "reset": [], "kept": [], "disabled": []}
    for schedule in SCHEDULES:
        existing = PeriodicTask.objects.filter(name=schedule.name).first()
        description = f"{schedule.description} {MANAGED_MARK}".strip()
        if existing is None:
            PeriodicTask.objects.create(
                name=schedule.name,
                task=schedule.task,
                description=description,
                kwargs=json.dumps({}),
                **_schedule_fields(schedule),
            )
            report["created"].append(schedule.name)
        elif reset:
            for key, value in {
                "task": schedule.task,
                "description": description,
                "enabled": True,
                **_schedule_fields(schedule),
            }.items():
                setattr(existing, key, value)
            existing.save()
            report["reset"].append(schedule.name)
        else:
            if existing.task != schedule.task:
                existing.task = schedule.task
                existing.save(update_fields=["task"])
            report["kept"].append(schedule.name)
    listed = {schedule.name for schedule in SCHEDULES}
    for task in PeriodicTask.objects.filter(description__contains=MANAGED_MARK, enabled=True).exclude(name__in=listed):
        task.enabled = False
        task.save(update_fields=["enabled"])
        report["disabled"].append(task.name)
    return report
