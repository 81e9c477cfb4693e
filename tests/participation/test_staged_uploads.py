"""Files accepted by a proposal form that came back with an error are kept, never chosen twice."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from participation.models import Attachment, Proposal, StagedUpload
from tests.participation.conftest import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db
CREATE = "/usulan/baru/"


def post_with_title_error(client, form_data, files):
    data = form_data(title="", ajukan="1")
    data["attachments"] = files
    return client.post(CREATE, data)


def test_accepted_files_are_staged_and_shown_after_a_title_error(client, warga, form_data, media_root):
    client.force_login(warga)
    response = post_with_title_error(client, form_data, [upload("foto-1.png", png_bytes()), upload("denah.pdf", pdf_bytes())])
    content = response.content.decode()
    assert response.status_code == 200 and Proposal.objects.count() == 0
    staged = list(StagedUpload.objects.filter(owner=warga, form_token="token-1"))
    assert sorted(s.original_name for s in staged) == ["denah.pdf", "foto-1.png"]
    assert all((media_root / s.file.name).exists() for s in staged)
    assert "terlampir:" in content and "foto-1.png" in content and "denah.pdf" in content
    assert 'name="hapus_berkas"' in content
    # The input now accepts only what is left of the five.
    assert 'data-max-files="3"' in content

    # Fixing the title without choosing the files again turns them into attachments.
    response = client.post(CREATE, form_data(ajukan="1"))
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and proposal.status == Proposal.Status.SUBMITTED
    assert sorted(proposal.attachments.values_list("original_name", flat=True)) == ["denah.pdf", "foto-1.png"]
    image = proposal.attachments.get(kind="image")
    # The photo uploaded the first time, cleaned once (participation.images), in all its sizes.
    assert [(e["width"], e["height"]) for e in image.renditions] == [(40, 30)]
    assert Image.open(image.file).format == "WEBP" and Image.open(image.file).size == (40, 30)
    assert StagedUpload.objects.count() == 0


def test_staged_files_are_removed_from_storage_after_sending(
    client, warga, form_data, media_root, django_capture_on_commit_callbacks
):
    client.force_login(warga)
    post_with_title_error(client, form_data, [upload("foto-1.png", png_bytes())])
    staged_path = media_root / StagedUpload.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CREATE, form_data(ajukan="1"))
    assert not staged_path.exists()
    assert Attachment.objects.count() == 1


def test_a_bad_file_is_refused_and_the_good_one_is_kept(client, warga, form_data, media_root):
    client.force_login(warga)
    response = client.post(
        CREATE,
        {**form_data(ajukan="1"), "attachments": [upload("foto-1.png", png_bytes()), upload("virus.pdf", b"MZ not a pdf")]},
    )
    content = response.content.decode()
    assert response.status_code == 200 and Proposal.objects.count() == 0
    assert "virus.pdf" in content and "tidak sesuai" in content
    assert '<a href="#id_attachments">' in content
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["foto-1.png"]


def test_the_cross_removes_a_staged_file_and_keeps_the_text(client, warga, form_data, media_root, django_capture_on_commit_callbacks):
    client.force_login(warga)
    post_with_title_error(client, form_data, [upload("foto-1.png", png_bytes()), upload("foto-2.png", png_bytes())])
    first = StagedUpload.objects.get(original_name="foto-1.png")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, form_data(title="Judul yang sudah diketik", hapus_berkas=str(first.pk)))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="Judul yang sudah diketik"' in content
    assert "foto-2.png" in content and "foto-1.png" not in content
    assert "Periksa kembali isian Anda" not in content  # removing a file is not a failed submission
    assert not (media_root / first.file.name).exists()
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["foto-2.png"]


def test_another_persons_staged_files_are_never_used_or_removed(client, warga, warga_lain, form_data, media_root):
    client.force_login(warga)
    post_with_title_error(client, form_data, [upload("milik-siti.png", png_bytes())])
    theirs = StagedUpload.objects.get()
    client.force_login(warga_lain)
    response = client.post(CREATE, form_data(title="", hapus_berkas=str(theirs.pk)))
    assert "milik-siti.png" not in response.content.decode()
    client.post(CREATE, form_data(ajukan="1"))  # the same token, another person
    assert Proposal.objects.get().attachments.count() == 0
    assert StagedUpload.objects.filter(pk=theirs.pk).exists()


def test_staged_files_count_towards_the_limit(client, warga, form_data, media_root):
    client.force_login(warga)
    post_with_title_error(client, form_data, [upload(f"f{i}.png", png_bytes()) for i in range(4)])
    assert StagedUpload.objects.count() == 4
    data = form_data(ajukan="1")
    data["attachments"] = [upload("f5.png", png_bytes()), upload("f6.png", png_bytes())]
    response = client.post(CREATE, data)
    assert "Anda masih dapat menambah 1 berkas" in response.content.decode()
    assert Proposal.objects.count() == 0 and StagedUpload.objects.count() == 4


def test_editing_a_draft_stages_files_too(client, warga, form_data, media_root, make_proposal):
    draft = make_proposal(status="draft")
    client.force_login(warga)
    data = form_data(title="", submission_token="ubah-1")
    data["attachments"] = [upload("foto-1.png", png_bytes())]
    client.post(f"/usulan/{draft.pk}/ubah/", data)
    assert draft.attachments.count() == 0 and StagedUpload.objects.count() == 1
    client.post(f"/usulan/{draft.pk}/ubah/", form_data(submission_token="ubah-1"))
    assert list(draft.attachments.values_list("original_name", flat=True)) == ["foto-1.png"]


def test_abandoned_staged_files_are_cleaned_up(client, warga, form_data, media_root, settings, django_capture_on_commit_callbacks):
    settings.STAGED_UPLOAD_MAX_AGE_HOURS = 24
    client.force_login(warga)
    post_with_title_error(client, form_data, [upload("lama.png", png_bytes())])
    post_with_title_error(client, form_data, [upload("baru.pdf", pdf_bytes())])
    old = StagedUpload.objects.get(original_name="lama.png")
    StagedUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("clean_staged_uploads")
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["baru.pdf"]
    assert not (media_root / old.file.name).exists()


def test_form_page_with_staged_files_runs_fixed_queries(client, warga, form_data, media_root, django_assert_max_num_queries):
    client.force_login(warga)
    post_with_title_error(client, form_data, [upload(f"f{i}.png", png_bytes()) for i in range(3)])
    with django_assert_max_num_queries(16):
        client.post(CREATE, form_data(title="", ajukan="1"))


def test_an_empty_file_is_refused_by_name_and_the_others_are_kept(client, warga, form_data, media_root):
    client.force_login(warga)
    data = form_data(ajukan="1")
    data["attachments"] = [upload("kosong.jpg", b""), upload("denah.pdf", pdf_bytes())]
    response = client.post(CREATE, data)
    content = response.content.decode()
    assert response.status_code == 200 and Proposal.objects.count() == 0
    assert '<a href="#id_attachments">' in content and "kosong" in content.lower()
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["denah.pdf"]
