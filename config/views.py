import logging

from django.db import connection
from django.db.utils import DatabaseError
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from config.home import home_sections

logger = logging.getLogger("portal.health")


def home(request):
    return render(request, "home.html", {"page": "home", **home_sections(request.user)})


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
    """200 when the database answers a query, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.error("health check failed: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


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
    # Rendered without a request context: whatever broke may break the context processors too.
    return HttpResponseServerError(loader.get_template("500.html").render({}))
