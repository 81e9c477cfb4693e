"""Uploaded files on S3-compatible storage, over real HTTP to a local S3 server (moto) started here.

Every test runs the django-storages S3 code path: the portal writes, reads, signs and deletes
objects in a private bucket exactly as it would on MinIO or a cloud bucket.
"""

import urllib.error
import urllib.request
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.storage import FILESYSTEM_BACKEND, S3_BACKEND, media_storage
from participation.models import Attachment, Proposal
from participation.uploads import stored_names
from tests.participation.conftest import form_data, pdf_bytes, png_bytes, upload  # noqa: F401 (fixture)
from tests.photos import has_metadata, photo_jpeg

pytestmark = pytest.mark.django_db
KEY, SECRET = "portal-test", "portal-test-secret"


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, media_root):
    """A fresh private bucket as the portal's media storage; yields a boto3 client to look inside."""
    import boto3

    name = f"media-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3", endpoint_url=s3_server, aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name="us-east-1"
    )
    client.create_bucket(Bucket=name)
    storage = media_storage(
        {"MEDIA_STORAGE_URL": f"s3://{KEY}:{SECRET}@{name}/portal?endpoint_url={s3_server}&region_name=us-east-1"},
        signed_url_seconds=settings.MEDIA_SIGNED_URL_SECONDS,
    )
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    client.bucket = name
    client.keys = lambda: sorted(item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", []))
    return client


def submit_with_files(client, person, form_data, *, draft=False) -> Proposal:
    client.force_login(person)
    data = form_data(**({"draf": "1"} if draft else {"ajukan": "1"}))
    data["attachments"] = [upload("jalan.jpg", photo_jpeg(1000, 750), "image/jpeg"), upload("denah.pdf", pdf_bytes())]
    response = client.post("/usulan/baru/", data)
    assert response.status_code == 302
    return Proposal.objects.get()


def test_uploads_go_to_the_bucket_and_are_served_only_through_the_checking_view(client, warga, warga_lain, form_data, bucket, media_root):
    proposal = submit_with_files(client, warga, form_data)
    attachments = {a.kind: a for a in proposal.attachments.all()}
    photo = attachments["image"]
    assert len(photo.renditions) == 3  # 320, 640 and 750 pixels wide, all in the bucket
    assert bucket.keys() == sorted([f"portal/{attachments['pdf'].file.name}"] + [f"portal/{e['name']}" for e in photo.renditions])
    assert not media_root.exists() or not any(media_root.rglob("*.*"))  # nothing on the local disk

    image_url = f"/usulan/{proposal.pk}/lampiran/{photo.pk}/"
    for url in (image_url, f"{image_url}320/"):
        served = client.get(url)
        assert served.status_code == 200 and served["Content-Type"] == "image/webp"
        assert has_metadata(b"".join(served.streaming_content)) == []
        assert served["X-Content-Type-Options"] == "nosniff"
    pdf = client.get(f"/usulan/{proposal.pk}/lampiran/{attachments['pdf'].pk}/")
    assert 'attachment; filename="denah.pdf"' == pdf["Content-Disposition"]
    assert b"".join(pdf.streaming_content) == pdf_bytes()

    # Submitted, not yet published: nobody but the author (and staff) gets the file.
    client.force_login(warga_lain)
    assert client.get(image_url).status_code == 404
    client.logout()
    assert client.get(image_url).status_code == 404


def test_signed_url_is_issued_only_after_the_check_and_expires(client, settings, warga, warga_lain, form_data, bucket):
    settings.MEDIA_SIGNED_URL_SECONDS = 30
    settings.STORAGES["default"]["OPTIONS"]["querystring_expire"] = 30
    proposal = submit_with_files(client, warga, form_data)
    attachment = proposal.attachments.get(kind="pdf")
    url = f"/usulan/{proposal.pk}/lampiran/{attachment.pk}/"

    client.force_login(warga_lain)
    refused = client.get(url)
    assert refused.status_code == 404 and "Location" not in refused

    client.force_login(warga)
    redirect = client.get(url)
    assert redirect.status_code == 302 and redirect["Cache-Control"] == "private, no-store"
    signed = redirect["Location"]
    assert signed.startswith(bucket.meta.endpoint_url) and "X-Amz-Signature=" in signed and "X-Amz-Expires=30" in signed
    with urllib.request.urlopen(signed, timeout=10) as response:
        assert response.read() == pdf_bytes()
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"] == 'attachment; filename="denah.pdf"'

    # The bucket itself grants nobody but its owner anything: no public-read object.
    acl = bucket.get_object_acl(Bucket=bucket.bucket, Key=f"portal/{attachment.file.name}")
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in acl["Grants"])


