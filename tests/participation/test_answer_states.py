"""The answer states citizens see: Dipublikasikan → Sedang dikaji → Diterima (a program) or Ditolak.

Each state is a badge, a filter, a notification to the author and followers, a history entry and
an audit event; the unit's answer replaces the answer form and can be amended (history keeps
every version); refusals change nothing.
"""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from notifications import services as notifications
from notifications.models import Notification
from participation import services
from participation.models import Proposal
from programs import services as programs
from transparency.statistics import unit_timings

pytestmark = pytest.mark.django_db
Status = Proposal.Status


def test_marking_under_review_is_a_badge_a_notification_a_history_entry_and_an_audit_event(
    client, usulan, warga, warga_lain, petugas_pupr, django_capture_on_commit_callbacks
):
    notifications.follow(actor=warga_lain, target=usulan)
    client.force_login(petugas_pupr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/usulan/{usulan.pk}/jawab/", {"keputusan": "dikaji", "answer": ""}, follow=True)
    assert "Sedang dikaji" in response.content.decode()
    usulan.refresh_from_db()
    assert usulan.status == Status.UNDER_REVIEW and usulan.official_answer == "" and usulan.first_answered_at is None
    for person in (warga, warga_lain):
        assert Notification.objects.filter(recipient=person, message__contains="sedang dikaji oleh PUPR").exists()
    assert usulan.history.latest().history_change_reason == "Sedang dikaji"
    event = AuditEvent.objects.get(action=AuditEvent.Action.STATUS_CHANGED, object_id=str(usulan.pk))
    assert event.actor == petugas_pupr and event.data["to"] == "under_review"

    # The citizen sees the badge on the card in the list, filtered by the new state, and on the page.
    client.force_login(warga)
    listed = client.get("/usulan/?status=under_review").content.decode()
    link = f'href="/usulan/{usulan.pk}/"'
    assert link in listed and 'class="badge badge-amber">Sedang dikaji' in listed
    assert link not in client.get("/usulan/?status=published").content.decode()
    page = client.get(usulan.get_absolute_url()).content.decode()
    assert "Sedang dikaji oleh PUPR" in page and 'action="/usulan/%d/jawab/"' % usulan.pk not in page


def test_a_note_with_the_review_is_the_first_official_answer(usulan, petugas_pupr):
    reviewed = services.review_proposal(actor=petugas_pupr, proposal=usulan, note="Kami survei lokasi bulan depan.")
    assert reviewed.official_answer == "Kami survei lokasi bulan depan."
    assert reviewed.first_answered_at == reviewed.answered_at is not None


def test_declining_needs_the_answer_text_and_writes_nothing_without_it(client, usulan, petugas_pupr):
    client.force_login(petugas_pupr)
    response = client.post(f"/usulan/{usulan.pk}/jawab/", {"keputusan": "tolak", "answer": "   "}, follow=True)
    assert "tuliskan jawaban resmi" in response.content.decode()
    usulan.refresh_from_db()
    assert usulan.status == Status.PUBLISHED and usulan.official_answer == "" and usulan.history.count() == 1
    with pytest.raises(ValueError):
        services.decline_proposal(actor=petugas_pupr, proposal=usulan, answer="")
    assert not AuditEvent.objects.filter(object_type="participation.Proposal").exists()


def test_the_answer_replaces_the_form_and_amendments_stay_in_history(
    client, usulan, warga, petugas_pupr, django_capture_on_commit_callbacks
):
    client.force_login(petugas_pupr)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/usulan/{usulan.pk}/jawab/", {"keputusan": "tolak", "answer": "Jalan ini kewenangan provinsi."})
    usulan.refresh_from_db()
    assert usulan.status == Status.DECLINED and usulan.answered_by == petugas_pupr
    first_answer_at = usulan.first_answered_at
    assert Notification.objects.filter(recipient=warga, message__contains="ditolak oleh PUPR").exists()

    page = client.get(usulan.get_absolute_url()).content.decode()
    assert "Ditolak oleh PUPR" in page and "Jalan ini kewenangan provinsi." in page
    assert f'action="/usulan/{usulan.pk}/jawab/"' not in page  # no empty answer form under the answer
    assert f'action="/usulan/{usulan.pk}/jawaban/ubah/"' in page and "Ubah jawaban resmi" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/usulan/{usulan.pk}/jawaban/ubah/", {"answer": "Jalan ini kewenangan provinsi; usulan kami teruskan."}, follow=True
        )
    assert "Versi sebelumnya tetap tercatat" in response.content.decode()
    usulan.refresh_from_db()
    assert usulan.official_answer == "Jalan ini kewenangan provinsi; usulan kami teruskan."
    assert usulan.first_answered_at == first_answer_at and usulan.answered_at > first_answer_at
    assert usulan.history.latest().history_change_reason == "Jawaban resmi diubah"
    history = client.get(f"/usulan/{usulan.pk}/riwayat/").content.decode()
    assert "Jalan ini kewenangan provinsi." in history and "usulan kami teruskan" in history
    assert Notification.objects.filter(recipient=warga, message__contains="telah diperbarui").exists()

    # An amendment cannot empty a decline's reason.
    client.post(f"/usulan/{usulan.pk}/jawaban/ubah/", {"answer": ""})
    usulan.refresh_from_db()
    assert usulan.official_answer.startswith("Jalan ini kewenangan provinsi;")


