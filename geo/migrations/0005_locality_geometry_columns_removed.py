from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0004_locality_boundary_table"),
    ]

    operations = [
        migrations.RemoveField(model_name="locality", name="boundary"),
        migrations.RemoveField(model_name="locality", name="display_boundary"),
    ]
