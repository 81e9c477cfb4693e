"""Pinned query counts of the pages a signed-in citizen and official open most.

Counted on the second page after signing in (the first stores the person's summary), with data
on the page, so a query per card, comment or row would show. Anonymous counts are pinned next to
each app's own tests.
"""

import pytest
from django.contrib.contenttypes.models import ContentType

from notifications import services as notification_services
from participation import services as participation_services
from participation.models import Proposal
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

# session, user, the person's summary (one cache read) + the page's own queries
PAGES = {
    # the public-data version: the sections (newest and most supported proposals, their count,
    # program stages, open consultations; nine queries) are a fragment built on the first request
    "/": 3 + 1,
    "/usulan/": 3 + 4,
    "/usulan/saya/": 3 + 2,
    "/notifikasi/": 3 + 2,
    "/program/": 3 + 5,
    "/uji-publik/": 3 + 4,
}


@pytest.fixture
def activity(warga, warga_lain, dinas_pupr, kategori, desa):
    proposals = [ProposalFactory(author=warga_lain, work_unit=dinas_pupr, category=kategori, region=desa) for _ in range(12)]
    for proposal in proposals[:6]:
        participation_services.support_proposal(actor=warga, proposal=proposal)
        participation_services.post_comment(actor=warga, target=proposal, body="Saya dukung.")
    ProposalFactory(author=warga, work_unit=dinas_pupr, category=kategori, region=desa)
    notification_services.notify(recipients=[warga.pk], kind="proposal", message="Ada kabar.", url="/usulan/")
    return proposals


@pytest.mark.parametrize("path", list(PAGES))
def test_a_citizens_pages_run_a_fixed_number_of_queries(client, warga, activity, django_assert_max_num_queries, path):
    client.force_login(warga)
    assert client.get(path).status_code == 200
    with django_assert_max_num_queries(PAGES[path]):
        assert client.get(path).status_code == 200


def test_a_proposal_page_for_a_citizen_who_supports_and_follows_it(client, warga, activity, django_assert_max_num_queries):
    from notifications.services import follow

    proposal = activity[0]
    follow(actor=warga, target=proposal)
    client.force_login(warga)
    client.get(proposal.get_absolute_url())
    # session, user, summary, proposal, attachments, routings, comment count + page + replies,
    # has supported, its Musrenbang cycle membership, follows
    with django_assert_max_num_queries(12):
        page = client.get(proposal.get_absolute_url())
    assert page.status_code == 200
