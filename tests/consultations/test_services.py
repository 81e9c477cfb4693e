"""The consultation services: each refusal leaves the database as it was."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from audit.models import AuditEvent
from consultations import services
from consultations.exceptions import AlreadyResponded, InvalidResponse, NotOpen
from consultations.models import Consultation, Response, ResponseReply
from tests.consultations.conftest import CLOSES, OPENS, ConsultationFactory, ResponseFactory

pytestmark = pytest.mark.django_db
INSIDE = OPENS + timedelta(days=2)


def _respond(user, consultation, position="setuju", comment="", now=INSIDE):
    return services.submit_response(actor=user, consultation=consultation, position=position, comment=comment, now=now)


# --- responding -----------------------------------------------------------------------------------


def test_a_verified_citizen_responds_while_open(konsultasi, warga):
    response = _respond(warga, konsultasi, "tidak_setuju", "  Tarif terlalu tinggi.  ")
    assert (response.position, response.comment, response.author) == ("tidak_setuju", "Tarif terlalu tinggi.", warga)
    assert response.history.first().history_change_reason == "Tanggapan dikirim"


@pytest.mark.parametrize(
    "now,state",
    [(OPENS - timedelta(seconds=1), "dijadwalkan"), (CLOSES, "ditutup"), (CLOSES + timedelta(days=1), "ditutup")],
)
def test_responding_outside_the_window_is_refused(konsultasi, warga, now, state):
    with pytest.raises(NotOpen) as refused:
        _respond(warga, konsultasi, now=now)
    assert refused.value.state == state
    assert "belum dibuka" in refused.value.message or "sudah ditutup" in refused.value.message
    assert not Response.objects.exists()


def test_responding_exactly_at_opening_is_accepted(konsultasi, warga):
    assert _respond(warga, konsultasi, now=OPENS).pk


def test_responding_to_a_draft_is_a_404(konsultasi_draf, warga):
    with pytest.raises(Http404):
        _respond(warga, konsultasi_draf)
    assert not Response.objects.exists()


def test_responding_twice_is_refused_and_keeps_the_first(konsultasi, warga):
    _respond(warga, konsultasi, "setuju", "pertama")
    with pytest.raises(AlreadyResponded):
        _respond(warga, konsultasi, "tidak_setuju", "kedua")
    assert list(Response.objects.values_list("position", "comment")) == [("setuju", "pertama")]


def test_the_database_refuses_a_second_response_by_the_same_citizen(konsultasi, warga):
    from django.db import IntegrityError, transaction

    ResponseFactory(consultation=konsultasi, author=warga)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(consultation=konsultasi, author=warga, position="netral")


@pytest.mark.parametrize("position", ["", "sangat_setuju", "SETUJU", "setuju "])
def test_an_unknown_position_is_refused(konsultasi, warga, position):
    with pytest.raises(InvalidResponse):
        _respond(warga, konsultasi, position)
    assert not Response.objects.exists()


def test_a_comment_over_5000_characters_is_refused(konsultasi, warga):
    with pytest.raises(InvalidResponse) as refused:
        _respond(warga, konsultasi, comment="x" * 5001)
    assert "5000" in refused.value.message
    assert not Response.objects.exists()
    assert _respond(warga, konsultasi, comment="x" * 5000).pk


def test_unverified_and_owning_officials_cannot_respond(konsultasi, belum_verifikasi, petugas_pupr, admin):
    for person in (belum_verifikasi, petugas_pupr, admin):
        with pytest.raises(PermissionDenied):
            _respond(person, konsultasi)
    assert not Response.objects.exists()


def test_a_citizen_changes_their_mind_until_closing(konsultasi, warga):
    response = _respond(warga, konsultasi, "setuju", "awal")
    services.change_response(actor=warga, response=response, position="netral", comment="setelah membaca ulang", now=INSIDE)
    response.refresh_from_db()
    assert (response.position, response.comment) == ("netral", "setelah membaca ulang")
    assert response.history.first().history_change_reason == "Sikap diubah"
    with pytest.raises(NotOpen):
        services.change_response(actor=warga, response=response, position="setuju", now=CLOSES)
    response.refresh_from_db()
    assert response.position == "netral"


def test_changing_another_citizens_response_is_refused(konsultasi, warga, warga_lain):
    response = _respond(warga, konsultasi, "setuju", "milik Siti")
    with pytest.raises(PermissionDenied):
        services.change_response(actor=warga_lain, response=response, position="tidak_setuju", comment="dibajak", now=INSIDE)
    response.refresh_from_db()
    assert (response.position, response.comment) == ("setuju", "milik Siti")


# --- officials ------------------------------------------------------------------------------------


def _data(dinas, kategori, **overrides):
    data = dict(
        title="Rancangan Standar Pelayanan Perizinan",
        summary="Ringkasan",
        body="Isi",
        work_unit=dinas,
        category=kategori,
        opens_at=OPENS,
        closes_at=CLOSES,
        is_published=True,
        follow_up="",
    )
    data.update(overrides)
    return data


def test_an_official_schedules_a_consultation_for_their_unit(petugas_pupr, dinas_pupr, kategori):
    consultation = services.create_consultation(actor=petugas_pupr, data=_data(dinas_pupr, kategori), now=OPENS - timedelta(days=1))
    assert consultation.state(OPENS - timedelta(days=1)) == "dijadwalkan"
    assert consultation.published_at == OPENS - timedelta(days=1)
    event = AuditEvent.objects.get(object_type="consultations.Consultation", object_id=str(consultation.pk))
    assert event.data["to"] == "published" and event.actor == petugas_pupr


def test_an_official_of_another_unit_can_neither_create_nor_edit(petugas_dikbud, dinas_pupr, kategori, konsultasi):
    with pytest.raises(PermissionDenied):
        services.create_consultation(actor=petugas_dikbud, data=_data(dinas_pupr, kategori))
    with pytest.raises(PermissionDenied):
        services.update_consultation(actor=petugas_dikbud, consultation=konsultasi, data={"title": "diambil alih"}, now=OPENS)
    assert Consultation.objects.count() == 1
    konsultasi.refresh_from_db()
    assert konsultasi.title != "diambil alih"


def test_an_official_cannot_hand_a_consultation_to_a_unit_they_do_not_act_for(petugas_pupr, dinas_dikbud, konsultasi):
    with pytest.raises(PermissionDenied):
        services.update_consultation(actor=petugas_pupr, consultation=konsultasi, data={"work_unit": dinas_dikbud}, now=OPENS - timedelta(days=1))


def test_closing_before_opening_is_refused(petugas_pupr, dinas_pupr, kategori, konsultasi):
    with pytest.raises(ValidationError) as refused:
        services.create_consultation(actor=petugas_pupr, data=_data(dinas_pupr, kategori, closes_at=OPENS - timedelta(hours=1)))
    assert "closes_at" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.update_consultation(actor=petugas_pupr, consultation=konsultasi, data={"closes_at": OPENS}, now=OPENS - timedelta(days=1))
    assert Consultation.objects.count() == 1


def test_the_body_is_frozen_while_open_except_for_a_noted_correction(petugas_pupr, konsultasi):
    with pytest.raises(ValidationError) as refused:
        services.update_consultation(actor=petugas_pupr, consultation=konsultasi, data={"body": "isi baru"}, now=INSIDE)
    assert "change_note" in refused.value.message_dict
    konsultasi.refresh_from_db()
    assert konsultasi.body != "isi baru"

    services.update_consultation(
        actor=petugas_pupr, consultation=konsultasi, data={"body": "isi dengan salah ketik diperbaiki"}, note="Salah ketik pada Pasal 2", now=INSIDE
    )
    konsultasi.refresh_from_db()
    assert konsultasi.body == "isi dengan salah ketik diperbaiki"
    assert konsultasi.history.first().history_change_reason == "Koreksi selama uji publik dibuka: Salah ketik pada Pasal 2"


def test_the_body_may_change_freely_before_opening(petugas_pupr, konsultasi):
    services.update_consultation(actor=petugas_pupr, consultation=konsultasi, data={"body": "versi 2"}, now=OPENS - timedelta(days=1))
    konsultasi.refresh_from_db()
    assert konsultasi.body == "versi 2"


def test_moving_the_closing_earlier_once_responses_exist_needs_confirmation(petugas_pupr, konsultasi, warga):
    _respond(warga, konsultasi)
    earlier = INSIDE + timedelta(hours=2)
    with pytest.raises(ValidationError) as refused:
        services.update_consultation(actor=petugas_pupr, consultation=konsultasi, data={"closes_at": earlier}, now=INSIDE)
    assert "closes_at" in refused.value.message_dict
    konsultasi.refresh_from_db()
    assert konsultasi.closes_at == CLOSES

    services.update_consultation(
        actor=petugas_pupr, consultation=konsultasi, data={"closes_at": earlier}, confirm_earlier_close=True, now=INSIDE
    )
    konsultasi.refresh_from_db()
    assert konsultasi.closes_at == earlier
    reason = konsultasi.history.first().history_change_reason
    assert reason.startswith("Waktu penutupan dimajukan dari 16 Maret 2026 16:00") and "dikonfirmasi, 1 tanggapan" in reason
    event = AuditEvent.objects.filter(object_id=str(konsultasi.pk)).latest("id")
    assert event.data["confirmed_earlier_close"] is True


def test_extending_an_open_consultation_needs_no_confirmation(petugas_pupr, konsultasi, warga):
    _respond(warga, konsultasi)
    later = CLOSES + timedelta(days=7)
    services.update_consultation(actor=petugas_pupr, consultation=konsultasi, data={"closes_at": later}, now=INSIDE)
    konsultasi.refresh_from_db()
    assert konsultasi.closes_at == later


@pytest.mark.parametrize(
    "data,field",
    [
        ({"opens_at": OPENS + timedelta(days=1)}, "opens_at"),
        ({"is_published": False}, "is_published"),
    ],
)
def test_opening_time_and_publication_are_fixed_once_opened(petugas_pupr, konsultasi, data, field):
    with pytest.raises(ValidationError) as refused:
        services.update_consultation(actor=petugas_pupr, consultation=konsultasi, data=data, now=INSIDE)
    assert field in refused.value.message_dict


def test_a_closed_consultation_keeps_its_times(petugas_pupr, konsultasi):
    with pytest.raises(ValidationError):
        services.update_consultation(actor=petugas_pupr, consultation=konsultasi, data={"closes_at": CLOSES + timedelta(days=3)}, now=CLOSES)


def test_follow_up_before_closing_is_refused(petugas_pupr, konsultasi):
    for now in (OPENS - timedelta(days=1), INSIDE, CLOSES - timedelta(seconds=1)):
        with pytest.raises(ValidationError) as refused:
            services.write_follow_up(actor=petugas_pupr, consultation=konsultasi, text="Kami tindak lanjuti", now=now)
        assert "follow_up" in refused.value.message_dict
    konsultasi.refresh_from_db()
    assert konsultasi.follow_up == "" and konsultasi.follow_up_at is None


def test_follow_up_after_closing_is_published_with_history_and_audit(petugas_pupr, petugas_dikbud, konsultasi):
    with pytest.raises(PermissionDenied):
        services.write_follow_up(actor=petugas_dikbud, consultation=konsultasi, text="bukan unit kami", now=CLOSES)
    services.write_follow_up(actor=petugas_pupr, consultation=konsultasi, text="Tarif kios diturunkan 10%.", now=CLOSES)
    konsultasi.refresh_from_db()
    assert konsultasi.follow_up == "Tarif kios diturunkan 10%." and konsultasi.follow_up_at == CLOSES
    assert konsultasi.history.first().history_change_reason == "Tindak lanjut ditulis"
    assert AuditEvent.objects.filter(object_id=str(konsultasi.pk), data__follow_up="written").exists()


def test_publishing_a_draft_is_audited(petugas_pupr, konsultasi_draf):
    services.update_consultation(actor=petugas_pupr, consultation=konsultasi_draf, data={"is_published": True}, now=OPENS - timedelta(days=1))
    konsultasi_draf.refresh_from_db()
    assert konsultasi_draf.is_published and konsultasi_draf.published_at == OPENS - timedelta(days=1)
    assert konsultasi_draf.history.first().history_change_reason == "Dipublikasikan"
    assert AuditEvent.objects.filter(object_id=str(konsultasi_draf.pk), data__to="published").exists()


def test_documents_are_frozen_once_opened(petugas_pupr, konsultasi, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consultations.exceptions import ConsultationError
    from participation.uploads import check_upload

    pdf = SimpleUploadedFile("rancangan.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", content_type="application/pdf")
    checked = check_upload(pdf, allow_images=False)
    documents = services.add_documents(actor=petugas_pupr, consultation=konsultasi, files=[(pdf, checked)], now=OPENS - timedelta(days=1))
    assert documents[0].original_name == "rancangan.pdf"
    assert documents[0].file.name.startswith("consultations/") and "rancangan" not in documents[0].file.name
    with pytest.raises(ConsultationError):
        services.add_documents(actor=petugas_pupr, consultation=konsultasi, files=[(pdf, checked)], now=INSIDE)
    assert konsultasi.documents.count() == 1


# --- replies, moderation and results ------------------------------------------------------------


def test_an_official_replies_to_a_response(clock, konsultasi, warga, petugas_pupr, petugas_dikbud):
    clock.set(INSIDE)
    response = _respond(warga, konsultasi)
    with pytest.raises(PermissionDenied):
        services.reply_to_response(actor=petugas_dikbud, response=response, body="bukan unit kami")
    with pytest.raises(ValidationError):
        services.reply_to_response(actor=petugas_pupr, response=response, body="   ")
    reply = services.reply_to_response(actor=petugas_pupr, response=response, body="Terima kasih, kami catat.")
    assert reply.work_unit == konsultasi.work_unit
    assert ResponseReply.objects.count() == 1


def test_a_moderator_hides_a_response_comment_but_the_position_still_counts(clock, konsultasi, warga, moderator, petugas_pupr):
    clock.set(INSIDE)
    response = _respond(warga, konsultasi, "tidak_setuju", "isi kasar")
    with pytest.raises(PermissionDenied):
        services.set_response_hidden(actor=petugas_pupr, response=response, hidden=True, reason="kasar")
    with pytest.raises(ValidationError):
        services.set_response_hidden(actor=moderator, response=response, hidden=True, reason="")
    services.set_response_hidden(actor=moderator, response=response, hidden=True, reason="Kasar")
    assert not Response.objects.shown_publicly().exists()
    assert services.results_for(konsultasi).rows[1].count == 1


def test_results_count_and_percentages(konsultasi):
    for position in ["setuju", "setuju", "tidak_setuju"]:
        ResponseFactory(consultation=konsultasi, position=position)
    results = services.results_for(konsultasi)
    assert results.total == 3
    assert [(r.position, r.count, r.percent) for r in results.rows] == [
        ("setuju", 2, 66.7),
        ("tidak_setuju", 1, 33.3),
        ("netral", 0, 0.0),
    ]
    assert results.rows[0].bar_width == pytest.approx(86.71)


def test_results_with_no_responses(konsultasi):
    results = services.results_for(konsultasi)
    assert results.total == 0 and all(r.percent == 0 for r in results.rows)
