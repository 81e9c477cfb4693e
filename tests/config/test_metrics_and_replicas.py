"""A real gunicorn (config/gunicorn.py, two workers) with a read replica, scraped by a test as Prometheus would.

The replica here is a second connection to the test database (`replica_1`), plus one that cannot be
reached (`replica_2`): the per-alias query counters show who read what, which is how an operator
sees it too. That a replica which lags never hides a citizen's own write is checked against a real
streaming replica by `make loadtest`.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(database: dict) -> str:
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    auth = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{auth}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def unreachable_url(database: dict, tmp_path) -> str:
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{tmp_path}/no-such-folder/replica.sqlite3"
    return f"postgres://{database['USER']}@127.0.0.1:{free_port()}/{database['NAME']}"


class Server:
    def __init__(self, tmp_path):
        self.port, self.metrics_port = free_port(), free_port()
        database = settings.DATABASES["default"]
        env = {
            **os.environ,
            "DEBUG": "true",  # development static files: no collectstatic needed for this test
            "DATABASE_URL": database_url(database),
            "DATABASE_REPLICA_URLS": f"{database_url(database)},{unreachable_url(database, tmp_path)}",
            "PORT": str(self.port),
            "METRICS_PORT": str(self.metrics_port),
            "WEB_CONCURRENCY": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "PAGE_CACHE_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        self.log = tmp_path / "gunicorn.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [GUNICORN, "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{self.port}", "--bind", f"127.0.0.1:{self.metrics_port}",
                 "--access-logfile", "/dev/null", "config.wsgi:application"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        self.wait_until_up()

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if self.scrape():
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start: {self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def open(self, path: str, *, port=None, opener=None, data=None):
        url = f"http://127.0.0.1:{port or self.port}{path}"
        try:
            response = (opener or urllib.request.build_opener()).open(url, data=data, timeout=30)
            return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers

    def scrape(self) -> dict[str, float]:
        status, body, headers = self.open("/metrics", port=self.metrics_port)
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        samples = {}
        for line in body.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                samples[name] = float(value)
        samples["#text"] = body
        return samples


def total(samples: dict, prefix: str, **labels) -> float:
    """Sum of the samples of one metric whose labels include `labels` (all workers already summed)."""
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    return sum(
        value for name, value in samples.items()
        if name.startswith(prefix + "{") and all(label in name for label in wanted)
    )


@pytest.fixture
def server(tmp_path):
    # The free ports are the system's, but another process may take one before gunicorn binds it.
    for attempt in range(3):
        folder = tmp_path / f"start-{attempt}"
        folder.mkdir()
        try:
            running = Server(folder)
            break
        except AssertionError as error:
            if attempt == 2 or "already in use" not in str(error).lower():
                raise
    yield running
    running.stop()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_metrics_move_replicas_serve_public_reads_and_a_writer_reads_the_primary(server, warga, make_proposal):
    proposal = make_proposal(author=factories.UserFactory(), title="Lampu jalan padam di Desa Sukamaju")
    before = server.scrape()

    # Anonymous visitors read public pages: the replica answers, the unreachable one is skipped.
    for _ in range(40):
        for path in ("/usulan/", f"/usulan/{proposal.pk}/"):
            status, _, _ = server.open(path)
            assert status == 200
    after = server.scrape()
    by_view = "django_http_requests_latency_seconds_by_view_method_count"
    assert total(after, by_view, view="participation:proposal_list", method="GET") - total(before, by_view, view="participation:proposal_list", method="GET") == 40
    assert total(after, by_view, view="participation:proposal_detail", method="GET") >= 40
    assert total(after, "django_db_execute_total", alias="replica_1") > total(before, "django_db_execute_total", alias="replica_1")
    # A database error, counted: replica_2 refused its connection, was left alone, and nothing failed.
    assert total(after, "django_db_new_connection_errors_total", alias="replica_2") >= 1

    # A citizen comments; the page they come back to reads the primary and shows the comment.
    client = Client()
    client.force_login(warga)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    jar.set_cookie(http.cookiejar.Cookie(0, "sessionid", client.cookies["sessionid"].value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}))
    status, page, _ = server.open(f"/usulan/{proposal.pk}/", opener=opener)
    token = CSRF_INPUT.search(page).group(1)
    body = f"csrfmiddlewaretoken={token}&body=Sudah+tiga+minggu+gelap".encode()
    status, _, headers = server.open(f"/usulan/{proposal.pk}/komentar/", opener=opener, data=body)
    assert status == 302 and any(c.startswith("read_primary_until=") for c in headers.get_all("Set-Cookie"))
    replica_reads = total(server.scrape(), "django_db_execute_total", alias="replica_1")
    status, page, _ = server.open(f"/usulan/{proposal.pk}/", opener=opener)
    assert status == 200 and "Sudah tiga minggu gelap" in page
    assert total(server.scrape(), "django_db_execute_total", alias="replica_1") == replica_reads


def test_queue_depth_and_failed_emails_are_read_at_scrape_time(server, warga):
    from notifications.models import Notification
    from notifications.tasks import deliver_notification

    waiting = Notification.objects.create(recipient=warga, kind="proposal", message="Usulan diterima", url="/", email_status="pending")
    deliver_notification.enqueue(waiting.pk)
    Notification.objects.create(recipient=warga, kind="proposal", message="Gagal", url="/", email_status="failed", email_attempts=5)
    samples = server.scrape()
    assert samples['portal_task_queue_depth{queue="default"}'] == 1
    assert samples['portal_notification_emails{status="failed"}'] == 1
    assert samples['portal_notification_emails{status="pending"}'] == 1
    assert samples["portal_metrics_database_up"] == 1


def test_metrics_are_not_on_the_public_port_and_the_metrics_port_serves_nothing_else(server):
    assert server.open("/metrics")[0] == 404
    assert server.open("/healthz", port=server.metrics_port)[0] == 404
    assert server.open("/usulan/", port=server.metrics_port)[0] == 404
