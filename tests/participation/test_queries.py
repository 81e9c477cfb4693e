"""Pinned query counts: public pages cost the same whatever the amount of data."""

import pytest
from django.contrib.contenttypes.models import ContentType

from participation.models import Comment, Proposal, Support
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(db):
    return [UserFactory() for _ in range(5)]


def _fill(make_proposal, crowd, count):
    proposals = [make_proposal(author=crowd[i % len(crowd)]) for i in range(count)]
    Support.objects.bulk_create([Support(proposal=p, user=u) for p in proposals for u in crowd[:3]])
    return proposals


def _comments(proposal, author, count):
    content_type = ContentType.objects.get_for_model(Proposal)
    top = Comment.objects.bulk_create(
        [Comment(content_type=content_type, object_id=proposal.pk, author=author, body=f"k{i}") for i in range(count)]
    )
    Comment.objects.bulk_create(
        [Comment(content_type=content_type, object_id=proposal.pk, parent=c, author=author, body="balas") for c in top[:40]]
    )


@pytest.mark.parametrize("count", [3, 40])
def test_list_page_queries_do_not_grow(client, make_proposal, crowd, django_assert_max_num_queries, count):
    _fill(make_proposal, crowd, count)
    client.get("/usulan/", {"urut": "dukungan"})  # a running worker has the filter form's fragment (config/fragments.py)
    with django_assert_max_num_queries(5):
        response = client.get("/usulan/", {"urut": "dukungan"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 500])
def test_detail_page_with_many_comments_runs_fixed_queries(client, usulan, crowd, django_assert_max_num_queries, count):
    _comments(usulan, crowd[0], count)
    with django_assert_max_num_queries(7):  # + its Musrenbang cycle membership (none here)
        response = client.get(usulan.get_absolute_url(), {"komentar": 2})
    assert response.status_code == 200


def test_detail_page_for_logged_in_citizen_runs_fixed_queries(client, usulan, crowd, warga_lain, django_assert_max_num_queries):
    _comments(usulan, crowd[0], 500)
    client.force_login(warga_lain)
    client.get("/")  # the first page after signing in stores the person's summary (accounts/summary.py)
    with django_assert_max_num_queries(12):  # + its Musrenbang cycle membership
        response = client.get(usulan.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 40])
def test_home_page_queries_do_not_grow(client, make_proposal, crowd, django_assert_max_num_queries, count):
    _fill(make_proposal, crowd, count)
    # the sections' nine queries and the public-data version (a cache read) their fragment is kept under
    with django_assert_max_num_queries(10):
        response = client.get("/")
    assert response.status_code == 200
    # until public data changes, the sections come from the fragment: only the version is read
    with django_assert_max_num_queries(1):
        assert client.get("/").status_code == 200
