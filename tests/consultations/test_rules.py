"""Who may do what, person by person and stage by stage (a4's rights matrix)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import rights
from tests.consultations.conftest import CLOSES, OPENS, ConsultationFactory, ResponseFactory

pytestmark = pytest.mark.django_db

STAGES = {
    "draf": dict(is_published=False),
    "dijadwalkan": dict(opens_at=OPENS + timedelta(days=30), closes_at=CLOSES + timedelta(days=30)),
    "dibuka": dict(),
    "ditutup": dict(opens_at=OPENS - timedelta(days=60), closes_at=OPENS - timedelta(days=30)),
}
PEOPLE = ["anonim", "belum_verifikasi", "warga", "moderator", "petugas_pupr", "petugas_dikbud", "admin"]

# Expected answers: stage -> set of people who may.
EXPECTED = {
    "view": {
        "draf": {"petugas_pupr", "admin"},
        "dijadwalkan": set(PEOPLE),
        "dibuka": set(PEOPLE),
        "ditutup": set(PEOPLE),
    },
    "edit": {stage: {"petugas_pupr", "admin"} for stage in STAGES},
    "see_responses": {stage: {"petugas_pupr", "admin"} for stage in STAGES},
    "respond": {
        "draf": set(),
        "dijadwalkan": set(),
        # Verified people who cannot edit it: not PUPR's officials, not administrators.
        "dibuka": {"warga", "moderator", "petugas_dikbud"},
        "ditutup": set(),
    },
    "comment": {
        "draf": set(),
        "dijadwalkan": {"warga", "moderator", "petugas_pupr", "petugas_dikbud", "admin"},
        "dibuka": {"warga", "moderator", "petugas_pupr", "petugas_dikbud", "admin"},
        "ditutup": {"warga", "moderator", "petugas_pupr", "petugas_dikbud", "admin"},
    },
    "write_follow_up": {"draf": set(), "dijadwalkan": set(), "dibuka": set(), "ditutup": {"petugas_pupr", "admin"}},
    "download_responses": {"draf": set(), "dijadwalkan": set(), "dibuka": set(), "ditutup": set(PEOPLE)},
    "delete_everything": {stage: set() for stage in STAGES},  # unknown actions are denied
}


@pytest.fixture
def people(request, warga, belum_verifikasi, moderator, petugas_pupr, petugas_dikbud, admin):
    return {
        "anonim": AnonymousUser(),
        "belum_verifikasi": belum_verifikasi,
        "warga": warga,
        "moderator": moderator,
        "petugas_pupr": petugas_pupr,
        "petugas_dikbud": petugas_dikbud,
        "admin": admin,
    }


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("stage", sorted(STAGES))
def test_consultation_rights_matrix(clock, people, dinas_pupr, kategori, action, stage):
    clock.set(OPENS + timedelta(days=1))
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori, **STAGES[stage])
    allowed = {name for name, user in people.items() if rights.can(user, action, consultation)}
    assert allowed == EXPECTED[action][stage], (action, stage)


def test_a_draft_is_a_404_not_a_403_for_outsiders(clock, warga, konsultasi_draf):
    from django.http import Http404

    with pytest.raises(Http404):
        rights.require(warga, "respond", konsultasi_draf)


def test_only_the_author_edits_a_response_and_only_while_open(clock, konsultasi, warga, warga_lain, admin):
    clock.set(OPENS + timedelta(days=1))
    response = ResponseFactory(consultation=konsultasi, author=warga)
    assert rights.can(warga, "edit", response)
    assert not rights.can(warga_lain, "edit", response)
    assert not rights.can(admin, "edit", response)
    clock.set(CLOSES)
    assert not rights.can(warga, "edit", response)


def test_replies_come_from_the_owning_unit_once_opened(clock, konsultasi, warga, petugas_pupr, petugas_dikbud, moderator):
    clock.set(OPENS + timedelta(days=1))
    response = ResponseFactory(consultation=konsultasi, author=warga)
    assert rights.can(petugas_pupr, "reply", response)
    assert not rights.can(petugas_dikbud, "reply", response)
    assert not rights.can(warga, "reply", response)
    assert not rights.can(moderator, "reply", response)
    assert rights.can(moderator, "hide", response)
    assert not rights.can(petugas_pupr, "hide", response)


def test_a_hidden_response_is_seen_by_its_author_moderators_and_the_unit(clock, konsultasi, warga, warga_lain, moderator, petugas_pupr):
    clock.set(OPENS + timedelta(days=1))
    response = ResponseFactory(consultation=konsultasi, author=warga, is_hidden=True, hidden_reason="Data pribadi")
    assert rights.can(warga, "view", response)
    assert rights.can(moderator, "view", response)
    assert rights.can(petugas_pupr, "view", response)
    assert not rights.can(warga_lain, "view", response)
    assert not rights.can(AnonymousUser(), "view", response)
