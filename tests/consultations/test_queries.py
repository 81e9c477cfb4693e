"""List and detail pages run a fixed number of SQL queries whatever the number of responses."""

from datetime import timedelta

import pytest
from django.urls import reverse

from consultations.models import Response, ResponseReply
from participation.models import Comment
from tests import factories
from tests.consultations.conftest import CLOSES, OPENS, ConsultationFactory

pytestmark = pytest.mark.django_db
INSIDE = OPENS + timedelta(days=2)

# Pinned counts. Anonymous: session-less, so no user queries.
LIST_QUERIES = 4  # categories + units for the filter form, count, page
# consultation, responses count + page + their replies, documents, comments count + page + replies
DETAIL_ANONYMOUS = 8
# + session, user, the person's summary (roles, work-unit rights, verified email, unread badge: one
# cache read, accounts/summary.py), own response, follow button (does this citizen follow it)
DETAIL_CITIZEN = DETAIL_ANONYMOUS + 5
DETAIL_CLOSED_EXTRA = 1  # the results aggregate


def _many_responses(consultation, count, *, replies_by=None):
    users = factories.UserFactory.create_batch(count, verified=False)
    Response.objects.bulk_create(
        Response(consultation=consultation, author=user, position=("setuju", "tidak_setuju", "netral")[i % 3], comment=f"komentar {i}")
        for i, user in enumerate(users)
    )
    if replies_by is not None:
        ResponseReply.objects.bulk_create(
            ResponseReply(response=r, work_unit=consultation.work_unit, author=replies_by, body="balasan")
            for r in Response.objects.filter(consultation=consultation)
        )


def _comments(consultation, author, count):
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(consultation)
    parents = Comment.objects.bulk_create(
        Comment(content_type=content_type, object_id=consultation.pk, author=author, body=f"komentar {i}") for i in range(count)
    )
    Comment.objects.bulk_create(
        Comment(content_type=content_type, object_id=consultation.pk, author=author, parent=p, body="balasan") for p in parents
    )


@pytest.mark.parametrize("size", [1, 30])
def test_list_page_queries_do_not_grow(client, clock, django_assert_max_num_queries, dinas_pupr, kategori, size):
    clock.set(INSIDE)
    for i in range(size):
        consultation = ConsultationFactory(
            work_unit=dinas_pupr, category=kategori, closes_at=CLOSES + timedelta(days=i % 3), opens_at=OPENS - timedelta(days=i % 2 * 30)
        )
        _many_responses(consultation, 3)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(reverse("consultations:list")).status_code == 200
    with django_assert_max_num_queries(LIST_QUERIES + 2):  # + the chosen unit and category
        assert client.get(reverse("consultations:list"), {"q": "pasar", "status": "dibuka", "satker": dinas_pupr.pk, "kategori": kategori.pk}).status_code == 200


@pytest.mark.parametrize("size", [2, 60])
def test_detail_page_queries_do_not_grow(client, clock, django_assert_max_num_queries, konsultasi, petugas_pupr, warga, size):
    clock.set(INSIDE)
    _many_responses(konsultasi, size, replies_by=petugas_pupr)
    _comments(konsultasi, warga, size)
    url = reverse("consultations:detail", args=[konsultasi.pk])
    with django_assert_max_num_queries(DETAIL_ANONYMOUS):
        assert client.get(url).status_code == 200
    client.force_login(warga)
    client.get(url)  # the first page after signing in stores the person's summary (accounts/summary.py)
    with django_assert_max_num_queries(DETAIL_CITIZEN):
        assert client.get(url).status_code == 200
    clock.set(CLOSES + timedelta(days=1))
    with django_assert_max_num_queries(DETAIL_CITIZEN + DETAIL_CLOSED_EXTRA):
        assert client.get(url).status_code == 200


def test_home_section_queries_do_not_grow(client, clock, django_assert_max_num_queries, dinas_pupr, kategori):
    from consultations.home import sections

    clock.set(INSIDE)
    for _ in range(8):
        _many_responses(ConsultationFactory(work_unit=dinas_pupr, category=kategori), 3)
    with django_assert_max_num_queries(2):
        assert len(sections(None)["open_consultations"]) == 3
