"""The plain word search used where PostgreSQL full-text search is not available or not needed."""

from django.db.models import Q

MAX_WORDS = 8


def all_words_in(query: str, fields: tuple[str, ...]) -> Q:
    """Every word of `query` (up to eight) must appear, case-insensitively, in one of `fields`."""
    condition = Q()
    for word in query.split()[:MAX_WORDS]:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition
