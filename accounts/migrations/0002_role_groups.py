from django.db import migrations

ROLES = ["commissioner", "compliance_officer", "broker", "contract_officer", "provider_user", "administrator"]


def create_role_groups(apps, schema_editor):
    # Permissions are granted by accounts.services.roles_sync after every migrate, once all models exist.
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
