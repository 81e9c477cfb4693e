from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from participation import services
from participation.models import Flag, Proposal

pytestmark = pytest.mark.django_db
QUEUE = "/moderasi/"


def test_citizen_flags_a_proposal_once(client, usulan, warga_lain):
    client.force_login(warga_lain)
    client.post(f"/usulan/{usulan.pk}/laporkan/", {"reason": "spam", "note": "iklan"})
    response = client.post(f"/usulan/{usulan.pk}/laporkan/", {"reason": "abuse"}, follow=True)
    assert "sudah melaporkan" in response.content.decode()
    assert Flag.objects.count() == 1


def test_flag_needs_a_known_reason(client, usulan, warga_lain):
    client.force_login(warga_lain)
    response = client.post(f"/usulan/{usulan.pk}/laporkan/", {"reason": "tidak-ada"})
    assert response.status_code == 200 and "Pilihan tidak valid" in response.content.decode()
    assert Flag.objects.count() == 0


def test_author_anonymous_and_unverified_cannot_flag(client, usulan, warga, belum_verifikasi):
    client.force_login(warga)
    assert client.post(f"/usulan/{usulan.pk}/laporkan/", {"reason": "spam"}).status_code == 403
    client.force_login(belum_verifikasi)
    client.post(f"/usulan/{usulan.pk}/laporkan/", {"reason": "spam"})
    client.logout()
    assert client.post(f"/usulan/{usulan.pk}/laporkan/", {"reason": "spam"}).status_code == 302
    assert Flag.objects.count() == 0


def test_comment_can_be_flagged(client, usulan, warga, warga_lain):
    comment = services.post_comment(actor=warga, target=usulan, body="komentar")
    client.force_login(warga_lain)
    client.post(f"/komentar/{comment.pk}/laporkan/", {"reason": "abuse"})
    assert Flag.objects.get().object_id == comment.pk


