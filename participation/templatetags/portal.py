"""Template helpers shared by every page."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from accounts import rights

register = template.Library()

_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)


@register.filter
def plain_text(value: str) -> str:
    """User text as HTML: everything escaped, line breaks kept, web links made clickable."""
    escaped = escape(value or "")

    def link(match):
        url = match.group(0)
        trailing = ""
        while url and url[-1] in ".,;:!?)":
            trailing = url[-1] + trailing
            url = url[:-1]
        return f'<a href="{url}" rel="nofollow ugc noopener" target="_blank">{url}</a>{trailing}'

    linked = _URL.sub(link, escaped)
    paragraphs = [p.replace("\n", "<br>") for p in re.split(r"\n{2,}", linked.replace("\r\n", "\n").strip())]
    return mark_safe("".join(f"<p>{p}</p>" for p in paragraphs if p))


@register.filter
def rupiah(value) -> str:
    if value in (None, ""):
        return "—"
    return "Rp" + f"{int(value):,}".replace(",", ".")


@register.filter
def is_verified(user) -> bool:
    return rights.is_verified(user)


@register.simple_tag
def query_with(request, key, value) -> str:
    """The current query string with one parameter replaced (for pagination and sort links)."""
    params = request.GET.copy()
    params[key] = value
    return params.urlencode()


@register.simple_tag
def can(user, action, obj) -> bool:
    return rights.can(user, action, obj)


@register.filter
def status_badge(status: str) -> str:
    colours = {
        "published": "",
        "under_review": "badge-amber",
        "accepted": "badge-green",
        "rejected": "badge-red",
        "declined": "badge-red",
        "withdrawn": "badge-red",
        "submitted": "badge-amber",
        "draft": "",
    }
    return colours.get(status, "")


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def is_moderator(user) -> bool:
    return rights.is_moderator(user)


@register.filter
def can_read_audit_log(user) -> bool:
    return rights.can_read_audit_log(user)


@register.filter
def can_use_workspace(user) -> bool:
    return rights.can_use_workspace(user)


# --- confirmations shown where the action happened -------------------------------------------------
# A view that wants its message beside the button that caused it adds extra_tags=at("dukungan") and
# redirects to "#dukungan"; the page shows it there with includes/messages_at.html. The top of the
# page shows only the others, and the end of the page whatever no place picked up (never lost).

PLACE_PREFIX = "at:"


def _place_of(message) -> str:
    tags = getattr(message, "extra_tags", "") or ""
    return tags[len(PLACE_PREFIX):] if tags.startswith(PLACE_PREFIX) else ""


@register.filter
def unplaced(messages) -> list:
    return [message for message in messages or [] if not _place_of(message)]


@register.filter
def placed(messages, place) -> list:
    here = [message for message in messages or [] if _place_of(message) == str(place)]
    for message in here:
        message.shown_in_place = True
    return here


@register.filter
def placed_elsewhere(messages) -> list:
    """Placed messages whose place the page did not show."""
    return [m for m in messages or [] if _place_of(m) and not getattr(m, "shown_in_place", False)]
