"""Email delivery in the background worker (`manage.py db_worker`), with retries.

A failed send is logged and tried again later with growing pauses; after the last try the
notification is marked failed and logged as an error, so nothing is lost silently.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from notifications.models import DigestLog, Kind, Notification
from notifications.unsubscribe import make_token

logger = logging.getLogger("portal.notifications")

MAX_ATTEMPTS = 5
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]


def absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _send(*, recipient, kind: str, subject: str, template: str, context: dict) -> None:
    unsubscribe_url = absolute(reverse("notifications:unsubscribe", args=[make_token(recipient.pk, kind)]))
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            template,
            {**context, "recipient": recipient, "unsubscribe_url": unsubscribe_url, "kind_label": Kind(kind).label,
             "settings_url": absolute(reverse("notifications:preferences")), "site_name": settings.SITE_NAME},
        )
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=body,
        to=[recipient.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.send()


@task()
def deliver_notification(notification_id: int) -> str:
    """Email one notification now; reschedule itself on failure."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .with_subject_hidden()
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.email_status != Notification.Email.PENDING:
            return "skipped"
        recipient = notification.recipient
        # Hidden since it was written (the email waited in the queue): it is not sent at all.
        if not recipient.is_active or not recipient.email or notification.subject_hidden:
            notification.email_status = Notification.Email.NONE
            notification.save(update_fields=["email_status"])
            return "skipped"
        notification.email_attempts += 1
        try:
            _send(
                recipient=recipient,
                kind=notification.kind,
                subject=notification.message[:120],
                template="notifications/email/single.txt",
                context={"notification": notification, "link": absolute(notification.url)},
            )
        except Exception as error:  # any transport failure: SMTP, DNS, timeouts
            retry = notification.email_attempts < MAX_ATTEMPTS
            notification.email_status = Notification.Email.PENDING if retry else Notification.Email.FAILED
            notification.save(update_fields=["email_status", "email_attempts"])
            if retry:
                delay = RETRY_DELAYS[min(notification.email_attempts - 1, len(RETRY_DELAYS) - 1)]
                logger.warning(
                    "notification email failed, retrying",
                    extra={"notification_id": notification.pk, "attempt": notification.email_attempts, "error": type(error).__name__},
                )
                transaction.on_commit(
                    lambda: deliver_notification.using(run_after=timezone.now() + delay).enqueue(notification_id)
                )
                return "retry"
            logger.error(
                "notification email failed for good",
                extra={"notification_id": notification.pk, "attempts": notification.email_attempts, "error": type(error).__name__},
            )
            return "failed"
        notification.email_status = Notification.Email.SENT
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["email_status", "email_attempts", "emailed_at"])
        return "sent"


def send_daily_digests(*, now=None) -> int:
    """One email per citizen with everything waiting for the digest, at most once a local day.

    Runs often (every few minutes) from the scheduler; before DIGEST_HOUR nothing is sent.
    """
    now = timezone.localtime(now or timezone.now())
    if now.hour < settings.DIGEST_HOUR:
        return 0
    sent = 0
    already = DigestLog.objects.filter(sent_on=now.date()).values("user_id")
    recipient_ids = (
        Notification.objects.filter(email_status=Notification.Email.DIGEST)
        .exclude(recipient_id__in=already)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for recipient_id in list(recipient_ids):
        with transaction.atomic():
            waiting = list(
                Notification.objects.select_for_update()
                .select_related("recipient")
                .with_subject_hidden()
                .filter(recipient_id=recipient_id, email_status=Notification.Email.DIGEST)
                .order_by("created_at")
            )
            # News about items hidden since is left out of the digest for good.
            hidden = [n.pk for n in waiting if n.subject_hidden]
            if hidden:
                Notification.objects.filter(pk__in=hidden).update(email_status=Notification.Email.NONE)
                waiting = [n for n in waiting if not n.subject_hidden]
            if not waiting:
                continue
            recipient = waiting[0].recipient
            if not recipient.is_active or not recipient.email:
                Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(email_status=Notification.Email.NONE)
                continue
            try:
                _send(
                    recipient=recipient,
                    kind=waiting[0].kind,
                    subject=f"Ringkasan harian: {len(waiting)} kabar baru",
                    template="notifications/email/digest.txt",
                    context={
                        "items": [(n, absolute(n.url)) for n in waiting],
                        "unsubscribe_links": [
                            (Kind(kind).label, absolute(reverse("notifications:unsubscribe", args=[make_token(recipient_id, kind)])))
                            for kind in sorted({n.kind for n in waiting})
                        ],
                    },
                )
            except Exception as error:
                # Left as they are: tomorrow's run tries again with everything still waiting.
                logger.warning("digest email failed", extra={"recipient_id": recipient_id, "error": type(error).__name__})
                continue
            Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(
                email_status=Notification.Email.SENT, emailed_at=timezone.now()
            )
            DigestLog.objects.create(user_id=recipient_id, sent_on=now.date())
            sent += 1
    return sent