def test_another_units_official_is_refused_with_a_security_event_and_nothing_changes(
    client, usulan, petugas_dikbud, dinas_dikbud, caplog
):
    client.force_login(petugas_dikbud)
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        for url, data in (
            (f"/usulan/{usulan.pk}/jawab/", {"keputusan": "dikaji"}),
            (f"/usulan/{usulan.pk}/jawab/", {"keputusan": "tolak", "answer": "Bukan urusan kami"}),
            (f"/usulan/{usulan.pk}/disposisi/", {"to_unit": dinas_dikbud.pk, "note": "ambil alih"}),
        ):
            assert client.post(url, data).status_code == 403
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING].count("permission denied") == 3
    usulan.refresh_from_db()
    assert usulan.status == Status.PUBLISHED and usulan.history.count() == 1 and not usulan.routings.exists()


def test_draft_is_not_found_and_rejected_or_answered_ones_are_refused_with_a_message(
    client, make_proposal, petugas_pupr
):
    draft = make_proposal(status=Status.DRAFT)
    rejected = make_proposal(status=Status.REJECTED, rejection_reason="Duplikat")
    accepted = make_proposal(status=Status.ACCEPTED)
    client.force_login(petugas_pupr)
    assert client.post(f"/usulan/{draft.pk}/jawab/", {"keputusan": "dikaji"}).status_code == 404
    for proposal in (rejected, accepted):
        response = client.post(f"/usulan/{proposal.pk}/jawab/", {"keputusan": "dikaji"}, follow=True)
        assert response.status_code == 200
        assert "tidak dapat dilakukan pada usulan berstatus" in response.content.decode()
        proposal.refresh_from_db()
        assert proposal.history.count() == 1
    assert (rejected.status, accepted.status) == (Status.REJECTED, Status.ACCEPTED)
    assert not AuditEvent.objects.filter(object_type="participation.Proposal").exists()


def test_under_review_proposals_stay_open_for_support_routing_and_programs(
    usulan, warga_lain, petugas_pupr, dinas_dikbud, kategori, desa, dinas_pupr
):
    reviewed = services.review_proposal(actor=petugas_pupr, proposal=usulan)
    services.support_proposal(actor=warga_lain, proposal=reviewed)
    program = programs.create_program(
        actor=petugas_pupr,
        data={"title": "Program jalan", "description": "-", "work_unit": dinas_pupr, "category": kategori,
              "region": desa, "budget": 1_000, "fiscal_year": 2026},
        proposals=[reviewed],
    )
    usulan.refresh_from_db()
    assert usulan.status == Status.ACCEPTED and list(usulan.programs.all()) == [program]


def test_statistics_count_acceptance_as_an_answer_and_use_the_first_response(
    make_proposal, petugas_pupr, dinas_pupr, kategori, desa
):
    """The issue's case: PUPR showed "Dijawab 0" although its proposals had become programs."""
    published_at = timezone.now() - timedelta(days=6)
    accepted_only = make_proposal(published_at=published_at)
    answered_then_accepted = make_proposal(published_at=published_at)
    services.review_proposal(actor=petugas_pupr, proposal=answered_then_accepted, note="Kami kaji.")
    programs.create_program(
        actor=petugas_pupr,
        data={"title": "Program", "description": "-", "work_unit": dinas_pupr, "category": kategori,
              "region": desa, "budget": 1_000, "fiscal_year": 2026},
        proposals=[accepted_only, answered_then_accepted],
    )
    answered_then_accepted.refresh_from_db()
    reviewed_at = answered_then_accepted.first_answered_at
    assert answered_then_accepted.status_changed_at >= reviewed_at  # the earlier of the two counts
    services.amend_answer(actor=petugas_pupr, proposal=answered_then_accepted, answer="Masuk program 2026.")
    answered_then_accepted.refresh_from_db()
    assert answered_then_accepted.first_answered_at == reviewed_at
    (pupr,) = unit_timings()
    assert pupr.answered == 2
    assert pupr.answer_median == pytest.approx(6 * 86_400, abs=60)
