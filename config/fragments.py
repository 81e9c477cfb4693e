"""Rendered pieces of pages kept per version of their data: the fragment cache.

A card, a comment, a consultation response or a phase timeline is rendered once per version of
the data it shows and language, then reused by every page and every visitor that shows the same
version. The key is made of the values the fragment depends on (object id, `updated_at` or the
fields that change, counters, the viewer's rights on it, the language), so a change to any of
them is a new key: the very request after a support, a new comment, a phase move or a hidden
item renders the new version. Nothing needs to be deleted when data changes, and nothing stale
can be served; superseded versions age out of the cache (least recently used first).

The fragments live in the `fragments` cache (settings.CACHES), by default a bounded in-process
cache in each worker: reading one costs no query and no network, which matters because a page
holds 20 to 50 of them. FRAGMENT_CACHE_SECONDS=0 turns the fragment cache off.

CSRF tokens are personal, so a fragment never stores one: it is rendered with a placeholder in
place of the token and the real token of the request is put in on the way out, exactly where
`{% csrf_token %}` would have written it.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.utils.functional import LazyObject, Promise
from django.utils.translation import get_language

CSRF_PLACEHOLDER = "csrf-placeholder-fragment-cache"
_CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}">'


def enabled() -> bool:
    return settings.FRAGMENT_CACHE_SECONDS > 0


def key(name: str, parts) -> str:
    # repr() tells 1 from "1" and None from "None"; a lazy translation is its text, not its address.
    raw = "\x1f".join(str(part) if isinstance(part, (Promise, LazyObject)) else repr(part) for part in parts)
    digest = hashlib.md5(raw.encode(), usedforsecurity=False).hexdigest()
    return f"fragment:{name}:{get_language()}:{digest}"


def get_or_render(name: str, parts, render) -> str:
    """The fragment's HTML for these parts, rendered by `render()` (with the placeholder token) when missing."""
    try:
        cache = caches["fragments"]
    except InvalidCacheBackendError:  # settings without the alias (a test's own CACHES): render every time
        return render()
    cache_key = key(name, parts)
    html = cache.get(cache_key)
    if html is None:
        html = render()
        cache.set(cache_key, html, settings.FRAGMENT_CACHE_SECONDS)
    return html


REFERENCE_VERSION_KEY = "fragment-reference-version"


def reference_version() -> str:
    """Changes whenever a category, region or work unit changes (signals below): the filter forms show them all."""
    from django.core.cache import cache

    version = cache.get(REFERENCE_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(REFERENCE_VERSION_KEY, version, None)
    return version


def reference_data_changed(**kwargs) -> None:
    """A new version once the change is committed: a page rendered before it cannot be stored under the new one."""
    from django.core.cache import cache
    from django.db import transaction

    transaction.on_commit(lambda: cache.set(REFERENCE_VERSION_KEY, uuid.uuid4().hex, None))


def form_state(form) -> tuple:
    """What a bound form's fields render from: the submitted values of its fields (nothing for an unbound form)."""
    if not form.is_bound:
        return ()
    return tuple((name, form.data.getlist(name) if hasattr(form.data, "getlist") else form.data.get(name)) for name in form.fields)


def with_csrf_token(html: str, token) -> str:
    """Put the request's token where the placeholder is; where a page has no token, nothing, as Django does."""
    if CSRF_PLACEHOLDER not in html:
        return html
    if not token or token == "NOTPROVIDED":
        return html.replace(_CSRF_INPUT, "").replace(CSRF_PLACEHOLDER, "")
    return html.replace(CSRF_PLACEHOLDER, str(token))
