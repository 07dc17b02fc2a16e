from django.db import migrations, models
from django.utils import timezone


def open_batches_mark(apps, schema_editor):
    """Each channel's latest alert batch still inside its window (pending, never tried) keeps collecting."""
    Notification = apps.get_model("tasks", "Notification")
    latest: dict[int, int] = {}
    for channel_id, notification_id in (
        Notification.objects.filter(kind="alerts", status="pending", attempts=0, due_at__gt=timezone.now())
        .order_by("channel_id", "due_at", "id")
        .values_list("channel_id", "id")
    ):
        latest.setdefault(channel_id, notification_id)
    Notification.objects.filter(pk__in=latest.values()).update(collecting=True)


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0004_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="collecting",
            field=models.BooleanField(
                default=False, help_text="An alert batch still taking events; a channel has at most one."
            ),
        ),
        migrations.RunPython(open_batches_mark, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("collecting", True)), fields=("channel",), name="notification_one_open_batch"
            ),
        ),
    ]
