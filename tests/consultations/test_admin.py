"""Officials run their unit's consultations in Django admin; the same rules as the services apply."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation, ResponseReply
from tests.consultations.conftest import CLOSES, OPENS, ConsultationFactory, ResponseFactory

pytestmark = pytest.mark.django_db
INSIDE = OPENS + timedelta(days=2)
ADD = reverse("admin:consultations_consultation_add")
LIST = reverse("admin:consultations_consultation_changelist")


def change_url(consultation):
    return reverse("admin:consultations_consultation_change", args=[consultation.pk])


def _local(moment):
    local = timezone.localtime(moment)
    return {"date": local.strftime("%Y-%m-%d"), "time": local.strftime("%H:%M:%S")}


def form_data(consultation=None, **overrides):
    c = consultation
    data = {
        "title": c.title if c else "Rancangan SOP Izin Bangunan",
        "summary": c.summary if c else "Ringkasan",
        "body": c.body if c else "Isi rancangan",
        "work_unit": c.work_unit_id if c else "",
        "category": c.category_id if c else "",
        "is_published": "on" if (c.is_published if c else True) else "",
        "follow_up": c.follow_up if c else "",
        "change_note": "",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
    }
    opens = overrides.pop("opens_at", c.opens_at if c else OPENS)
    closes = overrides.pop("closes_at", c.closes_at if c else CLOSES)
    data.update({f"opens_at_{k}": v for k, v in zip((0, 1), _local(opens).values())})
    data.update({f"closes_at_{k}": v for k, v in zip((0, 1), _local(closes).values())})
    data.update(overrides)
    return {k: v for k, v in data.items() if v != "" or k in ("change_note", "follow_up")}


def test_an_official_lists_and_opens_only_their_units_consultations(client, clock, petugas_pupr, dinas_pupr, dinas_dikbud, kategori):
    ours = ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Milik PUPR")
    theirs = ConsultationFactory(work_unit=dinas_dikbud, category=kategori, title="Milik Disdikbud")
    client.force_login(petugas_pupr)
    html = client.get(LIST).content.decode()
    assert "Milik PUPR" in html and "Milik Disdikbud" not in html
    assert client.get(change_url(ours)).status_code == 200
    assert client.get(change_url(theirs)).status_code in (302, 403, 404)
    client.post(change_url(theirs), form_data(theirs, title="Diambil alih"))
    theirs.refresh_from_db()
    assert theirs.title == "Milik Disdikbud"


def test_the_unit_choices_are_limited_to_the_officials_units(client, clock, petugas_pupr, dinas_pupr, dinas_dikbud, kategori):
    client.force_login(petugas_pupr)
    form = client.get(ADD).context["adminform"].form
    assert list(form.fields["work_unit"].queryset) == [dinas_pupr]
    page = client.post(ADD, form_data(work_unit=dinas_dikbud.pk, category=kategori.pk))
    assert page.status_code == 200 and "work_unit" in page.context["adminform"].form.errors
    assert not Consultation.objects.exists()


def test_an_official_schedules_a_consultation_in_admin(client, clock, petugas_pupr, dinas_pupr, kategori):
    client.force_login(petugas_pupr)
    page = client.post(ADD, form_data(work_unit=dinas_pupr.pk, category=kategori.pk))
    assert page.status_code == 302, page.context["adminform"].form.errors
    consultation = Consultation.objects.get()
    assert consultation.created_by == petugas_pupr and consultation.state() == "dijadwalkan"
    assert consultation.history.first().history_user == petugas_pupr


def test_closing_before_opening_is_refused_in_admin(client, clock, petugas_pupr, dinas_pupr, kategori):
    client.force_login(petugas_pupr)
    page = client.post(ADD, form_data(work_unit=dinas_pupr.pk, category=kategori.pk, closes_at=OPENS - timedelta(days=1)))
    assert page.status_code == 200
    assert "sesudah waktu pembukaan" in page.content.decode()
    assert not Consultation.objects.exists()


def test_body_edits_while_open_need_a_correction_note(client, clock, petugas_pupr, konsultasi):
    clock.set(INSIDE)
    client.force_login(petugas_pupr)
    page = client.post(change_url(konsultasi), form_data(konsultasi, body="Isi diganti diam-diam"))
    assert page.status_code == 200 and "kecuali koreksi" in page.content.decode()
    konsultasi.refresh_from_db()
    assert konsultasi.body != "Isi diganti diam-diam"
    page = client.post(change_url(konsultasi), form_data(konsultasi, body="Isi dikoreksi", change_note="Salah ketik angka tarif"))
    assert page.status_code == 302
    konsultasi.refresh_from_db()
    assert konsultasi.body == "Isi dikoreksi"
    assert "Salah ketik angka tarif" in konsultasi.history.first().history_change_reason


def test_moving_the_close_earlier_with_responses_needs_the_checkbox(client, clock, petugas_pupr, konsultasi):
    clock.set(INSIDE)
    ResponseFactory(consultation=konsultasi)
    client.force_login(petugas_pupr)
    earlier = INSIDE + timedelta(hours=3)
    page = client.post(change_url(konsultasi), form_data(konsultasi, closes_at=earlier))
    assert page.status_code == 200 and "centang konfirmasi" in page.content.decode()
    konsultasi.refresh_from_db()
    assert konsultasi.closes_at == CLOSES
    page = client.post(change_url(konsultasi), form_data(konsultasi, closes_at=earlier, confirm_earlier_close="on"))
    assert page.status_code == 302
    konsultasi.refresh_from_db()
    assert konsultasi.closes_at == earlier
    assert "dimajukan" in konsultasi.history.first().history_change_reason


def test_follow_up_in_admin_only_after_closing(client, clock, petugas_pupr, konsultasi):
    clock.set(INSIDE)
    client.force_login(petugas_pupr)
    page = client.post(change_url(konsultasi), form_data(konsultasi, follow_up="Terlalu cepat"))
    assert page.status_code == 200 and "setelah uji publik ditutup" in page.content.decode()
    clock.set(CLOSES + timedelta(hours=1))
    page = client.post(change_url(konsultasi), form_data(konsultasi, follow_up="Tarif diturunkan"))
    assert page.status_code == 302
    konsultasi.refresh_from_db()
    assert konsultasi.follow_up == "Tarif diturunkan" and konsultasi.follow_up_at == CLOSES + timedelta(hours=1)


def test_documents_upload_in_admin_is_checked_and_frozen_after_opening(client, clock, petugas_pupr, konsultasi, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(petugas_pupr)
    base = form_data(konsultasi)
    base.update({"documents-TOTAL_FORMS": "1", "documents-0-title": "Naskah"})
    fake = SimpleUploadedFile("naskah.pdf", b"MZ not a pdf", content_type="application/pdf")
    page = client.post(change_url(konsultasi), {**base, "documents-0-file": fake})
    assert page.status_code == 200 and "tidak sesuai" in page.content.decode()
    assert not konsultasi.documents.exists()
    pdf = SimpleUploadedFile("naskah.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert client.post(change_url(konsultasi), {**base, "documents-0-file": pdf}).status_code == 302
    document = konsultasi.documents.get()
    assert (document.original_name, document.title, document.size) == ("naskah.pdf", "Naskah", 15)
    clock.set(INSIDE)
    inline = client.get(change_url(konsultasi)).context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_delete_permission


def test_published_consultations_cannot_be_deleted(client, clock, admin, konsultasi, konsultasi_draf):
    client.force_login(admin)
    delete = reverse("admin:consultations_consultation_delete", args=[konsultasi.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Consultation.objects.filter(pk=konsultasi.pk).exists()
    delete_draft = reverse("admin:consultations_consultation_delete", args=[konsultasi_draf.pk])
    assert client.post(delete_draft, {"post": "yes"}).status_code == 302
    assert not Consultation.objects.filter(pk=konsultasi_draf.pk).exists()


def test_officials_see_their_units_responses_without_personal_data_and_reply(client, clock, petugas_pupr, petugas_dikbud, konsultasi, warga):
    clock.set(INSIDE)
    response = ResponseFactory(consultation=konsultasi, author=warga, comment="Tolong sosialisasi")
    client.force_login(petugas_pupr)
    listing = client.get(reverse("admin:consultations_response_changelist")).content.decode()
    assert "Tolong sosialisasi" in listing and warga.email not in listing and warga.full_name not in listing
    url = reverse("admin:consultations_response_change", args=[response.pk])
    page = client.get(url)
    assert page.status_code == 200 and warga.email not in page.content.decode()
    inline = {
        "replies-TOTAL_FORMS": "1", "replies-INITIAL_FORMS": "0", "replies-MIN_NUM_FORMS": "0", "replies-MAX_NUM_FORMS": "1000",
        "replies-0-body": "Akan kami jadwalkan.",
    }
    assert client.post(url, inline).status_code == 302
    reply = ResponseReply.objects.get()
    assert (reply.body, reply.work_unit, reply.author) == ("Akan kami jadwalkan.", konsultasi.work_unit, petugas_pupr)

    client.force_login(petugas_dikbud)
    assert "Tolong sosialisasi" not in client.get(reverse("admin:consultations_response_changelist")).content.decode()
    client.post(url, {**inline, "replies-0-body": "Menyusup"})
    assert ResponseReply.objects.count() == 1


def test_a_moderator_hides_a_response_comment_in_admin(client, clock, moderator, konsultasi, warga):
    clock.set(INSIDE)
    response = ResponseFactory(consultation=konsultasi, author=warga, comment="Kata kasar")
    client.force_login(moderator)
    url = reverse("admin:consultations_response_change", args=[response.pk])
    page = client.post(url, {"is_hidden": "on", "hidden_reason": "Bahasa kasar"})
    assert page.status_code == 302
    response.refresh_from_db()
    assert response.is_hidden and response.hidden_reason == "Bahasa kasar"


def test_a_rule_broken_between_form_check_and_save_gives_a_message_not_a_500(client, clock, petugas_pupr, konsultasi):
    """The admin form validated before the window opened; by the time the service saves, the
    consultation is open and the body edit needs a correction note. Nothing may be written."""
    from consultations import admin as consultation_admin

    clock.set(OPENS - timedelta(hours=1))
    client.force_login(petugas_pupr)
    original_clean = consultation_admin.ConsultationAdminForm.clean

    def clean_then_open(form):
        cleaned = original_clean(form)
        clock.set(INSIDE)  # the window opens while the request is being handled
        return cleaned

    consultation_admin.ConsultationAdminForm.clean = clean_then_open
    try:
        page = client.post(change_url(konsultasi), form_data(konsultasi, body="Isi baru"), follow=True)
    finally:
        consultation_admin.ConsultationAdminForm.clean = original_clean
    assert page.status_code == 200
    assert "koreksi" in page.content.decode()  # the service's reason, shown as a message
    konsultasi.refresh_from_db()
    assert konsultasi.body != "Isi baru"
