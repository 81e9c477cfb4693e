import pytest
from django.urls import reverse

from participation.models import Attachment, Proposal
from tests.factories import XSS
from tests.participation.conftest import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db
CREATE = "/usulan/baru/"


def test_anonymous_visitor_is_sent_to_login_to_propose(client):
    response = client.get(CREATE)
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    assert client.post(CREATE, {}).status_code == 302
    assert Proposal.objects.count() == 0


def test_unverified_citizen_is_told_to_confirm_email(client, belum_verifikasi, form_data):
    client.force_login(belum_verifikasi)
    response = client.post(CREATE, form_data(ajukan="1"))
    assert response.status_code == 403
    assert "Konfirmasi alamat email" in response.content.decode()
    assert Proposal.objects.count() == 0


def test_citizen_submits_a_proposal_with_a_photo_and_a_pdf(client, warga, form_data, media_root):
    client.force_login(warga)
    data = form_data(ajukan="1")
    data["attachments"] = [upload("jalan.png", png_bytes(), "image/png"), upload("denah.pdf", pdf_bytes())]
    response = client.post(CREATE, data)
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/usulan/{proposal.pk}/"
    assert proposal.status == Proposal.Status.SUBMITTED and proposal.author == warga
    kinds = sorted(Attachment.objects.values_list("kind", flat=True))
    assert kinds == ["image", "pdf"]
    stored = Attachment.objects.get(kind="image").file.name
    assert "jalan" not in stored and stored.endswith(".webp")  # random stored name, the photo re-encoded


def test_save_as_draft_keeps_the_proposal_private(client, warga, warga_lain, form_data):
    client.force_login(warga)
    client.post(CREATE, form_data(draf="1"))
    proposal = Proposal.objects.get()
    assert proposal.status == Proposal.Status.DRAFT
    assert client.get(proposal.get_absolute_url()).status_code == 200
    client.force_login(warga_lain)
    assert client.get(proposal.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(proposal.get_absolute_url()).status_code == 404


def test_double_submit_creates_one_proposal(client, warga, form_data):
    client.force_login(warga)
    first = client.post(CREATE, form_data(ajukan="1"))
    second = client.post(CREATE, form_data(ajukan="1"))
    assert Proposal.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": ""}, "tidak boleh kosong"),
        ({"title": "x" * 151}, "paling banyak 150"),
        ({"description": "x" * 10_001}, "paling banyak 10000"),
        ({"category": "999999"}, "Pilihan tidak valid"),
        ({"region": "abc"}, "Pilihan tidak valid"),
        ({"estimated_cost": "-5"}, "lebih besar dari atau sama dengan 0"),
    ],
    ids=["empty-title", "long-title", "long-description", "unknown-category", "bad-region", "negative-cost"],
)
def test_bad_fields_are_explained_and_nothing_is_written(client, warga, form_data, overrides, message):
    client.force_login(warga)
    response = client.post(CREATE, form_data(ajukan="1", **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Proposal.objects.count() == 0


@pytest.mark.parametrize(
    "files, message",
    [
        ([("foto.jpg", b"bukan gambar sama sekali")], "tidak sesuai"),
        ([("script.pdf", b"<script>alert(1)</script>")], "tidak sesuai"),
        ([("potong.pdf", b"%PDF-1.4 isi terpotong")], "bukan PDF yang utuh"),
        ([(f"f{i}.png", png_bytes()) for i in range(6)], "paling banyak memiliki 5 lampiran"),
    ],
    ids=["fake-image", "html-as-pdf", "truncated-pdf", "six-files"],
)
def test_bad_files_are_refused_and_nothing_is_written(client, warga, form_data, media_root, files, message):
    client.force_login(warga)
    data = form_data(ajukan="1")
    data["attachments"] = [upload(name, content) for name, content in files]
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Proposal.objects.count() == 0 and Attachment.objects.count() == 0


def test_oversized_image_is_refused(client, warga, form_data, media_root, monkeypatch):
    from participation import uploads

    monkeypatch.setattr(uploads, "IMAGE_MAX_BYTES", 100)  # a real PNG just over the limit
    client.force_login(warga)
    data = form_data(ajukan="1")
    data["attachments"] = [upload("besar.png", png_bytes((200, 200)))]
    response = client.post(CREATE, data)
    assert "lebih dari 20 MB" in response.content.decode()
    assert Proposal.objects.count() == 0


def test_html_in_text_is_shown_as_text(client, usulan):
    content = client.get(usulan.get_absolute_url()).content.decode()
    assert XSS not in content
    assert "&lt;script&gt;" in content


def test_links_in_descriptions_become_safe_links(client, make_proposal):
    proposal = make_proposal(description='Lihat https://contoh.go.id/peta?x=1 dan javascript:alert(1) "onmouseover=x"')
    content = client.get(proposal.get_absolute_url()).content.decode()
    assert '<a href="https://contoh.go.id/peta?x=1" rel="nofollow ugc noopener"' in content
    assert 'href="javascript' not in content


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "withdrawn"])
def test_non_public_proposals_are_404_for_others_and_visible_to_author(client, make_proposal, warga, warga_lain, status):
    extra = {"rejection_reason": "Duplikat"} if status == "rejected" else {}
    proposal = make_proposal(status=status, **extra)
    url = proposal.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(warga_lain)
    assert client.get(url).status_code == 404
    client.force_login(warga)
    response = client.get(url)
    assert response.status_code == 200
    if status == "rejected":
        assert "Duplikat" in response.content.decode()


