"""The proposals part of the home page."""

from participation.models import Proposal
from participation.pagination import bounded_count

HOME_LIST_SIZE = 5


def sections(user) -> dict:
    public = Proposal.objects.public().with_list_data().with_cover_photo()
    return {
        "newest_proposals": list(public.filter(status__in=Proposal.OPEN_STATUSES).order_by("-published_at", "-id")[:HOME_LIST_SIZE]),
        "supported_proposals": list(
            public.filter(status__in=Proposal.OPEN_STATUSES).order_by("-support_count", "-published_at", "-id")[:HOME_LIST_SIZE]
        ),
        # Exact up to 10,000, PostgreSQL's estimate above: a full count grows with the table.
        "public_proposal_count": bounded_count(public)[0],
    }
