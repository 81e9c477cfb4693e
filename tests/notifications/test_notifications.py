from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications import services
from notifications.deadlines import notify_consultation_moments
from notifications.models import Delivery, Follow, Kind, Notification, Preference
from notifications.tasks import send_daily_digests
from notifications.unsubscribe import make_token
from participation import services as participation
from tests.consultations.conftest import CLOSES, OPENS, ConsultationFactory

# Commits must really happen: notifications are created and emails queued after commit.
pytestmark = pytest.mark.django_db(transaction=True)
JAKARTA = ZoneInfo("Asia/Jakarta")


def run_worker():
    """What the background worker process does: run every task that is due, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


@pytest.fixture
def draft_by_warga(warga, dinas_pupr, kategori, desa):
    return participation.create_proposal(
        actor=warga,
        data={"title": "Lampu jalan", "description": "Gelap.", "category": kategori, "work_unit": dinas_pupr, "region": desa},
        files=[],
        submit=True,
    )


def test_author_follows_own_proposal_and_hears_of_publication_by_email(draft_by_warga, warga, moderator):
    assert services.is_following(warga, draft_by_warga)
    participation.publish_proposal(actor=moderator, proposal=draft_by_warga)
    notification = Notification.objects.get(recipient=warga)
    assert "dipublikasikan" in notification.message and notification.email_status == Notification.Email.PENDING
    assert mail.outbox == []  # nothing is sent inside the request
    run_worker()
    notification.refresh_from_db()
    assert notification.email_status == Notification.Email.SENT
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [warga.email]
    body = mail.outbox[0].body
    assert "Lampu jalan" in body and "/notifikasi/berhenti/" in body
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_followers_hear_of_answers_but_not_of_rejections(draft_by_warga, warga, warga_lain, moderator, petugas_pupr):
    draft_by_warga = participation.publish_proposal(actor=moderator, proposal=draft_by_warga)
    services.follow(actor=warga_lain, target=draft_by_warga)
    participation.answer_proposal(actor=petugas_pupr, proposal=draft_by_warga, answer="Dianggarkan 2027", decline=False)
    assert Notification.objects.filter(recipient=warga_lain, message__contains="sedang dikaji").exists()
    assert not Notification.objects.filter(recipient=petugas_pupr).exists()  # the actor is not told of their own act


def test_rejection_reaches_only_the_author(warga, warga_lain, moderator, dinas_pupr, kategori, desa):
    proposal = participation.create_proposal(
        actor=warga,
        data={"title": "Judul", "description": "Isi", "category": kategori, "work_unit": dinas_pupr, "region": desa},
        files=[],
        submit=True,
    )
    Follow.objects.create(user=warga_lain, content_type_id=_ct(proposal), object_id=proposal.pk)
    participation.reject_proposal(actor=moderator, proposal=proposal, reason="Duplikat")
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [warga.pk]


def test_reply_to_a_comment_notifies_its_author(usulan, warga, warga_lain):
    parent = participation.post_comment(actor=warga_lain, target=usulan, body="Pertanyaan")
    participation.post_comment(actor=warga, target=usulan, body="Jawaban", parent=parent)
    notification = Notification.objects.get(recipient=warga_lain, kind=Kind.REPLY)
    assert notification.url.endswith(f"#komentar-{parent.pk + 1}")


def test_digest_collects_a_days_news_into_one_email(draft_by_warga, warga, moderator, petugas_pupr, settings):
    settings.DIGEST_HOUR = 7
    Preference.objects.create(user=warga, kind=Kind.PROPOSAL, delivery=Delivery.DIGEST)
    participation.publish_proposal(actor=moderator, proposal=draft_by_warga)
    participation.answer_proposal(actor=petugas_pupr, proposal=draft_by_warga, answer="Ya", decline=False)
    run_worker()
    assert mail.outbox == []
    morning = datetime(2026, 11, 24, 6, 0, tzinfo=JAKARTA)
    assert send_daily_digests(now=morning) == 0
    assert send_daily_digests(now=morning.replace(hour=8)) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].body.count("Lampu jalan") == 2
    participation.post_comment(actor=petugas_pupr, target=draft_by_warga, body="x")  # not a PROPOSAL kind
    assert send_daily_digests(now=morning.replace(hour=9)) == 0  # one digest a day at most


def test_portal_only_means_no_email(draft_by_warga, warga, moderator):
    Preference.objects.create(user=warga, kind=Kind.PROPOSAL, delivery=Delivery.PORTAL)
    participation.publish_proposal(actor=moderator, proposal=draft_by_warga)
    run_worker()
    assert Notification.objects.get(recipient=warga).email_status == Notification.Email.NONE
    assert mail.outbox == []


@pytest.fixture
def notification_log():
    import logging

    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect()
    logger = logging.getLogger("portal.notifications")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_failed_send_is_retried_then_marked_failed_never_lost(draft_by_warga, warga, moderator, settings, notification_log):
    settings.EMAIL_BACKEND = "tests.notifications.failing_backend.EmailBackend"
    participation.publish_proposal(actor=moderator, proposal=draft_by_warga)
    run_worker()
    notification = Notification.objects.get(recipient=warga)
    assert notification.email_status == Notification.Email.PENDING and notification.email_attempts == 1
    assert DBTaskResult.objects.filter(status="READY", run_after__isnull=False).exists()  # rescheduled
    assert any("retrying" in record.getMessage() for record in notification_log)
    # Let the retries fall due and fail until the last attempt.
    for _ in range(6):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
        run_worker()
    notification.refresh_from_db()
    assert notification.email_status == Notification.Email.FAILED and notification.email_attempts == 5
    assert any(record.levelname == "ERROR" and "for good" in record.getMessage() for record in notification_log)


def test_unsubscribe_link_asks_then_switches_email_off(client, warga):
    token = make_token(warga.pk, Kind.PROPOSAL)
    url = reverse("notifications:unsubscribe", args=[token])
    assert "Ya, berhenti" in client.get(url).content.decode()
    assert not Preference.objects.exists()  # a mail scanner's GET changes nothing
    response = client.post(url)
    assert response.status_code == 200
    assert Preference.objects.get(user=warga, kind=Kind.PROPOSAL).delivery == Delivery.PORTAL


def test_forged_unsubscribe_links_change_nothing(client, warga):
    token = make_token(warga.pk, Kind.PROPOSAL)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for bad in (forged, "bukan-token", make_token(warga.pk, "semua")):
        response = client.post(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "tidak valid" in response.content.decode()
    assert not Preference.objects.exists()


def test_preferences_page_saves_choices_and_rejects_unknown_ones(client, warga):
    client.force_login(warga)
    data = {kind.value: Delivery.IMMEDIATE for kind in Kind}
    data[Kind.PROGRAM] = Delivery.DIGEST
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    assert Preference.objects.get(user=warga, kind=Kind.PROGRAM).delivery == Delivery.DIGEST
    data[Kind.PROGRAM] = "sms"
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 200 and "Pilihan tidak valid" in response.content.decode()
    assert Preference.objects.get(user=warga, kind=Kind.PROGRAM).delivery == Delivery.DIGEST


def test_following_needs_login_and_a_visible_item(client, warga_lain, make_proposal):
    draft = make_proposal(status="draft")
    public = make_proposal()
    url = lambda p: reverse("notifications:toggle_follow", args=[_ct(p), p.pk])  # noqa: E731
    assert client.post(url(public)).status_code == 302 and not Follow.objects.exists()
    client.force_login(warga_lain)
    assert client.post(url(draft)).status_code == 404
    client.post(url(public))
    assert services.is_following(warga_lain, public)
    client.post(url(public), {"aksi": "berhenti"})
    assert not services.is_following(warga_lain, public)
    from django.contrib.contenttypes.models import ContentType

    user_type = ContentType.objects.get(app_label="accounts", model="user").pk
    assert client.post(reverse("notifications:toggle_follow", args=[user_type, warga_lain.pk])).status_code == 404


def test_header_shows_the_unread_count_and_mark_read_clears_it(client, warga):
    services.notify(recipients=[warga.pk], kind=Kind.PROPOSAL, message="Kabar satu", url="/usulan/")
    services.notify(recipients=[warga.pk], kind=Kind.PROPOSAL, message="Kabar dua", url="/usulan/")
    client.force_login(warga)
    content = client.get("/").content.decode()
    assert ">2<span class=\"visually-hidden\"> belum dibaca" in content.replace('badge badge-amber">', ">")
    client.post(reverse("notifications:mark_read"))
    assert "belum dibaca" not in client.get("/").content.decode()


def test_consultation_moments_are_announced_once_each(warga, dinas_pupr, kategori):
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    services.follow(actor=warga, target=consultation)
    assert notify_consultation_moments(now=OPENS - timedelta(hours=1)) == 0
    assert notify_consultation_moments(now=OPENS + timedelta(minutes=5)) == 1
    assert notify_consultation_moments(now=OPENS + timedelta(minutes=15)) == 0  # not twice
    assert notify_consultation_moments(now=CLOSES - timedelta(hours=3)) == 1  # closing within 24 hours
    assert notify_consultation_moments(now=CLOSES + timedelta(minutes=5)) == 1  # closed
    messages = list(Notification.objects.order_by("id").values_list("message", flat=True))
    assert ["dibuka" in messages[0], "24 jam" in messages[1], "ditutup" in messages[2]] == [True, True, True]


def _ct(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def test_program_followers_hear_of_phase_changes_and_updates(usulan, warga, petugas_pupr, kategori, desa, dinas_pupr):
    from programs import services as programs
    from programs.models import Phase

    program = programs.create_program(
        actor=petugas_pupr,
        data={"title": "Jalan desa", "description": "Aspal", "work_unit": dinas_pupr, "category": kategori,
              "region": desa, "budget": 1_000_000, "fiscal_year": 2026},
        proposals=[usulan],
    )
    assert services.is_following(warga, program)  # the proposal's author follows what became of it
    planning = Phase.objects.get(program=program, kind="perencanaan")
    programs.start_phase(actor=petugas_pupr, phase=planning, on=timezone.localdate())
    messages = list(Notification.objects.filter(recipient=warga, kind=Kind.PROGRAM).values_list("message", flat=True))
    assert len(messages) == 1 and "Perencanaan" in messages[0]
    programs.post_update(actor=petugas_pupr, phase=planning, date=timezone.localdate(), body="Survei lokasi selesai.")
    assert Notification.objects.filter(recipient=warga, message__startswith="Kabar terbaru program").count() == 1
    assert not Notification.objects.filter(recipient=petugas_pupr).exists()


def test_after_unsubscribing_the_next_news_is_not_emailed(client, draft_by_warga, warga, moderator):
    client.post(reverse("notifications:unsubscribe", args=[make_token(warga.pk, Kind.PROPOSAL)]))
    participation.publish_proposal(actor=moderator, proposal=draft_by_warga)
    run_worker()
    notification = Notification.objects.get(recipient=warga)
    assert notification.email_status == Notification.Email.NONE  # still shown in the portal
    assert mail.outbox == []


def test_a_consultation_can_be_followed_from_its_page(client, warga, dinas_pupr, kategori):
    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    client.force_login(warga)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Ikuti kabar terbarunya" in page
    client.post(reverse("notifications:toggle_follow", args=[_ct(consultation), consultation.pk]))
    assert services.is_following(warga, consultation)
    assert "Berhenti mengikuti" in client.get(consultation.get_absolute_url()).content.decode()
