"""Load and fault test: a bounded script that stops by itself and exits non-zero on any failure.

    python -m bench.loadtest [--duration 60] [--clients 16] [--keep]

Everything runs on loopback against a throwaway PostgreSQL cluster of its own (initdb in a
temporary folder named after this run, on a free port from the system, run as the `postgres` user
when started as root), seeded with `bench.seed` at scale 0.01 into a database named after this run.
Two gunicorn instances (free ports, production settings, each with its own log; a start that fails
prints the end of that log here) serve it, with a throwaway redis-server (free port) as their cache.
The checks, in order:

1. Two instances, one session: a citizen logs in through the real allauth form on instance A;
   the same session cookie opens a login-only page on instance B.
2. Mixed load: N clients (half on A, half on B) browse and write for `--duration` seconds
   (supports, comments, consultation responses): no 5xx; afterwards every counter matches its rows
   and every acknowledged write is in the database, so writes through both instances add up.
3. 200 citizens support one proposal at the same instant: exactly 200 rows and support_count 200.
4. One citizen sends the same support from 10 threads at once: exactly one row.
5. Database restart under load (`pg_ctl restart -m immediate`, a crash-like stop), once the load
   is running: every failed request is a 503 with Retry-After (no other 5xx, no dropped
   connection), both instances serve again without restarting gunicorn (waited for as a
   condition, the time reported), and no acknowledged write is lost.
6. Redis stopped under load (issue 12): /healthz reports the cache degraded, public pages are
   served by both instances, no 5xx, logins are still limited (the rate limits count in the
   database cache meanwhile); Redis started again: /healthz reports it ok and pages are cached in
   it again.
7. Backup and restore: `manage.py backup` (what `make backup` runs) of the primary, restored with
   `manage.py restore` into a fresh cluster: every write acknowledged in this run is there, and
   every table checked has the primary's row count.

Beyond one machine (issue 17): the throwaway cluster gets a real streaming replica
(`pg_basebackup` into a second throwaway cluster, replaying REPLICA_DELAY_S behind on purpose),
and the uploads go to a local S3 server (moto, a free port). Both instances run with
DATABASE_REPLICA_URLS and MEDIA_STORAGE_URL, and with their metrics port. Checked on top:

- a file uploaded through instance A is in the bucket and served by instance B (to its owner
  only), and leaves the bucket when removed through B;
- in the mixed load every citizen reads the page again right after each support and comment and
  must see it, although the replica is behind: no stale read of one's own write;
- a comment is not yet on the replica when its author sees it, then reaches the replica;
- the instances' metrics show the replica serving reads, and no 5xx; pages for visitors without
  a session are read from the replica alone.

Edge cache (issue 15): when nginx is installed (`make loadtest` installs nginx-light if it can),
docs/nginx.conf runs in front of instance A (bench/edge.py): the second anonymous request for a
public page is a cache HIT and byte-identical, a signed-in visitor bypasses the cache and gets a
no-store page, and static files come from STATIC_ROOT with an immutable lifetime.

Sessions: the load clients' sessions are created directly in the database with Django's
SessionStore (the same rows a login writes), because allauth limits logins to 30 a minute per IP
and every client here shares 127.0.0.1; check 1 logs in through the real form. Writes always go
through the real HTTP endpoints with the CSRF token taken from the page's form.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import RESULTS, ROOT, database_url, manifest_path, read_manifest

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# In every name this run gives to what it creates (folders, database, logs), so two runs never meet.
RUN_ID = f"{os.getpid()}-{int(time.time()) % 100000}"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# Recovery is waited for as a condition (both instances serving again); this only bounds a hang.
RECOVERY_DEADLINE_S = 90.0
# The replica replays this far behind the primary, so a read of one's own write from it would be stale.
REPLICA_DELAY_S = 2.0
S3_KEY, S3_SECRET, S3_BUCKET = "loadtest", "loadtest-secret", "portal-loadtest"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Failure(Exception):
    pass


# --- the throwaway cluster ----------------------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster in a temporary folder, removed when the test ends."""

    def __init__(self, port: int, name: str = "primary"):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix=f"portal-loadtest-{RUN_ID}-{name}-"))
        self.data = self.dir / "data"
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if check and result.returncode != 0:
            log = self.dir / "server.log"
            tail = "\n    ".join(log.read_text(errors="replace").splitlines()[-15:]) if log.exists() else "(no server log)"
            raise Failure(f"{args[0]} exited with {result.returncode}: {result.stderr.strip()[-1500:]}\n  server log ends:\n    {tail}")
        return result

    def init(self) -> None:
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=300 "
            "-c shared_buffers=128MB -c logging_collector=off"
        )
        (self.data / "portal-options").write_text(options)
        self.start()

    def _options(self) -> str:
        return (self.data / "portal-options").read_text()

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options(), "-l", str(self.dir / "server.log"), "-w", "-t", "30", "start")

    def restart(self) -> None:
        """Stop like a crash (no checkpoint, clients cut off) and start again; returns when it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.start()

    def destroy(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def streaming_replica(self, port: int, *, delay_s: float) -> "Cluster":
        """A second cluster made by pg_basebackup from this one, streaming from it, `delay_s` behind."""
        replica = Cluster(port, "replica")
        if replica.as_postgres:
            shutil.chown(replica.dir, "postgres", "postgres")
        try:
            # -R writes standby.signal and primary_conninfo: the copy starts as a hot standby. A fast
            # checkpoint: the default spreads it over minutes on a quiet cluster.
            replica._run(
                "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-D", str(replica.data),
                "-X", "stream", "-R", "--checkpoint=fast",
            )
            options = (
                f"-p {port} -k {replica.dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB "
                f"-c logging_collector=off -c hot_standby=on -c recovery_min_apply_delay={int(delay_s * 1000)}ms"
            )
            (replica.data / "portal-options").write_text(options)
            replica.start()
        except BaseException:
            replica.destroy()
            raise
        return replica


class S3Server:
    """moto's standalone S3 server on a free loopback port, with the portal's private bucket."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        moto = str(Path(sys.executable).with_name("moto_server"))
        self.process = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(self.port)], stdout=open(log_path, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client().create_bucket(Bucket=S3_BUCKET)
                break
            except Exception:  # not listening yet
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.2)

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=S3_KEY, aws_secret_access_key=S3_SECRET, region_name="us-east-1")

    @property
    def media_url(self) -> str:
        return f"s3://{S3_KEY}:{S3_SECRET}@{S3_BUCKET}/media?endpoint_url={self.endpoint}&region_name=us-east-1"

    def keys(self) -> set[str]:
        return {item["Key"] for item in self.client().list_objects_v2(Bucket=S3_BUCKET).get("Contents", [])}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class RedisServer:
    """A throwaway redis-server on a free loopback port (no persistence), that can be stopped and started again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.log_path = folder / f"redis-{RUN_ID}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1, socket_timeout=2)

    def start(self) -> "RedisServer":
        command = [
            shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.folder), "--logfile", str(self.log_path),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.client().ping():
                    return self
            except Exception:  # not listening yet
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.log_path.read_text(errors="replace").splitlines()[-10:] if self.log_path.exists() else []
                stderr = self.process.stderr.read().decode(errors="replace") if self.process.poll() is not None else ""
                raise Failure(f"redis-server on port {self.port} did not start: {stderr.strip()} {' | '.join(log)}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def keys(self) -> int:
        return self.client().dbsize()


# --- an HTTP client with a cookie jar -----------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Result:
    status: int
    body: bytes = b""
    location: str = ""
    retry_after: str = ""


class Browser:
    """One person's browser: cookies, a CSRF token from the last form seen, no automatic redirects."""

    def __init__(self, base: str, session_key: str | None = None):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self.csrf = ""
        if session_key:
            self.set_cookie("sessionid", session_key)

    def set_cookie(self, name: str, value: str) -> None:
        cookie = http.cookiejar.Cookie(
            0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}
        )
        self.jar.set_cookie(cookie)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, path: str, data: dict | None = None, *, base: str | None = None, timeout: float = 30) -> Result:
        url = (base or self.base) + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with self.opener.open(request, timeout=timeout) as response:
                result = Result(response.status, response.read())
        except urllib.error.HTTPError as error:
            headers = error.headers or {}
            result = Result(error.code, error.read() if error.fp else b"", headers.get("Location", ""), headers.get("Retry-After", ""))
        match = CSRF_INPUT.search(result.body)
        if match:
            self.csrf = match.group(1).decode()
        return result

    def get(self, path: str, **kwargs) -> Result:
        return self.request(path, **kwargs)

    def post_files(self, path: str, fields: dict, files: list[tuple[str, str, bytes]], *, base: str | None = None) -> Result:
        """A multipart form post (fields plus (field, filename, content) files), as a browser sends an upload."""
        import uuid

        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {"csrfmiddlewaretoken": self.csrf, **fields}.items():
            for item in value if isinstance(value, list) else [value]:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
        for name, filename, content in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request((base or self.base) + path, data=body)
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        try:
            with self.opener.open(request, timeout=30) as response:
                return Result(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Result(error.code, error.read() if error.fp else b"", error.headers.get("Location", "") if error.headers else "")

    def post(self, path: str, data: dict | None = None, **kwargs) -> Result:
        if not self.csrf:
            self.get(path.rsplit("/", 2)[0] + "/")
        return self.request(path, {"csrfmiddlewaretoken": self.csrf, **(data or {})}, **kwargs)


# --- the test -----------------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the server acknowledged; checked against the database afterwards."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    supports: set = field(default_factory=set)  # (user_id, proposal_id)
    comments: dict = field(default_factory=dict)  # comment id -> instance base
    responses: set = field(default_factory=set)  # (user_id, consultation_id)
    requests: int = 0
    statuses: dict = field(default_factory=dict)
    server_errors: list = field(default_factory=list)
    own_write_reads: int = 0  # pages read right after one's own support or comment
    stale_reads: list = field(default_factory=list)  # ... that did not show it
    # During a database outage a 503 with Retry-After is the right answer; any other 5xx never is.
    outage: bool = False
    unavailable: int = 0
    successes: int = 0  # 2xx and 3xx answers

    def count(self, path: str, result: Result) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[result.status] = self.statuses.get(result.status, 0) + 1
            if result.status < 400:
                self.successes += 1
            if self.outage and result.status == 503 and result.retry_after:
                self.unavailable += 1
            elif result.status >= 500:
                self.server_errors.append((path, result.status))

    def wait_for(self, condition, *, deadline_s: float, what: str) -> float:
        """Wait until `condition(self)` holds; the seconds it took. A Failure after `deadline_s` (a hang)."""
        started = time.monotonic()
        while not condition(self):
            if time.monotonic() - started > deadline_s:
                raise Failure(f"gave up after {deadline_s:.0f} s waiting for {what}")
            time.sleep(0.1)
        return time.monotonic() - started


class LoadTest:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(11)
        self.report: list[str] = []
        self.failures: list[str] = []
        self.ledgers: list[Ledger] = []  # every load run's acknowledged writes, checked again in the restored backup

    def log(self, message: str) -> None:
        print(message, flush=True)
        self.report.append(message)

    def check(self, condition: bool, message: str) -> None:
        self.log(("  ok    " if condition else "  FAIL  ") + message)
        if not condition:
            self.failures.append(message)

    # --- setup --------------------------------------------------------------------------------

    def setup(self) -> None:
        from bench.common import setup_django
        from bench.server import collectstatic

        started = time.perf_counter()
        self.cluster = self.new_cluster(self.args.pg_port, "primary")
        self.log(f"throwaway cluster on 127.0.0.1:{self.cluster.port} in {self.cluster.dir}")
        self.db_name = f"loadtest_{RUN_ID.replace('-', '_')}"
        subprocess.run(
            [sys.executable, "-m", "bench.seed", "--scale", str(self.args.scale), "--db", self.db_name, "--port", str(self.cluster.port)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.manifest = read_manifest(self.db_name)
        manifest_path(self.db_name).unlink()  # read: this run's own file, not left behind
        self.db_url = database_url(self.db_name, port=self.cluster.port)
        setup_django(self.db_url)
        collectstatic(self.db_url)
        RESULTS.mkdir(exist_ok=True)
        self.replica = self.cluster.streaming_replica(free_port(), delay_s=REPLICA_DELAY_S)
        self.replica_url = database_url(self.db_name, port=self.replica.port)
        self.s3 = S3Server(RESULTS / f"s3-loadtest-{RUN_ID}.log")
        self.redis = RedisServer(Path(tempfile.mkdtemp(prefix=f"portal-loadtest-{RUN_ID}-redis-"))).start()
        self.log(
            f"streaming replica on :{self.replica.port} ({REPLICA_DELAY_S:.0f} s behind), S3 server on :{self.s3.port}, "
            f"Redis on :{self.redis.port}"
        )
        self.scale_out = {
            "DATABASE_REPLICA_URLS": self.replica_url,
            "MEDIA_STORAGE_URL": self.s3.media_url,
            "REDIS_URL": self.redis.url,
        }
        self.a = self.start_instance("A", self.args.port_a, workers=3)
        self.b = self.start_instance("B", self.args.port_b, workers=2)
        self.log(f"seeded and serving on :{self.a.port} and :{self.b.port} in {time.perf_counter() - started:.1f} s")
        self.load_catalogue()

    def new_cluster(self, port: int | None, name: str) -> Cluster:
        """A cluster on the given port, or on a free one (another free one if it was taken meanwhile)."""
        for attempt in range(3):
            cluster = Cluster(port or free_port(), name)
            try:
                cluster.init()
                return cluster
            except Failure as error:
                cluster.destroy()
                if port or attempt == 2 or "could not bind" not in str(error).lower() and "in use" not in str(error):
                    raise
                self.log(f"      port {cluster.port} was taken meanwhile, trying another: {str(error).splitlines()[0]}")
        raise AssertionError("unreachable")

    def start_instance(self, name: str, port: int | None, *, workers: int):
        """gunicorn with production settings on the given port, or on a free one (retried once if taken meanwhile).

        A start that fails raises with the end of the instance's own log, so the cause is on this output.
        """
        from bench.server import Gunicorn

        log = RESULTS / f"gunicorn-loadtest-{RUN_ID}-{name}.log"
        for attempt in range(3):
            chosen = port or free_port()
            try:
                return Gunicorn(self.db_url, port=chosen, workers=workers, log_path=log, metrics_port=free_port(), **self.scale_out).start(timeout=90)
            except RuntimeError as error:
                if port or attempt == 2 or "already in use" not in str(error).lower():
                    raise Failure(f"instance {name}: {error}") from None
                self.log(f"      port {chosen} was taken meanwhile, trying another for instance {name}")
        raise AssertionError("unreachable")

    def load_catalogue(self) -> None:
        from consultations.models import Consultation
        from participation.models import Proposal
        from programs.models import Program

        self.published = list(Proposal.objects.filter(status="published", is_hidden=False).values_list("pk", "author_id"))
        self.public_ids = list(Proposal.objects.public().values_list("pk", flat=True))
        self.program_ids = list(Program.objects.values_list("pk", flat=True))
        self.open_consultations = list(Consultation.objects.open().values_list("pk", flat=True))
        self.consultation_ids = list(Consultation.objects.public().values_list("pk", flat=True))
        # The benchmark's personas (bench/seed.py) are staff or carry extra activity: not load clients.
        personas = {user_id for role, user_id in self.manifest.get("personas", {}).items() if role != "official_unit"}
        self.user_ids = [pk for pk in range(1, self.manifest["users"] + 1) if pk not in personas]

    def session_for(self, user_id: int) -> str:
        """A logged-in session written straight to the session table, as django.contrib.auth.login would."""
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        from accounts.models import User

        user = User.objects.get(pk=user_id)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    def browser(self, user_id: int, base: str) -> Browser:
        return Browser(base, self.session_for(user_id))

    # --- 1. one session, two instances ------------------------------------------------------

    def two_instances_share_sessions(self) -> None:
        self.log("1. a session started on instance A is valid on instance B")
        user_id = self.user_ids[-1]
        browser = Browser(self.a.base)
        browser.get("/akun/login/")
        email = self.manifest["user_email_pattern"].format(i=user_id)
        login = browser.post("/akun/login/", {"login": email, "password": self.manifest["password"]})
        self.check(login.status == 302 and browser.cookie("sessionid"), f"login through the allauth form on A answers 302 with a session (got {login.status})")
        on_b = browser.get("/usulan/saya/", base=self.b.base)
        self.check(on_b.status == 200, f"/usulan/saya/ (login required) on B with A's session answers 200 (got {on_b.status})")
        anonymous = Browser(self.b.base).get("/usulan/saya/")
        self.check(anonymous.status == 302, f"the same page on B without the session redirects to login (got {anonymous.status})")

    # --- 1b. media in the bucket, shared by the instances ---------------------------------------

    def proposal_fields(self, title: str) -> dict:
        from accounts.models import WorkUnit
        from participation.forms import region_choices_queryset
        from participation.models import Category

        return {
            "title": title,
            "description": "Foto jalan berlubang di depan balai desa, diunggah lewat instance A.",
            "category": Category.objects.filter(is_active=True).values_list("pk", flat=True).first(),
            "work_unit": WorkUnit.objects.values_list("pk", flat=True).first(),
            "region": region_choices_queryset().values_list("pk", flat=True).first(),
            "location_text": "",
            "estimated_cost": "",
            "volume": "",
            "draf": "1",
        }

    def file_uploaded_through_a_is_served_by_b(self) -> None:
        import io

        from PIL import Image

        from participation.models import Attachment

        self.log("1b. a file uploaded through instance A is served by instance B from the bucket")
        photo = io.BytesIO()
        Image.new("RGB", (64, 48), (30, 120, 200)).save(photo, format="PNG")
        photo = photo.getvalue()
        user_id = self.user_ids[-2]
        session = self.session_for(user_id)
        on_a, on_b = Browser(self.a.base, session), Browser(self.b.base, session)
        on_a.get("/usulan/baru/")
        fields = self.proposal_fields(f"Jalan berlubang depan balai desa ({user_id})")
        created = on_a.post_files("/usulan/baru/", fields, [("attachments", "jalan.png", photo)])
        attachment = Attachment.objects.filter(proposal__author_id=user_id, original_name="jalan.png").select_related("proposal").first()
        self.check(created.status == 302 and attachment is not None, f"a draft with a photo saved through A (status {created.status})")
        if attachment is None:
            return
        key = f"media/{attachment.file.name}"
        self.check(key in self.s3.keys(), f"the photo is in the bucket as {key}")
        path = f"/usulan/{attachment.proposal_id}/lampiran/{attachment.pk}/"
        served = on_b.get(path)
        # The upload is cleaned and re-encoded (participation/images.py); what A stored in the bucket is what B must serve.
        stored = self.s3.client().get_object(Bucket=S3_BUCKET, Key=key)["Body"].read()
        self.check(
            served.status == 200 and served.body == stored and served.body != photo,
            f"B serves the cleaned photo A stored to its owner, byte for byte, never the original (status {served.status})",
        )
        stranger = Browser(self.b.base).get(path)
        self.check(stranger.status == 404, f"B refuses it to anyone else: the draft is private (status {stranger.status})")
        on_b.get(f"/usulan/{attachment.proposal_id}/ubah/")
        removed = on_b.post_files(f"/usulan/{attachment.proposal_id}/ubah/", {**fields, "remove_attachments": str(attachment.pk)}, [])
        self.check(removed.status == 302 and key not in self.s3.keys(), f"removed through B, it is gone from the bucket (status {removed.status})")

    # --- 2. mixed load --------------------------------------------------------------------------

    def client_loop(self, browser: Browser, user_id: int, ledger: Ledger, stop: threading.Event, rng: random.Random) -> None:
        own = {pk for pk, author in self.published if author == user_id}
        while not stop.is_set():
            roll = rng.random()
            try:
                if roll < 0.65:
                    path = rng.choice(
                        [
                            "/", "/usulan/", f"/usulan/?halaman={rng.randint(1, 40)}", "/usulan/?q=jalan+rusak",
                            "/usulan/?urut=dukungan", f"/usulan/{rng.choice(self.public_ids)}/", "/program/",
                            f"/program/{rng.choice(self.program_ids)}/", "/uji-publik/", f"/uji-publik/{rng.choice(self.consultation_ids)}/",
                        ]
                    )
                    ledger.count(path, browser.get(path))
                elif roll < 0.80:
                    proposal, author = rng.choice(self.published)
                    if proposal in own or author == user_id:
                        continue
                    path = f"/usulan/{proposal}/dukung/"
                    result = browser.post(path)
                    ledger.count(path, result)
                    if result.status == 302:
                        with ledger.lock:
                            ledger.supports.add((user_id, proposal))
                        self._read_own_write(browser, f"/usulan/{proposal}/", "Batalkan dukungan", ledger)
                elif roll < 0.93:
                    if rng.random() < 0.8:
                        path = f"/usulan/{rng.choice(self.public_ids)}/komentar/"
                    else:
                        path = f"/program/{rng.choice(self.program_ids)}/komentar/"
                    result = browser.post(path, {"body": f"Komentar uji beban dari warga {user_id} ({rng.random():.6f})"})
                    ledger.count(path, result)
                    comment = self._acknowledge_comment(result, browser.base, ledger)
                    if comment:
                        # The newest comment is on the last page of the thread.
                        page = path.removesuffix("komentar/") + "?komentar=999999"
                        self._read_own_write(browser, page, f'id="komentar-{comment}"', ledger)
                elif self.open_consultations:
                    consultation = rng.choice(self.open_consultations)
                    path = f"/uji-publik/{consultation}/tanggapan/"
                    result = browser.post(path, {"position": rng.choice(["setuju", "tidak_setuju", "netral"]), "comment": "Tanggapan uji beban"})
                    ledger.count(path, result)
                    if result.status == 302:
                        with ledger.lock:
                            ledger.responses.add((user_id, consultation))
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
                with ledger.lock:
                    ledger.server_errors.append(("connection", repr(error)))
                time.sleep(0.05)

    def _acknowledge_comment(self, result: Result, base: str, ledger: Ledger) -> int | None:
        match = re.search(r"#komentar-(\d+)$", result.location or "")
        if result.status == 302 and match:
            with ledger.lock:
                ledger.comments[int(match.group(1))] = base
            return int(match.group(1))
        return None

    def _read_own_write(self, browser: Browser, path: str, marker: str, ledger: Ledger) -> None:
        """The page the citizen comes back to must show what they just did, whatever the replica's lag."""
        result = browser.get(path)
        ledger.count(path, result)
        if ledger.outage and result.status == 503:
            return  # the database went away between the write and the read: nothing to compare
        with ledger.lock:
            ledger.own_write_reads += 1
            if result.status != 200 or marker.encode() not in result.body:
                ledger.stale_reads.append((path, result.status))

    def run_clients(self, count: int, seconds: float, *, during=None, outage: bool = False) -> Ledger:
        ledger = Ledger(outage=outage)
        self.ledgers.append(ledger)
        stop = threading.Event()
        users = self.rng.sample(self.user_ids[: len(self.user_ids) - 1], count)
        threads = []
        for index, user_id in enumerate(users):
            base = self.a.base if index % 2 == 0 else self.b.base
            browser = self.browser(user_id, base)
            thread = threading.Thread(
                target=self.client_loop, args=(browser, user_id, ledger, stop, random.Random(user_id)), daemon=True
            )
            threads.append(thread)
        for thread in threads:
            thread.start()
        try:
            if during:
                during(ledger)
            else:
                time.sleep(seconds)
        finally:
            stop.set()
        for thread in threads:
            thread.join(timeout=60)
        return ledger

    def mixed_load(self) -> None:
        self.log(f"2. mixed reads and writes: {self.args.clients} clients for {self.args.duration} s on both instances")
        ledger = self.run_clients(self.args.clients, self.args.duration)
        writes = len(ledger.supports) + len(ledger.comments) + len(ledger.responses)
        rate = ledger.requests / self.args.duration
        self.log(f"      {ledger.requests} requests ({rate:.0f}/s), statuses {dict(sorted(ledger.statuses.items()))}, {writes} acknowledged writes")
        through = {base: sum(1 for b in ledger.comments.values() if b == base) for base in (self.a.base, self.b.base)}
        self.check(not ledger.server_errors, f"no 5xx and no dropped connection ({len(ledger.server_errors)}: {ledger.server_errors[:3]})")
        self.check(all(through.values()), f"comments were acknowledged through both instances: {through}")
        self.check(
            ledger.own_write_reads > 0 and not ledger.stale_reads,
            f"every citizen saw their own support or comment at once, with the replica {REPLICA_DELAY_S:.0f} s behind "
            f"({ledger.own_write_reads} pages read right after a write, {len(ledger.stale_reads)} stale: {ledger.stale_reads[:3]})",
        )
        self.verify(ledger)
        self.replica_served_reads()

    def verify(self, ledger: Ledger) -> None:
        """Every acknowledged write is a row, and every counter equals its rows."""
        from django.db import connection

        from bench.seed import wrong_comment_counts
        from consultations.models import Response
        from participation.models import Comment, Support

        connection.close()  # the restart test may have cut this process's connection
        support_pairs = set(Support.objects.filter(user_id__in={u for u, _ in ledger.supports}).values_list("user_id", "proposal_id"))
        missing = ledger.supports - support_pairs
        self.check(not missing, f"all {len(ledger.supports)} acknowledged supports are in the database (missing {len(missing)})")
        found = set(Comment.objects.filter(pk__in=list(ledger.comments)).values_list("pk", flat=True))
        self.check(len(found) == len(ledger.comments), f"all {len(ledger.comments)} acknowledged comments are in the database (missing {len(ledger.comments) - len(found)})")
        response_pairs = set(Response.objects.filter(author_id__in={u for u, _ in ledger.responses}).values_list("author_id", "consultation_id"))
        missing = ledger.responses - response_pairs
        self.check(not missing, f"all {len(ledger.responses)} acknowledged consultation responses are in the database (missing {len(missing)})")
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT count(*) FROM participation_proposal p
                   LEFT JOIN (SELECT proposal_id, count(*) n FROM participation_support GROUP BY proposal_id) s ON s.proposal_id = p.id
                   WHERE p.support_count <> COALESCE(s.n, 0)"""
            )
            wrong_supports = cursor.fetchone()[0]
            cursor.execute(
                "SELECT count(*) FROM (SELECT consultation_id, author_id FROM consultations_response GROUP BY 1, 2 HAVING count(*) > 1) d"
            )
            duplicate_responses = cursor.fetchone()[0]
        self.check(wrong_supports == 0, f"support_count equals the support rows on every proposal ({wrong_supports} differ)")
        wrong_comments = sum(wrong_comment_counts().values())
        self.check(wrong_comments == 0, f"comment_count equals the counted comments on every proposal, program and consultation ({wrong_comments} differ)")
        self.check(duplicate_responses == 0, f"at most one response per citizen and consultation ({duplicate_responses} duplicates)")

    def replica_served_reads(self) -> None:
        """Per instance, the queries each database answered (django-prometheus counters), and the 5xx count."""
        for name, server in (("A", self.a), ("B", self.b)):
            samples = server.scrape()

            def queries(alias: str) -> float:
                return sum(v for k, v in samples.items() if k.startswith("django_db_execute_total{") and f'alias="{alias}"' in k)

            errors = sum(
                v for k, v in samples.items() if k.startswith("django_http_responses_total_by_status_view_method_total{") and 'status="5' in k
            )
            replica, primary = queries("replica_1"), queries("default")
            self.check(
                replica > 0 and errors == 0,
                f"instance {name}: the replica answered {replica:.0f} queries, the primary {primary:.0f}; {errors:.0f} responses 5xx (metrics)",
            )

    def anonymous_visitors_read_the_replica(self) -> None:
        self.log("2c. anonymous visitors' pages are read from the replica")

        def queries(alias: str) -> float:
            return sum(v for k, v in self.b.scrape().items() if k.startswith("django_db_execute_total{") and f'alias="{alias}"' in k)

        replica, primary = queries("replica_1"), queries("default")
        pages = [f"/usulan/{pk}/" for pk in self.public_ids[-20:]]  # not read yet: not in the page cache
        statuses = {Browser(self.b.base).get(path).status for path in pages}
        replica_delta, primary_delta = queries("replica_1") - replica, queries("default") - primary
        # The primary still answers the shared page cache (a database table when there is no Redis)
        # and the scrape's own queue gauges; the pages' own queries must all go to the replica.
        self.check(
            statuses == {200} and replica_delta >= 2 * len(pages),
            f"{len(pages)} proposal pages for visitors without a session (statuses {sorted(statuses)}): "
            f"{replica_delta:.0f} queries on the replica, {primary_delta:.0f} on the primary (page cache and metrics)",
        )

    def own_comment_before_the_replica_has_it(self) -> None:
        import psycopg

        self.log(f"2b. a citizen sees their comment at once while the replica ({REPLICA_DELAY_S:.0f} s behind) does not have it yet")
        proposal = self.public_ids[0]
        writer = self.browser(self.user_ids[-3], self.a.base)
        writer.get(f"/usulan/{proposal}/")
        result = writer.post(f"/usulan/{proposal}/komentar/", {"body": "Komentar yang harus langsung terlihat oleh penulisnya"})
        match = re.search(r"#komentar-(\d+)$", result.location or "")
        self.check(result.status == 302 and match is not None, f"comment posted through A (status {result.status})")
        if not match:
            return
        comment = int(match.group(1))

        def on_replica() -> bool | None:
            """None when the standby cut the connection: it may end sessions that conflict with
            the WAL it replays (seen on a loaded machine), which says nothing about the comment."""
            try:
                with psycopg.connect(self.replica_url, connect_timeout=10) as replica:
                    return replica.execute("SELECT 1 FROM participation_comment WHERE id = %s", [comment]).fetchone() is not None
            except psycopg.OperationalError as error:
                self.log(f"      the replica cut the connection ({str(error).splitlines()[0]}); asking again")
                return None

        def ask_replica() -> bool:
            for _ in range(10):
                answer = on_replica()
                if answer is not None:
                    return answer
                time.sleep(0.2)
            raise RuntimeError("the replica refused ten connections in a row")

        behind = not ask_replica()
        page = writer.get(f"/usulan/{proposal}/?komentar=999999", base=self.b.base)
        self.check(behind, "the replica does not have the comment yet")
        self.check(page.status == 200 and f'id="komentar-{comment}"'.encode() in page.body, "B shows it to its author at once (read from the primary)")
        deadline = time.monotonic() + REPLICA_DELAY_S + 10
        while not ask_replica() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.check(ask_replica(), "and it reaches the replica shortly after (streaming replication works)")

    # --- 3 and 4. races -------------------------------------------------------------------------

    def _race(self, browsers: list[Browser], path: str) -> list[int]:
        barrier = threading.Barrier(len(browsers))
        statuses = [0] * len(browsers)

        def fire(index: int, browser: Browser) -> None:
            barrier.wait()
            try:
                statuses[index] = browser.post(path, timeout=120).status
            except OSError:
                statuses[index] = -1

        threads = [threading.Thread(target=fire, args=(i, b)) for i, b in enumerate(browsers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses

    def fresh_proposal(self) -> tuple[int, int]:
        from participation.models import Proposal, Support

        supported = set(Support.objects.values_list("proposal_id", flat=True).distinct())
        return next((pk, author) for pk, author in self.published if pk not in supported)

    def crowd_supports_one_proposal(self) -> None:
        from participation.models import Proposal, Support

        self.log("3. 200 citizens support one proposal at the same instant")
        proposal, author = self.fresh_proposal()
        users = [u for u in self.user_ids if u != author][:200]
        browsers = []
        for index, user_id in enumerate(users):
            browser = self.browser(user_id, self.a.base if index % 2 == 0 else self.b.base)
            browser.get(f"/usulan/{proposal}/")  # the page a person supports from; it holds the CSRF token
            browsers.append(browser)
        statuses = self._race(browsers, f"/usulan/{proposal}/dukung/")
        rows = Support.objects.filter(proposal_id=proposal).count()
        counter = Proposal.objects.get(pk=proposal).support_count
        self.check(statuses.count(302) == 200, f"all 200 requests answered with a redirect (statuses {sorted(set(statuses))})")
        self.check(rows == 200 and counter == 200, f"proposal {proposal}: {rows} support rows, support_count {counter} (want 200)")

    def one_citizen_ten_threads(self) -> None:
        from participation.models import Proposal, Support

        self.log("4. one citizen sends the same support from 10 threads")
        proposal, author = self.fresh_proposal()
        user_id = next(u for u in self.user_ids if u != author)
        session = self.session_for(user_id)
        first = Browser(self.a.base, session)
        first.get(f"/usulan/{proposal}/")
        browsers = []
        for index in range(10):
            browser = Browser(self.a.base if index % 2 == 0 else self.b.base, session)
            browser.set_cookie("csrftoken", first.cookie("csrftoken"))
            browser.csrf = first.csrf
            browsers.append(browser)
        statuses = self._race(browsers, f"/usulan/{proposal}/dukung/")
        rows = Support.objects.filter(proposal_id=proposal).count()
        counter = Proposal.objects.get(pk=proposal).support_count
        self.check(all(status == 302 for status in statuses), f"no request failed (statuses {statuses})")
        self.check(rows == 1 and counter == 1, f"proposal {proposal}: {rows} support row, support_count {counter} (want 1)")

    # --- 5. database restart --------------------------------------------------------------------

    def database_restart(self) -> None:
        self.log("5. restart the database while load runs")
        timings: dict = {}

        def restart_in_the_middle(ledger: Ledger) -> None:
            # Conditions, not clock times: the load is running before the crash, and every client
            # has been served again after it, however slow the machine is.
            ledger.wait_for(lambda l: l.successes >= 20, deadline_s=RECOVERY_DEADLINE_S, what="the load to run")
            started = time.monotonic()
            self.cluster.restart()
            up = time.monotonic()
            timings["restart_s"] = up - started
            timings["answered_s"] = self.wait_until_serving({"A": self.a, "B": self.b}, since=up)
            served = ledger.successes
            ledger.wait_for(lambda l: l.successes >= served + 40, deadline_s=RECOVERY_DEADLINE_S, what="40 more answers after recovery")

        ledger = self.run_clients(8, 0, during=restart_in_the_middle, outage=True)
        answered = timings.get("answered_s", {})
        self.log(
            f"      database down and up again in {timings.get('restart_s', 0):.1f} s; {ledger.requests} requests, "
            f"statuses {dict(sorted(ledger.statuses.items()))}"
        )
        self.check(
            len(answered) == 2,
            "both instances serve /usulan/ again once the database is back, gunicorn not restarted "
            f"({', '.join(f'{k} after {v:.2f} s' for k, v in sorted(answered.items())) or 'never'})",
        )
        self.check(
            not ledger.server_errors,
            f"during the outage every failed request was a 503 with Retry-After ({ledger.unavailable}); "
            f"no other 5xx and no dropped connection ({len(ledger.server_errors)}: {ledger.server_errors[:3]})",
        )
        self.check(self.a.process.poll() is None and self.b.process.poll() is None, "the gunicorn masters kept running")
        self.verify(ledger)

    def wait_until_serving(self, instances: dict, *, since: float, path: str = "/usulan/") -> dict[str, float]:
        """Seconds after `since` at which each instance answered `path` with 200 three times in a row."""
        answered: dict[str, float] = {}
        streak = dict.fromkeys(instances, 0)
        deadline = since + RECOVERY_DEADLINE_S
        while len(answered) < len(instances) and time.monotonic() < deadline:
            for name, server in instances.items():
                if name in answered:
                    continue
                try:
                    ok = Browser(server.base).get(path, timeout=30).status == 200
                except OSError:
                    ok = False
                streak[name] = streak[name] + 1 if ok else 0
                if streak[name] == 3:
                    answered[name] = time.monotonic() - since
            time.sleep(0.05)
        return answered

    # --- 6. Redis stops under load --------------------------------------------------------------

    def cache_states(self) -> dict[str, str]:
        states = {}
        for name, server in (("A", self.a), ("B", self.b)):
            try:
                states[name] = json.loads(Browser(server.base).get("/healthz", timeout=30).body or b"{}").get("cache", "?")
            except (OSError, ValueError):
                states[name] = "no answer"
        return states

    def redis_outage(self) -> None:
        self.log("6. Redis stops under load: pages still served, logins still limited, the cache comes back")
        results: dict = {}

        def stop_and_start_redis(ledger: Ledger) -> None:
            ledger.wait_for(lambda l: l.successes >= 20, deadline_s=RECOVERY_DEADLINE_S, what="the load to run")
            results["before"] = self.cache_states()
            self.redis.stop()
            stopped = time.monotonic()
            results["degraded_after"] = ledger.wait_for(
                lambda l: set(self.cache_states().values()) == {"degraded"}, deadline_s=RECOVERY_DEADLINE_S,
                what="/healthz to report the cache degraded",
            )
            results["pages"] = {
                path: {Browser(server.base).get(path, timeout=30).status for server in (self.a, self.b)}
                for path in ("/", "/usulan/", f"/usulan/{self.public_ids[1]}/", "/program/", "/uji-publik/")
            }
            results["throttle"] = self.login_is_throttled()
            served = ledger.successes
            ledger.wait_for(lambda l: l.successes >= served + 30, deadline_s=RECOVERY_DEADLINE_S, what="30 answers without Redis")
            results["outage_s"] = time.monotonic() - stopped
            self.redis.start()
            results["recovered_after"] = ledger.wait_for(
                lambda l: set(self.cache_states().values()) == {"ok"}, deadline_s=RECOVERY_DEADLINE_S,
                what="/healthz to report the cache ok again",
            )
            for path in ("/usulan/", "/program/", "/uji-publik/"):
                Browser(self.a.base).get(path, timeout=30)
            results["keys_after"] = self.redis.keys()
            served = ledger.successes
            ledger.wait_for(lambda l: l.successes >= served + 20, deadline_s=RECOVERY_DEADLINE_S, what="20 answers after recovery")

        ledger = self.run_clients(8, 0, during=stop_and_start_redis)
        self.log(
            f"      Redis down {results.get('outage_s', 0):.1f} s; {ledger.requests} requests, statuses {dict(sorted(ledger.statuses.items()))}"
        )
        self.check(results.get("before") == {"A": "ok", "B": "ok"}, f"/healthz reported the cache ok before ({results.get('before')})")
        self.check(
            "degraded_after" in results,
            f"/healthz on both instances reports \"cache\": \"degraded\" (after {results.get('degraded_after', 0):.1f} s), and answers 200",
        )
        pages = results.get("pages", {})
        self.check(bool(pages) and all(statuses == {200} for statuses in pages.values()), f"public pages served by both instances without Redis: {pages}")
        self.check(not ledger.server_errors, f"no 5xx and no dropped connection while Redis was down ({len(ledger.server_errors)}: {ledger.server_errors[:3]})")
        throttle = results.get("throttle", (None, None))
        self.check(throttle == (True, True), f"logins still limited without Redis: 5 wrong passwords accepted as attempts, then even the right one refused {throttle}")
        self.check(
            "recovered_after" in results and results.get("keys_after", 0) > 0,
            f"Redis back: /healthz reports the cache ok after {results.get('recovered_after', 0):.1f} s and pages are cached in Redis again "
            f"({results.get('keys_after', 0)} keys)",
        )
        self.verify(ledger)

    def login_is_throttled(self) -> tuple[bool, bool]:
        """Five wrong passwords for one account, then the right one: refused while the limit holds."""
        user_id = self.user_ids[-4]
        email = self.manifest["user_email_pattern"].format(i=user_id)
        browser = Browser(self.b.base)
        browser.get("/akun/login/")
        wrong = [browser.post("/akun/login/", {"login": email, "password": "salah-sandi-123"}).status for _ in range(5)]
        right = browser.post("/akun/login/", {"login": email, "password": self.manifest["password"]})
        refused = right.status in (200, 429) and not browser.cookie("sessionid") and b"Terlalu banyak" in right.body
        return wrong == [200] * 5, refused

    # --- 7. backup and restore --------------------------------------------------------------------

    def backup_restores_every_acknowledged_write(self) -> None:
        import psycopg

        from bench.common import production_env

        self.log("7. a backup (make backup) restored into a fresh cluster (make restore) holds every acknowledged write")
        folder = Path(tempfile.mkdtemp(prefix=f"portal-loadtest-{RUN_ID}-backups-"))
        env = production_env(self.db_url, PG_BIN=str(PG_BIN), MEDIA_ROOT=str(folder / "media"))
        env.pop("MEDIA_STORAGE_URL", None)
        started = time.monotonic()
        made = subprocess.run([sys.executable, "manage.py", "backup", "--to", str(folder)], env=env, capture_output=True, text=True)
        if made.returncode != 0:
            raise Failure(f"manage.py backup failed: {made.stderr.strip()[-1500:]}")
        backup = Path(made.stdout.strip().splitlines()[-1])
        self.fresh = self.new_cluster(None, "restored")
        restored_url = database_url(self.db_name, port=self.fresh.port)
        with psycopg.connect(database_url("postgres", port=self.fresh.port), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.db_name}"')
        restore_env = production_env(restored_url, PG_BIN=str(PG_BIN), MEDIA_ROOT=str(folder / "restored-media"))
        restore_env.pop("MEDIA_STORAGE_URL", None)
        restored = subprocess.run([sys.executable, "manage.py", "restore", str(backup)], env=restore_env, capture_output=True, text=True)
        if restored.returncode != 0:
            raise Failure(f"manage.py restore failed: {restored.stderr.strip()[-1500:]}")
        took = time.monotonic() - started
        supports = set().union(*(ledger.supports for ledger in self.ledgers))
        comments = set().union(*(ledger.comments for ledger in self.ledgers))
        responses = set().union(*(ledger.responses for ledger in self.ledgers))
        tables = ("participation_support", "participation_comment", "consultations_response", "participation_proposal", "accounts_user")
        with psycopg.connect(restored_url) as fresh, psycopg.connect(self.db_url) as primary:
            found_supports = set(fresh.execute("SELECT user_id, proposal_id FROM participation_support").fetchall())
            found_comments = {row[0] for row in fresh.execute("SELECT id FROM participation_comment").fetchall()}
            found_responses = set(fresh.execute("SELECT author_id, consultation_id FROM consultations_response").fetchall())
            counts = {t: (primary.execute(f"SELECT count(*) FROM {t}").fetchone()[0], fresh.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}
        missing = len(supports - found_supports) + len(comments - found_comments) + len(responses - found_responses)
        self.log(f"      backup {backup.name} ({(backup / 'database.dump').stat().st_size // 1024} KiB) made and restored in {took:.1f} s")
        self.check(
            missing == 0,
            f"every acknowledged write of this run is in the restored database: {len(supports)} supports, {len(comments)} comments, "
            f"{len(responses)} responses ({missing} missing)",
        )
        self.check(all(a == b for a, b in counts.values()), f"the restored database has the primary's rows: {counts}")
        shutil.rmtree(folder, ignore_errors=True)

    # --- main -----------------------------------------------------------------------------------

    def edge_cache_in_front(self) -> None:
        from bench import edge

        self.log("2d. docs/nginx.conf in front of instance A: public pages from its cache, static files from disk")
        cookie = f"sessionid={self.session_for(self.user_ids[-4])}"
        edge.check(self.a.base.removeprefix("http://"), ROOT / "staticfiles", session_cookie=cookie, check=self.check, log=self.log)

    def run(self) -> int:
        started = time.perf_counter()
        try:
            self.setup()
            self.two_instances_share_sessions()
            self.file_uploaded_through_a_is_served_by_b()
            self.mixed_load()
            self.own_comment_before_the_replica_has_it()
            self.anonymous_visitors_read_the_replica()
            self.edge_cache_in_front()
            self.crowd_supports_one_proposal()
            self.one_citizen_ten_threads()
            self.database_restart()
            self.redis_outage()
            self.backup_restores_every_acknowledged_write()
        except Exception as error:  # the script must always stop and clean up
            self.failures.append(f"{type(error).__name__}: {error}")
            self.log(f"  FAIL  {type(error).__name__}: {error}")
        finally:
            for server in (getattr(self, "a", None), getattr(self, "b", None)):
                if server:
                    server.stop()
            if hasattr(self, "s3"):
                self.s3.stop()
            if hasattr(self, "redis"):
                self.redis.stop()
                shutil.rmtree(self.redis.folder, ignore_errors=True)
            for cluster in (getattr(self, "replica", None), getattr(self, "cluster", None), getattr(self, "fresh", None)):
                if cluster and not self.args.keep:
                    cluster.destroy()
        self.log(f"{'FAILED' if self.failures else 'passed'}: {len(self.failures)} failure(s) in {time.perf_counter() - started:.0f} s")
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "loadtest.txt").write_text("\n".join(self.report) + "\n")
        return 1 if self.failures else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of mixed load")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--scale", type=float, default=0.01, help="seed scale for the throwaway database")
    parser.add_argument("--pg-port", type=int, default=None, help="default: a free port from the system")
    parser.add_argument("--port-a", type=int, default=None, help="default: a free port from the system")
    parser.add_argument("--port-b", type=int, default=None, help="default: a free port from the system")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway cluster (for debugging)")
    return LoadTest(parser.parse_args(argv)).run()


if __name__ == "__main__":
    sys.exit(main())
