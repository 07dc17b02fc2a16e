import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from tasks.schedules import SCHEDULES


@pytest.mark.django_db
def test_schedules_sync_creates_every_schedule_once():
    call_command("schedules_sync")
    call_command("schedules_sync")
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert {schedule.name for schedule in SCHEDULES} <= names
    assert PeriodicTask.objects.filter(name="Worker heartbeat").count() == 1


@pytest.mark.django_db
def test_schedules_sync_keeps_an_administrators_change_unless_reset():
    call_command("schedules_sync")
    task = PeriodicTask.objects.get(name="Worker heartbeat")
    task.enabled = False
    task.save()
    call_command("schedules_sync")
    assert PeriodicTask.objects.get(name="Worker heartbeat").enabled is False
    call_command("schedules_sync", "--reset")
    assert PeriodicTask.objects.get(name="Worker heartbeat").enabled is True


def test_every_scheduled_task_is_registered():
    from config.celery import app

    app.loader.import_default_modules()
    for schedule in SCHEDULES:
        assert schedule.task in app.tasks, schedule.task
