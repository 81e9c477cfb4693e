"""Uploaded photos reach the public only cleaned: upright, without EXIF/GPS, in display sizes.

Bad images (bombs, spoofed or truncated content, empty files, too many) are refused with a message
in the form and leave nothing behind, neither rows nor files.
"""

import io
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from participation.models import Attachment, Proposal, StagedUpload
from tests.participation.conftest import pdf_bytes, upload
from tests.photos import has_metadata, photo_jpeg, png_claiming

pytestmark = pytest.mark.django_db
CREATE = "/usulan/baru/"


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


@pytest.fixture
def published_with_photo(client, warga, moderator, form_data, media_root):
    """A citizen's proposal with a 1600 × 1200 phone photo taken upright on a phone held sideways
    (EXIF orientation 6) carrying its GPS position, published by a moderator."""
    from participation import services

    original = photo_jpeg(1600, 1200, orientation=6)
    assert "EXIF tags" in has_metadata(original)
    client.force_login(warga)
    data = form_data(ajukan="1")
    data["attachments"] = [upload("IMG_20261129_rumah.jpg", original, "image/jpeg"), upload("denah.pdf", pdf_bytes())]
    assert client.post(CREATE, data).status_code == 302
    client.logout()
    proposal = Proposal.objects.get()
    services.publish_proposal(actor=moderator, proposal=proposal)
    return proposal, original


def test_a_citizens_photo_is_served_upright_without_exif_in_display_sizes(client, published_with_photo):
    proposal, _original = published_with_photo
    photo = proposal.attachments.get(kind="image")
    assert [entry["width"] for entry in photo.renditions] == [320, 640, 1200]
    for entry in photo.renditions:
        response = client.get(f"/usulan/{proposal.pk}/lampiran/{photo.pk}/{entry['width']}/")
        assert response.status_code == 200 and response["Content-Type"] == "image/webp"
        served = b"".join(response.streaming_content)
        assert has_metadata(served) == []
        with Image.open(io.BytesIO(served)) as image:
            # Turned upright by its EXIF orientation: the 1600 × 1200 sensor image is a portrait.
            assert image.format == "WEBP" and image.size == (entry["width"], entry["height"])
            assert image.height > image.width
    largest = client.get(f"/usulan/{proposal.pk}/lampiran/{photo.pk}/")
    assert largest["Content-Type"] == "image/webp" and 'filename="IMG_20261129_rumah.webp"' in largest["Content-Disposition"]
    assert has_metadata(b"".join(largest.streaming_content)) == []


def test_no_public_url_serves_the_original(client, published_with_photo, media_root):
    proposal, original = published_with_photo
    pages = [client.get(url).content.decode() for url in ("/", "/usulan/", proposal.get_absolute_url())]
    image_urls = {url for page in pages for url in re.findall(r'/usulan/\d+/lampiran/\d+/(?:\d+/)?', page)}
    photo = proposal.attachments.get(kind="image")
    assert f"/usulan/{proposal.pk}/lampiran/{photo.pk}/320/" in image_urls  # the card and the page show it
    for url in image_urls | {f"/usulan/{proposal.pk}/lampiran/{photo.pk}/"}:
        response = client.get(url)
        served = b"".join(response.streaming_content)
        assert served != original
        if response["Content-Type"].startswith("image/"):
            assert has_metadata(served) == [], url
    # Not even the storage keeps it: every stored file is either the PDF or a clean WebP.
    for path in stored_files(media_root):
        content = path.read_bytes()
        assert content != original
        assert path.suffix == ".pdf" or (path.suffix == ".webp" and has_metadata(content) == [])
    # No other width is made on request.
    assert client.get(f"/usulan/{proposal.pk}/lampiran/{photo.pk}/1600/").status_code == 404
    pdf = proposal.attachments.get(kind="pdf")
    assert client.get(f"/usulan/{proposal.pk}/lampiran/{pdf.pk}/320/").status_code == 404


