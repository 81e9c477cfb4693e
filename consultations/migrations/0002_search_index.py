"""PostgreSQL-only: the `indonesian` full-text GIN index used by the list page's search.

On SQLite this does nothing; search there falls back to a plain contains match.
"""

from django.db import migrations

FULL_TEXT_INDEX = """
CREATE INDEX IF NOT EXISTS consultation_search_gin ON consultations_consultation
USING gin (to_tsvector('indonesian'::regconfig,
  COALESCE(title, '') || ' ' || COALESCE(summary, '') || ' ' || COALESCE(body, '')))
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FULL_TEXT_INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS consultation_search_gin")


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