def test_moderator_sees_submitted_proposals(client, make_proposal, moderator):
    proposal = make_proposal(status="submitted")
    client.force_login(moderator)
    assert client.get(proposal.get_absolute_url()).status_code == 200


def test_author_edits_while_submitted_but_not_after_publication(client, make_proposal, warga, form_data):
    submitted = make_proposal(status="submitted")
    client.force_login(warga)
    response = client.post(f"/usulan/{submitted.pk}/ubah/", form_data(title="Judul yang diperbaiki"))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.title == "Judul yang diperbaiki"
    assert submitted.history.latest().history_user == warga

    published = make_proposal(status="published")
    response = client.post(f"/usulan/{published.pk}/ubah/", form_data(title="Mengubah makna"))
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.title != "Mengubah makna"


def test_another_citizen_cannot_edit_or_withdraw(client, make_proposal, warga_lain, form_data):
    draft = make_proposal(status="draft")
    published = make_proposal(status="published")
    client.force_login(warga_lain)
    assert client.post(f"/usulan/{draft.pk}/ubah/", form_data(title="Curang")).status_code == 404
    assert client.post(f"/usulan/{published.pk}/tarik/").status_code == 403
    published.refresh_from_db()
    assert published.status == "published"


def test_author_submits_a_draft_and_withdraws_it(client, make_proposal, warga):
    draft = make_proposal(status="draft")
    client.force_login(warga)
    client.post(f"/usulan/{draft.pk}/ajukan/")
    draft.refresh_from_db()
    assert draft.status == "submitted"
    client.post(f"/usulan/{draft.pk}/tarik/")
    draft.refresh_from_db()
    assert draft.status == "withdrawn"
    response = client.post(f"/usulan/{draft.pk}/ajukan/", follow=True)
    assert response.status_code == 403


def test_edit_can_remove_and_add_attachments_within_the_limit(client, make_proposal, warga, form_data, media_root):
    from participation import services

    proposal = make_proposal(status="draft")
    checked = __import__("participation.uploads", fromlist=["check_upload"]).check_upload
    files = [upload(f"f{i}.png", png_bytes()) for i in range(5)]
    services._add_attachments(proposal, [(f, checked(f)) for f in files])
    client.force_login(warga)
    data = form_data()
    data["attachments"] = [upload("baru.png", png_bytes())]
    response = client.post(f"/usulan/{proposal.pk}/ubah/", data)
    assert response.status_code == 200 and "paling banyak memiliki 5 lampiran" in response.content.decode()
    assert proposal.attachments.count() == 5
    data = form_data(remove_attachments=[proposal.attachments.first().pk])
    data["attachments"] = [upload("baru.png", png_bytes())]
    assert client.post(f"/usulan/{proposal.pk}/ubah/", data).status_code == 302
    assert sorted(proposal.attachments.values_list("original_name", flat=True))[-1] == "f4.png"
    assert proposal.attachments.filter(original_name="baru.png").exists()


