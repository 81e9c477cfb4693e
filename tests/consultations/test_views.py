"""The public pages, through HTTP: what each person sees and every refused path."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from consultations.models import Response, ResponseReply
from tests import factories
from tests.consultations.conftest import CLOSES, OPENS, ConsultationFactory, ResponseFactory

pytestmark = pytest.mark.django_db
INSIDE = OPENS + timedelta(days=2)


def detail(consultation):
    return reverse("consultations:detail", args=[consultation.pk])


def respond_url(consultation):
    return reverse("consultations:respond", args=[consultation.pk])


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- list -----------------------------------------------------------------------------------------


def test_list_groups_open_first_with_countdowns(client, clock, dinas_pupr, dinas_dikbud, kategori):
    clock.set(INSIDE)
    open_one = ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Ranperda Pasar", closes_at=INSIDE + timedelta(days=2, hours=5))
    ConsultationFactory(work_unit=dinas_dikbud, category=kategori, title="SOP PPDB", opens_at=INSIDE + timedelta(days=4), closes_at=INSIDE + timedelta(days=20))
    ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="RTRW lama", opens_at=INSIDE - timedelta(days=40), closes_at=INSIDE - timedelta(days=10))
    ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Draf rahasia", is_published=False)
    page = client.get(reverse("consultations:list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Ranperda Pasar") < html.index("SOP PPDB") < html.index("RTRW lama")
    assert "Draf rahasia" not in html
    assert "ditutup dalam 3 hari" in html and "dibuka dalam 4 hari" in html
    assert html.index('id="kelompok-dibuka"') < html.index('id="kelompok-dijadwalkan"') < html.index('id="kelompok-ditutup"')
    assert '<script>alert("xss")</script>' not in html
    assert open_one.get_absolute_url() in html


def test_list_filters_by_state_unit_category_and_search(client, clock, dinas_pupr, dinas_dikbud, kategori):
    clock.set(INSIDE)
    pendidikan = factories.CategoryFactory(name="Pendidikan")
    ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Retribusi pasar")
    ConsultationFactory(work_unit=dinas_dikbud, category=pendidikan, title="Zonasi sekolah", summary="Penerimaan murid baru", body="Jalur zonasi", opens_at=INSIDE + timedelta(days=1), closes_at=INSIDE + timedelta(days=9))
    url = reverse("consultations:list")

    def titles(**params):
        return [c.title for c in client.get(url, params).context["consultations"].object_list]

    assert titles(status="dibuka") == ["Retribusi pasar"]
    assert titles(status="dijadwalkan") == ["Zonasi sekolah"]
    assert titles(status="ditutup") == []
    assert titles(satker=dinas_dikbud.pk) == ["Zonasi sekolah"]
    assert titles(kategori=kategori.pk) == ["Retribusi pasar"]
    assert titles(q="pasar") == ["Retribusi pasar"]
    # Unknown values fall back to no filter instead of an error page.
    assert sorted(titles(status="bogus", satker="abc", halaman="-3")) == ["Retribusi pasar", "Zonasi sekolah"]


# --- detail and the response form ------------------------------------------------------------------


def test_scheduled_page_says_when_it_opens_and_offers_no_form(client, clock, konsultasi, warga):
    clock.set(OPENS - timedelta(days=2))
    client.force_login(warga)
    html = client.get(detail(konsultasi)).content.decode()
    assert "belum dibuka" in html and "2 Maret 2026, 08:00" in html
    assert respond_url(konsultasi) not in html
    assert "Hasil uji publik" not in html


def test_open_page_shows_the_form_to_a_verified_citizen(client, clock, konsultasi, warga):
    clock.set(INSIDE)
    client.force_login(warga)
    html = client.get(detail(konsultasi)).content.decode()
    assert respond_url(konsultasi) in html
    assert 'name="position"' in html and "Kirim tanggapan" in html
    assert '<script>alert("xss")</script>' not in html


def test_open_page_tells_an_anonymous_visitor_to_log_in(client, clock, konsultasi):
    clock.set(INSIDE)
    html = client.get(detail(konsultasi)).content.decode()
    assert "Masuk untuk menanggapi" in html and respond_url(konsultasi) not in html


def test_open_page_tells_an_unverified_citizen_to_confirm_email(client, clock, konsultasi, belum_verifikasi):
    clock.set(INSIDE)
    client.force_login(belum_verifikasi)
    html = client.get(detail(konsultasi)).content.decode()
    assert "Konfirmasi alamat email" in html and respond_url(konsultasi) not in html


def test_a_draft_is_404_for_the_public_and_visible_to_its_officials(client, clock, konsultasi_draf, warga, petugas_pupr, petugas_dikbud):
    assert client.get(detail(konsultasi_draf)).status_code == 404
    client.force_login(warga)
    assert client.get(detail(konsultasi_draf)).status_code == 404
    assert client.get(reverse("consultations:history", args=[konsultasi_draf.pk])).status_code == 404
    client.force_login(petugas_dikbud)
    assert client.get(detail(konsultasi_draf)).status_code == 404
    client.force_login(petugas_pupr)
    page = client.get(detail(konsultasi_draf))
    assert page.status_code == 200 and "belum dipublikasikan" in page.content.decode()


def test_responding_through_the_page(client, clock, konsultasi, warga):
    clock.set(INSIDE)
    client.force_login(warga)
    page = client.post(respond_url(konsultasi), {"position": "tidak_setuju", "comment": "Terlalu mahal"}, follow=True)
    assert "tanggapan Anda telah tercatat" in " ".join(_messages(page))
    response = Response.objects.get()
    assert (response.author, response.position) == (warga, "tidak_setuju")
    html = page.content.decode()
    assert "Ubah tanggapan" in html and "Terlalu mahal" in html


@pytest.mark.parametrize(
    "when,message",
    [(OPENS - timedelta(minutes=1), "belum dibuka"), (CLOSES, "sudah ditutup"), (CLOSES + timedelta(days=2), "sudah ditutup")],
)
def test_responding_outside_the_window_shows_why_and_writes_nothing(client, clock, konsultasi, warga, when, message):
    clock.set(when)
    client.force_login(warga)
    page = client.post(respond_url(konsultasi), {"position": "setuju"}, follow=True)
    assert message in " ".join(_messages(page))
    assert not Response.objects.exists()


def test_responding_twice_is_refused_with_a_message(client, clock, konsultasi, warga):
    clock.set(INSIDE)
    client.force_login(warga)
    client.post(respond_url(konsultasi), {"position": "setuju", "comment": "pertama"})
    page = client.post(respond_url(konsultasi), {"position": "tidak_setuju", "comment": "kedua"}, follow=True)
    assert "sudah memberikan tanggapan" in " ".join(_messages(page))
    assert list(Response.objects.values_list("position", "comment")) == [("setuju", "pertama")]


@pytest.mark.parametrize(
    "data,error",
    [
        ({"position": "sangat_setuju"}, "Sikap tidak dikenal"),
        ({"position": ""}, "Pilih sikap Anda"),
        ({"position": "setuju", "comment": "x" * 5001}, "5000"),
    ],
)
def test_bad_response_input_re_renders_the_form_with_errors(client, clock, konsultasi, warga, data, error):
    clock.set(INSIDE)
    client.force_login(warga)
    page = client.post(respond_url(konsultasi), data)
    assert page.status_code == 400
    assert error in page.content.decode()
    assert not Response.objects.exists()


def test_anonymous_responses_go_to_login_and_unverified_ones_are_refused(client, clock, konsultasi, belum_verifikasi):
    clock.set(INSIDE)
    page = client.post(respond_url(konsultasi), {"position": "setuju"})
    assert page.status_code == 302 and "/akun/login/" in page["Location"]
    client.force_login(belum_verifikasi)
    page = client.post(respond_url(konsultasi), {"position": "setuju"}, follow=True)
    assert "Konfirmasi alamat email" in " ".join(_messages(page))
    assert not Response.objects.exists()


def test_an_owning_official_cannot_respond(client, clock, konsultasi, petugas_pupr):
    clock.set(INSIDE)
    client.force_login(petugas_pupr)
    page = client.post(respond_url(konsultasi), {"position": "setuju"}, follow=True)
    assert "tidak dapat memberikan tanggapan" in " ".join(_messages(page))
    assert not Response.objects.exists()


def test_changing_a_response_through_the_page(client, clock, konsultasi, warga):
    clock.set(INSIDE)
    mine = ResponseFactory(consultation=konsultasi, author=warga, position="setuju", comment="awal")
    client.force_login(warga)
    url = reverse("consultations:change_response", args=[konsultasi.pk, mine.pk])
    page = client.post(url, {"position": "netral", "comment": "ragu"}, follow=True)
    assert "telah diubah" in " ".join(_messages(page))
    mine.refresh_from_db()
    assert (mine.position, mine.comment) == ("netral", "ragu")


def test_changing_another_citizens_response_is_forbidden(client, clock, konsultasi, warga, warga_lain):
    clock.set(INSIDE)
    theirs = ResponseFactory(consultation=konsultasi, author=warga, position="setuju", comment="asli")
    client.force_login(warga_lain)
    url = reverse("consultations:change_response", args=[konsultasi.pk, theirs.pk])
    assert client.post(url, {"position": "tidak_setuju", "comment": "palsu"}).status_code == 403
    theirs.refresh_from_db()
    assert (theirs.position, theirs.comment) == ("setuju", "asli")


def test_a_response_of_another_consultation_is_a_404(client, clock, konsultasi, dinas_pupr, kategori, warga):
    clock.set(INSIDE)
    other = ConsultationFactory(work_unit=dinas_pupr, category=kategori)
    mine = ResponseFactory(consultation=other, author=warga)
    client.force_login(warga)
    url = reverse("consultations:change_response", args=[konsultasi.pk, mine.pk])
    assert client.post(url, {"position": "netral"}).status_code == 404


def test_changing_after_closing_is_refused(client, clock, konsultasi, warga):
    clock.set(INSIDE)
    mine = ResponseFactory(consultation=konsultasi, author=warga, position="setuju")
    clock.set(CLOSES)
    client.force_login(warga)
    url = reverse("consultations:change_response", args=[konsultasi.pk, mine.pk])
    page = client.post(url, {"position": "netral"}, follow=True)
    assert "sudah ditutup" in " ".join(_messages(page))
    mine.refresh_from_db()
    assert mine.position == "setuju"


def test_get_on_a_post_only_url_is_refused(client, clock, konsultasi, warga):
    client.force_login(warga)
    assert client.get(respond_url(konsultasi)).status_code == 405


# --- public responses, replies, results -------------------------------------------------------------


def test_other_responses_show_without_names_and_replies_show_under_them(client, clock, konsultasi, warga, warga_lain, petugas_pupr):
    clock.set(INSIDE)
    response = ResponseFactory(consultation=konsultasi, author=warga, comment="Mohon tarif kios kecil dibedakan")
    ResponseFactory(consultation=konsultasi, author=warga_lain, comment="")  # a position without comment
    client.force_login(petugas_pupr)
    reply_url = reverse("consultations:reply", args=[konsultasi.pk, response.pk])
    page = client.post(reply_url, {"body": "Usulan tarif bertingkat kami pertimbangkan."}, follow=True)
    assert "Balasan telah dipublikasikan" in " ".join(_messages(page))
    client.logout()
    html = client.get(detail(konsultasi)).content.decode()
    assert "Mohon tarif kios kecil dibedakan" in html
    assert "Balasan PUPR" in html and "Usulan tarif bertingkat kami pertimbangkan." in html
    assert warga.full_name not in html and warga.email not in html
    assert "Komentar dalam tanggapan warga" in html and "(1)" in html


def test_a_reply_by_another_units_official_or_a_citizen_is_forbidden(client, clock, konsultasi, warga, warga_lain, petugas_dikbud):
    clock.set(INSIDE)
    response = ResponseFactory(consultation=konsultasi, author=warga)
    reply_url = reverse("consultations:reply", args=[konsultasi.pk, response.pk])
    for person in (petugas_dikbud, warga_lain):
        client.force_login(person)
        assert client.post(reply_url, {"body": "menyusup"}).status_code == 403
    assert not ResponseReply.objects.exists()


def test_a_hidden_response_comment_is_not_shown(client, clock, konsultasi, warga):
    clock.set(INSIDE)
    ResponseFactory(consultation=konsultasi, author=warga, comment="nomor HP tetangga 0812", is_hidden=True, hidden_reason="Data pribadi")
    assert "nomor HP tetangga" not in client.get(detail(konsultasi)).content.decode()


def test_closed_page_shows_results_chart_and_no_form(client, clock, konsultasi, warga):
    clock.set(INSIDE)
    for position in ("setuju", "setuju", "tidak_setuju", "netral"):
        ResponseFactory(consultation=konsultasi, position=position)
    mine = ResponseFactory(consultation=konsultasi, author=warga, position="setuju", comment="punya saya")
    clock.set(CLOSES + timedelta(days=1))
    client.force_login(warga)
    page = client.get(detail(konsultasi))
    html = page.content.decode()
    assert page.context["results"].total == 5
    assert "Hasil uji publik" in html and "<svg" in html and 'role="img"' in html
    assert "60,0%" in html and "20,0%" in html  # Indonesian decimal comma in text
    assert 'width="78.0"' in html  # bar geometry never localised
    assert "sudah ditutup" in html and respond_url(konsultasi) not in html
    assert "Ubah tanggapan" not in html
    assert mine.comment in html


def test_follow_up_shows_once_written(client, clock, konsultasi):
    konsultasi.follow_up = "Tarif kios kecil diturunkan."
    konsultasi.save()
    clock.set(CLOSES + timedelta(days=1))
    html = client.get(detail(konsultasi)).content.decode()
    assert "Tindak lanjut PUPR" in html and "Tarif kios kecil diturunkan." in html


# --- CSV, documents, history, comments ---------------------------------------------------------------


def test_csv_of_responses_is_for_anyone_after_closing_and_holds_no_personal_data(client, clock, konsultasi, warga, warga_lain):
    clock.set(INSIDE)
    ResponseFactory(consultation=konsultasi, author=warga, position="setuju", comment="=HYPERLINK(\"http://jahat\")")
    ResponseFactory(consultation=konsultasi, author=warga_lain, position="netral", comment="Baris\nkedua")
    url = reverse("consultations:responses_csv", args=[konsultasi.pk])
    assert client.get(url).status_code == 404  # not before closing
    clock.set(CLOSES)
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["nomor", "sikap", "komentar", "waktu"]
    assert [row[:3] for row in rows[1:]] == [["1", "Setuju", "'=HYPERLINK(\"http://jahat\")"], ["2", "Netral", "Baris\nkedua"]]
    for person in (warga, warga_lain):
        assert person.email not in body and person.full_name not in body and f",{person.pk}," not in body


def test_documents_are_served_only_while_the_consultation_is_visible(client, clock, konsultasi_draf, petugas_pupr, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consultations import services
    from participation.uploads import check_upload

    pdf = SimpleUploadedFile("naskah.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    document = services.add_documents(
        actor=petugas_pupr, consultation=konsultasi_draf, files=[(pdf, check_upload(pdf, allow_images=False))]
    )[0]
    url = reverse("consultations:document", args=[konsultasi_draf.pk, document.pk])
    assert client.get(url).status_code == 404  # a draft's documents are never public
    client.force_login(petugas_pupr)
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert "naskah.pdf" in served["Content-Disposition"] and served["X-Content-Type-Options"] == "nosniff"
    client.logout()
    konsultasi_draf.is_published = True
    konsultasi_draf.save()
    assert client.get(url).status_code == 200
    wrong = reverse("consultations:document", args=[konsultasi_draf.pk + 1000, document.pk])
    assert client.get(wrong).status_code == 404


def test_history_names_units_never_people(client, clock, petugas_pupr, dinas_pupr, kategori):
    from consultations import services

    clock.set(OPENS - timedelta(days=3))
    consultation = services.create_consultation(
        actor=petugas_pupr,
        data=dict(title="SOP Perizinan", summary="R", body="v1", work_unit=dinas_pupr, category=kategori, opens_at=OPENS, closes_at=CLOSES, is_published=False),
    )
    services.update_consultation(actor=petugas_pupr, consultation=consultation, data={"is_published": True, "body": "v2"})
    html = client.get(reverse("consultations:history", args=[consultation.pk])).content.decode()
    assert "Petugas PUPR" in html and "Dipublikasikan" in html
    assert "v1" in html and "v2" in html
    assert petugas_pupr.email not in html and petugas_pupr.full_name not in html


def test_comments_use_the_shared_thread(client, clock, konsultasi, warga):
    clock.set(INSIDE)
    client.force_login(warga)
    url = reverse("consultations:comment", args=[konsultasi.pk])
    page = client.post(url, {"body": "Kapan sosialisasinya?"}, follow=True)
    assert "Komentar Anda telah dikirim" in " ".join(_messages(page))
    konsultasi.refresh_from_db()
    assert konsultasi.comment_count == 1
    assert "Kapan sosialisasinya?" in page.content.decode()


def test_commenting_on_a_draft_is_a_404(client, clock, konsultasi_draf, warga):
    client.force_login(warga)
    assert client.post(reverse("consultations:comment", args=[konsultasi_draf.pk]), {"body": "hai"}).status_code == 404


def test_home_shows_open_consultations(client, clock, konsultasi, dinas_pupr, kategori):
    clock.set(INSIDE)
    ConsultationFactory(work_unit=dinas_pupr, category=kategori, title="Masih dijadwalkan", opens_at=INSIDE + timedelta(days=1), closes_at=INSIDE + timedelta(days=5))
    html = client.get("/").content.decode()
    assert "Uji publik yang sedang dibuka" in html
    assert konsultasi.get_absolute_url() in html and "Masih dijadwalkan" not in html


def test_positions_of_others_are_not_shown_while_open(client, clock, konsultasi, warga, warga_lain):
    clock.set(INSIDE)
    ResponseFactory(consultation=konsultasi, author=warga_lain, position="tidak_setuju", comment="Alasan Budi")
    ResponseFactory(consultation=konsultasi, author=warga, position="setuju", comment="Alasan Siti")
    client.force_login(warga)
    html = client.get(detail(konsultasi)).content.decode()
    assert "Alasan Budi" in html and "position-badge position-tidak_setuju" not in html
    assert "position-badge position-setuju" in html  # one's own position is always shown
    clock.set(CLOSES)
    assert "position-badge position-tidak_setuju" in client.get(detail(konsultasi)).content.decode()
