"""The "Kerja (7)" number in the main menu, kept in the shared cache between an official's pages.

Counting it (`queries.waiting_total`) is one large query: about 15 ms of SQL and as much again of
building the query in the ORM, on every page an official or a moderator opens. The number changes
far less often than they open pages, so it is kept per person in the default cache, beside a
"workspace data version" and read together with it in one `get_many` (with the database cache
every read is a query).

An entry is used only while it is still true:
- the data version is renewed, once the change is committed, by every save or delete of a model the
  count reads (signals connected in workspace.apps); a count stored under an older version is
  counted again;
- the entry carries the person's roles and units (accounts.summary), so a new right is a new count;
- opening /kerja/ moves the person's "new since" marker, so `queries.record_visit` drops the entry;
- the count also follows the clock (a phase becomes overdue, a report window ends), which no signal
  tells: an entry lives at most WORKSPACE_COUNT_SECONDS.

/kerja/ itself always counts exactly (queries.workspace). A cache that fails reads as empty
(config/cache.py), so the count is then computed on every page, as it was before.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts import summary

DATA_VERSION_KEY = "workspace-data-version"


def _entry_key(user_id) -> str:
    return f"workspace-count:v1:{user_id}"


def count(user) -> int:
    """The menu's number for someone who may use the workspace (the caller checks that)."""
    from workspace.queries import waiting_total

    seconds = settings.WORKSPACE_COUNT_SECONDS
    if seconds <= 0:
        return waiting_total(user)
    key = _entry_key(user.pk)
    stored = cache.get_many([DATA_VERSION_KEY, key])
    version = stored.get(DATA_VERSION_KEY)
    if version is None:
        # Set before counting: a change committed while we count renews it again, so a count that
        # missed the change is never stored under the version that follows it.
        version = uuid.uuid4().hex
        cache.set(DATA_VERSION_KEY, version, None)
    stamp = f"{version}|{summary.rights_stamp(user)}"
    entry = stored.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    total = waiting_total(user)
    cache.set(key, (stamp, total), seconds)
    return total


def data_changed(**kwargs) -> None:
    """A new data version once the change is committed.

    A signal receiver; code that changes what the count reads with a queryset `update()` (which sends
    no signal) calls it too. Only after the commit: a count taken before then, stored under the
    new version, would stay wrong.
    """
    transaction.on_commit(lambda: cache.set(DATA_VERSION_KEY, uuid.uuid4().hex, None))


def forget(user_id) -> None:
    """Drop the person's stored count (their "new since" marker moved); inside a transaction, again after it commits."""
    key = _entry_key(user_id)
    cache.delete(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: cache.delete(key))
