import pytest

from participation import services
from participation.models import Comment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
COMMENT = "/usulan/{}/komentar/"


def test_verified_citizen_comments_and_replies_one_level(client, usulan, warga_lain, warga):
    client.force_login(warga_lain)
    client.post(COMMENT.format(usulan.pk), {"body": "Saya setuju, jalannya parah."})
    top = Comment.objects.get()
    client.force_login(warga)
    client.post(COMMENT.format(usulan.pk), {"body": "Terima kasih!", "parent": top.pk})
    reply = Comment.objects.get(parent=top)
    # A reply to a reply is refused: one level only.
    response = client.post(COMMENT.format(usulan.pk), {"body": "Balasan bertingkat", "parent": reply.pk}, follow=True)
    assert "komentar utama" in response.content.decode()
    assert Comment.objects.count() == 2
    usulan.refresh_from_db()
    assert usulan.comment_count == 2
    content = client.get(usulan.get_absolute_url()).content.decode()
    assert "Saya setuju, jalannya parah." in content and "Terima kasih!" in content


def test_reply_must_belong_to_the_same_proposal(client, usulan, make_proposal, warga_lain):
    other = make_proposal()
    foreign = services.post_comment(actor=warga_lain, target=other, body="di usulan lain")
    client.force_login(warga_lain)
    client.post(COMMENT.format(usulan.pk), {"body": "nyasar", "parent": foreign.pk})
    assert not Comment.objects.filter(body="nyasar").exists()


@pytest.mark.parametrize("body, message", [("", "tidak boleh kosong"), ("x" * 5001, "paling banyak 5000")])
def test_empty_or_overlong_comment_is_refused(client, usulan, warga_lain, body, message):
    client.force_login(warga_lain)
    response = client.post(COMMENT.format(usulan.pk), {"body": body}, follow=True)
    assert message in response.content.decode()
    assert Comment.objects.count() == 0


def test_anonymous_and_unverified_cannot_comment(client, usulan, belum_verifikasi):
    response = client.post(COMMENT.format(usulan.pk), {"body": "anonim"})
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    client.force_login(belum_verifikasi)
    response = client.post(COMMENT.format(usulan.pk), {"body": "belum verifikasi"}, follow=True)
    assert "Konfirmasi alamat email" in response.content.decode()
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_commenting_on_non_public_proposal_is_404(client, make_proposal, warga_lain, status):
    proposal = make_proposal(status=status)
    client.force_login(warga_lain)
    assert client.post(COMMENT.format(proposal.pk), {"body": "halo"}).status_code == 404
    assert Comment.objects.count() == 0


def test_commenting_on_hidden_proposal_is_refused(client, usulan, warga_lain, moderator):
    services.set_proposal_hidden(actor=moderator, proposal=usulan, hidden=True, reason="Spam")
    client.force_login(warga_lain)
    assert client.post(COMMENT.format(usulan.pk), {"body": "halo"}).status_code == 404
    assert client.get(usulan.get_absolute_url()).status_code == 404
    assert Comment.objects.count() == 0


def test_author_edits_and_deletes_own_comment_and_replies_stay(client, usulan, warga, warga_lain):
    top = services.post_comment(actor=warga_lain, target=usulan, body="Komentar awal")
    services.post_comment(actor=warga, target=usulan, body="Balasan tetap ada", parent=top)
    client.force_login(warga_lain)
    client.post(f"/komentar/{top.pk}/ubah/", {"body": "Komentar diperbaiki"})
    top.refresh_from_db()
    assert top.body == "Komentar diperbaiki" and top.edited_at is not None
    assert top.history.filter(body="Komentar awal").exists()
    client.post(f"/komentar/{top.pk}/hapus/")
    content = client.get(usulan.get_absolute_url()).content.decode()
    assert "komentar dihapus" in content and "Balasan tetap ada" in content
    assert "Komentar diperbaiki" not in content


def test_others_cannot_edit_delete_or_hide_a_comment(client, usulan, warga, warga_lain):
    comment = services.post_comment(actor=warga_lain, target=usulan, body="Milik Budi")
    client.force_login(warga)
    assert client.post(f"/komentar/{comment.pk}/ubah/", {"body": "diubah Siti"}).status_code == 403
    assert client.post(f"/komentar/{comment.pk}/hapus/").status_code == 403
    assert client.post(f"/komentar/{comment.pk}/sembunyikan/", {"reason": "x"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Milik Budi" and not comment.is_deleted and not comment.is_hidden


def test_moderator_hides_a_comment_from_everyone_else(client, usulan, warga_lain, moderator):
    comment = services.post_comment(actor=warga_lain, target=usulan, body="Kata-kata kasar")
    client.force_login(moderator)
    response = client.post(f"/komentar/{comment.pk}/sembunyikan/", {"action": "hide", "reason": ""}, follow=True)
    assert "Tuliskan alasan" in response.content.decode()
    client.post(f"/komentar/{comment.pk}/sembunyikan/", {"action": "hide", "reason": "Kasar"})
    comment.refresh_from_db()
    assert comment.is_hidden and comment.history.latest().history_user == moderator
    client.logout()
    assert "Kata-kata kasar" not in client.get(usulan.get_absolute_url()).content.decode()
    client.force_login(warga_lain)
    assert client.post(f"/komentar/{comment.pk}/ubah/", {"body": "x"}).status_code == 404


def test_comment_pages_are_paginated_on_the_server(client, usulan):
    author = UserFactory()
    Comment.objects.bulk_create(
        [Comment(content_type_id=_ct(usulan), object_id=usulan.pk, author=author, body=f"komentar-{i:03d}") for i in range(45)]
    )
    first = client.get(usulan.get_absolute_url()).content.decode()
    assert "komentar-000" in first and "komentar-020" not in first
    third = client.get(usulan.get_absolute_url(), {"komentar": 3}).content.decode()
    assert "komentar-044" in third and "komentar-000" not in third


def _ct(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def test_services_refuse_empty_or_overlong_comments_whatever_the_caller(usulan, warga_lain):
    with pytest.raises(ValueError):
        participation_services_post(usulan, warga_lain, "   ")
    with pytest.raises(ValueError):
        participation_services_post(usulan, warga_lain, "x" * 5001)
    comment = participation_services_post(usulan, warga_lain, "Komentar")
    with pytest.raises(ValueError):
        services.edit_comment(actor=warga_lain, comment=comment, body="y" * 5001)
    comment.refresh_from_db()
    assert comment.body == "Komentar" and Comment.objects.count() == 1


def participation_services_post(target, actor, body):
    return services.post_comment(actor=actor, target=target, body=body)


def test_overlong_edit_is_refused_with_a_message(client, usulan, warga_lain):
    comment = services.post_comment(actor=warga_lain, target=usulan, body="Asli")
    client.force_login(warga_lain)
    response = client.post(f"/komentar/{comment.pk}/ubah/", {"body": "z" * 5001}, follow=True)
    assert "1 sampai 5.000 karakter" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Asli"
