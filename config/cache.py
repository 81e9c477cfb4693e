"""Caches that degrade instead of failing (issue 12).

The cache only ever makes the portal faster or stricter; a cache that stops answering must not
take a page down. Every operation of these backends is guarded:

- When the cache raises (Redis refused or timed out; the cache table unreachable), the failure is
  counted (`portal_cache_errors_total{cache}`, config/metrics.py), logged as one WARNING per minute
  per cache and kind of failure, and the cache is left alone for RETRY_AFTER seconds in this
  process, so an outage costs one failed attempt every few seconds rather than one per request.
- Meanwhile the operation goes to the FALLBACK cache when one is named: the Redis cache falls back
  to the database cache, so the page cache keeps hitting and the rate limits keep counting, in
  the table every worker shares.
- With no store left, reads miss (the page cache renders the page, fragments are rendered) and
  writes are dropped, except rate-limit histories (keys under FAIL_CLOSED_PREFIXES): one that
  cannot be read counts as full, and allauth's lock around it cannot be taken, so the limited
  action is refused (429), never let through unlimited.

When the failed cache answers again, the next attempt after RETRY_AFTER uses it again. Counts kept
in the fallback during the outage stay there: after recovery a rate limit starts again from the
primary's own history, which is at most one more window of attempts.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError
from redis.exceptions import RedisError

from config.metrics import count_cache_error

logger = logging.getLogger("portal.cache")

WARNING_INTERVAL_S = 60.0
# allauth's rate-limit histories (allauth/core/internal/ratelimit.py) and the lock beside each.
FAIL_CLOSED_PREFIXES = ("allauth:rl:",)
# A history no rate in the portal allows another attempt on: every slot taken, none ever expiring.
_FULL_HISTORY_LENGTH = 10_000


@dataclass
class _Health:
    """One cache's state in this process, shared by its threads (Django makes a cache object per thread)."""

    resting_until: float = 0.0
    warned_at: dict = field(default_factory=dict)  # failure kind -> monotonic time of its last WARNING
    suppressed: dict = field(default_factory=dict)  # failure kind -> failures since that WARNING
    lock: threading.Lock = field(default_factory=threading.Lock)


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(alias: str) -> _Health:
    with _health_lock:
        return _health.setdefault(alias, _Health())


def reset_health() -> None:
    """Forget every failure (tests; a process starts with none)."""
    with _health_lock:
        _health.clear()


class FailSafeCache:
    """Mixin for a Django cache backend; see the module docstring. CACHES entries may name:

    ALIAS: the entry's own alias (for logs and metrics; settings fill it in),
    FALLBACK: the alias of the cache to use while this one fails,
    RETRY_AFTER: seconds this process leaves a failed cache alone (default 5).
    """

    failures: tuple[type[BaseException], ...] = ()

    def __init__(self, location, params):
        self.alias = params.get("ALIAS", "default")
        self.fallback_alias = params.get("FALLBACK")
        self.retry_after = float(params.get("RETRY_AFTER", 5))
        super().__init__(location, params)

    # --- the guard --------------------------------------------------------------------------

    def _guarded(self, operation: str, args: tuple, degraded):
        health = _health_of(self.alias)
        if health.resting_until <= time.monotonic():
            try:
                return getattr(super(), operation)(*args)
            except self.failures as error:
                self._failed(health, error)
        if self.fallback_alias:
            return getattr(caches[self.fallback_alias], operation)(*args)
        return degraded()

    def _failed(self, health: _Health, error: BaseException) -> None:
        count_cache_error(self.alias)
        kind = type(error).__name__
        now = time.monotonic()
        with health.lock:
            health.resting_until = now + self.retry_after
            if now - health.warned_at.get(kind, -math.inf) < WARNING_INTERVAL_S:
                health.suppressed[kind] = health.suppressed.get(kind, 0) + 1
                return
            health.warned_at[kind] = now
            repeated = health.suppressed.pop(kind, 0)
        instead = f"using cache '{self.fallback_alias}'" if self.fallback_alias else "rendering without a cache"
        logger.warning(
            "cache '%s' failed (%s: %s); %s, retrying it every %.0f s%s",
            self.alias, kind, str(error)[:200], instead, self.retry_after,
            f"; {repeated} more failures of this kind in the last minute" if repeated else "",
            extra={"cache": self.alias, "failure": kind},
        )

    def check(self) -> str:
        """'ok' when a value written to this cache reads back now, else 'degraded' (for /healthz).

        A cache that failed within RETRY_AFTER is reported degraded without asking it again: a
        Redis that hangs must not make the health check itself slower than the probe's timeout.
        """
        if _health_of(self.alias).resting_until > time.monotonic():
            return "degraded"
        probe = f"healthz:{time.monotonic_ns()}"
        try:
            super().set(probe, 1, 10)
            answered = super().get(probe)
            super().delete(probe)
        except self.failures as error:
            self._failed(_health_of(self.alias), error)
            return "degraded"
        if answered != 1:
            return "degraded"
        _health_of(self.alias).resting_until = 0.0  # back: no need to wait for the retry time
        return "ok"

    @staticmethod
    def _unreadable(key, default):
        if isinstance(key, str) and key.startswith(FAIL_CLOSED_PREFIXES):
            return [math.inf] * _FULL_HISTORY_LENGTH
        return default

    # --- the operations ------------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._guarded("get", (key, default, version), lambda: self._unreadable(key, default))

    def get_many(self, keys, version=None):
        return self._guarded("get_many", (keys, version), dict)

    def has_key(self, key, version=None):
        return self._guarded("has_key", (key, version), lambda: False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set", (key, value, timeout, version), lambda: None)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("add", (key, value, timeout, version), lambda: False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", (data, timeout, version), lambda: list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", (key, timeout, version), lambda: False)

    def delete(self, key, version=None):
        return self._guarded("delete", (key, version), lambda: False)

    def delete_many(self, keys, version=None):
        return self._guarded("delete_many", (keys, version), lambda: None)

    def incr(self, key, delta=1, version=None):
        def unknown():
            raise ValueError(f"Key '{key}' not found (cache unavailable)")  # what a missing key raises

        return self._guarded("incr", (key, delta, version), unknown)

    def clear(self):
        return self._guarded("clear", (), lambda: None)


class FailSafeRedisCache(FailSafeCache, RedisCache):
    # redis-py wraps socket errors in its own ConnectionError/TimeoutError; OSError for anything it does not.
    failures = (RedisError, OSError)


class FailSafeDatabaseCache(FailSafeCache, DatabaseCache):
    failures = (DatabaseError,)
