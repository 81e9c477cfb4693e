"""PostgreSQL-only search support: the `indonesian` full-text GIN index and trigram similarity.

On SQLite (the embedded default for trying the portal) these steps do nothing; search there
falls back to a plain contains match.
"""

from django.db import migrations

FULL_TEXT_INDEX = """
CREATE INDEX IF NOT EXISTS proposal_search_gin ON participation_proposal
USING gin (to_tsvector('indonesian'::regconfig, COALESCE(title, '') || ' ' || COALESCE(description, '')))
"""
TRIGRAM_INDEX = """
CREATE INDEX IF NOT EXISTS proposal_title_trgm ON participation_proposal USING gin (title gin_trgm_ops)
"""


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(FULL_TEXT_INDEX)
    schema_editor.execute(TRIGRAM_INDEX)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS proposal_search_gin")
    schema_editor.execute("DROP INDEX IF EXISTS proposal_title_trgm")


class Migration(migrations.Migration):
    dependencies = [("participation", "0002_proposals")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]
