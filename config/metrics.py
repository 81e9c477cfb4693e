"""Prometheus metrics for operators, on an internal port only.

What is measured, and by what:
- request latency and counts by view, method and status: django-prometheus's middleware;
- database queries and errors per connection alias (primary, replicas): django-prometheus's
  database backends, which settings put in place of Django's own (same behaviour, plus counters);
- cache errors: `portal_cache_errors_total{cache}`, counted by `count_cache_error(alias)` where a
  cache failure is caught and degraded (the fail-safe cache of issue 12 calls it); a failure that
  is not caught shows as a 5xx in the request counters;
- task queue depth and failed email deliveries: read from the database at each scrape
  (`QueueCollector`), because the worker that sends emails is another process, often another pod.

Every gunicorn worker is its own process: with PROMETHEUS_MULTIPROC_DIR set (config/gunicorn.py
does it) they share their numbers through files in that folder, and a scrape of any worker
returns the sum.

The endpoint answers only on METRICS_PORT, a second port gunicorn listens on (config/gunicorn.py)
that the Service and Ingress never expose; on the public port /metrics is an ordinary 404.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

logger = logging.getLogger("portal.metrics")

cache_errors = Counter(
    "portal_cache_errors", "Cache operations that failed and were degraded or sent to the fallback cache", ["cache"]
)


def count_cache_error(alias: str) -> None:
    cache_errors.labels(cache=alias).inc()


class QueueCollector:
    """Gauges computed from the database at scrape time: work waiting for the worker, emails that failed."""

    def collect(self):
        from django.db import DatabaseError
        from django.db.models import Count, Min
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from notifications.models import Notification

        depth = GaugeMetricFamily("portal_task_queue_depth", "Tasks ready to run and not yet picked up", labels=["queue"])
        oldest = GaugeMetricFamily(
            "portal_task_queue_oldest_seconds", "Age of the oldest task waiting to run (0 when none waits)", labels=["queue"]
        )
        emails = GaugeMetricFamily(
            "portal_notification_emails",
            "Notification emails waiting to be sent (pending) and given up after every retry (failed)",
            labels=["status"],
        )
        up = GaugeMetricFamily("portal_metrics_database_up", "1 when the queue gauges could be read from the database")
        now = timezone.now()
        try:
            waiting = (
                DBTaskResult.objects.using("default").ready().values("queue_name")
                .annotate(count=Count("id"), enqueued=Min("enqueued_at")).order_by()
            )
            for row in waiting:
                depth.add_metric([row["queue_name"]], row["count"])
                oldest.add_metric([row["queue_name"]], max(0.0, (now - row["enqueued"]).total_seconds()))
            statuses = dict.fromkeys((Notification.Email.PENDING, Notification.Email.FAILED), 0)
            counted = (
                Notification.objects.using("default").filter(email_status__in=statuses)
                .values("email_status").annotate(count=Count("id")).order_by()
            )
            statuses.update({row["email_status"]: row["count"] for row in counted})
            for status, count in statuses.items():
                emails.add_metric([status], count)
            up.add_metric([], 1)
        except DatabaseError as error:
            # The scrape still answers (with request and error counters): that is when operators need them.
            logger.warning("metrics: queue gauges unavailable (%s)", type(error).__name__)
            up.add_metric([], 0)
        yield from (depth, oldest, emails, up)


def registry() -> CollectorRegistry:
    """This process's metrics, or every worker's when they share PROMETHEUS_MULTIPROC_DIR."""
    from prometheus_client import REGISTRY, multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
    else:
        collected = REGISTRY
    return collected


class MetricsEndpoint:
    """First in the middleware: on METRICS_PORT answer /metrics (and nothing else); elsewhere pass on.

    It runs before host checks, TLS redirects and request logging, because Prometheus scrapes the
    pod address over plain HTTP every few seconds and none of that applies to it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.port = str(settings.METRICS_PORT) if settings.METRICS_PORT else None

    def __call__(self, request):
        if self.port is None or request.META.get("SERVER_PORT") != self.port:
            return self.get_response(request)
        if request.path != "/metrics" or request.method not in ("GET", "HEAD"):
            return HttpResponseNotFound(b"not found", content_type="text/plain")
        scraped = registry()
        output = generate_latest(scraped)
        queue = CollectorRegistry()
        queue.register(QueueCollector())
        output += generate_latest(queue)
        return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)
