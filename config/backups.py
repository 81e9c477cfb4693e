"""Backups an operator can restore: the PostgreSQL database (pg_dump, custom format) and the media folder.

One backup is one folder, `<to>/partisipasi-<UTC time>/`, holding
- `database.dump`: `pg_dump --format=custom` of the primary (restored with pg_restore, table by
  table, into an empty database; consistent as of the moment the dump started);
- `media.tar`: every uploaded file under MEDIA_ROOT (absent when the files live in an S3 bucket:
  the bucket is backed up by its own versioning or replication, see docs/deployment.md);
- `manifest.json`: when, from which database, what is inside, the last migration of each app.
The folder gets its final name only when everything is written: a folder with that name is complete.

`manage.py backup` / `manage.py restore` (and `make backup` / `make restore`) call these functions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from datetime import datetime, timezone
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections

DUMP, MEDIA, MANIFEST = "database.dump", "media.tar", "manifest.json"


class BackupError(Exception):
    pass


def _libpq_env(alias: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The connection as libpq variables (the password never appears on a command line)."""
    database = settings.DATABASES[alias]
    if "postgresql" not in database["ENGINE"]:
        raise BackupError(
            f"backups need PostgreSQL (DATABASE_URL); this database is {database['ENGINE'].rsplit('.', 1)[-1]}. "
            "A SQLite database is backed up by copying its file while the portal is stopped."
        )
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):
        if database.get(key):
            env[variable] = str(database[key])
    sslmode = database.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _tool(name: str) -> str:
    """pg_dump / pg_restore: PG_BIN if set, else the PATH. They must be at least the server's version."""
    folder = os.environ.get("PG_BIN")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client) or set PG_BIN")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _media_on_disk() -> bool:
    return settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def _last_migrations() -> dict[str, str]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
        return dict(cursor.fetchall())


def create_backup(to: Path) -> Path:
    to.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc)
    final = to / f"partisipasi-{started:%Y%m%d-%H%M%S}"
    partial = to / f".{final.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        env = _libpq_env()
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial / DUMP)], env)
        media_files = None
        if _media_on_disk():
            media_root = Path(settings.MEDIA_ROOT)
            media_files = 0
            with tarfile.open(partial / MEDIA, "w") as archive:
                if media_root.is_dir():
                    for path in sorted(media_root.rglob("*")):
                        if path.is_file():
                            archive.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                            media_files += 1
        manifest = {
            "created_at": started.isoformat(),
            "database": settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"],
            "database_dump_bytes": (partial / DUMP).stat().st_size,
            "media": "media.tar" if media_files is not None else "in the S3 bucket (not in this backup)",
            "media_files": media_files,
            "migrations": _last_migrations(),
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def _database_is_empty() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore_backup(folder: Path, *, replace: bool = False) -> dict:
    """Restore a backup folder into the configured database (and MEDIA_ROOT). Refuses to overwrite
    anything unless `replace`: the usual restore goes into a new, empty database."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file() or not (folder / DUMP).is_file():
        raise BackupError(f"{folder} is not a complete backup (no {MANIFEST} or {DUMP})")
    manifest = json.loads(manifest_path.read_text())
    env = _libpq_env()
    if not replace and not _database_is_empty():
        raise BackupError(
            f"the database {settings.DATABASES[DEFAULT_DB_ALIAS]['NAME']!r} is not empty: restore into a new, empty "
            "database (createdb), or pass --replace to drop and replace its contents"
        )
    media_root = Path(settings.MEDIA_ROOT)
    restore_media = (folder / MEDIA).is_file()
    if restore_media and not _media_on_disk():
        raise ImproperlyConfigured("this backup holds a media folder but MEDIA_STORAGE_URL points to a bucket: unset it to restore files to MEDIA_ROOT")
    if restore_media and not replace and media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"MEDIA_ROOT {media_root} is not empty: restore into an empty folder, or pass --replace")
    connections[DEFAULT_DB_ALIAS].close()  # pg_restore --clean must not wait for our own session
    command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, "--dbname", env.get("PGDATABASE", ""), str(folder / DUMP)], env)
    restored_files = 0
    if restore_media:
        if replace:
            shutil.rmtree(media_root, ignore_errors=True)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / MEDIA) as archive:
            archive.extractall(media_root, filter="data")  # no absolute paths, links out of the folder, devices
            restored_files = sum(1 for member in archive.getmembers() if member.isfile())
    return {**manifest, "restored_media_files": restored_files}
