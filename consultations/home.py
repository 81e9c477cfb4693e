"""The home page's "Uji publik yang sedang dibuka" section."""

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from consultations.models import Consultation, Response

HOME_LIMIT = 3


def with_response_count(consultations):
    """Annotate `response_count` with a per-row subquery (an index-only count for each row shown).

    A JOIN + GROUP BY would aggregate every response of every matching consultation before sorting
    and limiting (85 ms at 100,000 responses, see docs/performance.md); the subquery runs only
    for the rows on the page.
    """
    counts = (
        Response.objects.filter(consultation=OuterRef("pk")).order_by().values("consultation").annotate(n=Count("pk")).values("n")
    )
    return consultations.annotate(response_count=Coalesce(Subquery(counts), Value(0)))


def sections(user) -> dict:
    """Open consultations closing soonest first; two queries (count and rows) whatever the data size."""
    now = timezone.now()
    open_now = Consultation.objects.open(now)
    consultations = list(
        with_response_count(open_now.select_related("work_unit", "category")).order_by("closes_at", "id")[
            :HOME_LIMIT
        ]
    )
    for consultation in consultations:
        consultation.current_state = consultation.state(now)
        consultation.countdown_text = consultation.countdown(now)
    return {"open_consultations": consultations, "open_consultation_count": open_now.count() if consultations else 0}
