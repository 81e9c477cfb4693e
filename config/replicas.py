"""Read replicas: public read-only pages read from a replica, everything else from the primary.

With DATABASE_REPLICA_URLS set, settings add one database alias per replica (`replica_1`, ...) and
this router. A request reads from a replica only when all of these hold:

- it is a GET or HEAD of a public read-only page (PUBLIC_READ_VIEWS: lists, detail pages, change
  histories, feeds, open-data exports, statistics), decided once the URL is resolved;
- the browser wrote nothing in the last REPLICA_PIN_SECONDS: a request that writes anything
  leaves a short-lived cookie, so the citizen who just supported or commented reads the primary
  and sees their change at once, whichever instance serves the next page;
- nothing in this request has written yet, and no transaction is open on the primary;
- the replica answers: one that refuses a connection rests for REPLICA_RETRY_SECONDS while the
  primary serves its reads.

Who is asking is always read from the primary (the session and the user): a replica a moment
behind must not log out someone who just logged in, nor keep a session alive that was just ended.
So is the database cache (rate limits, cached pages and fragments), and filling it is not a
write that pins the browser: an anonymous visitor never gets a cookie for it.
Writes always go to the primary, migrations run only there. Management commands, the task worker
and tests without a request read the primary.
"""

from __future__ import annotations

import contextvars
import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger("portal.database")

PIN_COOKIE = "read_primary_until"
# Namespaced view names whose GET answers only read public data.
PUBLIC_READ_VIEWS = frozenset(
    {
        "home",
        "participation:proposal_list",
        "participation:proposal_detail",
        "participation:proposal_history",
        "programs:program_list",
        "programs:program_detail",
        "programs:program_history",
        "consultations:list",
        "consultations:detail",
        "consultations:history",
        "transparency:data_index",
        "transparency:data_export",
        "transparency:feed_proposals",
        "transparency:feed_program_updates",
        "transparency:feed_program",
        "transparency:feed_consultations",
        "transparency:statistics",
        "musrenbang:cycles",
        "musrenbang:cycle",
        "musrenbang:forums",
        "musrenbang:forum",
        "musrenbang:feed",
    }
)


@dataclass
class RequestRouting:
    replica: str | None = None  # the replica this request reads from, if any
    wrote: bool = False


_routing: contextvars.ContextVar[RequestRouting | None] = contextvars.ContextVar("replica_routing", default=None)
# Per process: replica alias -> monotonic time before which it is not tried again.
_resting_until: dict[str, float] = {}


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


def _is_cache(model) -> bool:
    return model._meta.app_label == "django_cache"  # Django's DatabaseCache entries


def _read_from_primary(model) -> bool:
    return _is_cache(model) or model._meta.label_lower in ("sessions.session", settings.AUTH_USER_MODEL.lower())


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        routing = _routing.get()
        if routing is None or routing.replica is None or routing.wrote or _read_from_primary(model):
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # reads inside a transaction belong with its writes
        return routing.replica

    def db_for_write(self, model, **hints):
        routing = _routing.get()
        if routing is not None and not _is_cache(model):
            routing.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _healthy_replica() -> str | None:
    now = time.monotonic()
    candidates = [alias for alias in replica_aliases() if _resting_until.get(alias, 0.0) <= now]
    random.shuffle(candidates)
    for alias in candidates:
        try:
            connections[alias].close_if_health_check_failed()  # a connection the replica dropped is reopened
            connections[alias].ensure_connection()
        except DatabaseError as error:
            _resting_until[alias] = now + settings.REPLICA_RETRY_SECONDS
            logger.warning(
                "replica %s unreachable (%s); reading from the primary for %s s",
                alias, type(error).__name__, settings.REPLICA_RETRY_SECONDS,
            )
            continue
        return alias
    return None


def _pinned_to_primary(request) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


class ReplicaRoutingMiddleware:
    """Decides per request whether its reads may go to a replica, and pins a writer to the primary.

    Sits before the session middleware, so a session saved at the end of a request counts as a write.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = bool(replica_aliases())

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        routing = RequestRouting()
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if routing.wrote:
            pin = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + pin:.0f}",
                max_age=pin,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        routing = _routing.get()
        if (
            routing is not None
            and not routing.wrote
            and request.method in ("GET", "HEAD")
            and request.resolver_match.view_name in PUBLIC_READ_VIEWS
            and not _pinned_to_primary(request)
        ):
            routing.replica = _healthy_replica()
        return None
