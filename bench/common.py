"""Shared plumbing for the benchmark and the load test: databases, environment, paths.

Nothing here is imported by the portal itself. The benchmark and the load test each use a
database of their own (`bench`, `loadtest`); they never touch `postgres` or the `test_*`
databases that other people's test runs use.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
PYTHON = sys.executable
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
# A fixed, public, benchmark-only key: the seeded database holds no real person.
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdef"
# Every seeded citizen has this password (hashed once, copied to every row).
SEED_PASSWORD = "bench-Pa55word!"


def database_url(name: str, *, port: int | None = None, host: str | None = None) -> str:
    return f"postgres://{PG_USER}@{host or PG_HOST}:{port or PG_PORT}/{name}"


def production_env(db_url: str, **extra: str) -> dict[str, str]:
    """Environment for the portal with production settings over plain HTTP on loopback."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": db_url,
            "DEBUG": "false",
            "SECRET_KEY": BENCH_SECRET_KEY,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def setup_django(db_url: str) -> None:
    """Configure Django in this process against `db_url` with production settings."""
    os.environ.update(production_env(db_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def recreate_database(name: str, *, port: int | None = None) -> None:
    """Drop and create a database, talking to `template1` (never to `postgres`)."""
    if name in ("postgres", "template0", "template1") or name.startswith("test"):
        raise SystemExit(f"refusing to recreate database {name!r}")
    import psycopg

    with psycopg.connect(database_url("template1", port=port), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manifest_path(db_name: str) -> Path:
    return RESULTS / f"manifest-{db_name}.json"


def read_manifest(db_name: str) -> dict:
    path = manifest_path(db_name)
    if not path.exists():
        raise SystemExit(f"{path} is missing: seed first (python -m bench.seed --db {db_name})")
    return json.loads(path.read_text())
