"""PostgreSQL only: keep each proposal's search document in a stored generated column.

Searching through the expression index (0003) still made the page query compute `to_tsvector`
for every row it walked in date order; a stored column is computed once, when the row is
written, and the GIN index moves onto it. SQLite keeps its plain contains search.
"""

from django.db import migrations

ADD_COLUMN = """
ALTER TABLE participation_proposal ADD COLUMN IF NOT EXISTS search_document tsvector
GENERATED ALWAYS AS (
    to_tsvector('indonesian'::regconfig, COALESCE(title, '') || ' ' || COALESCE(description, ''))
) STORED
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(ADD_COLUMN)
    schema_editor.execute("DROP INDEX IF EXISTS proposal_search_gin")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS proposal_search_gin ON participation_proposal USING gin (search_document)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS proposal_search_gin")
    schema_editor.execute("ALTER TABLE participation_proposal DROP COLUMN IF EXISTS search_document")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS proposal_search_gin ON participation_proposal USING gin "
        "(to_tsvector('indonesian'::regconfig, COALESCE(title, '') || ' ' || COALESCE(description, '')))"
    )


class Migration(migrations.Migration):
    dependencies = [("participation", "0005_list_and_thread_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
