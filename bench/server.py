"""Start and stop gunicorn for the benchmark and the load test, and read its workers' memory."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.common import PYTHON, ROOT, production_env

GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def collectstatic(db_url: str) -> None:
    """Production settings use whitenoise's manifest storage: templates need the collected files."""
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=production_env(db_url),
        check=True,
    )


class Gunicorn:
    """One gunicorn master with N sync workers on 127.0.0.1:<port>, production settings."""

    def __init__(
        self, db_url: str, *, port: int, workers: int = 3, log_path: Path | None = None, metrics_port: int | None = None, **env: str
    ):
        self.db_url = db_url
        self.port = port
        self.workers = workers
        self.metrics_port = metrics_port
        if metrics_port:
            # config/gunicorn.py pools the workers' metrics in this folder and serves them on the second bind.
            env.update(METRICS_PORT=str(metrics_port), PROMETHEUS_MULTIPROC_DIR=tempfile.mkdtemp(prefix="portal-bench-metrics-"))
        self.env = production_env(db_url, **env)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, wait_path: str = "/healthz", timeout: float = 30) -> "Gunicorn":
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        metrics = ["-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{self.metrics_port}"] if self.metrics_port else []
        self.process = subprocess.Popen(
            [
                GUNICORN,
                *metrics,
                "config.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers),
                "--worker-class", "sync",
                "--timeout", "60",
                "--graceful-timeout", "5",
                "--access-logfile", "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn on port {self.port} exited with {self.process.returncode}{self._log_tail()}")
            try:
                with urllib.request.urlopen(self.base + wait_path, timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) == self.workers:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn on port {self.port} did not answer {wait_path} within {timeout} s{self._log_tail()}")

    def _log_tail(self, lines: int = 15) -> str:
        """The end of its log, so the cause of a failed start is on the caller's own output."""
        if not self.log_path or not Path(self.log_path).exists():
            return ""
        tail = Path(self.log_path).read_text(errors="replace").splitlines()[-lines:]
        return "; its log ends:\n    " + "\n    ".join(tail)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def scrape(self) -> dict[str, float]:
        """The instance's Prometheus metrics (all workers), as {'name{labels}': value}."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as response:
            text = response.read().decode()
        return {name: float(value) for name, _, value in (line.rpartition(" ") for line in text.splitlines() if line and line[0] != "#")}

    def __enter__(self) -> "Gunicorn":
        return self.start() if self.process is None else self

    def __exit__(self, *exc) -> None:
        self.stop()

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc (each gunicorn worker is one process)."""
        if not self.process:
            return []
        master = self.process.pid
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces; the parent pid is the 2nd field after ')'.
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == master:
                pids.append(int(entry))
        return sorted(pids)

    def worker_memory(self) -> dict[int, dict[str, int]]:
        """VmHWM (peak resident set) and VmRSS of each worker, in KiB."""
        memory = {}
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            values = {}
            for line in status.splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    values[key] = int(rest.split()[0])
            memory[pid] = values
        return memory
