"""What every page needs to know about the signed-in person, in one cache read per request.

The header, the staff second-factor check and the participation rights ask for the person's
roles, the work units they act for, whether their email address is verified and how many
notifications are unread. Computed, that is four queries on every page; here they are kept
together in the shared cache under one key per person and read once per request (the first
question loads them all onto the user object, see `accounts.rights`).

Whatever changes one of them drops the key (`forget`): role groups (m2m_changed), work-unit
rights (guardian rows), email addresses and notifications (signals), marking notifications read
(notifications.services). The entry also expires after SUMMARY_SECONDS, a bound for any change
made behind Django's back (raw SQL, a queryset update in a shell).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

SUMMARY_SECONDS = 300
_ATTRIBUTES = ("_cached_role_names", "_cached_is_verified", "_cached_work_unit_ids", "_cached_unread_notifications")


def _key(user_id) -> str:
    return f"user-summary:v1:{user_id}"


def _compute(user) -> dict:
    from allauth.account.models import EmailAddress

    from accounts.models import WorkUnitUserObjectPermission
    from accounts.rights import WORK_UNIT_PERMISSION

    app_label, codename = WORK_UNIT_PERMISSION.split(".")
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "units": sorted(
            WorkUnitUserObjectPermission.objects.filter(
                user=user, permission__codename=codename, permission__content_type__app_label=app_label
            ).values_list("content_object_id", flat=True)
        ),
        "verified": EmailAddress.objects.filter(user=user, verified=True).exists(),
        # News about items hidden since is not counted (notifications.models.NotificationQuerySet.shown).
        "unread": user.notifications.filter(read_at__isnull=True).shown().count(),
    }


def load(user) -> None:
    """Put the person's summary on the user object (once per request, from the cache when it is there)."""
    if getattr(user, "_cached_summary", False):
        return
    data = cache.get(_key(user.pk))
    if data is None:
        data = _compute(user)
        cache.set(_key(user.pk), data, SUMMARY_SECONDS)
    user._cached_role_names = frozenset(data["roles"])
    user._cached_work_unit_ids = frozenset(data["units"])
    user._cached_is_verified = data["verified"]
    user._cached_unread_notifications = data["unread"]
    user._cached_summary = True


def unread_notifications(user) -> int:
    load(user)
    return user._cached_unread_notifications


def rights_stamp(user) -> str:
    """The person's roles and units as one string: a value cached from their rights is stale once it differs."""
    load(user)
    roles = ",".join(sorted(user._cached_role_names))
    units = ",".join(str(pk) for pk in sorted(user._cached_work_unit_ids))
    # Superusers hold every right without any role (accounts.rights.is_administrator).
    return f"{roles}|{units}|{int(user.is_superuser)}"


def forget(user_id, user=None) -> None:
    """Drop the stored summary now and again after the transaction commits (so no request re-stores the old one)."""
    if user is not None:
        for attr in (*_ATTRIBUTES, "_cached_summary"):
            if hasattr(user, attr):
                delattr(user, attr)
    if user_id is None:
        return
    key = _key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
