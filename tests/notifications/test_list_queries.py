"""The notification list and the unread count read a fixed number of cheap queries, whatever the
number of notifications, comments and hidden items.

The hidden-subject check (NotificationQuerySet.with_subject_hidden) looks up only the items the
page shows, by key: in its earlier form ("a comment whose object_id is IN the hidden proposals")
PostgreSQL checked every comment of the site on each page, ~190 ms with 200k comments.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import summary
from notifications import services
from notifications.models import Kind, Notification
from participation import services as participation
from participation.models import Proposal

pytestmark = pytest.mark.django_db
NEUTRAL = "Kabar tentang konten yang kini disembunyikan moderator."


@pytest.fixture
def inbox(warga, warga_lain, moderator, make_proposal):
    """40 notifications for `warga`: news about proposals and replies to her comments, some hidden since."""
    shown, hidden = make_proposal(title="Jalan desa berlubang"), make_proposal(title="Proposal yang disembunyikan")
    for number in range(12):
        services.notify(recipients=[warga.pk], kind=Kind.PROPOSAL, message=f"Kabar {number}", url="/usulan/", subject=shown)
        services.notify(recipients=[warga.pk], kind=Kind.PROPOSAL, message=f"Kabar lama {number}", url="/usulan/", subject=hidden)
    for proposal in (shown, hidden):
        question = participation.post_comment(actor=warga, target=proposal, body="Kapan mulai?")
        for number in range(8):
            reply = participation.post_comment(actor=warga_lain, target=proposal, body=f"Balasan {number}", parent=question)
            services.notify(
                recipients=[warga.pk], kind=Kind.REPLY, message=f"Balasan untuk {proposal.title}",
                url=f"{proposal.get_absolute_url()}#komentar-{reply.pk}", subject=reply,
            )
    Proposal.objects.filter(pk=hidden.pk).update(is_hidden=True)
    return {"shown": shown, "hidden": hidden}


def test_news_about_comments_on_a_hidden_proposal_is_neutral_and_not_counted(client, warga, inbox):
    notifications = Notification.objects.filter(recipient=warga).with_subject_hidden()
    hidden = {n.message for n in notifications if n.subject_hidden}
    assert hidden == {f"Kabar lama {n}" for n in range(12)} | {"Balasan untuk Proposal yang disembunyikan"}
    assert sum(n.subject_hidden for n in notifications) == 12 + 8
    assert services.unread_count(warga) == 40 - 20

    client.force_login(warga)
    pages = client.get("/notifikasi/").content.decode() + client.get("/notifikasi/?halaman=2").content.decode()
    assert "Balasan untuk Jalan desa berlubang" in pages and "Balasan untuk Proposal yang disembunyikan" not in pages
    assert pages.count(NEUTRAL) == 20


@pytest.mark.parametrize("path", ["/notifikasi/", "/notifikasi/?halaman=2"])
def test_the_notification_list_runs_five_queries_and_looks_up_only_the_page_s_items(
    client, warga, inbox, django_assert_max_num_queries, path
):
    client.force_login(warga)
    client.get(path)  # stores the person's summary
    # session, user, summary (one cache read), the count, the page's rows
    with django_assert_max_num_queries(5) as captured:
        assert client.get(path).status_code == 200
    rows = [q["sql"] for q in captured.captured_queries if "subject_hidden" in q["sql"]]
    assert len(rows) == 1
    # The comment's proposal is looked up by its key, never as a list of every hidden proposal.
    assert '"object_id" IN (SELECT' not in rows[0]


def test_the_unread_count_is_one_query_of_the_same_shape(warga, inbox):
    with CaptureQueriesContext(connection) as captured:
        assert summary._compute(warga)["unread"] == 20
    counts = [q["sql"] for q in captured.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and '"object_id" IN (SELECT' not in counts[0]
