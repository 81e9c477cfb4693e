"""Finding 3 of the security review: text a moderator removes must leave the change history too,
and the history credits each change to the role its author acted in at the time.

Before the fix a moderator could only edit the live text (admin); /usulan/<id>/riwayat/ kept
the phone number in the "before" column and credited the edit to "Petugas satuan kerja"
(guessed from the change reason's words).
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts import rights
from audit.models import AuditEvent
from notifications.models import Kind, Notification
from participation import services
from participation.models import Comment, Proposal
from participation.redaction import REDACTED, NothingToRedact, redact_field

PHONE = "0812-3456-7890"


@pytest.fixture
def usulan_dengan_telepon(warga, moderator, dinas_pupr, kategori, desa):
    """Written, edited once by its author and published: two history rows carry the number."""
    proposal = services.create_proposal(
        actor=warga,
        data={
            "title": "Perbaikan jembatan Dusun Krajan",
            "description": f"Jembatan retak. Hubungi Pak Darto {PHONE} untuk survei.",
            "category": kategori,
            "work_unit": dinas_pupr,
            "region": desa,
        },
        files=[],
        submit=False,
    )
    services.update_proposal(
        actor=warga,
        proposal=proposal,
        data={"description": f"Jembatan retak dan miring. Hubungi Pak Darto {PHONE} untuk survei."},
        files=[],
        remove_ids=[],
    )
    services.submit_proposal(actor=warga, proposal=proposal)
    return services.publish_proposal(actor=moderator, proposal=proposal)


def _history_texts(proposal) -> list[str]:
    return list(Proposal.history.filter(id=proposal.pk).values_list("description", flat=True))


def test_moderator_redacts_phone_number_from_page_and_whole_history_credited_to_moderator(
    client, moderator, usulan_dengan_telepon
):
    proposal = usulan_dengan_telepon
    assert sum(PHONE in text for text in _history_texts(proposal)) >= 2

    client.force_login(moderator)
    page = client.get(f"/moderasi/sunting/usulan/{proposal.pk}/")
    assert page.status_code == 200
    assert PHONE in page.content.decode()  # the moderator sees what they are about to remove
    answer = client.post(
        f"/moderasi/sunting/usulan/{proposal.pk}/",
        {"field": "description", "passage": PHONE, "reason": "Nomor telepon pribadi"},
    )
    assert answer.status_code == 302 and answer["Location"] == proposal.get_absolute_url()

    proposal.refresh_from_db()
    assert proposal.description == f"Jembatan retak dan miring. Hubungi Pak Darto {REDACTED} untuk survei."
    assert not any(PHONE in text for text in _history_texts(proposal))

    client.logout()
    detail = client.get(proposal.get_absolute_url()).content.decode()
    history = client.get(f"/usulan/{proposal.pk}/riwayat/").content.decode()
    assert PHONE not in detail and PHONE not in history
    assert "Disunting moderator (uraian): Nomor telepon pribadi" in history
    newest = Proposal.history.filter(id=proposal.pk).latest("history_date", "history_id")
    assert newest.history_actor_role == "moderator"
    assert "Moderator" in history
    event = AuditEvent.objects.get(action=AuditEvent.Action.MODERATION, data__redacted_field="description")
    assert event.actor == moderator and event.data["reason"] == "Nomor telepon pribadi"
    assert event.data["history_rows"] >= 2 and PHONE not in str(event.data)


def test_history_credits_the_role_held_at_the_time_not_words_in_the_reason(
    client, moderator, petugas_pupr, dinas_dikbud, usulan_dengan_telepon
):
    proposal = usulan_dengan_telepon
    # An official's hand-over whose note mentions the moderator: once credited to "Moderator".
    services.route_proposal(actor=petugas_pupr, proposal=proposal, to_unit=dinas_dikbud, note="Atas saran moderator")
    # A moderator's edit through admin (no service, the change reason says nothing about roles).
    proposal.refresh_from_db()
    proposal.title = "Perbaikan jembatan Dusun Krajan (RT 02)"
    proposal._history_user = moderator
    proposal._change_reason = "Diubah melalui admin"
    proposal.save()
    # The moderator later leaves the role: the history still says what they were then.
    moderator.groups.clear()

    roles = dict(
        Proposal.history.filter(id=proposal.pk).values_list("history_change_reason", "history_actor_role")
    )
    assert roles["Draf dibuat"] == "author"
    assert roles["Dipublikasikan moderator"] == "moderator"
    assert roles["Disposisi ke Disdikbud: Atas saran moderator"] == "official"
    assert roles["Diubah melalui admin"] == "moderator"

    history = client.get(f"/usulan/{proposal.pk}/riwayat/").content.decode()
    assert history.count("Petugas satuan kerja") == 1  # the hand-over only
    assert history.count("Moderator") >= 2


def test_redaction_without_passage_replaces_the_whole_field_and_scrubs_notification_titles(
    moderator, warga_lain, usulan_dengan_telepon
):
    proposal = usulan_dengan_telepon
    Notification.objects.create(
        recipient=warga_lain, kind=Kind.PROPOSAL, message=f"Usulan “{proposal.title}” telah dipublikasikan.",
        url=proposal.get_absolute_url(),
    )
    redact_field(actor=moderator, obj=proposal, field="title", passage="", reason="Judul memuat nama orang")
    proposal.refresh_from_db()
    assert proposal.title == REDACTED
    assert set(Proposal.history.filter(id=proposal.pk).values_list("title", flat=True)) == {REDACTED}
    assert Notification.objects.get(recipient=warga_lain).message == f"Usulan “{REDACTED}” telah dipublikasikan."


def test_comment_response_and_progress_report_are_redacted_in_every_history_row(
    client, moderator, warga, petugas_pupr, usulan, dinas_pupr, kategori
):
    comment = services.post_comment(actor=warga, target=usulan, body=f"Telepon saya {PHONE}")
    services.edit_comment(actor=warga, comment=comment, body=f"Telepon saya {PHONE} (sore)")

    from consultations.models import Response
    from tests.consultations.conftest import ConsultationFactory

    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    response = Response(consultation=consultation, author=warga, position="setuju", comment=f"Setuju. WA {PHONE}")
    response._history_user = warga
    response.save()

    from programs import services as program_services
    from programs.models import Phase, ProgressUpdate

    program = program_services.create_program(
        actor=petugas_pupr,
        data={"title": "Rehabilitasi jembatan", "description": "Jembatan", "work_unit": dinas_pupr, "category": kategori,
              "region": usulan.region, "budget": 100_000_000, "fiscal_year": 2026},
        proposals=[usulan],
    )
    phase = Phase.objects.get(program=program, kind="perencanaan")
    today = timezone.localdate()
    program_services.start_phase(actor=petugas_pupr, phase=phase, on=today - datetime.timedelta(days=3))
    update = program_services.post_update(actor=petugas_pupr, phase=phase, date=today, body=f"Kontak mandor {PHONE}")

    client.force_login(moderator)
    for kind, obj, field in (("komentar", comment, "body"), ("tanggapan", response, "comment"), ("laporan", update, "body")):
        answer = client.post(f"/moderasi/sunting/{kind}/{obj.pk}/", {"field": field, "passage": PHONE, "reason": "Data pribadi"})
        assert answer.status_code == 302, kind
        texts = list(type(obj).history.filter(id=obj.pk).values_list(field, flat=True))
        assert len(texts) >= 2 and not any(PHONE in text for text in texts), kind
        assert REDACTED in getattr(type(obj).objects.get(pk=obj.pk), field)

    client.logout()
    assert PHONE not in client.get(usulan.get_absolute_url()).content.decode()
    program_history = client.get(f"{program.get_absolute_url()}riwayat/").content.decode()
    assert PHONE not in program_history and "Disunting moderator" in program_history
    assert "Moderator" in program_history
    assert ProgressUpdate.history.filter(id=update.pk).latest("history_date").history_actor_role == "moderator"


def test_administrator_redaction_is_credited_to_administrator(admin, usulan):
    services.post_comment(actor=usulan.author, target=usulan, body="biasa")
    redact_field(actor=admin, obj=usulan, field="description", passage="", reason="Uji")
    assert Proposal.history.filter(id=usulan.pk).latest("history_date", "history_id").history_actor_role == "administrator"


@pytest.mark.parametrize("who", ["anonymous", "warga", "petugas_pupr", "comment_author"])
def test_only_moderators_may_redact(client, request, who, usulan, warga):
    comment = services.post_comment(actor=warga, target=usulan, body=f"Telepon saya {PHONE}")
    if who == "comment_author":
        client.force_login(warga)
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for url in (f"/moderasi/sunting/usulan/{usulan.pk}/", f"/moderasi/sunting/komentar/{comment.pk}/"):
        page = client.get(url)
        answer = client.post(url, {"field": "body", "passage": PHONE, "reason": "x"})
        if who == "anonymous":
            assert page.status_code == answer.status_code == 302 and "/akun/login/" in answer["Location"]
        else:
            assert page.status_code == answer.status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == f"Telepon saya {PHONE}"
    assert not any(REDACTED in body for body in Comment.history.values_list("body", flat=True))
    with pytest.raises(PermissionDenied):
        redact_field(actor=request.getfixturevalue("warga_lain"), obj=comment, field="body", passage=PHONE, reason="x")


def test_bad_redaction_requests_change_nothing(client, moderator, usulan_dengan_telepon):
    proposal = usulan_dengan_telepon
    client.force_login(moderator)
    url = f"/moderasi/sunting/usulan/{proposal.pk}/"
    before = _history_texts(proposal)

    no_reason = client.post(url, {"field": "description", "passage": PHONE, "reason": "  "})
    assert no_reason.status_code == 200 and list(no_reason.context["form"].errors) == ["reason"]
    not_found = client.post(url, {"field": "description", "passage": "0899-0000-0000", "reason": "Data pribadi"})
    assert not_found.status_code == 200 and "tidak ditemukan" in not_found.content.decode()
    unknown_field = client.post(url, {"field": "status", "passage": "", "reason": "x"})
    assert unknown_field.status_code == 200 and "field" in unknown_field.context["form"].errors
    assert client.get(f"/moderasi/sunting/rahasia/{proposal.pk}/").status_code == 404
    assert client.get("/moderasi/sunting/usulan/999999/").status_code == 404

    assert _history_texts(proposal) == before
    assert not AuditEvent.objects.filter(data__has_key="redacted_field").exists()
    with pytest.raises(NothingToRedact):
        redact_field(actor=moderator, obj=proposal, field="description", passage="tidak ada", reason="x")


def test_moderators_find_the_redaction_page_from_the_item(client, moderator, warga, usulan):
    comment = services.post_comment(actor=warga, target=usulan, body="Komentar")
    client.force_login(moderator)
    page = client.get(usulan.get_absolute_url()).content.decode()
    assert f"/moderasi/sunting/usulan/{usulan.pk}/" in page
    assert f"/moderasi/sunting/komentar/{comment.pk}/" in page
    client.force_login(warga)
    assert "/moderasi/sunting/" not in client.get(usulan.get_absolute_url()).content.decode()


def test_redaction_is_a_rights_rule(moderator, admin, warga, petugas_pupr, usulan):
    assert rights.can(moderator, "redact", usulan) and rights.can(admin, "redact", usulan)
    assert not rights.can(warga, "redact", usulan) and not rights.can(petugas_pupr, "redact", usulan)
