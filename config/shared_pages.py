"""Public pages for signed-in people: built once per version of the public data, then shared.

The home page and the lists of proposals, programs and consultations show the same thing to
everyone signed in with the same standing (roles, work units, verified email): the only personal
parts are in the header (name, unread count, the "Kerja (n)" count, the sign-out form) and the
CSRF tokens. So such a page is built once, stored with those parts left out, and every later
request of someone of the same standing gets the stored page with their own parts put back in,
which costs a fraction of building it. The page of one proposal, program or consultation is
shared the same way among readers in the same relation to it (`reader_state_of`): supporting or
following it is part of the key; its author, and anyone who commented, rated or responded there,
gets a copy of their own.

Never stale for what people do: the stored page carries the public data version, which every
saved or deleted proposal, support, comment, program, phase, consultation, response, Musrenbang
item, category, region, work unit or person (their name) renews (signals, now and again when the
transaction commits), so the very next request after a change builds the page anew. Text derived from the clock (a
consultation closing, "3 hari lagi") may lag by SHARED_PAGE_SECONDS, as for anonymous visitors.

A request that has a message to show (after an action) is always built, and never stored.
SHARED_PAGE_SECONDS=0 turns this off. A failing cache only means pages are built every time.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from functools import wraps
from urllib.parse import quote, unquote

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from config import fragments

PUBLIC_DATA_VERSION_KEY = "public-data-version"
# Apps whose every model is shown on the shared pages (directly or through counters and names).
PUBLIC_APPS = frozenset({"participation", "programs", "consultations", "musrenbang"})
# And these: work units are named on cards, people's display names on their comments and
# responses (a new name, or a deleted account's contributions shown as "Warga", at once).
PUBLIC_MODELS = frozenset({"accounts.WorkUnit", "accounts.User"})
# The personal parts of a page ({% personal_part %}); nothing else may be rendered into a stored page.
PERSONAL_PARTS = frozenset({"includes/account_nav.html", "includes/workspace_nav.html"})

_PART = re.compile(r"<!--personal:([^:>]+):([^>]*)-->(.*?)<!--/personal-->", re.DOTALL)
_PART_SLOT = re.compile(r"<!--personal:([^:>]+):([^>]*)-->")
_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_RENDERING_FLAG = "_shared_page_rendering"


def enabled() -> bool:
    return settings.SHARED_PAGE_SECONDS > 0


def public_data_version() -> str:
    version = cache.get(PUBLIC_DATA_VERSION_KEY)
    if version is None:
        version = _renew()
    return version


def _renew() -> str:
    version = uuid.uuid4().hex
    cache.set(PUBLIC_DATA_VERSION_KEY, version, None)
    return version


def public_data_changed(sender=None, **kwargs) -> None:
    """Renew now (this request's next page must not come from before the change) and after commit
    (a page built meanwhile from the data as it was before the commit is not served under it)."""
    from django.db import transaction

    meta = sender._meta
    if meta.app_label not in PUBLIC_APPS and meta.label not in PUBLIC_MODELS:
        return
    if meta.label == "accounts.User" and set(kwargs.get("update_fields") or ()) == {"last_login"}:
        return  # signing in changes nothing anyone else sees
    # A history row is saved with the change it records, which renews already.
    if meta.model_name.startswith("historical") or kwargs.get("action", "post_").startswith("pre_"):
        return
    _renew()
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _renew for entry in connection.run_on_commit):
        return  # one renewal after the commit covers every change of the transaction
    transaction.on_commit(_renew)


def standing(user) -> tuple:
    """What decides how the shared pages look for this person besides their personal parts."""
    from accounts import summary

    summary.load(user)
    return (
        user.is_staff,
        user.is_superuser,
        tuple(sorted(user._cached_role_names)),
        tuple(sorted(user._cached_work_unit_ids)),
        user._cached_is_verified,
    )


def _has_messages(request) -> bool:
    from django.contrib.messages import get_messages

    return len(get_messages(request)) > 0


def _key(request, reader_state: tuple) -> str:
    raw = "\x1f".join(
        (request.get_host(), get_language() or "", request.get_full_path(), repr(standing(request.user)), repr(reader_state))
    )
    return "shared-page:" + hashlib.sha256(raw.encode()).hexdigest()


def rendering_shared(context) -> bool:
    request = context.get("request")
    return bool(request is not None and getattr(request, _RENDERING_FLAG, False))


def render_part(name: str, page: str, request) -> str:
    """A personal part, rendered from the request alone: the same on a built page and a stored one."""
    return get_template(name).render({"page": page}, request)


def mark_part(name: str, page: str, html: str) -> str:
    return f"<!--personal:{name}:{quote(page)}-->{html}<!--/personal-->"


def _fill_parts(stored: str, request) -> str:
    def part(match):
        name = match.group(1)
        if name not in PERSONAL_PARTS:
            raise ValueError(f"unknown personal part {name!r} in a stored page")
        return render_part(name, unquote(match.group(2)), request)

    return _PART_SLOT.sub(part, stored)


def reader_state_of(user, *, author_ids=(), took_part=False, **state) -> tuple:
    """The reader's own relation to a page's item, for the key of its shared copy.

    Authors of the item (or of something on its page: a comment, a response, a source proposal)
    see their own edit and withdraw actions and items only they may see, so their copy is their
    own; everyone else shares by the rest of the state (supported, following, a rating ...).
    """
    if user.pk in author_ids or took_part:
        return ("reader", user.pk, *sorted(state.items()))
    return tuple(sorted(state.items()))


def item_reader_state(model, pk, user, *, author_field: str | None = None, took_part=(), **state) -> tuple | None:
    """The reader's relation to one proposal, program or consultation, in one query (None: no such item).

    Following it is part of the key, with any `state` given (an expression per name, e.g. whether
    the reader supports it); a comment of theirs on it, any of the `took_part` expressions, or
    being its author (`author_field`) gives them a copy of their own."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Exists, OuterRef

    from notifications.models import Follow
    from participation.models import Comment

    on_this = {"content_type": ContentType.objects.get_for_model(model), "object_id": OuterRef("pk")}
    took = Exists(Comment.objects.filter(author=user, **on_this))
    for expression in took_part:
        took = took | expression
    fields = ["following", "took_part", *state, *([author_field] if author_field else [])]
    row = (
        model.objects.filter(pk=pk)
        .annotate(following=Exists(Follow.objects.filter(user=user, **on_this)), took_part=took, **state)
        .values(*fields)
        .first()
    )
    if row is None:
        return None
    author_ids = (row.pop(author_field),) if author_field else ()
    return reader_state_of(user, author_ids=author_ids, took_part=row.pop("took_part"), **row)


def shared_for_signed_in(view=None, *, reader_state=None):
    """Serve the view's page to signed-in people from the shared store (see the module docstring).

    `reader_state(request, *args, **kwargs)` is for pages about one item: it returns what of the
    page belongs to the reader (`item_reader_state`), in one query, or None when the item is not
    there (the view answers, nothing is stored).
    """
    if view is None:
        return lambda view: shared_for_signed_in(view, reader_state=reader_state)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if (
            not enabled()
            or request.method not in ("GET", "HEAD")
            or user is None
            or not user.is_authenticated
            or _has_messages(request)
        ):
            return view(request, *args, **kwargs)
        state = ()
        if reader_state is not None:
            state = reader_state(request, *args, **kwargs)
            if state is None:
                return view(request, *args, **kwargs)
        key = _key(request, state)
        found = cache.get_many([PUBLIC_DATA_VERSION_KEY, key])
        version = found.get(PUBLIC_DATA_VERSION_KEY) or _renew()
        stored = found.get(key)
        if stored is not None and stored[0] == version:
            html = fragments.with_csrf_token(_fill_parts(stored[1], request), get_token(request))
            response = HttpResponse(html)
            response["X-Page-Cache"] = "shared"
            return response
        setattr(request, _RENDERING_FLAG, True)
        try:
            response = view(request, *args, **kwargs)
        finally:
            setattr(request, _RENDERING_FLAG, False)
        if response.status_code != 200 or response.streaming:
            return response
        html = response.content.decode(response.charset)
        if not response.cookies:  # a page that sets a cookie of its own is personal
            without_parts = _PART.sub(lambda m: f"<!--personal:{m.group(1)}:{m.group(2)}-->", html)
            cache.set(key, (version, _CSRF_VALUE.sub(rf"\g<1>{fragments.CSRF_PLACEHOLDER}\g<2>", without_parts)), settings.SHARED_PAGE_SECONDS)
        response.content = _PART.sub(lambda m: m.group(3), html)
        return response

    return wrapper


def personal_part_html(context, name: str) -> str:
    """The part rendered in the page's own context (a view may hand it a number it already has, as
    /kerja/ does); marked for the store when the page is being built to be shared."""
    if name not in PERSONAL_PARTS:
        raise ValueError(f"{name!r} is not in config.shared_pages.PERSONAL_PARTS")
    html = context.template.engine.get_template(name).render(context)
    if not rendering_shared(context):
        return mark_safe(html)
    return mark_safe(mark_part(name, str(context.get("page") or ""), html))
