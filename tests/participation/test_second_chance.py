"""A rejected proposal is not a dead end: its author fixes it and submits it again, a limited number of times."""

import pytest

from audit.models import AuditEvent
from participation import services
from participation.models import Attachment, Proposal
from tests.participation.conftest import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db
Status = Proposal.Status


@pytest.fixture
def rejected(make_proposal, moderator, media_root):
    proposal = make_proposal(status=Status.SUBMITTED, title="Lampu jalan mati", description="Gelap.")
    Attachment.objects.create(
        proposal=proposal, original_name="lampu.pdf", kind="pdf", mime_type="application/pdf", size=10,
        file="attachments/lampu.pdf",
    )
    return services.reject_proposal(actor=moderator, proposal=proposal, reason="Sebutkan lokasi tiang yang mati.")


def test_author_sees_the_reason_and_the_way_back(client, warga, rejected):
    client.force_login(warga)
    content = client.get(rejected.get_absolute_url()).content.decode()
    assert "Sebutkan lokasi tiang yang mati." in content
    assert f'href="/usulan/{rejected.pk}/ajukan-ulang/"' in content and "Ubah dan ajukan ulang" in content


def test_the_form_opens_with_the_text_the_attachments_and_the_reason(client, warga, rejected):
    client.force_login(warga)
    response = client.get(f"/usulan/{rejected.pk}/ajukan-ulang/")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="Lampu jalan mati"' in content and "Gelap." in content
    assert "Hapus lampu.pdf" in content  # the attachment is still there
    assert "Sebutkan lokasi tiang yang mati." in content
    assert "Ajukan ulang ke moderator" in content
    # The old edit address leads to the same form.
    assert client.get(f"/usulan/{rejected.pk}/ubah/")["Location"] == f"/usulan/{rejected.pk}/ajukan-ulang/"


def test_resubmission_goes_back_to_moderation_with_history(client, warga, moderator, rejected, form_data):
    client.force_login(warga)
    response = client.post(
        f"/usulan/{rejected.pk}/ajukan-ulang/",
        form_data(title="Lampu jalan mati di tiang 12-15", location_text="Jl. Melati tiang 12-15", ajukan="1"),
    )
    assert response.status_code == 302 and response["Location"] == rejected.get_absolute_url()
    rejected.refresh_from_db()
    assert rejected.status == Status.SUBMITTED and rejected.resubmission_count == 1
    assert rejected.title == "Lampu jalan mati di tiang 12-15"
    assert rejected.attachments.count() == 1  # kept
    reasons = list(rejected.history.order_by("history_date", "history_id").values_list("status", "history_change_reason"))
    assert reasons[-3:] == [
        ("draft", "Dibuka kembali oleh pengusul setelah ditolak"),
        ("draft", "Diperbaiki pengusul"),
        ("submitted", "Diajukan ulang"),
    ]
    assert AuditEvent.objects.filter(object_id=str(rejected.pk), data__resubmission=1).exists()

    # The moderation queue shows it as a resubmission with the earlier reason.
    client.force_login(moderator)
    queue = client.get("/moderasi/").content.decode()
    assert "Pengajuan ulang ke-1" in queue and "Sebutkan lokasi tiang yang mati." in queue


def test_resubmission_can_be_kept_as_a_draft_first(client, warga, rejected, form_data):
    client.force_login(warga)
    client.post(f"/usulan/{rejected.pk}/ajukan-ulang/", form_data(draf="1"))
    rejected.refresh_from_db()
    assert rejected.status == Status.DRAFT and rejected.resubmission_count == 1
    # Then the draft is sent from the ordinary edit form.
    client.post(f"/usulan/{rejected.pk}/ubah/", form_data(ajukan="1"))
    rejected.refresh_from_db()
    assert rejected.status == Status.SUBMITTED


def test_a_form_error_on_resubmission_writes_nothing(client, warga, rejected, form_data):
    client.force_login(warga)
    response = client.post(f"/usulan/{rejected.pk}/ajukan-ulang/", form_data(title="", ajukan="1"))
    assert response.status_code == 200 and "Judul usulan" in response.content.decode()
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED and rejected.resubmission_count == 0


def test_someone_elses_rejected_proposal_cannot_be_resubmitted(client, warga_lain, moderator, rejected, form_data):
    client.force_login(warga_lain)
    assert client.get(f"/usulan/{rejected.pk}/ajukan-ulang/").status_code == 404
    assert client.post(f"/usulan/{rejected.pk}/ajukan-ulang/", form_data(ajukan="1")).status_code == 404
    client.force_login(moderator)  # sees it, may not resubmit it
    assert client.post(f"/usulan/{rejected.pk}/ajukan-ulang/", form_data(ajukan="1")).status_code == 403
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED and rejected.resubmission_count == 0


def test_anonymous_visitor_is_sent_to_login(client, rejected, form_data):
    response = client.post(f"/usulan/{rejected.pk}/ajukan-ulang/", form_data(ajukan="1"))
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.PUBLISHED, Status.WITHDRAWN])
def test_only_rejected_proposals_are_resubmitted(client, warga, make_proposal, form_data, status):
    proposal = make_proposal(status=status, title="Tetap")
    client.force_login(warga)
    response = client.post(f"/usulan/{proposal.pk}/ajukan-ulang/", form_data(title="Diubah", ajukan="1"), follow=True)
    assert "Hanya usulan yang ditolak moderator yang dapat diajukan ulang." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == status and proposal.title == "Tetap" and proposal.resubmission_count == 0


def test_resubmissions_are_limited(client, warga, moderator, rejected, form_data, settings):
    settings.PROPOSAL_RESUBMISSION_LIMIT = 2
    client.force_login(warga)
    for round_number in (1, 2):
        client.post(f"/usulan/{rejected.pk}/ajukan-ulang/", form_data(ajukan="1"))
        rejected.refresh_from_db()
        assert rejected.status == Status.SUBMITTED and rejected.resubmission_count == round_number
        services.reject_proposal(actor=moderator, proposal=rejected, reason=f"Masih kurang ({round_number})")
    response = client.post(f"/usulan/{rejected.pk}/ajukan-ulang/", form_data(title="Sekali lagi", ajukan="1"), follow=True)
    content = response.content.decode()
    assert "sudah diajukan ulang 2 kali" in content
    assert "Ubah dan ajukan ulang" not in content
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED and rejected.resubmission_count == 2 and rejected.title != "Sekali lagi"


def test_resubmission_with_new_files_keeps_the_attachment_limit(client, warga, rejected, form_data, media_root):
    client.force_login(warga)
    data = form_data(ajukan="1")
    data["attachments"] = [upload(f"f{i}.png", png_bytes()) for i in range(5)]
    response = client.post(f"/usulan/{rejected.pk}/ajukan-ulang/", data)
    assert response.status_code == 200 and "paling banyak memiliki 5 lampiran" in response.content.decode()
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED and rejected.attachments.count() == 1

    data["attachments"] = [upload("denah-baru.pdf", pdf_bytes())]
    client.post(f"/usulan/{rejected.pk}/ajukan-ulang/", data)
    rejected.refresh_from_db()
    assert rejected.status == Status.SUBMITTED and rejected.attachments.count() == 2