def test_attachments_follow_the_proposal_visibility(client, make_proposal, warga, warga_lain, media_root):
    from participation import services
    from participation.uploads import check_upload

    proposal = make_proposal(status="submitted")
    image = upload("jalan.png", png_bytes())
    services._add_attachments(proposal, [(image, check_upload(image))])
    attachment = proposal.attachments.get()
    url = f"/usulan/{proposal.pk}/lampiran/{attachment.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(warga_lain)
    assert client.get(url).status_code == 404
    client.force_login(warga)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    # An attachment id of another proposal is not reachable through this one.
    other = make_proposal(status="published")
    assert client.get(f"/usulan/{other.pk}/lampiran/{attachment.pk}/").status_code == 404


def test_my_proposals_lists_every_state_with_reasons(client, make_proposal, warga, warga_lain):
    make_proposal(status="draft", title="Draf saya")
    make_proposal(status="rejected", title="Ditolak saya", rejection_reason="Di luar kewenangan")
    make_proposal(status="published", title="Publik saya", official_answer="Akan dianggarkan")
    make_proposal(status="published", title="Milik orang lain", author=warga_lain)
    client.force_login(warga)
    content = client.get(reverse("participation:my_proposals")).content.decode()
    for text in ("Draf saya", "Ditolak saya", "Di luar kewenangan", "Publik saya", "Akan dianggarkan"):
        assert text in content
    assert "Milik orang lain" not in content


def test_list_filters_sort_and_bad_parameters_fall_back(client, make_proposal, kategori, dinas_dikbud):
    make_proposal(title="Jalan A", support_count=1)
    make_proposal(title="Jalan B", support_count=9)
    make_proposal(title="Sekolah C", work_unit=dinas_dikbud)
    make_proposal(title="Draf D", status="draft")
    content = client.get("/usulan/", {"urut": "dukungan"}).content.decode()
    assert content.index("Jalan B") < content.index("Jalan A")
    assert "Draf D" not in content
    content = client.get("/usulan/", {"satker": dinas_dikbud.pk}).content.decode()
    assert "Sekolah C" in content and "Jalan A" not in content
    response = client.get("/usulan/", {"urut": "'; DROP TABLE", "kategori": "x", "halaman": "999", "status": "draft"})
    assert response.status_code == 200
    assert "Draf D" not in response.content.decode()


def test_region_filter_includes_villages_of_a_district(client, make_proposal, desa):
    make_proposal(title="Di desa", region=desa)
    content = client.get("/usulan/", {"wilayah": desa.parent_id}).content.decode()
    assert "Di desa" in content


def test_search_finds_words_in_title_and_description(client, make_proposal):
    make_proposal(title="Posyandu lansia", description="Pemeriksaan rutin")
    make_proposal(title="Jalan desa", description="Aspal")
    content = client.get("/usulan/", {"q": "posyandu"}).content.decode()
    assert "Posyandu lansia" in content and "Jalan desa" not in content


def test_home_shows_newest_and_most_supported_published_proposals(client, make_proposal):
    make_proposal(title="Paling didukung", support_count=50)
    make_proposal(title="Masih draf", status="draft")
    content = client.get("/").content.decode()
    assert "Paling didukung" in content and "Masih draf" not in content


def test_csrf_less_posts_are_refused(usulan, warga):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(warga)
    assert strict.post(f"/usulan/{usulan.pk}/komentar/", {"body": "tanpa token"}).status_code == 403
    assert usulan.comment_count == 0


def test_similar_titles_are_suggested_while_writing(client, make_proposal, warga):
    make_proposal(title="Perbaikan jalan rusak di Sukamaju")
    content = client.get("/usulan/mirip/", {"judul": "perbaikan jalan rusak"}).content.decode()
    assert "Perbaikan jalan rusak di Sukamaju" in content
    assert client.get("/usulan/mirip/", {"judul": "ab"}).content.decode().strip() == ""
