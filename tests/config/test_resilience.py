"""Issue 12: the portal keeps serving through cache and database faults.

- A cache that fails (Redis refusing connections, the cache table unreachable) is skipped: pages
  render, rate limits count in the second store (the database cache) or refuse, never let through.
- A database failure anywhere in the stack (session, user lookup, view, template) is a 503 with
  Retry-After and the request id; a failing cache is no database failure (the page is served).
- `migrate` alone sets up a database the portal fully works on (the cache table included).
"""

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import Client
from django.utils.html import escape
from prometheus_client import REGISTRY

from config.cache import reset_health

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/akun/login/"


def closed_port() -> int:
    """A port the system just handed out and nobody listens on: a Redis that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cache_errors(alias: str) -> float:
    return REGISTRY.get_sample_value("portal_cache_errors_total", {"cache": alias}) or 0.0


def shows(response, proposal) -> bool:
    return escape(proposal.title) in response.content.decode()


def configure_caches(settings, *, redis: bool, table: str = "portal_cache", retry_after: float = 5):
    """The production cache layout (config/settings.py), with Redis on a port where nothing answers."""
    settings.CACHES = {
        "database": {"BACKEND": "config.cache.FailSafeDatabaseCache", "LOCATION": table, "ALIAS": "database", "RETRY_AFTER": retry_after},
    }
    if redis:
        settings.CACHES["default"] = {
            "BACKEND": "config.cache.FailSafeRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "FALLBACK": "database",
            "ALIAS": "default",
            "RETRY_AFTER": retry_after,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    else:
        settings.CACHES["default"] = {**settings.CACHES["database"], "ALIAS": "default"}
    reset_health()


@pytest.fixture
def redis_down(settings):
    settings.PAGE_CACHE_SECONDS = 30
    configure_caches(settings, redis=True)
    caches["database"].clear()
    yield
    caches["database"].clear()


# --- the cache fails: degrade, don't die -----------------------------------------------------------


def test_with_redis_down_public_pages_are_served_and_cached_in_the_database(client, usulan, redis_down):
    # The data exists before Redis goes down: saving it drops cached summaries (accounts/summary.py),
    # which would already count an error and leave Redis alone before the first page.
    before = cache_errors("default")
    first = client.get("/usulan/")
    assert first.status_code == 200 and shows(first, usulan)
    assert first["X-Page-Cache"] == "miss"
    # The database cache took over: the next visitor gets the stored page, as with Redis.
    second = client.get("/usulan/")
    assert second.status_code == 200 and second["X-Page-Cache"] == "hit"
    for path in ("/", usulan.get_absolute_url(), "/program/", "/uji-publik/", "/statistik/"):
        assert client.get(path).status_code == 200, path
    assert cache_errors("default") > before  # counted where it was caught, for Prometheus


def test_with_redis_down_logins_are_still_limited(client, redis_down, warga):
    for _ in range(5):
        assert client.post(LOGIN, {"login": warga.email, "password": "salah-sandi"}).status_code == 200
    response = client.post(LOGIN, {"login": warga.email, "password": "rahasia-kuat-123"})
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_with_redis_down_a_citizen_still_signs_in(client, redis_down, warga):
    response = client.post(LOGIN, {"login": warga.email, "password": "rahasia-kuat-123"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(warga.pk)  # sessions live in the database


@pytest.mark.django_db(transaction=True)  # a failing statement must not poison a test transaction
def test_with_no_cache_at_all_pages_render_and_logins_are_refused_not_unlimited(client, settings, warga, usulan):
    settings.PAGE_CACHE_SECONDS = 30
    configure_caches(settings, redis=True, table="no_such_cache_table")
    page = client.get("/usulan/")
    assert page.status_code == 200 and shows(page, usulan)
    assert "X-Page-Cache" in page and client.get("/usulan/")["X-Page-Cache"] == "miss"  # nothing stored, nothing broke
    # The rate limit cannot count: the stricter direction, a refusal, never an unlimited login.
    response = client.post(LOGIN, {"login": warga.email, "password": "rahasia-kuat-123"})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.content.decode()  # in Indonesian, in the portal's layout
    assert "_auth_user_id" not in client.session


def test_a_failing_cache_warns_once_a_minute_not_once_a_request(settings, caplog):
    configure_caches(settings, redis=True, retry_after=0)  # retried at every call, as over a long outage
    cache = caches["default"]
    before = cache_errors("default")
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for _ in range(20):
            cache.get("anything")
            cache.set("anything", 1, 10)
    warnings = [r for r in caplog.records if r.name == "portal.cache"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "default" in warnings[0].getMessage() and "ConnectionError" in warnings[0].getMessage()
    assert cache_errors("default") - before == 40  # every failure counted, one line logged
    assert caches["database"].get("anything") == 1  # written to the second store meanwhile


def test_a_failed_cache_is_left_alone_for_a_few_seconds(settings):
    configure_caches(settings, redis=True, retry_after=60)
    cache = caches["default"]
    before = cache_errors("default")
    for _ in range(10):
        cache.get("anything")
    assert cache_errors("default") - before == 1  # one attempt, then straight to the database cache


def test_healthz_reports_the_cache_degraded_but_the_portal_up(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "degraded"}


# --- /healthz tells the truth ---------------------------------------------------------------------


def test_healthz_names_each_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_ready_also_needs_every_migration_applied(client):
    import config.views

    response = client.get("/healthz?ready")
    assert response.status_code == 200 and response.json()["migrations"] == "applied"
    config.views._all_migrations_applied = False
    with mock.patch("django.db.migrations.executor.MigrationExecutor.migration_plan", return_value=[("a", False)]):
        pending = client.get("/healthz?ready")
    assert pending.status_code == 503 and pending.json()["migrations"] == "pending"
    assert client.get("/healthz?ready").status_code == 200


def test_healthz_live_answers_without_asking_the_database(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get("/healthz?live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(client):
    with database_unreachable():
        response = client.get("/healthz")
        ready = client.get("/healthz?ready")
        live = client.get("/healthz?live")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"
    assert ready.status_code == 503
    assert live.status_code == 200  # no reason to restart the pod


# --- every database failure is a 503, wherever it is raised --------------------------------------


class database_unreachable:
    """Point the connection at a database that is not there (as during a restart), then back."""

    def __enter__(self):
        self.original = dict(connection.settings_dict)
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent-directory/db.sqlite3"
        else:
            connection.settings_dict["PORT"] = "1"  # nothing listens there

    def __exit__(self, *exc):
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(self.original)


def assert_service_unavailable(response):
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "5"
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert "tidak dapat dihubungi" in page and request_id in page  # a citizen can quote it


def failure():
    return OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def browser():
    # The test client re-raises what a view raised by default; a real server answers instead.
    return Client(raise_request_exception=False)


def test_database_failure_in_the_session_middleware_is_a_503(browser, warga):
    browser.force_login(warga)
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=failure()):
        assert_service_unavailable(browser.get("/usulan/"))


def test_database_failure_in_the_authentication_middleware_is_a_503(browser, warga):
    browser.force_login(warga)
    with mock.patch("django.contrib.auth.get_user", side_effect=failure()):
        assert_service_unavailable(browser.get("/usulan/"))


def test_database_failure_in_a_view_is_a_503(browser, usulan):
    with mock.patch("participation.models.ProposalQuerySet.public", side_effect=failure()):
        assert_service_unavailable(browser.get("/usulan/"))


def test_database_failure_while_rendering_the_template_is_a_503(browser, warga):
    browser.force_login(warga)
    with mock.patch("accounts.models.User.display_name", new_callable=mock.PropertyMock, side_effect=failure()):
        assert_service_unavailable(browser.get("/usulan/"))


def test_database_failure_in_the_cache_is_no_outage_the_page_is_served(browser, settings, usulan):
    settings.PAGE_CACHE_SECONDS = 30
    configure_caches(settings, redis=False)
    with mock.patch("django.core.cache.backends.db.DatabaseCache.get_many", side_effect=failure()):
        response = browser.get("/usulan/")
    assert response.status_code == 200 and shows(response, usulan)


def test_other_errors_stay_a_500(browser):
    with mock.patch("participation.models.ProposalQuerySet.public", side_effect=RuntimeError("a bug")):
        response = browser.get("/usulan/")
    assert response.status_code == 500 and "Retry-After" not in response


@pytest.mark.django_db(transaction=True)  # outside a test transaction, as in a real outage
def test_a_signed_in_citizen_gets_503_not_500_while_the_database_restarts(browser, warga):
    """The session is read in middleware, before any view: that used to be a 500
    ('SessionStore' object has no attribute '_session_cache')."""
    browser.force_login(warga)
    with database_unreachable():
        for path in ("/", "/usulan/", "/usulan/saya/", "/akun/profil/"):
            assert_service_unavailable(browser.get(path))
        assert_service_unavailable(browser.post("/usulan/1/dukung/"))
    assert browser.get("/usulan/saya/").status_code == 200  # and back, with the same session


@pytest.mark.django_db(transaction=True)
def test_anonymous_pages_answer_503_while_the_database_is_unreachable(browser):
    with database_unreachable():
        response = browser.get("/usulan/")
    assert_service_unavailable(response)
    assert "tidak ada data yang berubah" in response.content.decode()


# --- `migrate` is the only set-up step -------------------------------------------------------------


def test_migrate_alone_makes_the_cache_table(tmp_path):
    """A fresh database, `migrate` and nothing else: pages are cached, logins are limited."""
    database = tmp_path / "fresh.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "true",  # static files served from the source folders: no collectstatic here
        "SECRET_KEY": "tests-only-secret-key-not-for-production-0123456789",
        "DATABASE_URL": f"sqlite:///{database}",
        "PAGE_CACHE_SECONDS": "30",
    }
    env.pop("REDIS_URL", None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert migrate.returncode == 0, migrate.stderr
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import setup_test_environment\n"
        "setup_test_environment()\n"
        "assert 'portal_cache' in connection.introspection.table_names()\n"
        "client = Client(raise_request_exception=False)\n"
        "statuses = [(client.get('/usulan/').status_code, client.get('/usulan/').headers.get('X-Page-Cache'))]\n"
        "statuses.append(client.get('/akun/signup/').status_code)\n"
        "print(statuses)\n"
    )
    checked = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "ALLOWED_HOSTS": "testserver"},
        capture_output=True, text=True, timeout=120,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "[(200, 'hit'), 200]"