def test_pages_let_the_browser_pick_a_small_size(client, published_with_photo):
    proposal, _original = published_with_photo
    photo = proposal.attachments.get(kind="image")
    base = f"/usulan/{proposal.pk}/lampiran/{photo.pk}/"
    card = re.search(r'<img [^>]*class="cover"[^>]*>', client.get("/usulan/").content.decode()).group(0)
    assert f'src="{base}320/"' in card and f"{base}640/ 640w" in card and 'sizes="(min-width: 40rem) 8rem, 6rem"' in card
    assert 'width="320" height="427"' in card and 'loading="lazy"' in card and 'alt=""' in card
    detail = client.get(proposal.get_absolute_url()).content.decode()
    image = re.search(rf'<a href="{base}"><img [^>]*>', detail).group(0)
    assert 'sizes="(min-width: 48rem) 11rem, calc(50vw - 1.5rem)"' in image and 'loading="lazy"' in image
    assert "Foto lampiran: IMG_20261129_rumah.jpg" in image


def test_a_proposal_page_and_the_list_read_photos_without_extra_queries(client, published_with_photo, django_assert_max_num_queries):
    client.get("/usulan/")  # a running worker has the filter form's fragment (config/fragments.py)
    with django_assert_max_num_queries(5):  # the list's own pin (tests/participation/test_queries.py): photos add none
        response = client.get("/usulan/")
    assert response.status_code == 200
    assert "srcset" in response.content.decode()


BIG = 21 * 1024 * 1024


@pytest.mark.parametrize(
    "files, message",
    [
        ([("bom.png", png_claiming(30_000, 30_000))], "terlalu besar untuk diproses"),
        ([("panorama.png", png_claiming(20_000, 100))], "20.000 × 100 piksel"),
        ([("foto.jpg", b"\xff\xd8\xff\xe0" + b"<html><script>alert(1)</script></html>" * 50)], "tidak sesuai"),
        ([("foto.png", b"\x89PNG\r\n\x1a\n" + b"<?php system($_GET['c']); ?>" * 20)], "tidak sesuai"),
        ([("terpotong.jpg", photo_jpeg(400, 300)[:3000])], "rusak, terpotong, atau bukan gambar"),
        ([("kosong.jpg", b"")], "kosong"),
        ([("raksasa.jpg", b"\xff\xd8\xff\xe0" + b"\0" * BIG)], "lebih dari 20 MB"),
        ([(f"foto-{n}.jpg", photo_jpeg(64, 48)) for n in range(6)], "paling banyak memiliki 5 lampiran"),
        ([("baik.jpg", photo_jpeg(640, 480)), ("bom.png", png_claiming(30_000, 30_000))], "terlalu besar"),
    ],
    ids=["bomb", "too-wide", "html-named-jpg", "php-with-png-signature", "truncated", "empty", "over-20-mb", "six-files", "good-and-bomb"],
)
def test_bad_images_are_refused_with_a_message_and_nothing_is_written(client, warga, form_data, media_root, files, message):
    client.force_login(warga)
    data = form_data(ajukan="1")
    data["attachments"] = [upload(name, content, "image/jpeg") for name, content in files]
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Proposal.objects.count() == 0 and Attachment.objects.count() == 0
    # Good files of the same form may be kept for the next try (participation.staging), but only
    # cleaned; nothing of a refused file is stored.
    for path in stored_files(media_root):
        assert path.parts[-2] == "staged" and path.suffix == ".webp" and has_metadata(path.read_bytes()) == []
    refused = {"bom.png", "panorama.png", "foto.jpg", "foto.png", "terpotong.jpg", "kosong.jpg", "raksasa.jpg"}
    assert not StagedUpload.objects.filter(original_name__in=refused).exists()


