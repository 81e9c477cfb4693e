"""docs/nginx.conf in front of a running portal: public pages from nginx's cache, static files from disk.

    python -m bench.edge --upstream 127.0.0.1:8170 [--session-cookie KEY]

`make loadtest` runs `check()` against its instance A when nginx is installed (Debian: nginx-light);
without nginx the check says so and is skipped. The example config is used as written, with only
its four marked values (cache folder, upstream, listen port, static root) replaced, so the file
in docs/ is what is tested.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.common import ROOT

EXAMPLE = ROOT / "docs" / "nginx.conf"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, cookie: str = "") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1", **({"Cookie": cookie} if cookie else {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Nginx:
    def __init__(self, upstream: str, static_root: Path):
        self.folder = Path(tempfile.mkdtemp(prefix="portal-nginx-"))
        self.port = _free_port()
        site = EXAMPLE.read_text()
        for old, new in (
            ("/var/cache/nginx/partisipasi", str(self.folder / "cache")),
            ("server 127.0.0.1:8000;", f"server {upstream};"),
            ("listen 80;", f"listen 127.0.0.1:{self.port};"),
            ("/srv/partisipasi/staticfiles/", f"{static_root}/"),
            ("server_name partisipasi.example.go.id;", "server_name 127.0.0.1;"),
        ):
            if old not in site:
                raise RuntimeError(f"docs/nginx.conf no longer contains {old!r}")
            site = site.replace(old, new)
        temp = self.folder / "temp"
        temp.mkdir()
        # Workers run as the current user, so they read STATIC_ROOT and write the cache folder like the master.
        (self.folder / "nginx.conf").write_text(
            (f"user {getpass.getuser()};\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\npid {self.folder}/nginx.pid;\nerror_log {self.folder}/error.log warn;\n"
            "events { worker_connections 256; }\n"
            "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n"
            f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
            f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
            + site
            + "\n}\n"
        )
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Nginx":
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not listen within 10 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def available() -> bool:
    return bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists())


def check(upstream: str, static_root: Path, *, session_cookie: str, check, log) -> None:
    """Run docs/nginx.conf in front of `upstream` (host:port) and check what it caches and serves."""
    if not available():
        log("  skip  nginx is not installed (apt-get install nginx-light): the example config was not run")
        return
    with Nginx(upstream, static_root) as nginx:
        path = "/usulan/"
        _, direct_headers, direct = _get(f"http://{upstream}{path}")
        first = _get(nginx.base + path)
        second = _get(nginx.base + path)
        check(first[0] == 200 and second[0] == 200, f"nginx passes public pages through ({first[0]}, {second[0]})")
        check(
            second[1].get("X-Cache-Status") == "HIT",
            f"the second anonymous request is served from nginx's cache (X-Cache-Status {first[1].get('X-Cache-Status')} then "
            f"{second[1].get('X-Cache-Status')}; the portal said Cache-Control: {direct_headers.get('Cache-Control')})",
        )
        check(second[2] == direct, "the cached page is the portal's page, byte for byte")
        personal = _get(nginx.base + path, cookie=session_cookie)
        check(
            personal[1].get("X-Cache-Status") == "BYPASS" and b"Keluar" in personal[2],
            f"a signed-in visitor bypasses the cache and gets a personal page (X-Cache-Status {personal[1].get('X-Cache-Status')})",
        )
        check("no-store" in personal[1].get("Cache-Control", ""), "the personal page says no-store")
        stylesheet = re.search(rb'<link rel="stylesheet" href="([^"]+)"', direct)
        if stylesheet:
            static_path = stylesheet.group(1).decode()
            status, headers, body = _get(nginx.base + static_path)
            on_disk = (static_root / static_path.removeprefix("/static/")).read_bytes()
            check(
                status == 200 and body == on_disk and "immutable" in headers.get("Cache-Control", ""),
                f"nginx serves {static_path} from STATIC_ROOT with a long, immutable lifetime ({status}, {headers.get('Cache-Control')})",
            )
        else:
            check(False, "the page links its stylesheet")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="host:port of a running portal (production settings)")
    parser.add_argument("--session-cookie", default="", help="sessionid=... of a signed-in person")
    parser.add_argument("--static-root", default=str(ROOT / "staticfiles"))
    args = parser.parse_args(argv)
    failures = []

    def check_(condition, message):
        print(("  ok    " if condition else "  FAIL  ") + message)
        if not condition:
            failures.append(message)

    check(args.upstream, Path(args.static_root), session_cookie=args.session_cookie, check=check_, log=print)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
