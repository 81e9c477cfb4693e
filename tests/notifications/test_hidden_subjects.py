"""Finding 6 of the security review: after a moderator hides an item, notifications about it stop
showing its title and text (a neutral line, no link), are not emailed, are left out of digests
and of the unread count. One test per surface; showing the item again brings the text back.

Before the fix the followers' notification list kept showing the hidden proposal's title.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from notifications import services
from notifications.models import Delivery, Kind, Notification, Preference
from notifications.tasks import send_daily_digests
from participation import services as participation

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = "Lampu jalan Gang Mawar"
NEUTRAL = "Kabar tentang konten yang kini disembunyikan moderator."


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


@pytest.fixture
def followed(warga, warga_lain, moderator, dinas_pupr, kategori, desa):
    """A published proposal that `warga_lain` follows."""
    proposal = participation.create_proposal(
        actor=warga,
        data={"title": TITLE, "description": "Gelap.", "category": kategori, "work_unit": dinas_pupr, "region": desa},
        files=[],
        submit=True,
    )
    proposal = participation.publish_proposal(actor=moderator, proposal=proposal)
    services.follow(actor=warga_lain, target=proposal)
    return proposal


def _answer(proposal, official):
    """The unit answers: followers are told, with the title."""
    participation.answer_proposal(actor=official, proposal=proposal, answer="Masuk rencana 2027.", decline=False)


def _answer_then_hide(proposal, official, moderator):
    _answer(proposal, official)
    participation.set_proposal_hidden(actor=moderator, proposal=proposal, hidden=True, reason="Data pribadi")


def test_notification_list_shows_a_neutral_line_for_a_hidden_proposal(client, followed, warga_lain, moderator, petugas_pupr):
    _answer(followed, petugas_pupr)
    client.force_login(warga_lain)
    assert TITLE in client.get("/notifikasi/").content.decode()

    participation.set_proposal_hidden(actor=moderator, proposal=followed, hidden=True, reason="Data pribadi")
    page = client.get("/notifikasi/").content.decode()
    assert TITLE not in page and NEUTRAL in page
    assert f'href="{followed.get_absolute_url()}"' not in page
    assert "unread" not in page  # not counted, so not shown as new either

    participation.set_proposal_hidden(actor=moderator, proposal=followed, hidden=False)
    assert TITLE in client.get("/notifikasi/").content.decode()


def test_unread_count_leaves_out_news_about_hidden_items(client, followed, warga_lain, moderator, petugas_pupr):
    services.notify(recipients=[warga_lain.pk], kind=Kind.PROPOSAL, message="Kabar lain", url="/usulan/")
    _answer_then_hide(followed, petugas_pupr, moderator)
    assert Notification.objects.filter(recipient=warga_lain, read_at__isnull=True).count() == 2
    assert services.unread_count(warga_lain) == 1
    client.force_login(warga_lain)
    content = client.get("/").content.decode().replace('badge badge-amber">', ">")
    assert ">1<span class=\"visually-hidden\"> belum dibaca" in content


def test_email_waiting_in_the_queue_is_not_sent_once_the_item_is_hidden(followed, warga_lain, moderator, petugas_pupr):
    _answer_then_hide(followed, petugas_pupr, moderator)  # the answer's email is queued, then the item is hidden
    run_worker()
    assert not any(TITLE in message.subject or TITLE in message.body for message in mail.outbox)
    assert Notification.objects.get(recipient=warga_lain).email_status == Notification.Email.NONE


def test_digest_skips_news_about_hidden_items(followed, warga_lain, moderator, petugas_pupr, settings):
    settings.DIGEST_HOUR = 7
    Preference.objects.create(user=warga_lain, kind=Kind.PROPOSAL, delivery=Delivery.DIGEST)
    _answer_then_hide(followed, petugas_pupr, moderator)
    morning = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert send_daily_digests(now=morning) == 0  # nothing else waited: no empty digest
    assert mail.outbox == []
    assert Notification.objects.get(recipient=warga_lain).email_status == Notification.Email.NONE

    services.notify(recipients=[warga_lain.pk], kind=Kind.PROPOSAL, message="Kabar lain", url="/usulan/")
    assert send_daily_digests(now=morning.replace(day=3)) == 1
    assert "Kabar lain" in mail.outbox[0].body and TITLE not in mail.outbox[0].body


def test_reply_notification_goes_neutral_when_the_reply_is_hidden(client, usulan, warga, warga_lain, moderator):
    question = participation.post_comment(actor=warga, target=usulan, body="Kapan mulai?")
    reply = participation.post_comment(actor=warga_lain, target=usulan, body="Besok", parent=question)
    client.force_login(warga)
    assert f"#komentar-{reply.pk}" in client.get("/notifikasi/").content.decode()
    participation.set_comment_hidden(actor=moderator, comment=reply, hidden=True, reason="Kasar")
    page = client.get("/notifikasi/").content.decode()
    assert f"#komentar-{reply.pk}" not in page and NEUTRAL in page
    assert services.unread_count(warga) == 0


def test_notification_list_query_count_does_not_grow_with_notifications(
    client, followed, warga_lain, moderator, petugas_pupr, django_assert_max_num_queries
):
    for number in range(20):
        services.notify(recipients=[warga_lain.pk], kind=Kind.PROPOSAL, message=f"Kabar {number}", url="/usulan/")
    _answer_then_hide(followed, petugas_pupr, moderator)
    client.force_login(warga_lain)
    client.get("/notifikasi/")  # warm-up: stores the person's summary, as every later page finds it
    with django_assert_max_num_queries(8):
        assert client.get("/notifikasi/").status_code == 200
