"""Open/closed comes from the clock and the published flag; the model and the queryset agree."""

from datetime import timedelta

import pytest

from consultations.models import Consultation
from tests.consultations.conftest import CLOSES, OPENS, ConsultationFactory

pytestmark = pytest.mark.django_db
State = Consultation.State

MOMENTS = [
    (OPENS - timedelta(days=2), State.SCHEDULED),
    (OPENS - timedelta(microseconds=1), State.SCHEDULED),
    (OPENS, State.OPEN),  # exactly at opening: open
    (OPENS + timedelta(days=5), State.OPEN),
    (CLOSES - timedelta(microseconds=1), State.OPEN),
    (CLOSES, State.CLOSED),  # exactly at closing: closed
    (CLOSES + timedelta(days=30), State.CLOSED),
]


@pytest.mark.parametrize("now,expected", MOMENTS)
def test_state_is_derived_from_the_clock(konsultasi, now, expected):
    assert konsultasi.state(now) == expected
    assert konsultasi.is_open(now) == (expected == State.OPEN)


@pytest.mark.parametrize("now,expected", MOMENTS)
def test_querysets_agree_with_the_model_at_every_boundary(konsultasi, now, expected):
    found = {
        State.OPEN: Consultation.objects.open(now).filter(pk=konsultasi.pk).exists(),
        State.SCHEDULED: Consultation.objects.scheduled(now).filter(pk=konsultasi.pk).exists(),
        State.CLOSED: Consultation.objects.closed(now).filter(pk=konsultasi.pk).exists(),
    }
    assert found == {state: state == expected for state in found}
    assert list(Consultation.objects.in_state(expected, now)) == [konsultasi]


def test_an_unpublished_consultation_is_a_draft_at_any_time(konsultasi_draf):
    for now, _ in MOMENTS:
        assert konsultasi_draf.state(now) == State.DRAFT
        assert not konsultasi_draf.is_open(now)
    assert not Consultation.objects.open(OPENS + timedelta(days=1)).exists()
    assert not Consultation.objects.public().exists()


def test_an_unknown_state_filter_matches_nothing(konsultasi):
    assert not Consultation.objects.in_state("bogus", OPENS).exists()


def test_countdown_reads_like_a_person_would_say_it(konsultasi):
    assert konsultasi.countdown(CLOSES - timedelta(days=2, hours=3)) == "ditutup dalam 3 hari"
    assert konsultasi.countdown(CLOSES - timedelta(hours=4, minutes=10)) == "ditutup dalam 5 jam"
    assert konsultasi.countdown(CLOSES - timedelta(minutes=9, seconds=30)) == "ditutup dalam 10 menit"
    assert konsultasi.countdown(OPENS - timedelta(days=1)) == "dibuka dalam 1 hari"
    assert konsultasi.countdown(CLOSES) == ""


def test_list_order_is_open_then_scheduled_then_closed(dinas_pupr, kategori):
    now = OPENS
    closes_late = ConsultationFactory(work_unit=dinas_pupr, category=kategori, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9))
    closes_soon = ConsultationFactory(work_unit=dinas_pupr, category=kategori, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=2))
    opens_later = ConsultationFactory(work_unit=dinas_pupr, category=kategori, opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=20))
    opens_soon = ConsultationFactory(work_unit=dinas_pupr, category=kategori, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=20))
    closed_old = ConsultationFactory(work_unit=dinas_pupr, category=kategori, opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=30))
    closed_recent = ConsultationFactory(work_unit=dinas_pupr, category=kategori, opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=1))
    ordered = list(Consultation.objects.public().in_list_order(now))
    assert ordered == [closes_soon, closes_late, opens_soon, opens_later, closed_recent, closed_old]


def test_closing_before_opening_is_refused_by_the_database(dinas_pupr, kategori):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationFactory(work_unit=dinas_pupr, category=kategori, opens_at=CLOSES, closes_at=OPENS)
