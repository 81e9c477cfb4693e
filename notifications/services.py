"""Following items and telling people about changes: in the portal at once, by email later.

Emails never go out inside a request: `notify()` stores notifications and, after commit,
enqueues one background task per immediate email (see `tasks.py`).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import rights
from notifications.models import Delivery, Follow, Kind, Notification, Preference

FOLLOWABLE = {"participation.proposal", "programs.program", "consultations.consultation"}


def is_followable(obj) -> bool:
    return obj._meta.label_lower in FOLLOWABLE


@transaction.atomic
def follow(*, actor, target) -> bool:
    """Follow a visible item; True when a new follow was created."""
    rights.require(actor, "view", target)
    if not actor.is_authenticated or not is_followable(target):
        raise ValueError("not followable")
    try:
        with transaction.atomic():
            Follow.objects.create(user=actor, content_type=ContentType.objects.get_for_model(target), object_id=target.pk)
    except IntegrityError:
        return False
    return True


def unfollow(*, actor, target) -> bool:
    deleted, _ = Follow.objects.filter(
        user=actor, content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).delete()
    return bool(deleted)


def is_following(user, target) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(
        user=user, content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).exists()


def followers_of(target) -> list[int]:
    return list(
        Follow.objects.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)
        .filter(user__is_active=True)
        .values_list("user_id", flat=True)
    )


def deliveries_for(user_ids, kind: str) -> dict[int, str]:
    chosen = dict(Preference.objects.filter(user_id__in=user_ids, kind=kind).values_list("user_id", "delivery"))
    return {user_id: chosen.get(user_id, Delivery.IMMEDIATE) for user_id in user_ids}


def notify(
    *, recipients, kind: str, message: str, url: str, subject=None, exclude=None, dedupe_key: str = ""
) -> list[Notification]:
    """Store one notification per recipient (the actor excluded) and queue the immediate emails.

    `subject` is the item the news is about; when a moderator hides it later, the notification
    loses its text and link (`NotificationQuerySet.with_subject_hidden`)."""
    user_ids = sorted({uid for uid in recipients if uid is not None and uid != getattr(exclude, "pk", None)})
    if not user_ids:
        return []
    deliveries = deliveries_for(user_ids, kind)
    status_for = {
        Delivery.IMMEDIATE: Notification.Email.PENDING,
        Delivery.DIGEST: Notification.Email.DIGEST,
        Delivery.PORTAL: Notification.Email.NONE,
    }
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    created = []
    for user_id in user_ids:
        notification = Notification(
            recipient_id=user_id,
            kind=kind,
            message=message[:300],
            url=url[:300],
            subject_type=subject_type,
            subject_id=subject.pk if subject is not None else None,
            dedupe_key=dedupe_key,
            email_status=status_for[deliveries[user_id]],
        )
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            continue  # already told about this very event
        created.append(notification)
    pending = [n.pk for n in created if n.email_status == Notification.Email.PENDING]
    if pending:
        from notifications.tasks import deliver_notification

        transaction.on_commit(lambda: [deliver_notification.enqueue(pk) for pk in pending])
    return created


def unread_count(user) -> int:
    """The header's badge: unread news about items that are still visible."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).shown().count()


def forget_unread_counts_about(target) -> None:
    """Hiding or showing an item changes the badge of everyone told about it (or its comments)."""
    from django.db.models import Q

    from accounts import summary
    from participation.models import Comment

    about = Q(subject_type=ContentType.objects.get_for_model(target), subject_id=target.pk)
    comments = Comment.objects.on(target) if not isinstance(target, Comment) else target.replies.all()
    about |= Q(subject_type=ContentType.objects.get_for_model(Comment), subject_id__in=comments.values("pk"))
    unread = Notification.objects.filter(about, read_at__isnull=True)
    for user_id in set(unread.values_list("recipient_id", flat=True)):
        summary.forget(user_id)


def mark_all_read(*, user) -> int:
    from accounts import summary

    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    summary.forget(user.pk, user)
    return marked


@transaction.atomic
def set_preferences(*, user, choices: dict[str, str]) -> None:
    for kind, delivery in choices.items():
        if kind not in Kind.values or delivery not in Delivery.values:
            raise ValueError("unknown kind or delivery")
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
