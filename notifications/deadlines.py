"""Consultation moments that come with the clock rather than with a click.

Each moment is announced once per follower: the notification's dedupe key makes a second run
(or two schedulers at once) harmless.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation
from notifications import services
from notifications.models import Kind

# Moments older than this are not announced any more (e.g. after the scheduler was down for weeks).
LOOKBACK = timedelta(days=7)
CLOSING_SOON = timedelta(hours=24)


def notify_consultation_moments(*, now=None) -> int:
    now = now or timezone.now()
    created = 0
    public = Consultation.objects.public()
    moments = [
        ("opened", public.filter(opens_at__lte=now, opens_at__gte=now - LOOKBACK, closes_at__gt=now),
         _("Uji publik “%(title)s” sekarang dibuka. Sampaikan pendapat Anda.")),
        ("closing", public.filter(opens_at__lte=now, closes_at__gt=now, closes_at__lte=now + CLOSING_SOON),
         _("Uji publik “%(title)s” ditutup dalam 24 jam.")),
        ("closed", public.filter(closes_at__lte=now, closes_at__gte=now - LOOKBACK),
         _("Uji publik “%(title)s” telah ditutup. Lihat hasilnya.")),
        ("followup", public.filter(follow_up_at__isnull=False, follow_up_at__gte=now - LOOKBACK),
         _("Tindak lanjut uji publik “%(title)s” telah diterbitkan.")),
    ]
    for moment, consultations, template in moments:
        for consultation in consultations:
            followers = services.followers_of(consultation)
            created += len(
                services.notify(
                    recipients=followers,
                    kind=Kind.CONSULTATION,
                    message=template % {"title": consultation.title[:120]},
                    url=consultation.get_absolute_url(),
                    subject=consultation,
                    dedupe_key=f"consultation:{consultation.pk}:{moment}",
                )
            )
    return created