def test_a_large_phone_photo_is_accepted_and_shrunk(client, warga, form_data, media_root):
    original = photo_jpeg(4000, 3000, quality=97)
    client.force_login(warga)
    data = form_data(ajukan="1")
    data["attachments"] = [upload("kamera.jpg", original, "image/jpeg")]
    assert client.post(CREATE, data).status_code == 302
    photo = Attachment.objects.get()
    assert [(entry["width"], entry["height"]) for entry in photo.renditions] == [(320, 240), (640, 480), (1280, 960)]
    assert photo.size == photo.renditions[-1]["size"] < len(original) / 5
    assert photo.mime_type == "image/webp"


def test_images_stored_before_processing_are_cleaned_once_and_never_served_raw(
    client, make_proposal, media_root, django_capture_on_commit_callbacks
):
    from participation.uploads import clean_stored_images

    proposal = make_proposal(status="published")
    original = photo_jpeg(800, 600)
    legacy = Attachment(proposal=proposal, original_name="lama.jpg", kind="image", mime_type="image/jpeg", size=len(original))
    legacy.file.save("lama.jpg", ContentFile(original), save=True)
    missing = Attachment.objects.create(
        proposal=proposal, original_name="hilang.jpg", kind="image", mime_type="image/jpeg", size=1, file="attachments/hilang.jpg"
    )
    original_path = media_root / legacy.file.name
    # Until it is cleaned, the original is not served to anyone.
    assert client.get(f"/usulan/{proposal.pk}/lampiran/{legacy.pk}/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        assert clean_stored_images(Attachment) == (1, 1)
    legacy.refresh_from_db()
    assert [entry["width"] for entry in legacy.renditions] == [320, 640, 800] and legacy.mime_type == "image/webp"
    assert not original_path.exists()
    served = client.get(f"/usulan/{proposal.pk}/lampiran/{legacy.pk}/320/")
    assert served.status_code == 200 and has_metadata(b"".join(served.streaming_content)) == []
    assert client.get(f"/usulan/{proposal.pk}/lampiran/{missing.pk}/").status_code == 404
    assert "foto belum dapat ditampilkan" in client.get(proposal.get_absolute_url()).content.decode()

    # Again: nothing changes for the cleaned one; the missing one is still reported.
    files_before = sorted(stored_files(media_root))
    with django_capture_on_commit_callbacks(execute=True):
        assert clean_stored_images(Attachment) == (0, 1)
    assert sorted(stored_files(media_root)) == files_before


def test_removing_a_photo_removes_every_size(client, warga, form_data, media_root):
    client.force_login(warga)
    data = form_data()
    data["attachments"] = [upload("foto.jpg", photo_jpeg(1400, 1000), "image/jpeg")]
    assert client.post(CREATE, data).status_code == 302
    proposal = Proposal.objects.get()
    photo = proposal.attachments.get()
    assert len(stored_files(media_root)) == 3
    from participation import services

    services.update_proposal(actor=warga, proposal=proposal, data={}, files=[], remove_ids=[photo.pk])
    assert stored_files(media_root) == []


def test_a_photo_kept_after_a_form_error_becomes_an_attachment_in_all_its_sizes(
    client, warga, form_data, media_root, django_capture_on_commit_callbacks
):
    client.force_login(warga)
    data = form_data(ajukan="1", title="", submission_token="token-foto")
    data["attachments"] = [upload("IMG_0001.jpg", photo_jpeg(1400, 1050), "image/jpeg")]
    assert client.post(CREATE, data).status_code == 200
    staged = StagedUpload.objects.get()
    assert [entry["width"] for entry in staged.renditions] == [320, 640, 1280]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(CREATE, form_data(ajukan="1", submission_token="token-foto")).status_code == 302
    photo = Attachment.objects.get()
    assert [(entry["width"], entry["height"]) for entry in photo.renditions] == [(320, 240), (640, 480), (1280, 960)]
    # Only the attachment's three clean files remain; the staged copies are gone.
    stored = sorted(str(path.relative_to(media_root)) for path in stored_files(media_root))
    assert stored == sorted(entry["name"] for entry in photo.renditions)
    assert all(has_metadata((media_root / name).read_bytes()) == [] for name in stored)
