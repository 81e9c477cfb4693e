"""The database cache's table, so that `migrate` is the whole set-up of a database.

It used to need `manage.py createcachetable`, a step easy to miss: every public page then failed.
The table is the one Django's command makes (same columns and index), created by that command's
own code; an existing table (made by hand before this migration) is left as it is.
"""

from django.db import migrations

CACHE_TABLE = "portal_cache"  # settings.CACHES["database"]["LOCATION"]


def create_cache_table(apps, schema_editor):
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create_cache_table, drop_cache_table, elidable=False)]
