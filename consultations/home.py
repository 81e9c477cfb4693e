"""The home page's "Uji publik yang sedang dibuka" section."""

from django.db.models import Count
from django.utils import timezone

from consultations.models import Consultation

HOME_LIMIT = 3


def sections(user) -> dict:
    """Open consultations closing soonest first; two queries (count and rows) whatever the data size."""
    now = timezone.now()
    open_now = Consultation.objects.open(now)
    consultations = list(
        open_now.select_related("work_unit", "category").annotate(response_count=Count("responses")).order_by("closes_at", "id")[
            :HOME_LIMIT
        ]
    )
    for consultation in consultations:
        consultation.current_state = consultation.state(now)
        consultation.countdown_text = consultation.countdown(now)
    return {"open_consultations": consultations, "open_consultation_count": open_now.count() if consultations else 0}
