"""`make backup` / `make restore`: a backup restored into a new, empty database has every row and file."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from participation.models import Attachment, Comment, Support

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]  # pg_dump sees committed rows only

ROOT = Path(__file__).resolve().parents[2]


def libpq(database: dict, name: str | None = None) -> str:
    auth = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
    return f"postgresql://{auth}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name or database['NAME']}"


@pytest.fixture
def empty_database():
    database = settings.DATABASES["default"]
    name = f"{database['NAME']}_restored"
    with psycopg.connect(libpq(database, "template1"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(libpq(database, "template1"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_an_empty_database_keeps_every_row_and_file(usulan, warga_lain, media_root, tmp_path, empty_database):
    from django.core.files.base import ContentFile

    support = Support.objects.create(user=warga_lain, proposal=usulan)
    from django.contrib.contenttypes.models import ContentType

    comment = Comment.objects.create(
        content_type=ContentType.objects.get_for_model(usulan), object_id=usulan.pk, author=warga_lain, body="Setuju, jalannya rusak parah."
    )
    attachment = Attachment(proposal=usulan, original_name="jalan.png", size=5, kind="image", mime_type="image/png")
    attachment.file.save("jalan.png", ContentFile(b"\x89PNG!"), save=True)

    call_command("backup", to=str(tmp_path / "backups"), stdout=open(os.devnull, "w"))
    (folder,) = (tmp_path / "backups").iterdir()
    assert {p.name for p in folder.iterdir()} == {"database.dump", "media.tar", "manifest.json"}

    restored_media = tmp_path / "restored-media"
    database = settings.DATABASES["default"]
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": libpq(database, empty_database).replace("postgresql://", "postgres://"), "MEDIA_ROOT": str(restored_media)}
    result = subprocess.run([sys.executable, "manage.py", "restore", str(folder)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "1 media files" in result.stdout

    with psycopg.connect(libpq(database, empty_database)) as restored:
        assert restored.execute("SELECT 1 FROM participation_support WHERE id = %s", [support.pk]).fetchone()
        assert restored.execute("SELECT body FROM participation_comment WHERE id = %s", [comment.pk]).fetchone() == (comment.body,)
        assert restored.execute("SELECT count(*) FROM portal_cache").fetchone() is not None  # the whole schema
    assert (restored_media / attachment.file.name).read_bytes() == b"\x89PNG!"

    # A second restore over the restored database is refused: nothing is overwritten by accident.
    again = subprocess.run([sys.executable, "manage.py", "restore", str(folder)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode != 0 and "not empty" in again.stderr


def test_backup_refuses_sqlite_with_a_clear_message(monkeypatch):
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.sqlite3")
    with pytest.raises(CommandError, match="backups need PostgreSQL"):
        call_command("backup", to="/nonexistent")