def test_a_removed_attachment_leaves_the_bucket(client, warga, form_data, bucket, django_capture_on_commit_callbacks):
    proposal = submit_with_files(client, warga, form_data, draft=True)
    removed = proposal.attachments.get(kind="image")
    kept_key = f"portal/{proposal.attachments.get(kind='pdf').file.name}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/usulan/{proposal.pk}/ubah/", form_data(remove_attachments=[removed.pk]))
    assert response.status_code == 302
    assert bucket.keys() == [kept_key]


def test_account_erasure_removes_the_persons_files_from_the_bucket(
    client, warga, form_data, bucket, django_capture_on_commit_callbacks
):
    draft = submit_with_files(client, warga, form_data, draft=True)
    draft_keys = {f"portal/{name}" for a in draft.attachments.all() for name in stored_names(a.file.name, a.renditions)}
    assert len(draft_keys) == 4  # the PDF and three sizes of the photo
    assert set(bucket.keys()) == draft_keys
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/akun/hapus/", {"password": "rahasia-kuat-123"})
    assert response.status_code == 302
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.exists()
    assert bucket.keys() == []


def test_consultation_documents_live_in_the_bucket_too(client, bucket, petugas_pupr, dinas_pupr, kategori):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consultations import services as consultation_services
    from participation.uploads import check_upload
    from tests.consultations.conftest import ConsultationFactory

    consultation = ConsultationFactory(work_unit=dinas_pupr, category=kategori, is_published=False)
    pdf = SimpleUploadedFile("naskah.pdf", pdf_bytes(), content_type="application/pdf")
    document = consultation_services.add_documents(
        actor=petugas_pupr, consultation=consultation, files=[(pdf, check_upload(pdf, allow_images=False))]
    )[0]
    assert bucket.keys() == [f"portal/{document.file.name}"]
    client.force_login(petugas_pupr)  # a draft consultation's documents are for its unit only
    served = client.get(f"/uji-publik/{consultation.pk}/dokumen/{document.pk}/")
    assert served.status_code == 200 and b"".join(served.streaming_content) == pdf_bytes()


def test_a_file_missing_from_the_bucket_is_a_404_not_a_500(client, warga, form_data, bucket):
    proposal = submit_with_files(client, warga, form_data)
    attachment = proposal.attachments.get(kind="image")
    bucket.delete_object(Bucket=bucket.bucket, Key=f"portal/{attachment.file.name}")
    assert client.get(f"/usulan/{proposal.pk}/lampiran/{attachment.pk}/").status_code == 404


# --- configuration ----------------------------------------------------------------------------------


def test_local_disk_is_the_default():
    assert media_storage({}, signed_url_seconds=0) == {"BACKEND": FILESYSTEM_BACKEND}


def test_storage_url_names_bucket_prefix_keys_and_endpoint():
    storage = media_storage(
        {"MEDIA_STORAGE_URL": "s3://AKIA%2Fx:se%2Fcret@portal-media/pemda-a?endpoint_url=https://minio.local:9000&region_name=ap-southeast-3"},
        signed_url_seconds=0,
    )
    assert storage["BACKEND"] == S3_BACKEND
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "portal-media" and options["location"] == "pemda-a"
    assert options["access_key"] == "AKIA/x" and options["secret_key"] == "se/cret"
    assert options["endpoint_url"] == "https://minio.local:9000" and options["addressing_style"] == "path"
    assert options["region_name"] == "ap-southeast-3"
    assert options.get("default_acl") is None and options["querystring_auth"] is True  # never public-read


def test_usual_aws_variables_work_without_a_url():
    storage = media_storage({"AWS_STORAGE_BUCKET_NAME": "media", "AWS_S3_REGION_NAME": "ap-southeast-3"}, signed_url_seconds=45)
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "media" and options["querystring_expire"] == 45
    assert "access_key" not in options  # boto3 finds the keys itself (environment, pod role)
    assert "addressing_style" not in options  # a cloud bucket keeps virtual-host addressing


@pytest.mark.parametrize(
    "environ",
    [
        {"MEDIA_STORAGE_URL": "https://bucket.example/"},
        {"MEDIA_STORAGE_URL": "s3://bucket?endpoint=http://x"},
        {"MEDIA_SIGNED_URL_SECONDS": "30"},
    ],
)
def test_bad_storage_settings_stop_the_start(environ):
    with pytest.raises(ImproperlyConfigured):
        media_storage(environ, signed_url_seconds=int(environ.get("MEDIA_SIGNED_URL_SECONDS", 0)))
