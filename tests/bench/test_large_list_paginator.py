"""The proposal list's paginator gives the same pages as Django's, with a bounded count."""

import pytest
from django.core.paginator import Paginator

from participation import pagination
from participation.models import Proposal
from participation.pagination import LargeListPaginator, bounded_count

pytestmark = pytest.mark.django_db


def _ordered():
    return Proposal.objects.public().order_by("-published_at", "-id")


def test_pages_hold_the_same_rows_in_the_same_order_as_djangos_paginator(make_proposal):
    for _ in range(7):
        make_proposal()
    ours, django = LargeListPaginator(_ordered(), 3), Paginator(_ordered(), 3)
    assert ours.count == django.count == 7 and not ours.count_is_estimate
    for number in (1, 2, 3):
        assert list(ours.page(number).object_list) == list(django.page(number).object_list)


def test_hidden_and_unpublished_proposals_are_not_counted(make_proposal):
    make_proposal()
    make_proposal(is_hidden=True)
    make_proposal(status="submitted")
    assert bounded_count(Proposal.objects.public()) == (1, False)


def test_above_the_cap_the_count_is_exact_where_no_estimate_exists(make_proposal, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    monkeypatch.setattr(pagination, "_planner_estimate", lambda queryset: None)
    for _ in range(4):
        make_proposal()
    assert bounded_count(Proposal.objects.public()) == (4, False)


def test_above_the_cap_the_planner_estimate_is_used_and_flagged(make_proposal, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    monkeypatch.setattr(pagination, "_planner_estimate", lambda queryset: 40)
    for _ in range(4):
        make_proposal()
    paginator = LargeListPaginator(_ordered(), 20)
    assert paginator.count == 40 and paginator.count_is_estimate
