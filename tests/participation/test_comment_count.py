"""One comment count everywhere: `Comment.objects.counted()` decides, `comment_count` stores it, and
every surface (card, page, feed, JSON and CSV export, statistics) shows that same number after a
moderator hides a comment or an author deletes one (issue 14; issue 11 finding 6)."""

import csv
import io
import json
import re

import pytest

from participation import services
from participation.models import Comment, Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussed(usulan, warga, warga_lain, moderator):
    """A published proposal with three comments and a reply; the moderator hides one comment."""
    services.post_comment(actor=warga_lain, target=usulan, body="Setuju sekali")
    rude = services.post_comment(actor=warga_lain, target=usulan, body="Komentar kasar")
    first = services.post_comment(actor=warga, target=usulan, body="Terima kasih")
    services.post_comment(actor=warga_lain, target=usulan, body="Sama-sama", parent=first)
    services.set_comment_hidden(actor=moderator, comment=rude, hidden=True, reason="Kasar")
    usulan.refresh_from_db()
    return usulan


def _joined(response) -> str:
    content = getattr(response, "streaming_content", None)
    return b"".join(content).decode() if content is not None else response.content.decode()


def test_hiding_a_comment_lowers_the_stored_count(discussed):
    assert discussed.comment_count == 3
    assert Comment.objects.counted().on(discussed).count() == 3


def test_card_in_the_list_shows_the_count_without_the_hidden_comment(client, discussed):
    html = client.get("/usulan/").content.decode()
    card = re.search(r'<article class="card proposal-card">.*?</article>', html, re.S).group(0)
    assert "3 komentar" in card


def test_page_heading_shows_the_same_count(client, discussed):
    html = client.get(discussed.get_absolute_url()).content.decode()
    assert re.search(r'id="judul-komentar">Komentar <span class="count">\(3\)', html)


def test_feed_shows_the_same_count(client, discussed):
    feed = client.get("/data/feed/usulan/").content.decode()
    assert "3 komentar" in feed


def test_json_export_shows_the_same_count(client, discussed):
    rows = json.loads(_joined(client.get("/data/usulan.json")))
    assert [row["jumlah_komentar"] for row in rows if row["id"] == discussed.pk] == [3]


def test_csv_export_shows_the_same_count(client, discussed):
    text = _joined(client.get("/data/usulan.csv")).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["jumlah_komentar"] for row in rows if row["id"] == str(discussed.pk)] == ["3"]


def test_statistics_add_up_the_same_counts(client, discussed, make_proposal):
    quiet = make_proposal(title="Usulan tanpa komentar")
    assert quiet.comment_count == 0
    response = client.get("/statistik/")
    assert response.context["proposal_comments"] == 3
    assert "<strong>3</strong> komentar warga pada usulan" in response.content.decode()


def test_a_deleted_comment_stops_counting_and_its_replies_keep_counting(discussed, warga):
    first = Comment.objects.get(body="Terima kasih")
    services.delete_comment(actor=warga, comment=first)
    discussed.refresh_from_db()
    assert discussed.comment_count == 2  # "Setuju sekali" and the reply under the deleted comment


def test_hiding_a_comment_also_uncounts_its_replies_and_showing_it_again_restores_them(discussed, moderator):
    first = Comment.objects.get(body="Terima kasih")
    services.set_comment_hidden(actor=moderator, comment=first, hidden=True, reason="Data pribadi")
    discussed.refresh_from_db()
    assert discussed.comment_count == 1
    for _ in range(2):  # showing twice must not count twice
        services.set_comment_hidden(actor=moderator, comment=first, hidden=False)
    discussed.refresh_from_db()
    assert discussed.comment_count == 3


def test_programs_and_consultations_use_the_same_count(client, warga, warga_lain, moderator, petugas_pupr, kategori, dinas_pupr, desa):
    from datetime import timedelta

    from django.utils import timezone

    from consultations.models import Consultation
    from programs import services as programs

    source = Proposal.objects.create(
        title="Sumber", description="x", category=kategori, work_unit=dinas_pupr, region=desa, author=warga,
        status="published", published_at=timezone.now(),
    )
    program = programs.create_program(
        actor=petugas_pupr,
        data={"title": "Program", "description": "x", "work_unit": dinas_pupr, "category": kategori, "region": desa,
              "budget": 1000, "fiscal_year": 2026},
        proposals=[source],
    )
    now = timezone.now()
    consultation = Consultation.objects.create(
        title="Uji publik", summary="r", body="b", work_unit=dinas_pupr, category=kategori,
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5), is_published=True, published_at=now,
    )
    for target in (program, consultation):
        services.post_comment(actor=warga, target=target, body="Tampil")
        hidden = services.post_comment(actor=warga_lain, target=target, body="Disembunyikan")
        services.set_comment_hidden(actor=moderator, comment=hidden, hidden=True, reason="Spam")
        target.refresh_from_db()
        assert target.comment_count == 1
        html = client.get(target.get_absolute_url()).content.decode()
        assert re.search(r'Komentar <span class="count">\(1\)', html)
    programs_json = json.loads(_joined(client.get("/data/program.json")))
    assert [row["jumlah_komentar"] for row in programs_json if row["id"] == program.pk] == [1]
    assert "1 komentar" in client.get("/data/feed/uji-publik/").content.decode()
