"""The proposals part of the home page."""

from participation.models import Proposal

HOME_LIST_SIZE = 5


def sections(user) -> dict:
    public = Proposal.objects.public().with_list_data()
    return {
        "newest_proposals": list(public.filter(status=Proposal.Status.PUBLISHED).order_by("-published_at", "-id")[:HOME_LIST_SIZE]),
        "supported_proposals": list(
            public.filter(status=Proposal.Status.PUBLISHED).order_by("-support_count", "-published_at", "-id")[:HOME_LIST_SIZE]
        ),
        "public_proposal_count": public.count(),
    }
