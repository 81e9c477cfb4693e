"""Create the four role groups. Their model permissions are kept in step by
`accounts.roles.sync_role_permissions`, which runs after every migrate."""

from django.db import migrations

ROLES = ["Warga", "Moderator", "Petugas Satuan Kerja", "Administrator"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