@pytest.mark.parametrize("who", ["anonymous", "warga", "petugas_pupr"])
def test_queue_is_for_moderators_only(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
        assert client.get(QUEUE).status_code == 403
    else:
        assert client.get(QUEUE).status_code == 302


def test_queue_lists_submitted_and_flagged_items_oldest_first_and_marks_overdue(client, make_proposal, moderator, usulan, warga_lain):
    old = make_proposal(status="submitted", title="Lama sekali", submitted_at=timezone.now() - timedelta(days=10))
    new = make_proposal(status="submitted", title="Baru saja", submitted_at=timezone.now())
    services.flag_content(actor=warga_lain, target=usulan, reason="spam")
    client.force_login(moderator)
    content = client.get(QUEUE).content.decode()
    assert content.index(old.title) < content.index(new.title)
    assert "Melewati batas waktu" in content
    assert usulan.title.replace("<", "&lt;").split("&lt;")[0] in content
    assert "Spam atau iklan" in content


def test_moderator_publishes_and_rejects_from_the_queue(client, make_proposal, moderator):
    first = make_proposal(status="submitted")
    second = make_proposal(status="submitted")
    client.force_login(moderator)
    client.post(reverse("participation:moderation_decide", args=[first.pk]), {"action": "publish"})
    response = client.post(reverse("participation:moderation_decide", args=[second.pk]), {"action": "reject", "reason": ""}, follow=True)
    assert "Tuliskan alasannya" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "submitted"
    client.post(reverse("participation:moderation_decide", args=[second.pk]), {"action": "reject", "reason": "Duplikat usulan #1"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "published" and second.status == "rejected"
    assert second.rejection_reason == "Duplikat usulan #1"
    assert AuditEvent.objects.filter(action="moderation", actor=moderator).count() == 2


def test_deciding_twice_gives_a_message_not_an_error(client, usulan, moderator):
    client.force_login(moderator)
    response = client.post(reverse("participation:moderation_decide", args=[usulan.pk]), {"action": "publish"}, follow=True)
    assert response.status_code == 200
    assert "tidak dapat dilakukan" in response.content.decode()


def test_non_moderator_cannot_decide(client, make_proposal, petugas_pupr):
    proposal = make_proposal(status="submitted")
    client.force_login(petugas_pupr)
    assert client.post(reverse("participation:moderation_decide", args=[proposal.pk]), {"action": "publish"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_hiding_resolves_reports_and_dismissing_keeps_content(client, usulan, make_proposal, moderator, warga_lain):
    services.flag_content(actor=warga_lain, target=usulan, reason="spam")
    other = make_proposal()
    services.flag_content(actor=warga_lain, target=other, reason="false")
    client.force_login(moderator)
    client.post(reverse("participation:moderation_decide", args=[usulan.pk]), {"action": "hide", "reason": "Spam"})
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Proposal).pk
    client.post(reverse("participation:moderation_dismiss", args=[ct, other.pk]))
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    usulan.refresh_from_db()
    other.refresh_from_db()
    assert usulan.is_hidden and not other.is_hidden


def test_admin_bulk_actions_go_through_the_services(client, make_proposal, admin):
    proposals = [make_proposal(status="submitted") for _ in range(3)]
    client.force_login(admin)
    url = reverse("admin:participation_proposal_changelist")
    ids = [str(p.pk) for p in proposals]
    response = client.post(url, {"action": "reject_selected", "_selected_action": ids, "reason": ""}, follow=True)
    assert "memerlukan alasan" in response.content.decode()
    assert Proposal.objects.filter(status="submitted").count() == 3
    client.post(url, {"action": "reject_selected", "_selected_action": ids[:2], "reason": "Di luar kewenangan"})
    client.post(url, {"action": "publish_selected", "_selected_action": ids})
    statuses = sorted(Proposal.objects.values_list("status", flat=True))
    assert statuses == ["published", "rejected", "rejected"]
    # One history row and one audit event per object, with the acting administrator.
    for proposal in Proposal.objects.all():
        assert proposal.history.latest().history_user == admin
    assert AuditEvent.objects.filter(action="moderation", actor=admin).count() == 3


def test_admin_list_filters_by_flagged(client, usulan, make_proposal, admin, warga_lain):
    make_proposal(title="Tidak dilaporkan")
    services.flag_content(actor=warga_lain, target=usulan, reason="spam")
    client.force_login(admin)
    content = client.get(reverse("admin:participation_proposal_changelist"), {"dilaporkan": "ya"}).content.decode()
    assert "Tidak dilaporkan" not in content


def test_official_answers_and_routes_from_the_page(client, usulan, petugas_pupr, petugas_dikbud, dinas_dikbud):
    client.force_login(petugas_dikbud)
    assert client.post(f"/usulan/{usulan.pk}/jawab/", {"answer": "bukan kami"}).status_code == 403
    client.force_login(petugas_pupr)
    response = client.post(f"/usulan/{usulan.pk}/jawab/", {"answer": "", "keputusan": "tolak"}, follow=True)
    assert "tuliskan jawaban resmi" in response.content.decode()
    usulan.refresh_from_db()
    assert usulan.status == "published" and usulan.official_answer == ""
    client.post(f"/usulan/{usulan.pk}/disposisi/", {"to_unit": dinas_dikbud.pk, "note": "Urusan sekolah"})
    usulan.refresh_from_db()
    assert usulan.work_unit == dinas_dikbud
    content = client.get(usulan.get_absolute_url()).content.decode()
    assert "Riwayat disposisi" in content and "Urusan sekolah" in content
    assert client.post(f"/usulan/{usulan.pk}/jawab/", {"answer": "terlambat"}).status_code == 403
    client.force_login(petugas_dikbud)
    client.post(f"/usulan/{usulan.pk}/jawab/", {"answer": "Kami tindak lanjuti", "decline": ""})
    usulan.refresh_from_db()
    assert usulan.official_answer == "Kami tindak lanjuti"


def test_public_history_shows_changes_after_publication(client, usulan, moderator):
    usulan.title = "Judul baru setelah publikasi"
    usulan._change_reason = "Diubah melalui admin"
    usulan._history_user = moderator
    usulan.save()
    content = client.get(f"/usulan/{usulan.pk}/riwayat/").content.decode()
    assert "Judul baru setelah publikasi" in content
    assert moderator.email not in content
