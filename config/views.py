import logging
import sys

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from config.home import home_sections
from config.shared_pages import shared_for_signed_in

logger = logging.getLogger("portal.health")


@shared_for_signed_in
def home(request):
    user = request.user
    # Lazy: the sections are a fragment (home.html), so their queries run only when it is built. The
    # fragment is not keyed by reader: every section shows public data alike to all (programs'
    # visible_to is everything); a section that ever differs by reader must go into the key.
    context = {"page": "home", "home": SimpleLazyObject(lambda: home_sections(user)), "clock_minute": timezone.now().strftime("%Y%m%d%H%M")}
    return render(request, "home.html", context)


def switch_language(request):
    """Remember the chosen interface language in a cookie and go back where the visitor was.

    A GET on purpose: choosing a language changes nothing of value, and a form without a CSRF
    token keeps public pages free of per-visitor content, so they can be cached.
    """
    language = request.GET.get("language", "")
    next_url = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@never_cache
def healthz(request):
    """The truth about this process and its dependencies, as JSON, for load balancers and operators.

    /healthz: 200 with {"status": "ok"} when the database and the cache answer; 200 with
    {"status": "degraded", "cache": "degraded"} when only the cache fails (pages are rendered
    without it); 503 when the primary database does not answer. Replicas are reported, never fatal.
    /healthz?ready: as /healthz without the replicas, and 503 too until every migration is applied
    (a new release's pods wait for the migration Job). /healthz?live: 200 as long as the process answers (liveness: a
    database outage is no reason to restart the web pods).
    """
    if "live" in request.GET:
        return JsonResponse({"status": "ok"})
    body = {"database": _database_state(DEFAULT_DB_ALIAS), "cache": _cache_state()}
    # Readiness depends on the primary alone: a replica that hangs must not time the probe out.
    replicas = {} if "ready" in request.GET else {
        alias: _database_state(alias) for alias in settings.DATABASES if alias != DEFAULT_DB_ALIAS
    }
    if replicas:
        body["replicas"] = replicas
    if "ready" in request.GET and body["database"] == "ok":
        body["migrations"] = "applied" if _migrations_applied() else "pending"
    if body["database"] != "ok" or body.get("migrations") == "pending":
        logger.error("health check failed: %s", body)
        return JsonResponse({"status": "error", **body}, status=503)
    healthy = body["cache"] == "ok" and all(state == "ok" for state in replicas.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **body})


def _database_state(alias: str) -> str:
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close()  # the next request starts with a new connection
        return "unreachable"
    return "ok"


def _cache_state() -> str:
    from django.core.cache import cache

    check = getattr(cache, "check", None)  # config.cache.FailSafeCache; another backend is not probed
    return check() if check else "ok"


_all_migrations_applied = False


def _migrations_applied() -> bool:
    """Whether the primary has every migration this release ships (remembered once true: it stays so)."""
    global _all_migrations_applied
    if not _all_migrations_applied:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _all_migrations_applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _all_migrations_applied


def bench_ceiling(request):
    """The benchmark's ceiling: the full middleware stack and nothing else (no template, no query)."""
    return HttpResponse(b"ok", content_type="text/plain")


@requires_csrf_token
def permission_denied(request, exception=None):
    # Refused actions are security events: someone tried a path the rights module closed. A refusal
    # raised by `rights.require` (or the scoped admin) carries what was tried on which object.
    from audit.events import log_refusal

    log_refusal(request, action=getattr(exception, "action", ""), target=getattr(exception, "target", None))
    return render(request, "403.html", {"page": "error"}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", {"page": "error"}, status=404)


@requires_csrf_token
def server_error(request):
    """500, or 503 when what failed was the database, wherever in the stack it was raised.

    Django calls this for an exception from a view and from any middleware (the session and
    user lookups in middleware run before a view, so DatabaseUnavailable's process_exception
    never sees them). Rendered without a request context: whatever broke may break the context
    processors too.
    """
    from config.middleware import database_unavailable_response, is_database_outage

    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable_response(request)
    return HttpResponseServerError(loader.get_template("500.html").render({}))
