"""gunicorn settings for production: `gunicorn -c config/gunicorn.py config.wsgi:application`.

Everything can be set by environment variable (or overridden on the command line):
PORT (8000), WEB_CONCURRENCY (3 workers), GUNICORN_TIMEOUT (30 s), and METRICS_PORT: a second,
internal port on which only /metrics answers (config/metrics.py); the Kubernetes Service and
the Ingress expose PORT alone, Prometheus scrapes the pods on METRICS_PORT.
"""

import os
import tempfile

_port = os.environ.get("PORT", "8000")
_metrics_port = os.environ.get("METRICS_PORT", "")

bind = [f"0.0.0.0:{_port}"] + ([f"0.0.0.0:{_metrics_port}"] if _metrics_port else [])
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Kubernetes sends SIGTERM and waits terminationGracePeriodSeconds: finish what is in flight.
graceful_timeout = 20
accesslog = "-"
# Behind the Ingress controller / reverse proxy; the portal itself decides what to trust (TRUSTED_PROXY_COUNT).
forwarded_allow_ips = "*"


def on_starting(server):
    """Workers share their metrics through files in one folder, emptied at each start (stale files would add up)."""
    if not _metrics_port:
        return
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="portal-metrics-")
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):  # prometheus_client's files only, whatever else the folder holds
            os.remove(os.path.join(folder, name))
    # Set before any worker imports prometheus_client: it picks its storage when first imported.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
